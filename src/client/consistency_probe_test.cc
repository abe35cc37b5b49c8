#include "client/consistency_probe.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>

#include "client/fake_http_server.h"

namespace jf {
namespace {

using std::chrono::milliseconds;
using testutil::FakeHttpServer;
using testutil::FakeRequest;
using testutil::FakeResponse;

const char kJob[] = "5d8e2b1c3a4f6e7d8c9b0a1f2e3d4c5b";

// GET /jobs/:id/checkpoints of a Flink 1.20 job (trimmed: the summary and per-task statistics
// are left out). Checkpoint 5 is both latest.completed and in the history; savepoint 4 is both
// latest.savepoint and in the history; 6 is in progress, 3 failed; the job restored 2.
const char kCheckpoints[] = R"json({
  "counts": {"restored": 1, "total": 7, "in_progress": 1, "completed": 4, "failed": 1},
  "summary": {"state_size": {"min": 1024, "max": 4096, "avg": 2048},
              "end_to_end_duration": {"min": 40, "max": 120, "avg": 80}},
  "latest": {
    "completed": {"@class": "completed", "id": 5, "status": "COMPLETED", "is_savepoint": false,
                  "savepointFormat": null, "trigger_timestamp": 1700000005000,
                  "latest_ack_timestamp": 1700000005100, "checkpointed_size": 2048,
                  "state_size": 2048, "end_to_end_duration": 100, "num_subtasks": 4,
                  "num_acknowledged_subtasks": 4, "checkpoint_type": "CHECKPOINT", "tasks": {},
                  "external_path": "hdfs://nn:8020/flink/checkpoints/job/chk-5",
                  "discarded": false},
    "savepoint": {"@class": "completed", "id": 4, "status": "COMPLETED", "is_savepoint": true,
                  "trigger_timestamp": 1700000004000, "latest_ack_timestamp": 1700000004300,
                  "checkpoint_type": "SAVEPOINT",
                  "external_path": "hdfs://nn:8020/flink/savepoints/savepoint-4",
                  "discarded": false},
    "failed": {"@class": "failed", "id": 3, "status": "FAILED", "is_savepoint": false,
               "trigger_timestamp": 1700000003000, "latest_ack_timestamp": -1,
               "failure_timestamp": 1700000003500, "failure_message": "Checkpoint expired"},
    "restored": {"id": 2, "restore_timestamp": 1700000002500, "is_savepoint": false,
                 "external_path": "hdfs://nn:8020/flink/checkpoints/job/chk-2"}
  },
  "history": [
    {"@class": "in_progress", "id": 6, "status": "IN_PROGRESS", "is_savepoint": false,
     "trigger_timestamp": 1700000006000, "latest_ack_timestamp": 1700000006010},
    {"@class": "completed", "id": 5, "status": "COMPLETED", "is_savepoint": false,
     "trigger_timestamp": 1700000005000, "latest_ack_timestamp": 1700000005100},
    {"@class": "completed", "id": 4, "status": "COMPLETED", "is_savepoint": true,
     "trigger_timestamp": 1700000004000, "latest_ack_timestamp": 1700000004300},
    {"@class": "failed", "id": 3, "status": "FAILED", "is_savepoint": false,
     "trigger_timestamp": 1700000003000, "latest_ack_timestamp": -1},
    {"@class": "completed", "id": 1, "status": "COMPLETED", "is_savepoint": false,
     "trigger_timestamp": 1700000001000, "latest_ack_timestamp": 1700000001100}
  ]
})json";

nlohmann::json Completed(int64_t id, int64_t trigger, int64_t ack, bool savepoint) {
  return {{"id", id}, {"trigger", trigger}, {"ack", ack}, {"savepoint", savepoint}};
}

