#include "report/junit.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "common/xml.h"

namespace jf {
namespace {

const nlohmann::json* Find(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

// The per-anomaly lines of a checker part ({"valid?", "anomalies": [{time_s, op_index, what}]}).
void CheckerReasons(const nlohmann::json& results, const char* checker,
                    std::vector<std::string>* out) {
  const nlohmann::json* part = Find(results, checker);
  const nlohmann::json* anomalies = part ? Find(*part, "anomalies") : nullptr;
  if (!anomalies || !anomalies->is_array()) return;
  for (const auto& a : *anomalies) {
    if (!a.is_object()) continue;
    std::string line = fmt::format("{}: {}", checker, a.value("what", "?"));
    if (a.contains("time_s") && a["time_s"].is_number()) {
      line += fmt::format(" (at {:.1f} s", a["time_s"].get<double>());
      int64_t op = a.value("op_index", int64_t{-1});
      line += op >= 0 ? fmt::format(", op {})", op) : ")";
    }
    out->push_back(std::move(line));
  }
}

std::string VerdictLine(const std::string& verdict) {
  if (verdict == "valid") return "Everything looks good!";
  if (verdict == "invalid") return "Analysis invalid!";
  if (verdict == "unknown") return "Errors occurred during analysis, but no anomalies found.";
  return "The run did not complete.";
}

std::string ClassName(const JunitSuite& suite, const std::string& name) {
  if (!suite.classname.empty()) return suite.classname;
  return "jepsen-flink." + name.substr(0, name.find('/'));
}

std::string Seconds(const MatrixResult& r) { return fmt::format("{:.3f}", r.wall_s.value_or(0.0)); }

nlohmann::json ReadResults(const std::string& store_dir) {
  if (store_dir.empty()) return nullptr;
  std::ifstream in(store_dir + "/results.json");
  if (!in) return nullptr;
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

}  // namespace

std::vector<std::string> ResultReasons(const nlohmann::json& results) {
  std::vector<std::string> out;
  if (const nlohmann::json* e = Find(results, "error"); e && e->is_string()) {
    out.push_back("error: " + e->get<std::string>());
  }
  CheckerReasons(results, "availability", &out);
  CheckerReasons(results, "consistency", &out);
  const nlohmann::json* output = Find(results, "output");
  const nlohmann::json* jobs = output ? Find(*output, "jobs") : nullptr;
  if (jobs && jobs->is_object()) {
    for (const auto& [name, job] : jobs->items()) {
      if (const nlohmann::json* kinds = Find(job, "anomalies"); kinds && kinds->is_object()) {
        for (const auto& [kind, a] : kinds->items()) {
          uint64_t n = a.is_object() ? a.value("count", uint64_t{0}) : 0;
          if (n > 0) out.push_back(fmt::format("output {}: {} {}", name, n, kind));
        }
      }
      if (const nlohmann::json* rs = Find(job, "reasons"); rs && rs->is_array()) {
        for (const auto& r : *rs) {
          if (r.is_string())
            out.push_back(fmt::format("output {}: {}", name, r.get<std::string>()));
        }
      }
    }
  }
  return out;
}

std::string RenderJunitXml(const JunitSuite& suite) {
  int failures = 0, errors = 0;
  double total_s = 0;
  std::string cases;
  for (const MatrixResult& r : suite.results) {
    std::string name = suite.iterations > 1 ? fmt::format("{} #{}", r.name, r.iteration) : r.name;
    total_s += r.wall_s.value_or(0.0);
    cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{}\">\n",
                         XmlEscape(ClassName(suite, r.name)), XmlEscape(name), Seconds(r));
    std::vector<std::string> reasons = ResultReasons(ReadResults(r.store_dir));
    if (!r.error.empty()) reasons.insert(reasons.begin(), r.error);
    std::string body;
    for (const auto& line : reasons) body += XmlEscape(line) + "\n";
    if (r.verdict == "invalid") {
      ++failures;
      cases += fmt::format("      <failure type=\"invalid\" message=\"{}\">{}</failure>\n",
                           XmlEscape(VerdictLine(r.verdict)), body);
    } else if (r.verdict != "valid") {
      ++errors;
      cases += fmt::format("      <error type=\"{}\" message=\"{}\">{}</error>\n",
                           XmlEscape(r.verdict), XmlEscape(VerdictLine(r.verdict)), body);
    }
    std::string out = fmt::format("exit code {}\n", r.exit_code);
    if (!r.store_dir.empty()) out += "store: " + r.store_dir + "\n";
    if (r.records) out += fmt::format("output records checked: {:.0f}\n", *r.records);
    cases += fmt::format("      <system-out>{}</system-out>\n", XmlEscape(out));
    cases += "    </testcase>\n";
  }
  for (const auto& name : suite.skipped) {
    cases += fmt::format(
        "    <testcase classname=\"{}\" name=\"{}\" time=\"0\">\n"
        "      <skipped message=\"{}\"/>\n"
        "    </testcase>\n",
        XmlEscape(ClassName(suite, name)), XmlEscape(name), XmlEscape(suite.skipped_reason));
  }
  const std::size_t tests = suite.results.size() + suite.skipped.size();
  std::time_t t = std::chrono::system_clock::to_time_t(suite.started);
  std::tm tm{};
  gmtime_r(&t, &tm);
  const std::string stamp = fmt::format("{:%Y-%m-%dT%H:%M:%S}", tm);
  const std::string counts =
      fmt::format("tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3f}\"",
                  tests, failures, errors, suite.skipped.size(), total_s);
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"jepsen-flink\" {}>\n"
      "  <testsuite name=\"{}\" {} timestamp=\"{}\">\n{}  </testsuite>\n"
      "</testsuites>\n",
      counts, XmlEscape(suite.name), counts, stamp, cases);
}

Status CheckJunitPath(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path p = fs::absolute(path, ec);
  if (ec || path.empty()) return InvalidArgument("--junit {}: not a usable path", path);
  if (fs::is_directory(p, ec)) return InvalidArgument("--junit {}: is a directory", path);
  if (!fs::is_directory(p.parent_path(), ec)) {
    return InvalidArgument("--junit {}: directory {} does not exist", path,
                           p.parent_path().string());
  }
  return Status::Ok();
}

Status WriteJunitXml(const std::string& path, const JunitSuite& suite) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << RenderJunitXml(suite);
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      return Internal("cannot write the JUnit file {}", path);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Internal("cannot write the JUnit file {}", path);
  }
  return Status::Ok();
}

}  // namespace jf
