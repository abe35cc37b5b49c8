#include "core/analysis.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "checker/availability.h"
#include "checker/consistency.h"
#include "checker/output.h"
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
  a.anomalies = std::move(r.anomalies);
  ConsistencyChecker consistency;
  CheckResult c = consistency.Check(opts, ops);
  a.results[consistency.name()] = CheckResultToJson(c);
  if (run_error.ok() || c.valid == Validity::kInvalid) a.valid = Combine(a.valid, c.valid);
  a.anomalies.insert(a.anomalies.end(), c.anomalies.begin(), c.anomalies.end());
  std::stable_sort(a.anomalies.begin(), a.anomalies.end(),
                   [](const Anomaly& x, const Anomaly& y) { return x.time < y.time; });
  a.results["valid?"] = ValidityJson(a.valid);
  a.results["recovery"] = RecoveryTimes(ops);
  return a;
}

namespace {

namespace fs = std::filesystem;

bool IsDir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

// The in-job alerts alone (a run without an output sink): lines of alerts-*.log.
nlohmann::json CountAlerts(const fs::path& dir, uint64_t* count) {
  nlohmann::json examples = nlohmann::json::array();
  *count = 0;
  std::error_code ec;
  if (!IsDir(dir)) return examples;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("alerts-", 0) != 0) continue;
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      ++*count;
      if (examples.size() < 10) examples.push_back(name + ": " + line);
    }
  }
  return examples;
}

// One instance of the test job (its directory `dir`, named `name`), judged.
void AnalyzeOneJob(const fs::path& dir, const std::string& name, const nlohmann::json& test,
                   const std::vector<Op>& ops, OutputAnalysis* out) {
  const std::string sink = test.value("job-sink", "none");
  const bool at_least_once = test.value("job-semantics", "exactly-once") == "at-least-once";
  nlohmann::json j = {{"sink", sink}, {"semantics", at_least_once ? "at-least-once" : "exactly-once"}};
  bool stopped = std::any_of(ops.begin(), ops.end(), [&](const Op& op) {
    return op.f == kStopJobF && op.type == OpType::kOk && op.value.is_object() &&
           op.value.value("dir", "") == name;
  });
  j["stopped-with-savepoint"] = stopped;
  Validity v = Validity::kValid;
  std::vector<std::string> reasons;
  auto anomaly = [&](const std::string& what) {
    out->anomalies.push_back({ops.empty() ? 0 : ops.back().time, -1, what});
  };
  if (sink == "none") {
    uint64_t alerts = 0;
    j["alerts"] = CountAlerts(dir / "alerts", &alerts);
    j["anomalies"] = {{"in-job-alert", {{"count", alerts}}}};
    if (alerts > 0 && !at_least_once) {
      v = Validity::kInvalid;
      anomaly(fmt::format("{}/: {} in-job sequence alert(s).", name, alerts));
    }
  } else if (!IsDir(dir / "output")) {
    v = Validity::kUnknown;
    reasons.push_back("no output directory: the sink never wrote");
  } else {
    OutputCheckOptions o{.splits = test.value("job-splits", 12),
                         .keys_per_split = test.value("job-keys-per-split", 4)};
    std::string alerts = IsDir(dir / "alerts") ? (dir / "alerts").string() : "";
    auto r = CheckOutput((dir / "output").string(), (dir / "commits").string(), alerts, o);
    if (!r.ok()) {
      v = Validity::kUnknown;
      reasons.push_back(r.status().message());
    } else {
      j.update(OutputCheckResultToJson(*r));
      j["records-checked"] = r->finished_records;
      static constexpr OutputAnomalyKind kAlwaysCounted[] = {
          OutputAnomalyKind::kLost, OutputAnomalyKind::kMalformed, OutputAnomalyKind::kUnknownKey};
      std::vector<std::string> permitted;
      for (int k = 0; k < kNumOutputAnomalyKinds; ++k) {
        auto kind = static_cast<OutputAnomalyKind>(k);
        const OutputAnomalies& a = r->anomalies[k];
        if (a.count == 0) continue;
        bool counts = !at_least_once || std::find(std::begin(kAlwaysCounted),
                                                  std::end(kAlwaysCounted),
                                                  kind) != std::end(kAlwaysCounted);
        if (!counts) {
          permitted.push_back(OutputAnomalyKindName(kind));
          continue;
        }
        std::string what =
            kind == OutputAnomalyKind::kInJobAlert
                ? fmt::format("{}/alerts: {} in-job sequence alert(s)", name, a.count)
                : fmt::format("{}/output: {} {} record(s)", name, a.count,
                              OutputAnomalyKindName(kind));
        if (!a.examples.empty()) {
          const auto& ex = a.examples.front();
          what += fmt::format(", e.g. key {} seq {}", ex.key, ex.seq);
          if (ex.last_seq != ex.seq) what += fmt::format("..{}", ex.last_seq);
          if (!ex.file.empty()) what += " in " + ex.file;
        }
        what += ".";
        if (kind == OutputAnomalyKind::kLost && !stopped) {
          v = Combine(v, Validity::kUnknown);
          reasons.push_back(what + " The job was not stopped with a savepoint at the end, so the "
                                   "last checkpoint's files may be pending, not lost.");
        } else {
          v = Validity::kInvalid;
          anomaly(what);
        }
      }
      if (!permitted.empty()) j["permitted"] = permitted;  // at-least-once
      if (!r->committed_checkpoint) {
        v = Combine(v, Validity::kUnknown);
        reasons.push_back("no checkpoint is complete in the commit logs: nothing was committed");
      }
    }
  }
  j["valid?"] = ValidityJson(v);
  if (!reasons.empty()) j["reasons"] = reasons;
  out->valid = Combine(out->valid, v);
  out->results["jobs"][name] = std::move(j);
}

}  // namespace