TEST(ConsistencyReduceCheckpointsTest, ReducesFlinksAnswer) {
  std::set<CheckpointKey> seen;
  auto v = ReduceCheckpoints(nlohmann::json::parse(kCheckpoints), &seen);
  EXPECT_EQ(v["counts"], (nlohmann::json{
                             {"completed", 4}, {"failed", 1}, {"restored", 1}, {"in_progress", 1}}));
  EXPECT_EQ(v["completed"],
            (nlohmann::json{Completed(1, 1700000001000, 1700000001100, false),
                            Completed(4, 1700000004000, 1700000004300, true),
                            Completed(5, 1700000005000, 1700000005100, false)}));
  EXPECT_EQ(v["restored"],
            (nlohmann::json{{"id", 2}, {"at", 1700000002500}, {"savepoint", false}}));
  EXPECT_EQ(seen.size(), 3u);
}

TEST(ConsistencyReduceCheckpointsTest, ReportsEachCompletedCheckpointOnce) {
  std::set<CheckpointKey> seen = {{1, 1700000001000}};
  auto v = ReduceCheckpoints(nlohmann::json::parse(kCheckpoints), &seen);
  ASSERT_EQ(v["completed"].size(), 2u);
  EXPECT_EQ(v["completed"][0]["id"], 4);
  v = ReduceCheckpoints(nlohmann::json::parse(kCheckpoints), &seen);
  EXPECT_EQ(v["completed"], nlohmann::json::array());
  EXPECT_EQ(v["restored"]["id"], 2);  // the restore is stated every time

  // The same id triggered at another time is another checkpoint.
  nlohmann::json again = {
      {"history", {{{"id", 5}, {"status", "COMPLETED"}, {"is_savepoint", false},
                    {"trigger_timestamp", 1700000009000}, {"latest_ack_timestamp", 1700000009100}}}}};
  v = ReduceCheckpoints(again, &seen);
  EXPECT_EQ(v["completed"],
            (nlohmann::json{Completed(5, 1700000009000, 1700000009100, false)}));
}

TEST(ConsistencyReduceCheckpointsTest, ToleratesMissingAndMistypedFields) {
  std::set<CheckpointKey> seen;
  for (const char* body : {"null", "[]", "42", "{}", R"({"counts": 3, "latest": [], "history": {}})",
                           R"({"latest": {"completed": null, "savepoint": null, "restored": null},
                               "history": []})"}) {
    auto v = ReduceCheckpoints(nlohmann::json::parse(body), &seen);
    EXPECT_EQ(v["counts"], nlohmann::json::object()) << body;
    EXPECT_EQ(v["completed"], nlohmann::json::array()) << body;
    EXPECT_TRUE(v["restored"].is_null()) << body;
  }
  const char kPartial[] = R"json({
    "counts": {"completed": "many", "failed": 0},
    "latest": {
      "completed": {"id": 7, "status": "COMPLETED", "trigger_timestamp": 1000},
      "savepoint": {"id": 8, "trigger_timestamp": 2000, "latest_ack_timestamp": 2100},
      "restored": {"id": 7, "is_savepoint": false}
    },
    "history": [
      "garbage", 12, null,
      {"id": "9", "status": "COMPLETED", "trigger_timestamp": 3000, "latest_ack_timestamp": 3100},
      {"id": 10, "trigger_timestamp": 4000, "latest_ack_timestamp": 4100},
      {"id": 11, "status": "COMPLETED", "trigger_timestamp": 5000, "latest_ack_timestamp": 5100}
    ]
  })json";
  auto v = ReduceCheckpoints(nlohmann::json::parse(kPartial), &seen);
  EXPECT_EQ(v["counts"], (nlohmann::json{{"failed", 0}}));
  // 7 has no ack, 9 a string id, 10 no status in the history; latest.savepoint without
  // is_savepoint is a savepoint; 11 lacks is_savepoint and is taken for a checkpoint.
  EXPECT_EQ(v["completed"], (nlohmann::json{Completed(8, 2000, 2100, true),
                                            Completed(11, 5000, 5100, false)}));
  EXPECT_TRUE(v["restored"].is_null());  // no restore_timestamp
}

// A JobManager whose answers the test can change.
class FakeJobManager {
 public:
  FakeJobManager()
      : server_([this](const FakeRequest& req) {
          std::lock_guard<std::mutex> lock(mu_);
          auto it = answers_.find(req.target);
          if (it != answers_.end()) return it->second;
          return FakeResponse{404, R"({"errors":["Not found: )" + req.target + R"("]})"};
        }) {}

