// The original jepsen.flink test matrix (its docker/run-tests.sh) as data, and what running it
// gives: one MatrixResult per run, a fixed-width summary table, a JSON summary and the matrix's
// exit code. `jepsen-flink test-all` runs it (cli/test_all_cmd.h).
//
// Thread-safety: everything here is a pure function of its arguments or reads only the file it
// is given; RunMatrix calls its callbacks on the calling thread, one run at a time.
#ifndef JF_CORE_MATRIX_H_
#define JF_CORE_MATRIX_H_

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/run.h"
#include "core/test_options.h"
#include "dist/flink_release.h"

namespace jf {

// One test of the matrix: how Flink is deployed and which schedules run.
struct MatrixEntry {
  std::string name;  // "yarn-session/kill-task-managers", ".../kill-job-managers+cancel-jobs"
  std::string deployment_mode;
  std::string nemesis_gen;
  std::string client_gen = "poll-job-running";
};

// "1.20" or "2.x": the names OriginalMatrix takes.
std::string MatrixFlinkLine(FlinkLine line);

// The original's matrix, in its order: yarn-session x {kill-task-managers, kill-job-managers,
// fail-name-node-during-recovery}, the same three per job (yarn-job on a 1.x line; Flink 2.x has
// no per-job mode, so yarn-application there), standalone-session x kill-job-managers, and that
// again with the cancel-jobs client. `flink_line` is "1.20" (any "1." prefix, so a 1.x version
// number too) or anything else for the 2.x line.
std::vector<MatrixEntry> OriginalMatrix(const std::string& flink_line);

// The entries whose name contains any of `only` (all of them if `only` is empty), in order.
std::vector<MatrixEntry> FilterMatrix(const std::vector<MatrixEntry>& entries,
                                      const std::vector<std::string>& only);

// A copy of `base` set to run `entry` once: deployment mode, nemesis and client schedules (both
// marked as given), test_count 1. Not validated.
TestOptions ApplyMatrixEntry(const TestOptions& base, const MatrixEntry& entry);

// min/median/max in seconds of one kind of recovery time (absent when there was none).
struct RecoverySummary {
  int count = 0;
  std::optional<double> min;
  std::optional<double> median;
  std::optional<double> max;
};

// One run of the matrix.
struct MatrixResult {
  std::string name;  // the entry's
  int iteration = 1;
  int exit_code = kExitInternalError;
  std::string verdict;    // VerdictWord(exit_code)
  std::string store_dir;  // "" if the run never made one
  std::string error;      // why the entry did not run (e.g. its options were refused), else ""
  RecoverySummary harness_recovery;  // results.json recovery.harness.summary
  RecoverySummary flink_recovery;    // results.json recovery.flink.summary
  std::optional<double> wall_s;      // results.json timings.total_s
  std::optional<double> records;     // results.json output.records-checked (output checked)
  std::vector<std::string> reasons;  // ResultReasons(results.json)
};

// What made a run not valid, one line each, from its results.json: "availability: Job is not
// running. (at 41.2 s, op 318)", "output job: 12 lost", "error: ...". Empty for a valid run.
std::vector<std::string> ResultReasons(const nlohmann::json& results);

// "valid" (0), "invalid" (1), "unknown" (2), else "error" (254 bad arguments, 255 broken).
std::string VerdictWord(int exit_code);

// A result for a run that ended with `exit_code`; the figures are read from
// <store_dir>/results.json when there is one (left empty where it has none or cannot be read).
// Without a store, an "error" result says so in `error`.
MatrixResult MakeMatrixResult(const std::string& name, int iteration, int exit_code,
                              const std::string& store_dir);

// The matrix's exit code: 1 if any run was invalid; 0 if `planned` runs ran (planned 0 means
// results.size()) and all were valid; 2 otherwise (unknown, errors, runs left out by an
// interruption, or no run at all).
int MatrixExitCode(const std::vector<MatrixResult>& results, std::size_t planned = 0);

// The summary as a fixed-width table, one row per run (recovery times and wall time in seconds,
// "-" where there is none), then a note per run that did not start and, if fewer than `planned`
// ran, how many did not; the last line is "N of M valid" (M = planned, or results.size()).
std::string RenderSummaryTable(const std::vector<MatrixResult>& results, std::size_t planned = 0);

// The same as JSON: {"runs": [...], "planned", "ran", "valid", "exit-code"}.
nlohmann::json SummaryJson(const std::vector<MatrixResult>& results, std::size_t planned = 0);

// Runs `entries` `iterations` times (iteration-major, as the original did), each through `run`
// with the options ApplyMatrixEntry gives, validated first: an entry whose options are refused
// is an "error" result (exit 254) and the matrix goes on. `announce` gets a line before each run
// ("test-all: 3/8 yarn-session/kill-job-managers (iteration 1 of 1)"). Stops after a run whose
// outcome says it was interrupted.
struct MatrixRun {
  std::vector<MatrixResult> results;
  std::size_t planned = 0;  // entries x iterations
  bool interrupted = false;
};
MatrixRun RunMatrix(const std::vector<MatrixEntry>& entries, const TestOptions& base,
                    int iterations, const std::function<RunOutcome(const TestOptions&)>& run,
                    const std::function<void(const std::string&)>& announce);

}  // namespace jf

#endif  // JF_CORE_MATRIX_H_
