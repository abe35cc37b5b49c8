#include "db/db.h"

#include <future>

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

}  // namespace jf
