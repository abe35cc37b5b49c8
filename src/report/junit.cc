#include "report/junit.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "common/file.h"
#include "common/xml.h"
#include "core/run.h"

namespace jf {
namespace {

// Jepsen's verdict line for VerdictWord's words ("error": the run did not get that far).
std::string VerdictLine(const std::string& verdict) {
  if (verdict == "valid") return kVerdictValid;
  if (verdict == "invalid") return kVerdictInvalid;
  if (verdict == "unknown") return kVerdictUnknown;
  return "The run did not complete.";
}

std::string ClassName(const JunitSuite& suite, const std::string& name) {
  if (!suite.classname.empty()) return suite.classname;
  return "jepsen-flink." + name.substr(0, name.find('/'));
}

std::string Seconds(const MatrixResult& r) { return fmt::format("{:.3f}", r.wall_s.value_or(0.0)); }

}  // namespace

std::string RenderJunitXml(const JunitSuite& suite) {
  int failures = 0, errors = 0;
  double total_s = 0;
  std::string cases;
  for (const MatrixResult& r : suite.results) {
    std::string name = suite.iterations > 1 ? fmt::format("{} #{}", r.name, r.iteration) : r.name;
    total_s += r.wall_s.value_or(0.0);
    cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{}\">\n",
                         XmlEscape(ClassName(suite, r.name)), XmlEscape(name), Seconds(r));
    std::vector<std::string> reasons = r.reasons;
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
  if (Status s = WriteFileAtomic(path, RenderJunitXml(suite)); !s.ok()) {
    return Internal("cannot write the JUnit file {}: {}", path, s.message());
  }
  return Status::Ok();
}

}  // namespace jf
