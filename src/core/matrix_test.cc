#include "core/matrix.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace jf {
namespace {

std::vector<std::string> NamesOf(const std::vector<MatrixEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.name);
  return out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class MatrixStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / fmt::format("jf_matrix_test_{}", getpid());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // A run directory holding `results` as its results.json.
  std::string RunDir(const std::string& name, const std::string& results) {
    fs::path dir = root_ / name;
    fs::create_directories(dir);
    std::ofstream(dir / "results.json") << results;
    return dir.string();
  }

  fs::path root_;
};

// The layout checker/recovery.cc and core/run.cc write (abridged).
constexpr const char* kResultsJson = R"({
  "valid?": true,
  "recovery": {
    "flink": {"restarts": [], "summary": {"count": 3, "min": 1.001, "median": 1.5, "max": 3.07}},
    "harness": {"kills": [], "windows": [],
                "summary": {"count": 7, "min": 12.4, "median": 21.72, "max": 35.56}}
  },
  "timings": {"setup_zookeeper_s": 1.2, "total_s": 93.37},
  "output": {"valid?": true, "records-checked": 5415}
})";

constexpr const char* kNoRecoveryJson = R"({
  "valid?": "unknown",
  "recovery": {
    "flink": {"summary": {"count": 0, "min": null, "median": null, "max": null}},
    "harness": {"summary": {"count": 0, "min": null, "median": null, "max": null}}
  },
  "timings": {"total_s": 7.66}
})";

TEST(MatrixTest, OriginalMatrixOnFlink120HasPerJobMode) {
  EXPECT_EQ(NamesOf(OriginalMatrix("1.20")),
            (std::vector<std::string>{
                "yarn-session/kill-task-managers", "yarn-session/kill-job-managers",
                "yarn-session/fail-name-node-during-recovery", "yarn-job/kill-task-managers",
                "yarn-job/kill-job-managers", "yarn-job/fail-name-node-during-recovery",
                "standalone-session/kill-job-managers",
                "standalone-session/kill-job-managers+cancel-jobs"}));
  for (const auto& e : OriginalMatrix("1.20")) {
    EXPECT_EQ(e.name.substr(0, e.name.find('/')), e.deployment_mode) << e.name;
    EXPECT_NE(e.name.find(e.nemesis_gen), std::string::npos) << e.name;
    EXPECT_EQ(e.client_gen, e.name.ends_with("+cancel-jobs") ? "cancel-jobs" : "poll-job-running")
        << e.name;
  }
  // A 1.x version number means the same line.
  EXPECT_EQ(NamesOf(OriginalMatrix("1.20.5")), NamesOf(OriginalMatrix("1.20")));
}

TEST(MatrixTest, OriginalMatrixOnFlink2UsesApplicationMode) {
  auto m = OriginalMatrix("2.x");
  ASSERT_EQ(m.size(), 8u);
  for (int i = 3; i < 6; ++i) {
    EXPECT_EQ(m[i].deployment_mode, "yarn-application");
    EXPECT_TRUE(m[i].name.starts_with("yarn-application/")) << m[i].name;
  }
  for (const auto& e : m) EXPECT_NE(e.deployment_mode, "yarn-job") << e.name;
  EXPECT_EQ(m[5].nemesis_gen, "fail-name-node-during-recovery");
  EXPECT_EQ(m[7].name, "standalone-session/kill-job-managers+cancel-jobs");
  EXPECT_EQ(m[7].deployment_mode, "standalone-session");
  EXPECT_EQ(m[7].nemesis_gen, "kill-job-managers");
  EXPECT_EQ(m[7].client_gen, "cancel-jobs");
  EXPECT_EQ(NamesOf(OriginalMatrix("2.2.1")), NamesOf(m));
}

TEST(MatrixTest, FlinkLineNamesFollowTheKnownReleases) {
  EXPECT_EQ(MatrixFlinkLine(FlinkLine::k1_20), "1.20");
  EXPECT_EQ(MatrixFlinkLine(FlinkLine::k2), "2.x");
  for (const auto& r : KnownFlinkReleases()) {
    const bool per_job = r.line == FlinkLine::k1_20;
    EXPECT_EQ(OriginalMatrix(MatrixFlinkLine(r.line))[3].deployment_mode,
              per_job ? "yarn-job" : "yarn-application")
        << r.version;
  }
}

