#include "net/delay.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "control/daemon.h"

namespace jf {
namespace {

// $1 queue number, then the peers. Removes our jump(s) from raw PREROUTING and our chains in raw
// (also a probe chain a crash may have left); with peers, installs the chain again and jumps to it
// first.
constexpr const char* kDelayScript = R"SH(c=JF-DELAY; q=$1; shift
ipt() { iptables -w -t raw "$@"; }
while ipt -D PREROUTING -j "$c" 2>/dev/null; do :; done
for x in "$c" "$c-PROBE"; do
  if ipt -n -L "$x" > /dev/null 2>&1; then ipt -F "$x" && ipt -X "$x" || exit 1; fi
done
[ $# -eq 0 ] && exit 0
ipt -N "$c" || exit 1
for ip in "$@"; do
  ipt -A "$c" -s "$ip" -j NFQUEUE --queue-num "$q" --queue-bypass || exit 1
done
ipt -I PREROUTING 1 -j "$c")SH";

// $1 delayer, $2 log file. Prints the log's size, so that only what the new delayer writes is read.
constexpr const char* kPrepareScript =
    R"SH([ -f "$1" ] && [ -x "$1" ] || { echo "no executable $1 (see UploadDelayer)" >&2; exit 1; }
mkdir -p "$(dirname "$2")" || exit 1
stat -c %s "$2" 2>/dev/null || echo 0)SH";

// $1 log file, $2 its size before the start, $3 the delayer's PID, $4 tries of 50 ms. Prints
// "ready", "exited" or "timeout", then the last lines the delayer wrote.
constexpr const char* kWaitReadyScript = R"SH(log=$1; off=$(($2 + 1)); pid=$3; n=$4; i=0
alive() { kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; }
while :; do
  if tail -c "+$off" "$log" 2>/dev/null | grep -q '^ready '; then
    echo ready; break
  fi
  alive || { echo exited; break; }
  [ "$i" -ge "$n" ] && { echo timeout; break; }
  sleep 0.05; i=$((i + 1))
done
tail -c "+$off" "$log" 2>/dev/null | tail -n 4)SH";

constexpr const char* kProbeScript = R"SH([ -e /proc/net/netfilter/nfnetlink_queue ] || exit 1
c=JF-DELAY-PROBE
ipt() { iptables -w -t raw "$@"; }
if ipt -n -L "$c" > /dev/null 2>&1; then ipt -F "$c"; ipt -X "$c"; fi
ipt -N "$c" > /dev/null 2>&1 || exit 1
ipt -A "$c" -j NFQUEUE --queue-num "$1" --queue-bypass > /dev/null 2>&1; ok=$?
ipt -F "$c"; ipt -X "$c"
exit $ok)SH";

constexpr auto kReadyTimeout = std::chrono::seconds(5);
constexpr auto kStopGrace = std::chrono::seconds(5);

Status RemoveRules(const NodeHandle& node) {
  auto r = ExecShell(*node.remote, DelayRulesScript(), {std::to_string(kDelayQueue)});
  return r.ok() ? Status::Ok() : r.status().WithContext("removing the delay on " + node.name);
}

// Stops our delayer. The pid file may be stale (the delayer exits by itself after max_seconds): a
// PID that now belongs to another program is forgotten, never signalled.
Status StopDelayer(Remote& remote) {
  (void)ExecShell(remote,
                  "p=$(cat \"$1\" 2>/dev/null) || exit 0; "
                  "[ \"$(cat \"/proc/$p/comm\" 2>/dev/null)\" = jf-delayer ] || rm -f \"$1\"",
                  {kDelayerPidFile});
  return StopDaemon(remote, kDelayerPidFile, kStopGrace);
}

// The lines after the first one (the wait script's verdict), joined for a one-line message.
std::string LogTail(const std::string& out) {
  std::istringstream in(out);
  std::string line, joined;
  std::getline(in, line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (!joined.empty()) joined += " | ";
    joined += line;
  }
  return joined.empty() ? "(no output)" : joined;
}

}  // namespace

std::string DelayRulesScript() { return kDelayScript; }

std::vector<std::string> DelayerArgv(const std::string& delayer_path, int delay_ms, int jitter_ms,
                                     double max_seconds) {
  return {delayer_path,
          "--queue",
          std::to_string(kDelayQueue),
          "--delay-ms",
          std::to_string(delay_ms),
          "--jitter-ms",
          std::to_string(jitter_ms),
          "--max-seconds",
          fmt::format("{}", max_seconds)};
}

