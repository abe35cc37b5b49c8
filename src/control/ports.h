// The TCP ports a node's processes listen on, as `ss -Htlnp` run on the node (in its own network
// namespace on local nodes) reports them, and whether the ports a deployment needs are free.
// Checked before anything is deployed: a daemon that cannot bind its port dies at start or, under
// a supervisor, restarts forever, and a standby JobManager that never came up is silent.
//
// Thread-safety: the parsers are pure; ListeningPorts is as thread-safe as the Remote.
#ifndef JF_CONTROL_PORTS_H_
#define JF_CONTROL_PORTS_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "control/remote.h"

namespace jf {

struct Listener {
  std::string address;  // as ss prints it: 0.0.0.0, [::], 10.77.7.11, *
  int port = 0;
  std::string program;  // the first process holding the socket; empty if ss could not tell
  int pid = 0;
};

// Parses `ss -Htlnp` output; lines it cannot read are skipped.
std::vector<Listener> ParseSsListeners(std::string_view out);

// The node's TCP listeners.
Result<std::vector<Listener>> ListeningPorts(Remote& remote);

// One line per port of `wanted` (port -> what needs it) that a listener holds, e.g. "port 8081
// (Flink REST) is in use by python3 (pid 41)"; empty when all are free.
std::vector<std::string> PortConflicts(const std::vector<Listener>& listeners,
                                       const std::map<int, std::string>& wanted);

}  // namespace jf

#endif  // JF_CONTROL_PORTS_H_