TEST(MatrixTest, FilterKeepsEntriesMatchingAnySubstringInOrder) {
  const auto m = OriginalMatrix("2.x");
  EXPECT_EQ(NamesOf(FilterMatrix(m, {})), NamesOf(m));
  EXPECT_EQ(NamesOf(FilterMatrix(m, {"standalone"})),
            (std::vector<std::string>{"standalone-session/kill-job-managers",
                                      "standalone-session/kill-job-managers+cancel-jobs"}));
  EXPECT_EQ(NamesOf(FilterMatrix(m, {"cancel-jobs", "yarn-session/kill-task"})),
            (std::vector<std::string>{"yarn-session/kill-task-managers",
                                      "standalone-session/kill-job-managers+cancel-jobs"}));
  EXPECT_EQ(FilterMatrix(m, {"kill-job-managers"}).size(), 4u);
  EXPECT_TRUE(FilterMatrix(m, {"mesos"}).empty());
}

TEST(MatrixTest, ApplyEntrySetsModeAndSchedulesAndKeepsTheRest) {
  TestOptions base;
  base.time_limit_s = 20;
  base.job_recovery_grace_period_s = 60;
  base.store_dir = "/tmp/somewhere";
  base.test_count = 3;
  base.flink_version = "1.20.5";
  const auto m = OriginalMatrix("1.20");
  TestOptions o = ApplyMatrixEntry(base, m[7]);
  EXPECT_EQ(o.deployment_mode, "standalone-session");
  EXPECT_TRUE(o.deployment_mode_given);
  EXPECT_EQ(o.nemesis_gen, "kill-job-managers");
  EXPECT_TRUE(o.nemesis_gen_given);
  EXPECT_EQ(o.client_gen, "cancel-jobs");
  EXPECT_EQ(o.test_count, 1);
  EXPECT_EQ(o.time_limit_s, 20);
  EXPECT_EQ(o.job_recovery_grace_period_s, 60);
  EXPECT_EQ(o.store_dir, "/tmp/somewhere");
  EXPECT_EQ(o.flink_version, "1.20.5");
  EXPECT_EQ(o.TestName(), "standalone-session-kill-job-managers");
  EXPECT_TRUE(o.Validate().ok());
  // The base is a copy, untouched.
  EXPECT_EQ(base.client_gen, "poll-job-running");
  EXPECT_FALSE(base.nemesis_gen_given);

  TestOptions y = ApplyMatrixEntry(base, m[5]);
  EXPECT_EQ(y.deployment_mode, "yarn-job");
  EXPECT_EQ(y.nemesis_gen, "fail-name-node-during-recovery");
  EXPECT_EQ(y.client_gen, "poll-job-running");
  EXPECT_TRUE(y.UsesHdfs());
}

TEST(MatrixTest, VerdictWords) {
  EXPECT_EQ(VerdictWord(kExitValid), "valid");
  EXPECT_EQ(VerdictWord(kExitInvalid), "invalid");
  EXPECT_EQ(VerdictWord(kExitUnknown), "unknown");
  EXPECT_EQ(VerdictWord(kExitBadArguments), "error");
  EXPECT_EQ(VerdictWord(kExitInternalError), "error");
}

TEST_F(MatrixStoreTest, ResultReadsRecoveryAndWallTimeFromResultsJson) {
  MatrixResult r = MakeMatrixResult("standalone-session/kill-job-managers", 2, kExitValid,
                                    RunDir("a", kResultsJson));
  EXPECT_EQ(r.verdict, "valid");
  EXPECT_EQ(r.iteration, 2);
  EXPECT_EQ(r.harness_recovery.count, 7);
  EXPECT_DOUBLE_EQ(r.harness_recovery.min.value(), 12.4);
  EXPECT_DOUBLE_EQ(r.harness_recovery.median.value(), 21.72);
  EXPECT_DOUBLE_EQ(r.harness_recovery.max.value(), 35.56);
  EXPECT_EQ(r.flink_recovery.count, 3);
  EXPECT_DOUBLE_EQ(r.flink_recovery.median.value(), 1.5);
  EXPECT_DOUBLE_EQ(r.flink_recovery.max.value(), 3.07);
  EXPECT_DOUBLE_EQ(r.wall_s.value(), 93.37);
  EXPECT_DOUBLE_EQ(r.records.value(), 5415);

  MatrixResult none = MakeMatrixResult("x", 1, kExitUnknown, RunDir("b", kNoRecoveryJson));
  EXPECT_EQ(none.harness_recovery.count, 0);
  EXPECT_FALSE(none.harness_recovery.median.has_value());
  EXPECT_FALSE(none.flink_recovery.max.has_value());
  EXPECT_DOUBLE_EQ(none.wall_s.value(), 7.66);
  EXPECT_FALSE(none.records.has_value());

  for (const std::string& dir : {std::string(""), (root_ / "missing").string(),
                                 RunDir("c", "{not json"), RunDir("d", "[1, 2]")}) {
    MatrixResult e = MakeMatrixResult("x", 1, kExitInternalError, dir);
    EXPECT_EQ(e.verdict, "error") << dir;
    EXPECT_FALSE(e.harness_recovery.median.has_value()) << dir;
    EXPECT_FALSE(e.wall_s.has_value()) << dir;
  }
}

