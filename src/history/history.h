// History: the append-only record of a run. Append() stamps each op with its index and its time
// (ns since the history began, monotonic clock) and, if a file was given, writes it at once as
// one JSON line and flushes, so a crash of the harness loses nothing already recorded.
//
// Thread-safety: Append() and Snapshot() may be called from any thread; ops get indices in the
// order Append() calls are serialized.
#ifndef JF_HISTORY_HISTORY_H_
#define JF_HISTORY_HISTORY_H_

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "history/op.h"

namespace jf {

class History {
 public:
  History();
  ~History();
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  // Starts streaming to `path` (history.jsonl). Ops appended earlier are written first.
  Status StreamTo(const std::string& path);

  // Records `op` (its index and time are overwritten) and returns the recorded copy.
  Op Append(Op op);

  // Nanoseconds since the history began.
  int64_t Now() const;

  std::vector<Op> Snapshot() const;

 private:
  std::chrono::steady_clock::time_point start_;
  mutable std::mutex mu_;
  std::vector<Op> ops_;
  FILE* file_ = nullptr;
};

// Reads a history.jsonl file. A truncated last line (a crash mid-write) is skipped.
Result<std::vector<Op>> ReadHistory(const std::string& path);

}  // namespace jf

#endif  // JF_HISTORY_HISTORY_H_
