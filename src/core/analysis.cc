#include "core/analysis.h"

#include <algorithm>
#include <fstream>

#include "checker/availability.h"
#include "checker/recovery.h"
#include "history/history.h"

namespace jf {

Analysis AnalyzeHistory(const std::vector<Op>& ops, CheckOptions opts, const Status& run_error) {
  Analysis a;
  opts.truncated = !run_error.ok();
  a.valid = Validity::kValid;
  if (!run_error.ok()) {
    a.valid = Validity::kUnknown;
    a.results["error"] = run_error.message();
  }
  AvailabilityChecker availability;
  CheckResult r = availability.Check(opts, ops);
  a.results[availability.name()] = CheckResultToJson(r);
  // A run that broke is unknown unless what it saw before breaking already shows an anomaly;
  // "no job was ever seen" is no anomaly when the job was never submitted.
  bool client_ran =
      std::any_of(ops.begin(), ops.end(), [](const Op& op) { return op.f == kJobsRunningF; });
  if (run_error.ok()) {
    a.valid = Combine(a.valid, r.valid);
  } else if (client_ran && r.valid == Validity::kInvalid) {
    a.valid = Validity::kInvalid;
  }
  a.results["valid?"] = a.valid == Validity::kValid     ? nlohmann::json(true)
                        : a.valid == Validity::kInvalid ? nlohmann::json(false)
                                                        : nlohmann::json("unknown");
  a.results["recovery"] = RecoveryTimes(ops);
  a.anomalies = std::move(r.anomalies);
  return a;
}

Result<Analysis> AnalyzeStore(const std::string& run_dir) {
  auto read_json = [&](const std::string& name) -> Result<nlohmann::json> {
    std::ifstream in(run_dir + "/" + name);
    if (!in) return NotFound("{}/{} is missing", run_dir, name);
    try {
      return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      return InvalidArgument("{}/{}: {}", run_dir, name, e.what());
    }
  };
  JF_ASSIGN_OR_RETURN(auto test, read_json("test.json"));
  JF_ASSIGN_OR_RETURN(auto ops, ReadHistory(run_dir + "/history.jsonl"));
  auto old = read_json("results.json");
  nlohmann::json results = old.ok() ? *old : nlohmann::json::object();
  CheckOptions opts{.healthy_threshold = test.value("job-running-healthy-threshold", 5),
                    .recovery_grace_period_s = test.value("job-recovery-grace-period", 180.0)};
  Status run_error;
  if (results.contains("error") && results["error"].is_string()) {
    run_error = Status(StatusCode::kInternal, results["error"].get<std::string>());
  }
  Analysis a = AnalyzeHistory(ops, opts, run_error);
  for (const auto& [k, v] : a.results.items()) results[k] = v;
  std::ofstream out(run_dir + "/results.json");
  out << results.dump(2) << "\n";
  if (!out) return Internal("cannot write {}/results.json", run_dir);
  return a;
}

}  // namespace jf
