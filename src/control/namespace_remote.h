// NamespaceRemote: a node of the local namespace cluster. Commands enter the node's network,
// mount, UTS and PID namespaces with nsenter, through the host PID of the node's init, so they
// see the node's hostname, its own /opt, /tmp and /var/log, its own /proc and its own network.
//
// Thread-safety: immutable after construction; all methods may run concurrently.
#ifndef JF_CONTROL_NAMESPACE_REMOTE_H_
#define JF_CONTROL_NAMESPACE_REMOTE_H_

#include "control/remote.h"

namespace jf {

class NamespaceRemote : public Remote {
 public:
  NamespaceRemote(std::string node, int init_host_pid)
      : node_(std::move(node)), init_pid_(init_host_pid) {}

  const std::string& node() const override { return node_; }
  Result<ExecResult> Exec(const std::vector<std::string>& argv,
                          const ExecOptions& opts = {}) override;
  Status Upload(const std::string& local_path, const std::string& remote_path) override;
  Status Download(const std::string& remote_path, const std::string& local_path) override;

  int init_pid() const { return init_pid_; }

  // The nsenter prefix, exposed for tests.
  std::vector<std::string> Wrap(const std::vector<std::string>& argv) const;

 private:
  std::string node_;
  int init_pid_;
};

}  // namespace jf

#endif  // JF_CONTROL_NAMESPACE_REMOTE_H_
