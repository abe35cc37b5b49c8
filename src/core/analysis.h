// Analysis: a history judged. The one place that turns ops into a verdict, used at the end of a
// run and by `jepsen-flink analyze` (re-checking a stored run), so both always agree. Pure.
#ifndef JF_CORE_ANALYSIS_H_
#define JF_CORE_ANALYSIS_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "checker/checker.h"
#include "common/status.h"
#include "history/op.h"

namespace jf {

struct Analysis {
  Validity valid = Validity::kValid;
  std::vector<Anomaly> anomalies;
  // results.json's checker parts: "availability", "consistency", "valid?", "recovery", and
  // "error" if any; AnalyzeRun adds "output".
  nlohmann::json results = nlohmann::json::object();
};

// `run_error` is how the run ended (OK, interrupted, broken): a run that did not end well is
// unknown unless what it saw already shows an anomaly. `opts.truncated` is set from it.
Analysis AnalyzeHistory(const std::vector<Op>& ops, CheckOptions opts, const Status& run_error);

// The test job's own evidence in a run directory, judged: every instance of the test job has a
// directory RUN_DIR/job, RUN_DIR/job-2, ... (one with a commits/ subdirectory; the run copies
// them there at tear-down) holding commits/ (its sources' commit logs), alerts/ (its in-job
// checker's alerts, if any) and, unless test.json's job-sink is "none", output/ (what its sink
// wrote). Each instance is checked with CheckOutput (checker/output.h), under these rules:
//  * exactly-once (test.json job-semantics): every output anomaly and every in-job alert counts;
//  * at-least-once: only lost, malformed and unknown-key count (duplicates, reorderings after a
//    replay and the alerts they cause are permitted); the others are still reported;
//  * records lost while the job was not stopped with a savepoint at the end (no ok `stop-job`
//    op with value.dir = the directory's name) make the result unknown, not invalid: the last
//    checkpoint's files may be pending rather than lost;
//  * no complete checkpoint in the commit logs: unknown (nothing was committed to check).
// `results` is results.json's "output" part. A test.json without "job-sink" (a store written
// before the output checks existed) or a run with no job directory gives kValid and a null
// `results`.
struct OutputAnalysis {
  Validity valid = Validity::kValid;
  std::vector<Anomaly> anomalies;
  nlohmann::json results;
};
OutputAnalysis AnalyzeJobOutputs(const std::string& run_dir, const nlohmann::json& test,
                                 const std::vector<Op>& ops);

// A whole run judged: AnalyzeHistory combined (Jepsen's merge) with AnalyzeJobOutputs; the
// output's part is results["output"]. What a run prints at its end and `analyze` prints again.
Analysis AnalyzeRun(const std::string& run_dir, const nlohmann::json& test,
                    const std::vector<Op>& ops, const Status& run_error);

// Re-checks a stored run (its history.jsonl, with the options in its test.json and how the run
// ended in its results.json), with the test job's output in it, and rewrites the checker parts of
// results.json. A partial history (a torn last line, no results.json: the harness was killed) is
// judged as an interrupted run: unknown unless what it holds already shows an anomaly.
Result<Analysis> AnalyzeStore(const std::string& run_dir);

}  // namespace jf

#endif  // JF_CORE_ANALYSIS_H_
