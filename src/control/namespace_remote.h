// NamespaceRemote: a node of the local namespace cluster. Commands enter the node's network,
// mount, UTS and PID namespaces with nsenter, through the host PID of the node's init, so they
// see the node's hostname, its own /opt, /tmp and /var/log, its own /proc and its own network.
//
// Thread-safety: immutable after construction; all methods may run concurrently.
#ifndef JF_CONTROL_NAMESPACE_REMOTE_H_
#define JF_CONTROL_NAMESPACE_REMOTE_H_

#include "control/processes.h"
#include "control/remote.h"

namespace jf {

class NamespaceRemote : public Remote, public HostPidResolver {
 public:
  // `root_dir` is the host directory that holds the node's own opt/, tmp/ and log/ (mounted at
  // /opt, /tmp and /var/log in the node); empty if unknown.
  NamespaceRemote(std::string node, int init_host_pid, std::string root_dir = "")
      : node_(std::move(node)), init_pid_(init_host_pid), root_dir_(std::move(root_dir)) {}

  const std::string& node() const override { return node_; }
  Result<ExecResult> Exec(const std::vector<std::string>& argv,
                          const ExecOptions& opts = {}) override;
  Status Upload(const std::string& local_path, const std::string& remote_path) override;
  Status Download(const std::string& remote_path, const std::string& local_path) override;
  // Hard-links the tree into the node's own directory when the node path is under /opt, /tmp or
  // /var/log and both are on one file system (instant, no copy); streams a tar otherwise.
  Status UploadTree(const std::string& local_dir, const std::string& remote_dir) override;

  // The host path behind a node path under /opt, /tmp or /var/log, or "" (exposed for tests).
  std::string HostPathOf(const std::string& node_path) const;

  int init_pid() const { return init_pid_; }

  // The harness-side PID of a process the node knows as `node_pid`: the process in the node's
  // PID namespace whose NSpid ends in node_pid.
  std::optional<int> HostPid(int node_pid) const override;

  // The nsenter prefix, exposed for tests.
  std::vector<std::string> Wrap(const std::vector<std::string>& argv) const;

 private:
  std::string node_;
  int init_pid_;
  std::string root_dir_;
};

}  // namespace jf

#endif  // JF_CONTROL_NAMESPACE_REMOTE_H_