// An invalid run's results.json: an availability anomaly (text to be escaped by writers), an
// empty consistency part, the output checker's counts and reasons.
const nlohmann::json kInvalidResults = {
    {"valid?", false},
    {"error", "interrupted"},
    {"availability",
     {{"valid?", false},
      {"anomalies",
       {{{"time_s", 41.23}, {"op_index", 318}, {"what", "Job is not running & <late>."}},
        {{"time_s", 50.0}, {"op_index", -1}, {"what", "Still down."}}}}}},
    {"consistency", {{"valid?", true}, {"anomalies", nlohmann::json::array()}}},
    {"output",
     {{"jobs",
       {{"job",
         {{"anomalies", {{"duplicate", {{"count", 0}}}, {"lost", {{"count", 12}}}}},
          {"reasons", {"no checkpoint is complete"}}}}}}}}};

TEST(ResultReasonsTest, ListsTheErrorEveryCheckersAnomaliesAndTheOutputsCounts) {
  EXPECT_EQ(
      ResultReasons(kInvalidResults),
      (std::vector<std::string>{"error: interrupted",
                                "availability: Job is not running & <late>. (at 41.2 s, op 318)",
                                "availability: Still down. (at 50.0 s)", "output job: 12 lost",
                                "output job: no checkpoint is complete"}));
  EXPECT_TRUE(ResultReasons(nlohmann::json::parse(kResultsJson)).empty());
  EXPECT_TRUE(ResultReasons(nullptr).empty());
  EXPECT_TRUE(ResultReasons({{"availability", 3}, {"output", {{"jobs", "x"}}}}).empty());
}

TEST_F(MatrixStoreTest, ResultCarriesTheReasonsOfItsResultsJson) {
  MatrixResult r = MakeMatrixResult("x", 1, kExitInvalid, RunDir("i", kInvalidResults.dump()));
  EXPECT_EQ(r.reasons, ResultReasons(kInvalidResults));
  EXPECT_TRUE(MakeMatrixResult("x", 1, kExitValid, RunDir("v", kResultsJson)).reasons.empty());
}

