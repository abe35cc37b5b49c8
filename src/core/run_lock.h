// RunLock: one run at a time on a local cluster. <state dir>/run.lock is flock'ed for as long as
// the RunLock lives; the kernel drops the lock when the process dies, so a killed run leaves no
// stale lock. The holder's pid is written into the file for the refusal's message. The fd is
// close-on-exec: the daemons a run starts must not inherit the lock.
//
// A second run on the same cluster would set up its ZooKeeper and Flink on the same nodes and
// ports, fail, and tear down the first run's daemons as it undoes its own.
//
// Thread-safety: a RunLock is owned by one thread; Take may be called from any.
#ifndef JF_CORE_RUN_LOCK_H_
#define JF_CORE_RUN_LOCK_H_

#include <string>
#include <utility>

#include "common/status.h"

namespace jf {

class RunLock {
 public:
  // Takes the lock of the cluster whose state is in state_dir (created if missing).
  // FailedPrecondition naming the holder's pid if another RunLock holds it (in this process or
  // another); InvalidArgument for a state dir NormalizeStateDir refuses; Internal if the file
  // cannot be opened.
  static Result<RunLock> Take(const std::string& state_dir);

  RunLock(RunLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  RunLock& operator=(RunLock&&) = delete;
  ~RunLock();

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace jf

#endif  // JF_CORE_RUN_LOCK_H_
