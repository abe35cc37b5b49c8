#include "net/shaping.h"

namespace jf {
namespace {

constexpr const char* kLossScript = R"SH(c=JF-LOSS; p=$1; shift
while iptables -w -D INPUT -j "$c" 2>/dev/null; do :; done
if iptables -w -n -L "$c" > /dev/null 2>&1; then iptables -w -F "$c" && iptables -w -X "$c" || exit 1; fi
[ "$p" = 0 ] && exit 0
iptables -w -N "$c" || exit 1
for ip in "$@"; do
  iptables -w -A "$c" -s "$ip" -m statistic --mode random --probability "$p" -j DROP || exit 1
done
iptables -w -I INPUT 1 -j "$c")SH";

// Removes the root qdisc only if it is ours (handle 4a46:).
constexpr const char* kHealQdisc = R"SH(dev=$1
if tc qdisc show dev "$dev" root | grep -q ' 4a46: '; then tc qdisc del dev "$dev" root || exit 1; fi)SH";

}  // namespace

Status ApplyLoss(const NodeHandle& node, const std::vector<std::string>& peer_ips, double p) {
  if (!(p > 0 && p < 1)) return InvalidArgument("loss probability {} is not in (0, 1)", p);
  std::vector<std::string> args = {fmt::format("{:.4f}", p)};
  args.insert(args.end(), peer_ips.begin(), peer_ips.end());
  auto r = ExecShell(*node.remote, kLossScript, args);
  return r.ok() ? Status::Ok() : r.status();
}

Status HealLoss(const NodeHandle& node) {
  auto r = ExecShell(*node.remote, kLossScript, {"0"});
  return r.ok() ? Status::Ok() : r.status();
}

Status ApplyBandwidth(const NodeHandle& node, int kbit_per_s) {
  if (kbit_per_s <= 0) return InvalidArgument("bandwidth {} kbit/s is not positive", kbit_per_s);
  // Replace only a root qdisc that is ours or the default; never one somebody else installed.
  auto r = ExecShell(*node.remote,
                     "q=$(tc qdisc show dev eth0 root); case \"$q\" in *' 4a46: '*|*noqueue*|"
                     "*pfifo_fast*|*fq_codel*|'') ;; *) echo \"foreign root qdisc: $q\" >&2; exit 1;; "
                     "esac; tc qdisc replace dev eth0 root handle 4a46: tbf rate \"$1kbit\" "
                     "burst 16kb latency 400ms",
                     {std::to_string(kbit_per_s)});
  return r.ok() ? Status::Ok() : r.status();
}

Status HealBandwidth(const NodeHandle& node) {
  auto r = ExecShell(*node.remote, kHealQdisc, {"eth0"});
  return r.ok() ? Status::Ok() : r.status();
}

bool ProbeQdisc(const NodeHandle& node, const std::string& kind) {
  // tbf refuses to exist without its parameters; other kinds have defaults.
  std::string params = kind == "tbf" ? "rate 1mbit burst 32kbit latency 400ms" : "";
  auto r = ExecShell(*node.remote,
                     "tc qdisc add dev lo root handle 4a46: $1 $2 > /dev/null 2>&1 || exit 1; "
                     "tc qdisc del dev lo root handle 4a46:",
                     {kind, params});
  return r.ok();
}

}  // namespace jf