  void Answer(const std::string& target, FakeResponse resp) {
    std::lock_guard<std::mutex> lock(mu_);
    answers_[target] = std::move(resp);
  }
  std::string url() const { return server_.url(); }

 private:
  std::mutex mu_;
  std::map<std::string, FakeResponse> answers_;
  FakeHttpServer server_;  // last: stopped first, while the answers still exist
};

std::string Overview(const std::string& state, int64_t start_time) {
  return nlohmann::json{{"jobs",
                         {{{"jid", kJob},
                           {"name", "jepsen-counter"},
                           {"state", state},
                           {"start-time", start_time},
                           {"end-time", -1},
                           {"duration", 42000},
                           {"last-modification", start_time + 400},
                           {"tasks", {{"total", 4}, {"running", 4}}}}}}}
      .dump();
}

std::string Refused() { return "http://127.0.0.1:" + std::to_string(ClosedPort()); }

TEST(ConsistencyProbeTest, SamplesEveryJobManager) {
  FakeJobManager leader, standby;
  leader.Answer("/jobs/overview", {200, Overview("RUNNING", 1700000000000)});
  standby.Answer("/jobs/overview", {200, Overview("RUNNING", 1700000000000)});
  const std::string dead = Refused();
  ConsistencyProbe probe({leader.url(), standby.url(), dead}, {kJob}, milliseconds(2000));
  auto out = probe.SampleJobManagers();
  ASSERT_EQ(out.type, OpType::kOk) << out.error.value_or("");
  EXPECT_FALSE(out.error.has_value());
  nlohmann::json row = {{"id", kJob},
                        {"name", "jepsen-counter"},
                        {"state", "RUNNING"},
                        {"start-time", 1700000000000}};
  EXPECT_EQ(out.value[leader.url()], (nlohmann::json{{"jobs", {row}}}));
  EXPECT_EQ(out.value[standby.url()], (nlohmann::json{{"jobs", {row}}}));
  ASSERT_TRUE(out.value[dead].contains("error"));
  EXPECT_NE(out.value[dead]["error"].get<std::string>().find(dead), std::string::npos);
  EXPECT_EQ(out.value.size(), 3u);
}

TEST(ConsistencyProbeTest, ElectingJobManagersAnswerNothing) {
  FakeJobManager electing;
  electing.Answer("/jobs/overview", {503, R"({"errors":["Service temporarily unavailable"]})"});
  ConsistencyProbe probe({electing.url(), Refused()}, {kJob}, milliseconds(2000));
  auto out = probe.SampleJobManagers();
  EXPECT_EQ(out.type, OpType::kFail);
  ASSERT_TRUE(out.error.has_value());
  EXPECT_NE(out.error->find("no JobManager answered"), std::string::npos);
  EXPECT_NE(out.error->find("503"), std::string::npos);
  EXPECT_TRUE(out.value[electing.url()].contains("error"));

  EXPECT_EQ(ConsistencyProbe({}, {kJob}).SampleJobManagers().type, OpType::kFail);
}

TEST(ConsistencyProbeTest, AllJobManagersTimingOutIsIndeterminate) {
  FakeJobManager slow1, slow2;
  for (auto* jm : {&slow1, &slow2}) {
    FakeResponse r{200, Overview("RUNNING", 1)};
    r.delay = milliseconds(1000);
    jm->Answer("/jobs/overview", r);
  }
  ConsistencyProbe probe({slow1.url(), slow2.url()}, {kJob}, milliseconds(300));
  auto out = probe.SampleJobManagers();
  EXPECT_EQ(out.type, OpType::kInfo) << out.error.value_or("");
  EXPECT_TRUE(out.error.has_value());
}