OutputAnalysis AnalyzeJobOutputs(const std::string& run_dir, const nlohmann::json& test,
                                 const std::vector<Op>& ops) {
  OutputAnalysis out;
  if (!test.contains("job-sink")) return out;
  // job, job-2, job-3, ... in order; a gap ends the list.
  for (int i = 1;; ++i) {
    std::string name = i == 1 ? "job" : fmt::format("job-{}", i);
    fs::path dir = fs::path(run_dir) / name;
    if (!IsDir(dir / "commits")) break;
    AnalyzeOneJob(dir, name, test, ops, &out);
  }
  if (out.results.is_null()) return out;
  uint64_t records = 0;
  for (const auto& [_, j] : out.results["jobs"].items()) records += j.value("records-checked", 0ull);
  out.results["records-checked"] = records;
  out.results["valid?"] = ValidityJson(out.valid);
  return out;
}

Analysis AnalyzeRun(const std::string& run_dir, const nlohmann::json& test,
                    const std::vector<Op>& ops, const Status& run_error) {
  CheckOptions opts{.healthy_threshold = test.value("job-running-healthy-threshold", 5),
                    .recovery_grace_period_s = test.value("job-recovery-grace-period", 180.0)};
  Analysis a = AnalyzeHistory(ops, opts, run_error);
  OutputAnalysis o = AnalyzeJobOutputs(run_dir, test, ops);
  if (!o.results.is_null()) {
    a.results["output"] = o.results;
    // As for the history: a run that broke is unknown unless its output shows an anomaly.
    if (run_error.ok() || o.valid == Validity::kInvalid) a.valid = Combine(a.valid, o.valid);
    a.results["valid?"] = ValidityJson(a.valid);
    a.anomalies.insert(a.anomalies.end(), o.anomalies.begin(), o.anomalies.end());
  }
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
  Status run_error;
  if (results.contains("error") && results["error"].is_string()) {
    run_error = Status(StatusCode::kInternal, results["error"].get<std::string>());
  } else if (!old.ok()) {
    // The run wrote results.json last: without it the history stops wherever the harness did.
    run_error = Cancelled(
        "the run did not finish (no results.json: the harness was killed or crashed); its "
        "history ends at {:.1f} s",
        ops.empty() ? 0.0 : ops.back().time / 1e9);
  }
  Analysis a = AnalyzeRun(run_dir, test, ops, run_error);
  for (const auto& [k, v] : a.results.items()) results[k] = v;
  std::ofstream out(run_dir + "/results.json");
  out << results.dump(2) << "\n";
  if (!out) return Internal("cannot write {}/results.json", run_dir);
  return a;
}

}  // namespace jf
