#include "net/partition.h"

#include <fmt/ranges.h>

namespace jf {

std::string PartitionScript() {
  return R"SH(c=JF-PARTITION; ports=$1; shift
while iptables -w -D INPUT -j "$c" 2>/dev/null; do :; done
if iptables -w -n -L "$c" > /dev/null 2>&1; then iptables -w -F "$c" && iptables -w -X "$c" || exit 1; fi
[ $# -eq 0 ] && exit 0
iptables -w -N "$c" || exit 1
for ip in "$@"; do
  if [ -z "$ports" ]; then iptables -w -A "$c" -s "$ip" -j DROP || exit 1
  else
    iptables -w -A "$c" -s "$ip" -p tcp -m multiport --dports "$ports" -j DROP || exit 1
    iptables -w -A "$c" -s "$ip" -p tcp -m multiport --sports "$ports" -j DROP || exit 1
  fi
done
iptables -w -I INPUT 1 -j "$c")SH";
}

Status ApplyGrudge(const std::vector<NodeHandle>& nodes, const Grudge& grudge,
                   const std::vector<int>& tcp_ports) {
  std::string ports = fmt::format("{}", fmt::join(tcp_ports, ","));
  return ForEachNode(nodes, [&](const NodeHandle& n) -> Status {
    std::vector<std::string> args = {ports};
    auto it = grudge.find(n.name);
    if (it != grudge.end()) {
      for (const auto& peer : it->second) {
        for (const auto& m : nodes) {
          if (m.name == peer) args.push_back(m.ip);
        }
      }
    }
    auto r = ExecShell(*n.remote, PartitionScript(), args);
    return r.ok() ? Status::Ok() : r.status().WithContext("partitioning " + n.name);
  });
}

Status HealPartitions(const std::vector<NodeHandle>& nodes) { return ApplyGrudge(nodes, {}); }

}  // namespace jf
