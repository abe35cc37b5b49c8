#include "control/daemon.h"

#include <algorithm>
#include <thread>

namespace jf {
namespace {

// $1 pid file, $2 log file, $3 working directory, then `env K=V ... argv`.
constexpr const char* kStartScript = R"SH(pidf=$1; log=$2; wd=$3; shift 3
mkdir -p "$(dirname "$pidf")" "$(dirname "$log")" && rm -f "$pidf" || exit 1
cd "$wd" || exit 1
setsid -f sh -c 'echo $$ > "$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$pidf" "$@" >> "$log" 2>&1 < /dev/null
i=0
while [ ! -s "$pidf" ] && [ $i -lt 200 ]; do sleep 0.01; i=$((i+1)); done
cat "$pidf")SH";

}  // namespace

Result<int> StartDaemon(Remote& remote, const DaemonSpec& spec) {
  std::vector<std::string> args = {spec.pid_file, spec.log_file, spec.cwd, "env"};
  for (const auto& [k, v] : spec.env) args.push_back(k + "=" + v);
  args.insert(args.end(), spec.argv.begin(), spec.argv.end());
  auto r = ExecShell(remote, kStartScript, args);
  if (!r.ok()) return r.status().WithContext("starting " + spec.name);
  try {
    int pid = std::stoi(r->out);
    if (pid > 0) return pid;
  } catch (...) {
  }
  return Internal("starting {} on {}: no PID in {} (see {})", spec.name, remote.node(),
                  spec.pid_file, spec.log_file);
}

Result<int> DaemonPid(Remote& remote, const std::string& pid_file) {
  auto r = ExecShell(remote,
                     "p=$(cat \"$1\" 2>/dev/null) || exit 0; "
                     "[ -n \"$p\" ] && kill -0 \"$p\" 2>/dev/null && ! grep -q '^State:.*Z' "
                     "/proc/$p/status && echo $p; exit 0",
                     {pid_file});
  if (!r.ok()) return r.status();
  return ParsePid(r->out);
}

int ParsePid(const std::string& out) {
  try {
    return out.empty() ? 0 : std::max(0, std::stoi(out));
  } catch (...) {
    return 0;
  }
}

Status StopDaemon(Remote& remote, const std::string& pid_file, std::chrono::milliseconds grace) {
  JF_ASSIGN_OR_RETURN(int pid, DaemonPid(remote, pid_file));
  if (pid > 0) {
    (void)remote.Exec({"kill", "-TERM", std::to_string(pid)});
    auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
      JF_ASSIGN_OR_RETURN(int still, DaemonPid(remote, pid_file));
      if (still == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    JF_ASSIGN_OR_RETURN(int still, DaemonPid(remote, pid_file));
    if (still > 0) (void)remote.Exec({"kill", "-KILL", std::to_string(pid)});
  }
  (void)remote.Exec({"rm", "-f", pid_file});
  return Status::Ok();
}

}  // namespace jf
