#include "core/analysis.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace jf {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUuid = "81fc4980-a6af-41c8-9937-9939408a734b";
constexpr const char* kUuid2 = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

// A run directory with one instance of the test job: 1 split, 1 key, so the committed bound of
// key 0 is the split's position.
class JobOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("jf-analysis-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "job" / "commits");
    fs::create_directories(dir_ / "job" / "output");
    test_ = {{"job-sink", "exactly-once"}, {"job-semantics", "exactly-once"},
             {"job-splits", 1},            {"job-keys-per-split", 1},
             {"job-running-healthy-threshold", 1}};
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const fs::path& rel, const std::string& text) {
    fs::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel) << text;
  }
  // Checkpoint 1 commits seqs 0..position-1 of key 0.
  void Commit(int position) {
    Write("job/commits/source-0.log", "1 0 " + std::to_string(position) + "\n");
  }
  void Part(const std::string& uuid, int counter, int from, int to) {
    std::string text;
    for (int s = from; s <= to; ++s) text += "0 " + std::to_string(s) + "\n";
    Write(fs::path("job/output") / ("part-" + uuid + "-" + std::to_string(counter)), text);
  }
  std::vector<Op> History(bool stopped) {
    std::vector<Op> ops;
    if (stopped) {
      ops.push_back(Op{.index = 0, .time = 1, .type = OpType::kInvoke, .f = "stop-job"});
      ops.push_back(Op{.index = 1, .time = 2, .type = OpType::kOk, .f = "stop-job",
                       .value = {{"job-id", "j"}, {"dir", "job"}}});
    }
    return ops;
  }
  OutputAnalysis Analyze(bool stopped = true) {
    return AnalyzeJobOutputs(dir_.string(), test_, History(stopped));
  }

  fs::path dir_;
  nlohmann::json test_;
};

TEST_F(JobOutputTest, CompleteOutputIsValid) {
  Commit(10);
  Part(kUuid, 0, 0, 4);
  Part(kUuid, 1, 5, 11);  // more than committed is allowed
  auto a = Analyze();
  EXPECT_EQ(a.valid, Validity::kValid) << a.results.dump(2);
  EXPECT_EQ(a.results["records-checked"], 12);
  EXPECT_EQ(a.results["jobs"]["job"]["stopped-with-savepoint"], true);
  EXPECT_TRUE(a.anomalies.empty());
}

TEST_F(JobOutputTest, DuplicateIsInvalid) {
  Commit(10);
  Part(kUuid, 0, 0, 9);
  Part(kUuid2, 0, 5, 6);  // a replay by a new writer
  auto a = Analyze();
  EXPECT_EQ(a.valid, Validity::kInvalid);
  ASSERT_EQ(a.anomalies.size(), 1u);
  EXPECT_NE(a.anomalies[0].what.find("2 duplicate"), std::string::npos) << a.anomalies[0].what;
}

TEST_F(JobOutputTest, LostIsInvalidOnlyAfterAStop) {
  Commit(10);
  Part(kUuid, 0, 0, 6);
  auto stopped = Analyze(/*stopped=*/true);
  EXPECT_EQ(stopped.valid, Validity::kInvalid);
  ASSERT_EQ(stopped.anomalies.size(), 1u);
  EXPECT_NE(stopped.anomalies[0].what.find("3 lost"), std::string::npos);
  // Not stopped with a savepoint: the last checkpoint's files may still be pending.
  auto not_stopped = Analyze(/*stopped=*/false);
  EXPECT_EQ(not_stopped.valid, Validity::kUnknown);
  EXPECT_TRUE(not_stopped.anomalies.empty());
  EXPECT_EQ(not_stopped.results["jobs"]["job"]["reasons"].size(), 1u);
}

TEST_F(JobOutputTest, InJobAlertsCount) {
  Commit(3);
  Part(kUuid, 0, 0, 2);
  Write("job/alerts/alerts-0-x.log", "0 3 2 1700000000000 0\n");
  EXPECT_EQ(Analyze().valid, Validity::kInvalid);
}

TEST_F(JobOutputTest, AtLeastOncePermitsDuplicatesButNotLosses) {
  test_["job-semantics"] = "at-least-once";
  Commit(10);
  Part(kUuid, 0, 0, 9);
  Part(kUuid2, 0, 5, 6);
  Write("job/alerts/alerts-0-x.log", "0 7 5 1700000000000 0\n");
  auto dup = Analyze();
  EXPECT_EQ(dup.valid, Validity::kValid) << dup.results.dump(2);
  EXPECT_EQ(dup.results["jobs"]["job"]["permitted"],
            nlohmann::json({"duplicate", "in-job-alert"}));
  Commit(12);
  EXPECT_EQ(Analyze().valid, Validity::kInvalid);  // seqs 10 and 11 are lost
}

TEST_F(JobOutputTest, NoCompleteCheckpointIsUnknown) {
  Part(kUuid, 0, 0, 2);
  EXPECT_EQ(Analyze().valid, Validity::kUnknown);
}

TEST_F(JobOutputTest, NoSinkChecksAlertsOnly) {
  test_["job-sink"] = "none";
  fs::remove_all(dir_ / "job" / "output");
  Commit(3);
  EXPECT_EQ(Analyze().valid, Validity::kValid);
  Write("job/alerts/alerts-1-y.log", "0 3 2 1700000000000 1\n0 4 2 1700000000001 1\n");
  auto a = Analyze();
  EXPECT_EQ(a.valid, Validity::kInvalid);
  EXPECT_EQ(a.results["jobs"]["job"]["anomalies"]["in-job-alert"]["count"], 2);
}

