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
  // results.json's checker parts: "availability", "valid?", "recovery", and "error" if any.
  nlohmann::json results = nlohmann::json::object();
};

// `run_error` is how the run ended (OK, interrupted, broken): a run that did not end well is
// unknown unless what it saw already shows an anomaly. `opts.truncated` is set from it.
Analysis AnalyzeHistory(const std::vector<Op>& ops, CheckOptions opts, const Status& run_error);

// Re-checks a stored run (its history.jsonl, with the options in its test.json and how the run
// ended in its results.json) and rewrites the checker parts of results.json.
Result<Analysis> AnalyzeStore(const std::string& run_dir);

}  // namespace jf

#endif  // JF_CORE_ANALYSIS_H_