TEST(ConsistencyProbeTest, AsksTheJobManagersConcurrently) {
  FakeJobManager a, b, c;
  for (auto* jm : {&a, &b, &c}) {
    FakeResponse r{200, Overview("RUNNING", 1)};
    r.delay = milliseconds(600);
    jm->Answer("/jobs/overview", r);
  }
  ConsistencyProbe probe({a.url(), b.url(), c.url()}, {kJob}, milliseconds(3000));
  const auto start = std::chrono::steady_clock::now();
  auto out = probe.SampleJobManagers();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(out.type, OpType::kOk);
  EXPECT_LT(took, milliseconds(1500));  // one after the other would take 1.8 s
}

TEST(ConsistencyProbeTest, SamplesCheckpointsAndReportsEachOnce) {
  FakeJobManager jm;
  jm.Answer(std::string("/jobs/") + kJob + "/checkpoints", {200, kCheckpoints});
  ConsistencyProbe probe({jm.url()}, {kJob, "gone"}, milliseconds(2000));
  auto out = probe.SampleCheckpoints(jm.url());
  ASSERT_EQ(out.type, OpType::kOk) << out.error.value_or("");
  EXPECT_TRUE(out.value["gone"].is_null());  // 404: answered, the job is unknown there
  EXPECT_EQ(out.value[kJob]["completed"].size(), 3u);
  EXPECT_EQ(out.value[kJob]["counts"]["completed"], 4);

  out = probe.SampleCheckpoints(jm.url());
  ASSERT_EQ(out.type, OpType::kOk);
  EXPECT_EQ(out.value[kJob]["completed"], nlohmann::json::array());
  EXPECT_EQ(out.value[kJob]["restored"]["id"], 2);

  auto next = nlohmann::json::parse(kCheckpoints);
  next["history"].push_back({{"id", 7}, {"status", "COMPLETED"}, {"is_savepoint", false},
                             {"trigger_timestamp", 1700000007000},
                             {"latest_ack_timestamp", 1700000007100}});
  jm.Answer(std::string("/jobs/") + kJob + "/checkpoints", {200, next.dump()});
  out = probe.SampleCheckpoints(jm.url());
  ASSERT_EQ(out.type, OpType::kOk);
  EXPECT_EQ(out.value[kJob]["completed"],
            (nlohmann::json{Completed(7, 1700000007000, 1700000007100, false)}));
}

TEST(ConsistencyProbeTest, FailedCheckpointSampleReportsAndConsumesNothing) {
  FakeJobManager jm;
  jm.Answer(std::string("/jobs/") + kJob + "/checkpoints", {200, kCheckpoints});
  jm.Answer("/jobs/other/checkpoints", {503, R"({"errors":["leader election"]})"});
  ConsistencyProbe probe({jm.url()}, {kJob, "other"}, milliseconds(2000));
  auto out = probe.SampleCheckpoints(jm.url());
  EXPECT_EQ(out.type, OpType::kFail);
  EXPECT_TRUE(out.value.is_null());
  ASSERT_TRUE(out.error.has_value());
  EXPECT_NE(out.error->find("503"), std::string::npos);

  jm.Answer("/jobs/other/checkpoints", {200, "{}"});
  out = probe.SampleCheckpoints(jm.url());
  ASSERT_EQ(out.type, OpType::kOk) << out.error.value_or("");
  EXPECT_EQ(out.value[kJob]["completed"].size(), 3u);  // not consumed by the failed sample
  EXPECT_EQ(out.value["other"]["completed"], nlohmann::json::array());
}

TEST(ConsistencyProbeTest, CheckpointSampleTimeoutIsIndeterminate) {
  FakeJobManager jm;
  FakeResponse slow{200, kCheckpoints};
  slow.delay = milliseconds(1000);
  jm.Answer(std::string("/jobs/") + kJob + "/checkpoints", slow);
  ConsistencyProbe probe({jm.url()}, {kJob}, milliseconds(300));
  auto out = probe.SampleCheckpoints(jm.url());
  EXPECT_EQ(out.type, OpType::kInfo);
  EXPECT_TRUE(out.error.has_value());

  EXPECT_EQ(probe.SampleCheckpoints(Refused()).type, OpType::kFail);
}

}  // namespace
}  // namespace jf
