// History: the append-only record of a run. Append() stamps each op with its index and its time
// (ns since the history began, monotonic clock) and, if a file was given, writes it at once as
// one JSON line and flushes, so a crash of the harness loses nothing already recorded. Once it
// streams to a file, ops are no longer held in memory (an hour-long run's harness stays flat):
// Snapshot() reads the file back, so the run is checked from exactly what `analyze` reads.
//
// Thread-safety: Append() and Snapshot() may be called from any thread; ops get indices in the
// order Append() calls are serialized.
#ifndef JF_HISTORY_HISTORY_H_
#define JF_HISTORY_HISTORY_H_

#include <chrono>
#include <cstdio>
#include <istream>
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

  // Starts streaming to `path` (history.jsonl), which must not exist or be empty. Ops appended
  // earlier are written first and then dropped from memory.
  Status StreamTo(const std::string& path);

  // Records `op` (its index and time are overwritten) and returns the recorded copy.
  Op Append(Op op);

  // Nanoseconds since the history began.
  int64_t Now() const;

  // Every op so far: from memory, or read back from the file being streamed to (an error if it
  // cannot be read, or if any op could not be written: a history with a hole is never judged).
  Result<std::vector<Op>> Snapshot() const;

  // The first failure to write an op to the file (a full disk), sticky; OK if none.
  Status WriteError() const;

 private:
  std::chrono::steady_clock::time_point start_;
  mutable std::mutex mu_;
  std::vector<Op> ops_;  // until StreamTo
  int64_t count_ = 0;     // ops appended
  std::string path_;
  FILE* file_ = nullptr;
  Status write_error_;
};

// Reads a history.jsonl file. A truncated last line (a crash mid-write) is skipped.
Result<std::vector<Op>> ReadHistory(const std::string& path);

// ReadHistory's parser, on any stream; `path` names it in errors.
Result<std::vector<Op>> ParseHistory(std::istream& in, const std::string& path);

}  // namespace jf

#endif  // JF_HISTORY_HISTORY_H_