Status UploadDelayer(const NodeHandle& node, const std::string& local_path) {
  std::error_code ec;
  if (local_path.empty() || !std::filesystem::is_regular_file(local_path, ec)) {
    return NotFound("no jf-delayer at '{}' (it is built next to jepsen-flink)", local_path);
  }
  // Upload beside it and rename: writing over a running executable fails (ETXTBSY).
  const std::string tmp = std::string(kDelayerNodePath) + ".new";
  JF_RETURN_IF_ERROR(node.remote->Upload(local_path, tmp).WithContext("uploading jf-delayer"));
  auto r =
      ExecShell(*node.remote, "chmod 755 \"$1\" && mv -f \"$1\" \"$2\"", {tmp, kDelayerNodePath});
  return r.ok() ? Status::Ok() : r.status().WithContext("installing jf-delayer");
}

Status ApplyDelay(const NodeHandle& node, const std::vector<std::string>& peer_ips, int delay_ms,
                  int jitter_ms, double max_seconds, const std::string& delayer_path_on_node) {
  if (delay_ms < 1 || delay_ms > 60000) {
    return InvalidArgument("delay {} ms is not in 1..60000", delay_ms);
  }
  if (jitter_ms < 0 || jitter_ms > 60000) {
    return InvalidArgument("jitter {} ms is not in 0..60000", jitter_ms);
  }
  if (!std::isfinite(max_seconds) || max_seconds <= 0 || max_seconds > 1e7) {
    return InvalidArgument("the delayer's lifetime {} s is not in (0, 1e7]", max_seconds);
  }
  if (peer_ips.empty()) return InvalidArgument("a delay on {} from no peer", node.name);
  if (delayer_path_on_node.empty()) return InvalidArgument("no path of jf-delayer on the node");
  Remote& remote = *node.remote;

  // Undo an earlier delay: packets stop going to the queue, then its delayer lets it go.
  JF_RETURN_IF_ERROR(RemoveRules(node));
  JF_RETURN_IF_ERROR(StopDelayer(remote).WithContext("stopping the old jf-delayer"));

  auto prep = ExecShell(remote, kPrepareScript, {delayer_path_on_node, kDelayerLogFile});
  if (!prep.ok()) return prep.status().WithContext("starting jf-delayer");
  std::string offset = prep->out.substr(0, prep->out.find_first_not_of("0123456789"));
  if (offset.empty()) offset = "0";

  DaemonSpec spec;
  spec.name = "jf-delayer";
  spec.argv = DelayerArgv(delayer_path_on_node, delay_ms, jitter_ms, max_seconds);
  spec.log_file = kDelayerLogFile;
  spec.pid_file = kDelayerPidFile;
  JF_ASSIGN_OR_RETURN(int pid, StartDaemon(remote, spec));

  const int tries = static_cast<int>(kReadyTimeout / std::chrono::milliseconds(50));
  ExecOptions wait_opts;
  wait_opts.timeout = kReadyTimeout + std::chrono::seconds(10);
  auto wait =
      ExecShell(remote, kWaitReadyScript,
                {kDelayerLogFile, offset, std::to_string(pid), std::to_string(tries)}, wait_opts);
  std::string verdict = wait.ok() ? wait->out.substr(0, wait->out.find('\n')) : "";
  if (verdict != "ready") {
    (void)StopDelayer(remote);
    if (!wait.ok()) return wait.status().WithContext("waiting for jf-delayer on " + node.name);
    std::string tail = LogTail(wait->out);
    if (verdict == "exited") {
      return FailedPrecondition("jf-delayer on {} exited before it was bound to queue {}: {} ({})",
                                node.name, kDelayQueue, tail, kDelayerLogFile);
    }
    return Timeout("jf-delayer on {} was not bound to queue {} within {} s: {} ({})", node.name,
                   kDelayQueue, kReadyTimeout.count(), tail, kDelayerLogFile);
  }

  std::vector<std::string> args = {std::to_string(kDelayQueue)};
  args.insert(args.end(), peer_ips.begin(), peer_ips.end());
  auto rules = ExecShell(remote, DelayRulesScript(), args);
  if (!rules.ok()) {
    (void)RemoveRules(node);
    (void)StopDelayer(remote);
    return rules.status().WithContext("delaying the packets " + node.name + " receives");
  }
  return Status::Ok();
}

Status HealDelay(const NodeHandle& node) {
  // Rules first: once nothing goes to the queue, the delayer can let go of the last packets.
  Status rules = RemoveRules(node);
  Status stop = StopDelayer(*node.remote);
  if (!rules.ok()) return rules;
  return stop.ok() ? Status::Ok() : stop.WithContext("stopping jf-delayer on " + node.name);
}

std::string DefaultDelayerPath() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  auto path = exe.parent_path() / "jf-delayer";
  if (!std::filesystem::is_regular_file(path, ec) || access(path.c_str(), X_OK) != 0) return "";
  return path.string();
}

bool ProbeNfqueue(const NodeHandle& node) {
  auto r = ExecShell(*node.remote, kProbeScript, {std::to_string(kDelayQueue)});
  return r.ok();
}

}  // namespace jf
