// Freezer: pauses a whole local-cluster node (every process of it at once) with the kernel's
// cgroup freezer, and thaws it again. Unlike SIGSTOP, a frozen process cannot tell: no signal is
// delivered, its sockets stay open, and its peers see a host that answers nothing.
//
// The node's processes are its init (tini) and every descendant of it, taken from the host's
// /proc; processes the harness has entered into the node (nsenter children, which descend from the
// harness, not from the init) are left alone, so the harness can still work on a frozen node. They
// are moved into a cgroup of ours, <freezer root>/jepsen-flink/<node>, which is then frozen;
// processes forked meanwhile are swept in until none is left over. Thawing unfreezes that cgroup,
// moves every process back to the cgroup it came from and removes ours.
//
// cgroup v2 (cgroup.freeze) is used when a cgroup2 hierarchy is mounted, else the v1 freezer
// controller; both exist on this project's machines and both are tested.
//
// Thread-safety: a Freezer is driven by one thread. ThawAll may run in another process.
#ifndef JF_CLUSTER_FREEZER_H_
#define JF_CLUSTER_FREEZER_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace jf {

// Our cgroups live under <root>/kFreezerGroup/<node>.
inline constexpr const char* kFreezerGroup = "jepsen-flink";

struct FreezerMount {
  bool v2 = false;   // cgroup2 (cgroup.freeze) or the v1 freezer controller (freezer.state)
  std::string root;  // mount point of the hierarchy
};

// The freezer to use from /proc/self/mounts text: a cgroup2 mount if there is one, else a cgroup
// v1 mount with the freezer option. nullopt if there is neither.
std::optional<FreezerMount> FindFreezer(const std::string& proc_mounts);
// Every freezer hierarchy mounted (for cleanup, which must look in each).
std::vector<FreezerMount> AllFreezers(const std::string& proc_mounts);

struct ProcEntry {
  int pid = 0;
  int ppid = 0;
};
// `init` and its descendants among `procs` (init first).
std::vector<int> ProcessTree(const std::vector<ProcEntry>& procs, int init);

// This process's view of the cgroup of `pid` in the hierarchy `m` (e.g. "/" or "/user.slice"),
// from /proc/PID/cgroup text; "/" if not found.
std::string CgroupOf(const std::string& proc_cgroup, const FreezerMount& m);

class Freezer {
 public:
  explicit Freezer(FreezerMount mount) : mount_(std::move(mount)) {}
  // Uses the machine's freezer; Unavailable naming what is missing if there is none.
  static Result<Freezer> ForThisMachine();

  // Freezes node `node` whose init has host PID `init_pid`; returns the host PIDs frozen. Waits
  // (up to 10 s) until the kernel reports the cgroup frozen.
  Result<std::vector<int>> Freeze(const std::string& node, int init_pid);
  // Thaws `node` and removes our cgroup; Ok if it was not frozen.
  Status Thaw(const std::string& node);
  // Whether our cgroup of `node` exists and the kernel reports it frozen.
  bool IsFrozen(const std::string& node) const;

  const FreezerMount& mount() const { return mount_; }

 private:
  std::string GroupDir(const std::string& node) const;

  FreezerMount mount_;
  // node -> host PID -> the cgroup it was in before Freeze
  std::map<std::string, std::map<int, std::string>> origin_;
};

// Thaws and removes every cgroup of ours in every freezer hierarchy (after a crash, from
// `cluster down`): processes go back to the hierarchy's root. Returns what could not be removed.
Status ThawAll();
// Our cgroups that exist (for the leak detector), as paths.
std::vector<std::string> OurCgroups();

}  // namespace jf

#endif  // JF_CLUSTER_FREEZER_H_
