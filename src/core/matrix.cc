#include "core/matrix.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <initializer_list>

namespace jf {
namespace {

// j[path[0]][path[1]]..., or nullptr where a key is missing or a level is not an object.
const nlohmann::json* At(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* cur = &j;
  for (const char* key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::optional<double> Number(const nlohmann::json* j) {
  if (j == nullptr || !j->is_number()) return std::nullopt;
  return j->get<double>();
}

RecoverySummary ParseSummary(const nlohmann::json* j) {
  RecoverySummary s;
  if (j == nullptr) return s;
  s.count = static_cast<int>(Number(At(*j, {"count"})).value_or(0));
  s.min = Number(At(*j, {"min"}));
  s.median = Number(At(*j, {"median"}));
  s.max = Number(At(*j, {"max"}));
  return s;
}

nlohmann::json OptionalJson(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

nlohmann::json SummaryToJson(const RecoverySummary& s) {
  return {{"count", s.count},
          {"min", OptionalJson(s.min)},
          {"median", OptionalJson(s.median)},
          {"max", OptionalJson(s.max)}};
}

std::string Seconds(const std::optional<double>& v) { return v ? fmt::format("{:.1f}", *v) : "-"; }

std::size_t Planned(const std::vector<MatrixResult>& results, std::size_t planned) {
  return planned == 0 ? results.size() : planned;
}

std::size_t CountValid(const std::vector<MatrixResult>& results) {
  return static_cast<std::size_t>(std::count_if(
      results.begin(), results.end(), [](const MatrixResult& r) { return r.exit_code == 0; }));
}

}  // namespace

std::string MatrixFlinkLine(FlinkLine line) { return line == FlinkLine::k1_20 ? "1.20" : "2.x"; }

std::vector<MatrixEntry> OriginalMatrix(const std::string& flink_line) {
  // Flink 2.0 removed per-job mode (deprecated since 1.15); application mode replaces it.
  const std::string per_job = flink_line.rfind("1.", 0) == 0 ? "yarn-job" : "yarn-application";
  std::vector<MatrixEntry> out;
  for (const std::string& mode : {std::string("yarn-session"), per_job}) {
    for (const char* gen :
         {"kill-task-managers", "kill-job-managers", "fail-name-node-during-recovery"}) {
      out.push_back({mode + "/" + gen, mode, gen, "poll-job-running"});
    }
  }
  out.push_back({"standalone-session/kill-job-managers", "standalone-session", "kill-job-managers",
                 "poll-job-running"});
  out.push_back({"standalone-session/kill-job-managers+cancel-jobs", "standalone-session",
                 "kill-job-managers", "cancel-jobs"});
  return out;
}

std::vector<MatrixEntry> FilterMatrix(const std::vector<MatrixEntry>& entries,
                                      const std::vector<std::string>& only) {
  if (only.empty()) return entries;
  std::vector<MatrixEntry> out;
  for (const auto& e : entries) {
    for (const auto& s : only) {
      if (e.name.find(s) != std::string::npos) {
        out.push_back(e);
        break;
      }
    }
  }
  return out;
}

TestOptions ApplyMatrixEntry(const TestOptions& base, const MatrixEntry& entry) {
  TestOptions opts = base;
  opts.deployment_mode = entry.deployment_mode;
  opts.deployment_mode_given = true;
  opts.nemesis_gen = entry.nemesis_gen;
  opts.nemesis_gen_given = true;
  opts.nemesis.clear();
  opts.client_gen = entry.client_gen;
  opts.test_count = 1;
  return opts;
}

std::string VerdictWord(int exit_code) {
  switch (exit_code) {
    case kExitValid:
      return "valid";
    case kExitInvalid:
      return "invalid";
    case kExitUnknown:
      return "unknown";
    default:
      return "error";
  }
}

std::vector<std::string> ResultReasons(const nlohmann::json& results) {
  std::vector<std::string> out;
  if (const nlohmann::json* e = At(results, {"error"}); e && e->is_string()) {
    out.push_back("error: " + e->get<std::string>());
  }
  for (const char* checker : {"availability", "consistency"}) {
    const nlohmann::json* anomalies = At(results, {checker, "anomalies"});
    if (!anomalies || !anomalies->is_array()) continue;
    for (const auto& a : *anomalies) {
      if (!a.is_object()) continue;
      std::string line = fmt::format("{}: {}", checker, a.value("what", "?"));
      if (std::optional<double> t = Number(At(a, {"time_s"}))) {
        int64_t op = a.value("op_index", int64_t{-1});
        line += op >= 0 ? fmt::format(" (at {:.1f} s, op {})", *t, op)
                        : fmt::format(" (at {:.1f} s)", *t);
      }
      out.push_back(std::move(line));
    }
  }
  const nlohmann::json* jobs = At(results, {"output", "jobs"});
  if (!jobs || !jobs->is_object()) return out;
  for (const auto& [name, job] : jobs->items()) {
    if (const nlohmann::json* kinds = At(job, {"anomalies"}); kinds && kinds->is_object()) {
      for (const auto& [kind, a] : kinds->items()) {
        uint64_t n = a.is_object() ? a.value("count", uint64_t{0}) : 0;
        if (n > 0) out.push_back(fmt::format("output {}: {} {}", name, n, kind));
      }
    }
    if (const nlohmann::json* rs = At(job, {"reasons"}); rs && rs->is_array()) {
      for (const auto& r : *rs) {
        if (r.is_string()) out.push_back(fmt::format("output {}: {}", name, r.get<std::string>()));
      }
    }
  }
  return out;
}

MatrixResult MakeMatrixResult(const std::string& name, int iteration, int exit_code,
                              const std::string& store_dir) {
  MatrixResult r;
  r.name = name;
  r.iteration = iteration;
  r.exit_code = exit_code;
  r.verdict = VerdictWord(exit_code);
  r.store_dir = store_dir;
  if (store_dir.empty()) {
    if (r.verdict == "error") {
      r.error =
          fmt::format("the run ended with exit {} before it had a store (see the log)", exit_code);
    }
    return r;
  }
  std::ifstream in(store_dir + "/results.json");
  if (!in) return r;
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return r;
  r.harness_recovery = ParseSummary(At(j, {"recovery", "harness", "summary"}));
  r.flink_recovery = ParseSummary(At(j, {"recovery", "flink", "summary"}));
  r.wall_s = Number(At(j, {"timings", "total_s"}));
  r.records = Number(At(j, {"output", "records-checked"}));
  r.reasons = ResultReasons(j);
  return r;
}

int MatrixExitCode(const std::vector<MatrixResult>& results, std::size_t planned) {
  if (results.empty()) return kExitUnknown;  // nothing ran: not a pass
  for (const auto& r : results) {
    if (r.exit_code == kExitInvalid) return kExitInvalid;
  }
  if (results.size() == Planned(results, planned) && CountValid(results) == results.size()) {
    return kExitValid;
  }
  return kExitUnknown;
}

std::string RenderSummaryTable(const std::vector<MatrixResult>& results, std::size_t planned) {
  std::size_t name_w = 4;
  for (const auto& r : results) name_w = std::max(name_w, r.name.size());
  auto row = [&](const std::string& name, const std::string& iter, const std::string& verdict,
                 const std::string& hmed, const std::string& hmax, const std::string& fmed,
                 const std::string& fmax, const std::string& records, const std::string& wall,
                 const std::string& store) {
    std::string line =
        fmt::format("{:<{}}  {:>4}  {:<7}  {:>11}  {:>11}  {:>9}  {:>9}  {:>8}  {:>7}  {}", name,
                    name_w, iter, verdict, hmed, hmax, fmed, fmax, records, wall, store);
    line.erase(line.find_last_not_of(' ') + 1);
    return line + "\n";
  };
  std::string out = row("test", "iter", "verdict", "harness med", "harness max", "flink med",
                        "flink max", "records", "wall s", "store");
  for (const auto& r : results) {
    out += row(r.name, std::to_string(r.iteration), r.verdict, Seconds(r.harness_recovery.median),
               Seconds(r.harness_recovery.max), Seconds(r.flink_recovery.median),
               Seconds(r.flink_recovery.max),
               r.records ? fmt::format("{:.0f}", *r.records) : std::string("-"), Seconds(r.wall_s),
               r.store_dir.empty() ? "-" : r.store_dir);
  }
  std::string notes;
  for (const auto& r : results) {
    if (!r.error.empty()) {
      notes += fmt::format("{} (iteration {}): {}\n", r.name, r.iteration, r.error);
    }
  }
  const std::size_t total = Planned(results, planned);
  if (results.size() < total) {
    notes +=
        fmt::format("{} of {} runs did not run (interrupted)\n", total - results.size(), total);
  }
  if (!notes.empty()) out += "\n" + notes;
  out += fmt::format("{} of {} valid\n", CountValid(results), total);
  return out;
}

nlohmann::json SummaryJson(const std::vector<MatrixResult>& results, std::size_t planned) {
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& r : results) {
    runs.push_back({{"test", r.name},
                    {"iteration", r.iteration},
                    {"exit-code", r.exit_code},
                    {"verdict", r.verdict},
                    {"store", r.store_dir},
                    {"error", r.error},
                    {"recovery",
                     {{"harness", SummaryToJson(r.harness_recovery)},
                      {"flink", SummaryToJson(r.flink_recovery)}}},
                    {"records-checked", OptionalJson(r.records)},
                    {"wall_s", OptionalJson(r.wall_s)}});
  }
  return {{"runs", runs},
          {"planned", Planned(results, planned)},
          {"ran", results.size()},
          {"valid", CountValid(results)},
          {"exit-code", MatrixExitCode(results, planned)}};
}

MatrixRun RunMatrix(const std::vector<MatrixEntry>& entries, const TestOptions& base,
                    int iterations, const std::function<RunOutcome(const TestOptions&)>& run,
                    const std::function<void(const std::string&)>& announce) {
  MatrixRun out;
  out.planned = entries.size() * static_cast<std::size_t>(std::max(iterations, 0));
  for (int it = 1; it <= iterations; ++it) {
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const MatrixEntry& e = entries[i];
      announce(fmt::format("test-all: {}/{} {} (iteration {} of {})", i + 1, entries.size(), e.name,
                           it, iterations));
      TestOptions opts = ApplyMatrixEntry(base, e);
      Status s = opts.Validate();
      if (!s.ok()) {
        MatrixResult r = MakeMatrixResult(e.name, it, kExitBadArguments, "");
        r.error = s.message();
        announce(fmt::format("test-all: {} refused: {}", e.name, s.message()));
        out.results.push_back(std::move(r));
        continue;
      }
      RunOutcome o = run(opts);
      out.results.push_back(MakeMatrixResult(e.name, it, o.exit_code, o.store_dir));
      if (o.interrupted) {
        out.interrupted = true;
        return out;
      }
    }
  }
  return out;
}

}  // namespace jf
