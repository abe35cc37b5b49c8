// Remote: how the harness reaches one node. Jepsen's control protocol reduced to what a fault
// harness needs: run a command, put a file there, bring a file back.
//
// Implementations: NamespaceRemote (a node of the local namespace cluster, via nsenter) and, later,
// SshRemote (a real host through the OpenSSH client). Tests use FakeRemote.
//
// Thread-safety: every method may be called concurrently from several threads; implementations
// keep no per-call state.
#ifndef JF_CONTROL_REMOTE_H_
#define JF_CONTROL_REMOTE_H_

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "control/subprocess.h"

namespace jf {

class Remote {
 public:
  virtual ~Remote() = default;

  // The node's name as the harness knows it (n1, n2, ... or a host name).
  virtual const std::string& node() const = 0;

  // Runs argv on the node. The Status is an error only if the command could not be run at all
  // (the node is gone); the command's own failure is in ExecResult. opts.stdin_file and
  // opts.stdout_file name files on the harness's machine.
  virtual Result<ExecResult> Exec(const std::vector<std::string>& argv,
                                  const ExecOptions& opts = {}) = 0;

  // Copies a local file to `remote_path` on the node (parent directories are created).
  virtual Status Upload(const std::string& local_path, const std::string& remote_path) = 0;

  // Copies `remote_path` from the node to a local file.
  virtual Status Download(const std::string& remote_path, const std::string& local_path) = 0;

  // Installs the local directory `local_dir` as `remote_dir` on the node, replacing what was
  // there. The files may be shared with the harness's copy (hard links on local nodes), so the
  // node must treat them as read-only.
  virtual Status UploadTree(const std::string& local_dir, const std::string& remote_dir) = 0;
};

// Exec that turns anything but exit 0 into an error naming the node and the command.
Result<ExecResult> ExecChecked(Remote& remote, const std::vector<std::string>& argv,
                               const ExecOptions& opts = {});

// Runs a shell snippet on the node (`sh -c script`). Only for fixed scripts written by the
// harness; values must go in as quoted words (ShellQuote) or as positional args.
Result<ExecResult> ExecShell(Remote& remote, const std::string& script,
                             const std::vector<std::string>& args = {},
                             const ExecOptions& opts = {});

}  // namespace jf

#endif  // JF_CONTROL_REMOTE_H_
