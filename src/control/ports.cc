#include "control/ports.h"

#include <fmt/format.h>

#include <charconv>
#include <regex>
#include <set>
#include <sstream>

namespace jf {

std::vector<Listener> ParseSsListeners(std::string_view out) {
  static const std::regex kUser(R"re(\(\("([^"]*)",pid=(\d+))re");
  std::vector<Listener> listeners;
  std::istringstream lines{std::string(out)};
  std::string line;
  while (std::getline(lines, line)) {
    // State Recv-Q Send-Q Local:Port Peer:Port [users:((...))]
    std::istringstream fields(line);
    std::string state, recv_q, send_q, local;
    if (!(fields >> state >> recv_q >> send_q >> local) || state != "LISTEN") continue;
    const size_t colon = local.rfind(':');
    if (colon == std::string::npos) continue;
    Listener l;
    l.address = local.substr(0, colon);
    const std::string port = local.substr(colon + 1);
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), l.port);
    if (ec != std::errc() || end != port.data() + port.size()) continue;
    std::smatch m;
    if (std::regex_search(line, m, kUser)) {
      l.program = m[1];
      l.pid = std::stoi(m[2]);
    }
    listeners.push_back(std::move(l));
  }
  return listeners;
}

Result<std::vector<Listener>> ListeningPorts(Remote& remote) {
  auto r = ExecChecked(remote, {"ss", "-Htlnp"});
  if (!r.ok()) return r.status().WithContext("listing the listening ports");
  return ParseSsListeners(r->out);
}

std::vector<std::string> PortConflicts(const std::vector<Listener>& listeners,
                                       const std::map<int, std::string>& wanted) {
  std::vector<std::string> out;
  std::set<int> seen;  // a port on IPv4 and IPv6 is one conflict
  for (const auto& l : listeners) {
    auto it = wanted.find(l.port);
    if (it == wanted.end() || !seen.insert(l.port).second) continue;
    std::string who =
        l.program.empty() ? "another process" : fmt::format("{} (pid {})", l.program, l.pid);
    out.push_back(
        fmt::format("port {} ({}) is in use by {} on {}", l.port, it->second, who, l.address));
  }
  return out;
}

}  // namespace jf
