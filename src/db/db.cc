#include "db/db.h"

#include <algorithm>
#include <future>

#include "control/processes.h"

namespace jf {

std::string DeployContext::ZooKeeperQuorum() const {
  std::string q;
  for (const auto& n : nodes) q += (q.empty() ? "" : ",") + n.ip + ":2181";
  return q;
}

Status ForEachNode(const std::vector<NodeHandle>& nodes,
                   const std::function<Status(const NodeHandle&)>& fn) {
  std::vector<std::future<Status>> futures;
  for (const auto& n : nodes) {
    futures.push_back(std::async(std::launch::async, [&fn, &n]() -> Status {
      try {
        return fn(n);
      } catch (const std::exception& e) {
        return Internal("on {}: {}", n.name, e.what());
      }
    }));
  }
  Status first;
  for (auto& f : futures) {
    Status s = f.get();
    if (first.ok() && !s.ok()) first = s;
  }
  return first;
}

namespace {

std::vector<ProcessRef> Refs(const NodeHandle& node, const std::string& role,
                             const std::vector<int>& pids) {
  std::vector<ProcessRef> refs;
  auto* resolver = dynamic_cast<HostPidResolver*>(node.remote);
  for (int pid : pids) {
    ProcessRef r{.node = node.name, .role = role, .pid = pid};
    if (resolver) r.host_pid = resolver->HostPid(pid).value_or(-1);
    refs.push_back(r);
  }
  return refs;
}

}  // namespace

Result<std::vector<ProcessRef>> RoleProcesses(const NodeHandle& node, const std::string& role,
                                              const std::string& entry_class) {
  JF_ASSIGN_OR_RETURN(auto pids, FindProcesses(*node.remote, entry_class));
  return Refs(node, role, pids);
}

Result<std::vector<ProcessRef>> SignalRole(const NodeHandle& node, const std::string& role,
                                           const std::string& entry_class, int signal) {
  // Resolve host PIDs before the signal: a SIGKILLed process is gone a moment later.
  JF_ASSIGN_OR_RETURN(auto before, RoleProcesses(node, role, entry_class));
  JF_ASSIGN_OR_RETURN(auto pids, SignalProcesses(*node.remote, entry_class, signal));
  std::vector<ProcessRef> hit;
  for (int pid : pids) {
    ProcessRef r{.node = node.name, .role = role, .pid = pid};
    for (const auto& b : before) {
      if (b.pid == pid) r.host_pid = b.host_pid;
    }
    hit.push_back(r);
  }
  return hit;
}

std::vector<std::string> KillRouter::Roles() const {
  std::vector<std::string> all;
  for (auto* p : parts_) {
    for (const auto& r : p->Roles()) all.push_back(r);
  }
  return all;
}

Kill* KillRouter::For(const std::string& role) const {
  for (auto* p : parts_) {
    auto roles = p->Roles();
    if (std::find(roles.begin(), roles.end(), role) != roles.end()) return p;
  }
  return nullptr;
}

std::vector<NodeHandle> KillRouter::NodesWithRole(const DeployContext& ctx,
                                                  const std::string& role) const {
  Kill* k = For(role);
  return k ? k->NodesWithRole(ctx, role) : std::vector<NodeHandle>{};
}

Result<std::vector<ProcessRef>> KillRouter::Processes(const NodeHandle& node,
                                                      const std::string& role) {
  Kill* k = For(role);
  if (!k) return InvalidArgument("no Db runs role '{}'", role);
  return k->Processes(node, role);
}

Result<std::vector<ProcessRef>> KillRouter::Signal(const NodeHandle& node, const std::string& role,
                                                   int signal) {
  Kill* k = For(role);
  if (!k) return InvalidArgument("no Db runs role '{}'", role);
  return k->Signal(node, role, signal);
}

}  // namespace jf
