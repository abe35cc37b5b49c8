// Daemons on a node: start a long-running program detached from the harness (own session, stdin
// from /dev/null, output appended to a log file on the node, its node-side PID in a pid file),
// find out whether it runs, and stop it (SIGTERM, then SIGKILL after a grace period).
//
// These build on Remote::Exec only, so they work on every kind of node. Thread-safety: as Remote.
#ifndef JF_CONTROL_DAEMON_H_
#define JF_CONTROL_DAEMON_H_

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "control/remote.h"

namespace jf {

struct DaemonSpec {
  std::string name;  // for messages
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  std::string log_file;  // stdout and stderr, appended
  std::string pid_file;
  std::string cwd = "/";
};

// Starts the daemon and returns its PID on the node (in the node's PID namespace).
Result<int> StartDaemon(Remote& remote, const DaemonSpec& spec);

// The PID a command printed (first number of its output), or 0 if it printed none.
int ParsePid(const std::string& out);

// The PID in `pid_file` if that process still runs, else 0.
Result<int> DaemonPid(Remote& remote, const std::string& pid_file);

// Sends SIGTERM, waits up to `grace`, then SIGKILL. Succeeds if the process is gone (or was never
// there); removes the pid file.
Status StopDaemon(Remote& remote, const std::string& pid_file,
                  std::chrono::milliseconds grace = std::chrono::seconds(10));

}  // namespace jf

#endif  // JF_CONTROL_DAEMON_H_