TEST_F(JobOutputTest, MissingOutputIsUnknownAndOldStoresAreSkipped) {
  fs::remove_all(dir_ / "job" / "output");
  Commit(3);
  EXPECT_EQ(Analyze().valid, Validity::kUnknown);
  test_.erase("job-sink");  // a store from before the output checks
  auto old = Analyze();
  EXPECT_EQ(old.valid, Validity::kValid);
  EXPECT_TRUE(old.results.is_null());
}

TEST_F(JobOutputTest, SecondInstanceIsCheckedToo) {
  Commit(3);
  Part(kUuid, 0, 0, 2);
  Write("job-2/commits/source-0.log", "1 0 3\n");
  Write(fs::path("job-2/output") / (std::string("part-") + kUuid2 + "-0"), "0 0\n0 1\n");
  auto a = AnalyzeJobOutputs(dir_.string(), test_, {});
  EXPECT_EQ(a.results["jobs"].size(), 2u);
  // job-2 lost seq 2 but was not stopped: unknown.
  EXPECT_EQ(a.results["jobs"]["job-2"]["valid?"], "unknown");
}

TEST_F(JobOutputTest, RunVerdictCombinesHistoryAndOutput) {
  Commit(10);
  Part(kUuid, 0, 0, 9);
  Part(kUuid2, 0, 0, 0);
  // A history whose availability is fine: the job ran for the whole healthy window at the end.
  std::vector<Op> ops = History(true);
  for (int i = 0; i < 8; ++i) {
    int64_t t = 10'000'000'000LL + i * 1'000'000'000LL;
    ops.push_back(Op{.index = static_cast<int64_t>(ops.size()), .time = t,
                     .type = OpType::kInvoke, .f = "jobs-running?"});
    ops.push_back(Op{.index = static_cast<int64_t>(ops.size()), .time = t + 1,
                     .type = OpType::kOk, .f = "jobs-running?", .value = {{"j", true}}});
  }
  Analysis a = AnalyzeRun(dir_.string(), test_, ops, Status::Ok());
  EXPECT_EQ(a.results["availability"]["valid?"], true) << a.results.dump(2);
  EXPECT_EQ(a.valid, Validity::kInvalid);
  EXPECT_EQ(a.results["valid?"], false);
  EXPECT_EQ(a.results["output"]["valid?"], false);
  // Interrupted: still invalid, since the output shows an anomaly.
  EXPECT_EQ(AnalyzeRun(dir_.string(), test_, ops, Cancelled("interrupted")).valid,
            Validity::kInvalid);
}

// A stored run with a history that ran healthy for 8 s.
class AnalyzeStoreTest : public JobOutputTest {
 protected:
  void SetUp() override {
    JobOutputTest::SetUp();
    fs::remove_all(dir_ / "job");  // no output check: the history alone decides
    test_["job-running-healthy-threshold"] = 2;
    Write("test.json", test_.dump());
    std::string h;
    for (int i = 0; i < 8; ++i) {
      int64_t t = 10'000'000'000LL + i * 1'000'000'000LL;
      h += OpToJson(Op{.index = 2 * i, .time = t, .type = OpType::kInvoke, .process = 0,
                       .f = "jobs-running?"})
               .dump() +
           "\n";
      h += OpToJson(Op{.index = 2 * i + 1, .time = t + 1, .type = OpType::kOk, .process = 0,
                       .f = "jobs-running?", .value = {{"j", i < 6}}})
               .dump() +
           "\n";
    }
    history_ = h;
  }
  std::string history_;
};

TEST_F(AnalyzeStoreTest, FinishedRunKeepsItsVerdict) {
  Write("history.jsonl", history_);
  Write("results.json", R"({"valid?": false, "timings": {"total_s": 30}})");
  auto a = AnalyzeStore(dir_.string());
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->valid, Validity::kInvalid);  // not running at the end
  nlohmann::json r = nlohmann::json::parse(std::ifstream(dir_ / "results.json"));
  EXPECT_EQ(r["valid?"], false);
  EXPECT_EQ(r["timings"]["total_s"], 30);  // parts the checkers do not own are kept
}

TEST_F(AnalyzeStoreTest, PartialHistoryWithoutResultsIsUnknown) {
  // The harness was SIGKILLed while writing an op: a torn last line and no results.json.
  Write("history.jsonl", history_ + R"({"f":"jobs-running?","index":16,"pro)");
  auto a = AnalyzeStore(dir_.string());
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->valid, Validity::kUnknown);
  nlohmann::json r = nlohmann::json::parse(std::ifstream(dir_ / "results.json"));
  EXPECT_EQ(r["valid?"], "unknown");
  EXPECT_NE(r["error"].get<std::string>().find("did not finish"), std::string::npos);
  EXPECT_NE(r["error"].get<std::string>().find("ends at 17.0 s"), std::string::npos);
}

TEST_F(AnalyzeStoreTest, MissingTestJsonIsAnError) {
  fs::remove(dir_ / "test.json");
  Write("history.jsonl", history_);
  EXPECT_EQ(AnalyzeStore(dir_.string()).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace jf
