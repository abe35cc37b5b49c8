// One run of `jepsen-flink test`, Jepsen's core loop: build or reuse the nodes, set up every Db
// in order (ZooKeeper, Flink), submit the test job, drive the client (and, with faults, the
// nemesis) for --time-limit seconds, gather what Flink and the nodes know, tear down, check the
// history, write the store and print the verdict.
#ifndef JF_CORE_RUN_H_
#define JF_CORE_RUN_H_

#include <string>
#include <vector>

#include "checker/checker.h"
#include "core/test_options.h"

namespace jf {

// Jepsen's exit codes.
inline constexpr int kExitValid = 0;
inline constexpr int kExitInvalid = 1;
inline constexpr int kExitUnknown = 2;
inline constexpr int kExitBadArguments = 254;
inline constexpr int kExitInternalError = 255;

inline constexpr const char* kVerdictValid = "Everything looks good! ヽ('ー`)ノ";
inline constexpr const char* kVerdictInvalid = "Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻";
inline constexpr const char* kVerdictUnknown =
    "Errors occurred during analysis, but no anomalies found. ಠ~ಠ";

struct RunOutcome {
  int exit_code = kExitInternalError;
  std::string store_dir;  // empty if the run never got that far
  // SIGINT/SIGTERM came during the run(s): the caller should stop too.
  bool interrupted = false;
  // Every run that got a store directory, in order (with --test-count, more than one).
  struct Record {
    std::string store_dir;
    int exit_code = kExitInternalError;
  };
  std::vector<Record> runs;
};

// Runs `opts.test_count` tests (stopping at the first that is not valid) and returns the exit
// code of the last one. opts must have been validated.
RunOutcome RunTests(const TestOptions& opts);

}  // namespace jf

#endif  // JF_CORE_RUN_H_