TEST_F(MatrixStoreTest, TableHasARowPerRunAlignedColumnsAndTheCount) {
  const std::string long_name = "standalone-session/kill-job-managers+cancel-jobs";
  std::vector<MatrixResult> results = {
      MakeMatrixResult("standalone-session/kill-job-managers", 1, kExitValid,
                       RunDir("a", kResultsJson)),
      MakeMatrixResult(long_name, 1, kExitUnknown, RunDir("b", kNoRecoveryJson)),
      MakeMatrixResult("yarn-session/kill-task-managers", 1, kExitBadArguments, ""),
  };
  results[2].error = "--deployment-mode yarn-session needs YARN";
  const std::string table = RenderSummaryTable(results);
  const auto lines = Lines(table);
  ASSERT_EQ(lines.size(), 7u) << table;
  // Header, then one row per run, in order; every column starts where the header's does.
  const std::size_t verdict_col = lines[0].find("verdict");
  const std::size_t wall_col = lines[0].find("wall s");
  const std::size_t store_col = lines[0].find("store");
  ASSERT_NE(verdict_col, std::string::npos);
  EXPECT_EQ(verdict_col, long_name.size() + 2 + 4 + 2);
  EXPECT_TRUE(lines[0].starts_with("test "));
  for (int i = 1; i <= 3; ++i) {
    EXPECT_TRUE(lines[i].starts_with(results[i - 1].name)) << lines[i];
    EXPECT_EQ(lines[i].substr(verdict_col, results[i - 1].verdict.size()), results[i - 1].verdict)
        << lines[i];
    EXPECT_EQ(
        lines[i].find(results[i - 1].store_dir.empty() ? "-" : results[i - 1].store_dir, store_col),
        store_col)
        << lines[i];
    EXPECT_NE(lines[i].back(), ' ');  // no trailing blanks
  }
  // Medians and maxima, one decimal; "-" where there is none.
  EXPECT_NE(lines[1].find("21.7"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("35.6"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("1.5"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("3.1"), std::string::npos) << lines[1];
  EXPECT_EQ(lines[1].substr(wall_col - 1, 7), "   93.4") << lines[1];
  EXPECT_EQ(lines[2].substr(wall_col - 1, 7), "    7.7") << lines[2];
  EXPECT_EQ(lines[3].substr(wall_col - 1, 7), "      -") << lines[3];
  EXPECT_EQ(lines[4], "");
  EXPECT_EQ(lines[5],
            "yarn-session/kill-task-managers (iteration 1): --deployment-mode yarn-session needs "
            "YARN");
  EXPECT_EQ(lines.back(), "1 of 3 valid");

  // Fewer runs than planned: said so, and counted against the plan.
  const auto short_lines = Lines(RenderSummaryTable({results[0]}, 8));
  EXPECT_EQ(short_lines[short_lines.size() - 2], "7 of 8 runs did not run (interrupted)");
  EXPECT_EQ(short_lines.back(), "1 of 8 valid");
  EXPECT_EQ(Lines(RenderSummaryTable({})).back(), "0 of 0 valid");
}

TEST_F(MatrixStoreTest, SummaryJsonCarriesEveryRun) {
  std::vector<MatrixResult> results = {
      MakeMatrixResult("standalone-session/kill-job-managers", 1, kExitValid,
                       RunDir("a", kResultsJson)),
      MakeMatrixResult("standalone-session/kill-job-managers+cancel-jobs", 1, kExitUnknown,
                       RunDir("b", kNoRecoveryJson))};
  nlohmann::json j = SummaryJson(results, 4);
  EXPECT_EQ(j["planned"], 4);
  EXPECT_EQ(j["ran"], 2);
  EXPECT_EQ(j["valid"], 1);
  EXPECT_EQ(j["exit-code"], kExitUnknown);
  ASSERT_EQ(j["runs"].size(), 2u);
  const auto& r0 = j["runs"][0];
  EXPECT_EQ(r0["test"], "standalone-session/kill-job-managers");
  EXPECT_EQ(r0["verdict"], "valid");
  EXPECT_EQ(r0["exit-code"], 0);
  EXPECT_EQ(r0["store"], results[0].store_dir);
  EXPECT_EQ(r0["recovery"]["harness"]["count"], 7);
  EXPECT_DOUBLE_EQ(r0["recovery"]["harness"]["median"].get<double>(), 21.72);
  EXPECT_DOUBLE_EQ(r0["recovery"]["flink"]["max"].get<double>(), 3.07);
  EXPECT_DOUBLE_EQ(r0["wall_s"].get<double>(), 93.37);
  EXPECT_TRUE(j["runs"][1]["recovery"]["harness"]["median"].is_null());
}

TEST(MatrixTest, ExitCodeCombinesTheRuns) {
  auto r = [](int code) { return MakeMatrixResult("t", 1, code, ""); };
  EXPECT_EQ(MatrixExitCode({r(0), r(0)}), kExitValid);
  EXPECT_EQ(MatrixExitCode({r(0), r(0)}, 2), kExitValid);
  EXPECT_EQ(MatrixExitCode({r(0), r(2), r(1), r(255)}), kExitInvalid);
  EXPECT_EQ(MatrixExitCode({r(1), r(254)}), kExitInvalid);
  EXPECT_EQ(MatrixExitCode({r(0), r(2)}), kExitUnknown);
  EXPECT_EQ(MatrixExitCode({r(0), r(254)}), kExitUnknown);
  EXPECT_EQ(MatrixExitCode({r(255)}), kExitUnknown);
  EXPECT_EQ(MatrixExitCode({r(0), r(0)}, 3), kExitUnknown);  // one left out: not all valid
  EXPECT_EQ(MatrixExitCode({}), kExitUnknown);
}

TEST(MatrixTest, RunMatrixRunsIterationMajorAndRecordsRefusals) {
  std::vector<MatrixEntry> entries = {
      {"standalone-session/kill-job-managers", "standalone-session", "kill-job-managers",
       "poll-job-running"},
      {"mesos-session/utopia", "mesos-session", "utopia", "poll-job-running"},
      {"standalone-session/kill-job-managers+cancel-jobs", "standalone-session",
       "kill-job-managers", "cancel-jobs"}};
  TestOptions base;
  base.time_limit_s = 20;
  std::vector<TestOptions> ran;
  std::vector<std::string> said;
  MatrixRun m = RunMatrix(
      entries, base, 2,
      [&](const TestOptions& o) {
        ran.push_back(o);
        return RunOutcome{ran.size() == 2 ? kExitInvalid : kExitValid, "", false};
      },
      [&](const std::string& line) { said.push_back(line); });
  EXPECT_FALSE(m.interrupted);
  EXPECT_EQ(m.planned, 6u);
  ASSERT_EQ(m.results.size(), 6u);
  ASSERT_EQ(ran.size(), 4u);  // the mesos entry never ran
  EXPECT_EQ(ran[1].client_gen, "cancel-jobs");
  EXPECT_EQ(ran[0].time_limit_s, 20);
  EXPECT_NE(ran[0].seed, 0u);  // validated: a seed was drawn
  EXPECT_EQ(said[0], "test-all: 1/3 standalone-session/kill-job-managers (iteration 1 of 2)");
  EXPECT_EQ(said[1], "test-all: 2/3 mesos-session/utopia (iteration 1 of 2)");
  EXPECT_TRUE(said[2].starts_with("test-all: mesos-session/utopia refused: ")) << said[2];
  const std::vector<std::string> verdicts = {"valid", "error", "invalid",
                                             "valid", "error", "valid"};
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(m.results[i].name, entries[i % 3].name);
    EXPECT_EQ(m.results[i].iteration, i < 3 ? 1 : 2);
    EXPECT_EQ(m.results[i].verdict, verdicts[i]) << i;
  }
  EXPECT_EQ(m.results[1].exit_code, kExitBadArguments);
  EXPECT_NE(m.results[1].error.find("Mesos"), std::string::npos) << m.results[1].error;
  EXPECT_EQ(MatrixExitCode(m.results, m.planned), kExitInvalid);
}

TEST(MatrixTest, RunMatrixStopsAfterAnInterruptedRun) {
  const auto entries = FilterMatrix(OriginalMatrix("2.x"), {"standalone"});
  int runs = 0;
  MatrixRun m = RunMatrix(
      entries, TestOptions(), 3,
      [&](const TestOptions&) {
        ++runs;
        return RunOutcome{runs == 2 ? kExitUnknown : kExitValid, "/store/x", runs == 2};
      },
      [](const std::string&) {});
  EXPECT_TRUE(m.interrupted);
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(m.planned, 6u);
  ASSERT_EQ(m.results.size(), 2u);
  EXPECT_EQ(m.results[1].verdict, "unknown");
  EXPECT_EQ(m.results[1].store_dir, "/store/x");
  EXPECT_EQ(MatrixExitCode(m.results, m.planned), kExitUnknown);
  EXPECT_EQ(Lines(RenderSummaryTable(m.results, m.planned)).back(), "1 of 6 valid");
}

TEST(MatrixTest, RunMatrixNotesARunThatBrokeBeforeItsStore) {
  const auto entries =
      FilterMatrix(OriginalMatrix("2.x"), {"standalone-session/kill-job-managers"});
  MatrixRun m = RunMatrix(
      {entries[0]}, TestOptions(), 1,
      [](const TestOptions&) {
        return RunOutcome{kExitInternalError, "", false};
      },
      [](const std::string&) {});
  ASSERT_EQ(m.results.size(), 1u);
  EXPECT_EQ(m.results[0].verdict, "error");
  EXPECT_NE(m.results[0].error.find("exit 255"), std::string::npos) << m.results[0].error;
}

}  // namespace
}  // namespace jf
