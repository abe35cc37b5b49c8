// Finding and signalling processes on a node by what they are: the entry class (or program) that
// appears as one whole element of their argument vector, looked up in the node's own /proc (its
// own PID namespace on local nodes), never by a substring of a command line that may miss or
// over-match.
//
// Thread-safety: as Remote.
#ifndef JF_CONTROL_PROCESSES_H_
#define JF_CONTROL_PROCESSES_H_

#include <optional>
#include <string>
#include <vector>

#include "control/remote.h"

namespace jf {

// PIDs (node-side) of the processes with `arg` as one argv element, excluding zombies.
Result<std::vector<int>> FindProcesses(Remote& remote, const std::string& arg);

// Finds the processes as above and sends `signal` to each in the same command, so the PIDs
// returned are the ones signalled. An empty result means nothing matched.
Result<std::vector<int>> SignalProcesses(Remote& remote, const std::string& arg, int signal);

// Capability of Remotes whose node PIDs differ from the harness's view (PID namespaces).
class HostPidResolver {
 public:
  virtual ~HostPidResolver() = default;
  virtual std::optional<int> HostPid(int node_pid) const = 0;
};

}  // namespace jf

#endif  // JF_CONTROL_PROCESSES_H_
