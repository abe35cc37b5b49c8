// Supervised services on a node, the way the original ran Flink under runit: each service is a
// runit service directory (run, finish) watched by its own `runsv`. When the process dies (a
// SIGKILL from the nemesis), runsv runs ./finish, which waits the restart delay, and starts ./run
// again. The same mechanism serves every kind of node (it only needs Remote::Exec and runit).
//
// Thread-safety: as Remote; operations on different services may run concurrently.
#ifndef JF_CONTROL_SUPERVISOR_H_
#define JF_CONTROL_SUPERVISOR_H_

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "control/remote.h"

namespace jf {

inline constexpr const char* kServiceRoot = "/opt/jepsen/sv";

struct ServiceSpec {
  std::string name;  // directory name under kServiceRoot
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  std::string log_file;  // stdout and stderr of every incarnation, appended
  std::chrono::milliseconds restart_delay{1000};
};

// The run script for a service (exposed for tests): execs argv with env, output to log_file.
std::string RenderRunScript(const ServiceSpec& spec);
std::string RenderFinishScript(const ServiceSpec& spec);

// Writes the service directory and starts its runsv. Returns once runsv runs (not the process).
Status StartService(Remote& remote, const ServiceSpec& spec);

// The PID (in the node's PID namespace) of the service's current process, or 0 if it is down.
Result<int> ServicePid(Remote& remote, const std::string& name);

// How many times the service's process has exited since its log began (the finish script writes
// one line per exit into the log); 0 if the log cannot be read.
int ServiceExits(Remote& remote, const ServiceSpec& spec);

// Stops the process (SIGTERM, SIGKILL after `grace`) and its runsv, so it is not restarted.
Status StopService(Remote& remote, const std::string& name,
                   std::chrono::milliseconds grace = std::chrono::seconds(10));

// Takes the service's process down on purpose and keeps it down: SIGTERM (then SIGCONT, so a
// paused process gets it), SIGKILL after `grace`. Its runsv stays, in the "down" state, so runit
// does not restart the process until UpService. Succeeds once the process is gone.
Status DownService(Remote& remote, const std::string& name,
                   std::chrono::milliseconds grace = std::chrono::seconds(10));

// Brings a service that DownService took down back: runsv starts ./run at once (after a ./finish
// still running) and restarts it on exits again. Returns without waiting for the process.
// FailedPrecondition if the service's runsv does not run (never started, or StopService).
Status UpService(Remote& remote, const std::string& name);

}  // namespace jf

#endif  // JF_CONTROL_SUPERVISOR_H_
