#include "report/junit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/temp_dir.h"
#include "core/run.h"

namespace jf {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A store directory with this results.json.
std::string RunDir(const TempDir& tmp, const std::string& name, const nlohmann::json& results) {
  std::filesystem::path dir = tmp.path() / name;
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "results.json") << results.dump();
  return dir.string();
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int Count(const std::string& s, const std::string& what) {
  int n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

const nlohmann::json kValid = {{"valid?", true}, {"timings", {{"total_s", 81.5}}}};
const nlohmann::json kInvalid = {
    {"valid?", false},
    {"timings", {{"total_s", 120.25}}},
    {"availability",
     {{"valid?", false},
      {"anomalies",
       {{{"time_s", 41.23}, {"op_index", 318}, {"what", "Job is not running & <late>."}}}}}},
    {"consistency", {{"valid?", true}, {"anomalies", nlohmann::json::array()}}},
    {"output",
     {{"jobs",
       {{"job",
         {{"anomalies", {{"lost", {{"count", 12}}}, {"duplicate", {{"count", 0}}}}},
          {"reasons", {"no checkpoint is complete"}}}}}}}}};

TEST(JunitTest, ATestCasePerRunWithFailureErrorAndSkipped) {
  TempDir tmp;
  JunitSuite suite{.name = "jepsen-flink test-all",
                   .started = std::chrono::system_clock::from_time_t(1796558690),
                   .skipped_reason = "not run: the matrix was interrupted"};
  suite.results.push_back(MakeMatrixResult("standalone-session/kill-job-managers", 1, kExitValid,
                                           RunDir(tmp, "a", kValid)));
  suite.results.push_back(MakeMatrixResult("yarn-session/kill-task-managers", 1, kExitInvalid,
                                           RunDir(tmp, "b", kInvalid)));
  MatrixResult refused = MakeMatrixResult("yarn-job/kill-job-managers", 1, kExitBadArguments, "");
  refused.error = "yarn-job needs Flink 1.x";
  suite.results.push_back(refused);
  suite.skipped.push_back("standalone-session/kill-job-managers+cancel-jobs");
  const std::string xml = RenderJunitXml(suite);

  EXPECT_THAT(xml, HasSubstr("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"jepsen-flink test-all\" tests=\"4\" "
                             "failures=\"1\" errors=\"1\" skipped=\"1\" time=\"201.750\" "
                             "timestamp=\"2026-12-06T12:04:50\">"));
  EXPECT_EQ(Count(xml, "<testcase "), 4);
  EXPECT_EQ(Count(xml, "</testcase>"), 4);
  EXPECT_THAT(xml, HasSubstr("<testcase classname=\"jepsen-flink.standalone-session\" "
                             "name=\"standalone-session/kill-job-managers\" time=\"81.500\">"));
  EXPECT_THAT(xml,
              HasSubstr("<failure type=\"invalid\" message=\"Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻\">"
                        "availability: Job is not running &amp; &lt;late&gt;. (at 41.2 s, "
                        "op 318)\noutput job: 12 lost\n"));
  EXPECT_THAT(xml, HasSubstr("<error type=\"error\" message=\"The run did not complete.\">"
                             "yarn-job needs Flink 1.x\n</error>"));
  EXPECT_THAT(xml, HasSubstr("<skipped message=\"not run: the matrix was interrupted\"/>"));
  EXPECT_THAT(xml, HasSubstr("store: " + (tmp.path() / "b").string()));
  EXPECT_EQ(Count(xml, "<failure"), 1);
  EXPECT_EQ(Count(xml, "<error"), 1);
}

TEST(JunitTest, IterationsNumberTheCasesAndAClassNameCanBeGiven) {
  TempDir tmp;
  JunitSuite suite{.name = "jepsen-flink test", .iterations = 2, .classname = "jepsen-flink.test"};
  suite.results.push_back(MakeMatrixResult("standalone-session-kill-job-managers", 1, kExitUnknown,
                                           RunDir(tmp, "u", {{"valid?", "unknown"}})));
  const std::string xml = RenderJunitXml(suite);
  EXPECT_THAT(xml, HasSubstr("<testcase classname=\"jepsen-flink.test\" "
                             "name=\"standalone-session-kill-job-managers #1\""));
  EXPECT_THAT(xml, HasSubstr("<error type=\"unknown\" message=\"Errors occurred during analysis, "
                             "but no anomalies found. ಠ~ಠ\">"));
}

TEST(JunitTest, AnEmptySuiteIsStillADocument) {
  const std::string xml = RenderJunitXml(JunitSuite{.name = "x"});
  EXPECT_THAT(xml, HasSubstr("tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\""));
  EXPECT_THAT(xml, HasSubstr("</testsuite>\n</testsuites>\n"));
}

TEST(JunitTest, WritesThroughARenameAndChecksThePathFirst) {
  TempDir tmp;
  const std::string path = (tmp.path() / "junit.xml").string();
  EXPECT_TRUE(CheckJunitPath(path).ok());
  EXPECT_EQ(CheckJunitPath(tmp.path().string()).code(), StatusCode::kInvalidArgument);
  Status s = CheckJunitPath((tmp.path() / "missing" / "junit.xml").string());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("does not exist"));
  ASSERT_TRUE(WriteJunitXml(path, JunitSuite{.name = "x"}).ok());
  EXPECT_THAT(Read(path), HasSubstr("<testsuites"));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_FALSE(WriteJunitXml((tmp.path() / "missing" / "j.xml").string(), {}).ok());
  EXPECT_THAT(Read(path), Not(HasSubstr("name=\"\"")));
}

}  // namespace
}  // namespace jf
