#include "client/flink_rest.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "client/fake_http_server.h"

namespace jf {
namespace {

using testutil::FakeHttpServer;
using testutil::FakeRequest;
using testutil::FakeResponse;

// GET /jobs/:jobid of a Flink 1.20 job with two vertices, every subtask RUNNING (trimmed: the
// "plan" and most metrics are left out; the parser ignores them).
const char kJobAllRunning[] = R"json({
  "jid": "5d8e2b1c3a4f6e7d8c9b0a1f2e3d4c5b",
  "name": "jepsen-counter",
  "isStoppable": false,
  "state": "RUNNING",
  "job-type": "STREAMING",
  "start-time": 1732521600000,
  "end-time": -1,
  "duration": 42000,
  "maxParallelism": -1,
  "now": 1732521642000,
  "timestamps": {"FAILING": 0, "CANCELLING": 0, "RESTARTING": 0, "RUNNING": 1732521600412,
                 "CANCELED": 0, "FINISHED": 0, "INITIALIZING": 1732521600000, "SUSPENDED": 0,
                 "CREATED": 1732521600210, "RECONCILING": 0, "FAILED": 0},
  "vertices": [
    {"id": "cbc357ccb763df2852fee8c4fc7d55f2", "slotSharingGroupId": "a2f1c0b9e8d7c6b5a4f3e2d1c0b9a8f7",
     "name": "Source: counter-source", "maxParallelism": 128, "parallelism": 2, "status": "RUNNING",
     "start-time": 1732521600500, "end-time": -1, "duration": 41500,
     "tasks": {"FINISHED": 0, "CANCELED": 0, "RUNNING": 2, "RECONCILING": 0, "SCHEDULED": 0,
               "CANCELING": 0, "INITIALIZING": 0, "CREATED": 0, "DEPLOYING": 0, "FAILED": 0},
     "metrics": {"read-bytes": 0, "read-bytes-complete": true, "write-bytes": 1024,
                 "write-bytes-complete": true}},
    {"id": "90bea66de1c231edf33913ecd54406c1", "slotSharingGroupId": "a2f1c0b9e8d7c6b5a4f3e2d1c0b9a8f7",
     "name": "counter-sink: Writer", "maxParallelism": 128, "parallelism": 2, "status": "RUNNING",
     "start-time": 1732521600510, "end-time": -1, "duration": 41490,
     "tasks": {"FINISHED": 0, "CANCELED": 0, "RUNNING": 2, "RECONCILING": 0, "SCHEDULED": 0,
               "CANCELING": 0, "INITIALIZING": 0, "CREATED": 0, "DEPLOYING": 0, "FAILED": 0},
     "metrics": {"read-bytes": 1024, "read-bytes-complete": true}}
  ],
  "status-counts": {"FINISHED": 0, "CANCELED": 0, "RUNNING": 2, "RECONCILING": 0, "SCHEDULED": 0,
                    "CANCELING": 0, "INITIALIZING": 0, "CREATED": 0, "DEPLOYING": 0, "FAILED": 0}
})json";

// Right after a restart: the job is RUNNING and the sink vertex's own status already reads
// RUNNING, but only one of its two subtasks runs; the other is still DEPLOYING.
const char kJobPartiallyDeploying[] = R"json({
  "jid": "5d8e2b1c3a4f6e7d8c9b0a1f2e3d4c5b", "name": "jepsen-counter", "state": "RUNNING",
  "start-time": 1732521600000, "now": 1732521700000,
  "timestamps": {"RUNNING": 1732521690000, "RESTARTING": 1732521680000},
  "vertices": [
    {"id": "cbc357ccb763df2852fee8c4fc7d55f2", "name": "Source: counter-source",
     "parallelism": 2, "status": "RUNNING",
     "tasks": {"RUNNING": 2, "DEPLOYING": 0, "INITIALIZING": 0, "SCHEDULED": 0, "CREATED": 0}},
    {"id": "90bea66de1c231edf33913ecd54406c1", "name": "counter-sink: Writer",
     "parallelism": 2, "status": "RUNNING",
     "tasks": {"RUNNING": 1, "DEPLOYING": 1, "INITIALIZING": 0, "SCHEDULED": 0, "CREATED": 0}}
  ]
})json";

const char kJobRestarting[] = R"json({
  "jid": "5d8e2b1c3a4f6e7d8c9b0a1f2e3d4c5b", "name": "jepsen-counter", "state": "RESTARTING",
  "start-time": 1732521600000, "now": 1732521685000,
  "timestamps": {"RUNNING": 1732521600412, "RESTARTING": 1732521680000, "FAILING": 1732521679990},
  "vertices": [
    {"id": "cbc357ccb763df2852fee8c4fc7d55f2", "name": "Source: counter-source",
     "parallelism": 2, "status": "CANCELED",
     "tasks": {"RUNNING": 0, "CANCELED": 2, "DEPLOYING": 0, "FAILED": 0}},
    {"id": "90bea66de1c231edf33913ecd54406c1", "name": "counter-sink: Writer",
     "parallelism": 2, "status": "FAILED",
     "tasks": {"RUNNING": 0, "CANCELED": 1, "DEPLOYING": 0, "FAILED": 1}}
  ]
})json";

TEST(ParseJobStatusTest, AllTasksRunning) {
  auto job = ParseJobStatus(kJobAllRunning);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->jid, "5d8e2b1c3a4f6e7d8c9b0a1f2e3d4c5b");
  EXPECT_EQ(job->name, "jepsen-counter");
  EXPECT_EQ(job->state, "RUNNING");
  EXPECT_TRUE(job->all_tasks_running);
  EXPECT_TRUE(IsAllRunning(*job));
  ASSERT_EQ(job->vertices.size(), 2u);
  EXPECT_EQ(job->vertices[0].name, "Source: counter-source");
  EXPECT_EQ(job->vertices[0].parallelism, 2);
  EXPECT_EQ(job->vertices[0].RunningTasks(), 2);
  EXPECT_EQ(job->vertices[1].id, "90bea66de1c231edf33913ecd54406c1");
  EXPECT_EQ(job->raw["timestamps"]["RUNNING"], 1732521600412);
}

TEST(ParseJobStatusTest, OneVertexPartiallyDeployingIsNotAllRunning) {
  auto job = ParseJobStatus(kJobPartiallyDeploying);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->state, "RUNNING");
  EXPECT_EQ(job->vertices[1].status, "RUNNING");  // misleading on its own
  EXPECT_EQ(job->vertices[1].RunningTasks(), 1);
  EXPECT_EQ(job->vertices[1].tasks.at("DEPLOYING"), 1);
  EXPECT_FALSE(job->all_tasks_running);
}

TEST(ParseJobStatusTest, Restarting) {
  auto job = ParseJobStatus(kJobRestarting);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->state, "RESTARTING");
  EXPECT_FALSE(job->all_tasks_running);
}

TEST(ParseJobStatusTest, RunningStateWithAllTasksButJobNotRunning) {
  std::string body = kJobAllRunning;
  body.replace(body.find("\"state\": \"RUNNING\""), 18, "\"state\": \"CANCELLING\"");
  auto job = ParseJobStatus(body);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_FALSE(job->all_tasks_running);
}

TEST(ParseJobStatusTest, NoVerticesIsNotAllRunning) {
  auto job = ParseJobStatus(R"({"jid":"x","state":"RUNNING","vertices":[]})");
  ASSERT_TRUE(job.ok());
  EXPECT_FALSE(job->all_tasks_running);
}

TEST(ParseJobStatusTest, MalformedInputIsAnErrorNotAnException) {
  for (const char* body :
       {"", "{", "not json", "<html>503</html>", "[]", "42", "null", R"({"jid":"x"})",
        R"({"state":7})", R"({"state":"RUNNING","vertices":{}})",
        R"({"state":"RUNNING","vertices":[1]})",
        R"({"state":"RUNNING","vertices":[{"parallelism":"2"}]})",
        R"({"state":"RUNNING","vertices":[{"id":"v"}]})"}) {
    auto job = ParseJobStatus(body);
    ASSERT_FALSE(job.ok()) << body;
    EXPECT_EQ(job.status().code(), StatusCode::kInternal) << body;
  }
  // Odd task counts are ignored rather than fatal.
  auto job = ParseJobStatus(
      R"({"state":"RUNNING","vertices":[{"parallelism":1,"tasks":{"RUNNING":"1"}}]})");
  ASSERT_TRUE(job.ok());
  EXPECT_FALSE(job->all_tasks_running);
}

TEST(ParsersTest, JobsOverview) {
  auto jobs = ParseJobsOverview(R"({"jobs":[
    {"jid":"a1","name":"jepsen-counter","start-time":1732521600000,"end-time":-1,"duration":5,
     "state":"RUNNING","last-modification":1732521600412,
     "tasks":{"running":4,"canceling":0,"canceled":0,"total":4,"created":0,"scheduled":0,
              "deploying":0,"reconciling":0,"finished":0,"initializing":0,"failed":0}},
    {"jid":"b2","name":"old","start-time":1,"state":"CANCELED"}]})");
  ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_EQ((*jobs)[0].jid, "a1");
  EXPECT_EQ((*jobs)[0].state, "RUNNING");
  EXPECT_EQ((*jobs)[0].start_time_ms, 1732521600000);
  EXPECT_EQ((*jobs)[1].state, "CANCELED");
  EXPECT_FALSE(ParseJobsOverview(R"({"jobs":{}})").ok());
  EXPECT_FALSE(ParseJobsOverview(R"({"jobs":[{"name":"no id"}]})").ok());
}

TEST(ParsersTest, ClusterOverview) {
  auto o = ParseClusterOverview(
      R"({"taskmanagers":3,"slots-total":6,"slots-available":2,"jobs-running":1,)"
      R"("jobs-finished":0,"jobs-cancelled":2,"jobs-failed":0,"flink-version":"1.20.0",)"
      R"("flink-commit":"b1fe7b4"})");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->taskmanagers, 3);
  EXPECT_EQ(o->slots_total, 6);
  EXPECT_EQ(o->slots_available, 2);
  EXPECT_EQ(o->jobs_running, 1);
  EXPECT_EQ(o->flink_version, "1.20.0");
  EXPECT_EQ(o->flink_commit, "b1fe7b4");
  EXPECT_FALSE(ParseClusterOverview("{}").ok());
}

TEST(ParsersTest, TaskManagers) {
  auto tms = ParseTaskManagers(R"({"taskmanagers":[
    {"id":"10.77.7.13:41235-6f7e8d","path":"pekko.tcp://flink@10.77.7.13:41235/user/rpc/taskmanager_0",
     "dataPort":37921,"jmxPort":-1,"timeSinceLastHeartbeat":1732521641000,"slotsNumber":2,
     "freeSlots":1,"totalResource":{},"freeResource":{},"hardware":{},"memoryConfiguration":{}}]})");
  ASSERT_TRUE(tms.ok()) << tms.status().ToString();
  ASSERT_EQ(tms->size(), 1u);
  EXPECT_EQ((*tms)[0].id, "10.77.7.13:41235-6f7e8d");
  EXPECT_EQ((*tms)[0].slots_number, 2);
  EXPECT_EQ((*tms)[0].free_slots, 1);
  EXPECT_EQ((*tms)[0].raw["dataPort"], 37921);
}

TEST(ParsersTest, KeyValueList) {
  auto cfg = ParseKeyValueList(
      R"([{"key":"high-availability.type","value":"zookeeper"},)"
      R"({"key":"rest.port","value":"8081"},{"key":"odd","value":3},{"key":"nothing"}])");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->at("high-availability.type"), "zookeeper");
  EXPECT_EQ(cfg->at("rest.port"), "8081");
  EXPECT_EQ(cfg->at("odd"), "3");
  EXPECT_EQ(cfg->at("nothing"), "");
  EXPECT_FALSE(ParseKeyValueList(R"({"key":"x"})").ok());
  EXPECT_FALSE(ParseKeyValueList(R"([{"value":"x"}])").ok());
}

TEST(ParsersTest, JarUploadAndRun) {
  auto id = ParseJarUploadResponse(
      R"({"filename":"/tmp/flink-web-1b2c/flink-web-upload/4c1e9a2b-77f0-4d3e-9f6a-0e1d2c3b4a59_jepsen-job.jar","status":"success"})");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, "4c1e9a2b-77f0-4d3e-9f6a-0e1d2c3b4a59_jepsen-job.jar");
  EXPECT_FALSE(ParseJarUploadResponse(R"({"filename":"/a/b.jar","status":"failure"})").ok());
  EXPECT_FALSE(ParseJarUploadResponse(R"({"status":"success"})").ok());
  EXPECT_FALSE(ParseJarUploadResponse(R"({"filename":"/a/","status":"success"})").ok());

  auto job = ParseRunJarResponse(R"({"jobid":"5d8e2b1c3a4f6e7d8c9b0a1f2e3d4c5b"})");
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(*job, "5d8e2b1c3a4f6e7d8c9b0a1f2e3d4c5b");
  EXPECT_FALSE(ParseRunJarResponse(R"({"jobid":null})").ok());
  EXPECT_FALSE(ParseRunJarResponse("").ok());
}

TEST(ParsersTest, RunJarBody) {
  auto with = nlohmann::json::parse(BuildRunJarBody("org.example.Job", {"--a", "b c"}, 4));
  EXPECT_EQ(with["entryClass"], "org.example.Job");
  EXPECT_EQ(with["programArgsList"], nlohmann::json::array({"--a", "b c"}));
  EXPECT_EQ(with["parallelism"], 4);
  auto without = nlohmann::json::parse(BuildRunJarBody("org.example.Job", {}, std::nullopt));
  EXPECT_FALSE(without.contains("parallelism"));
  EXPECT_TRUE(without["programArgsList"].is_array());
  // Invalid UTF-8 in an argument does not throw.
  EXPECT_FALSE(BuildRunJarBody("C", {"\xff\xfe"}, std::nullopt).empty());
}

TEST(CheckHttpStatusTest, MapsCodes) {
  EXPECT_TRUE(CheckHttpStatus({200, "{}"}, "GET x").ok());
  EXPECT_TRUE(CheckHttpStatus({202, "{}"}, "GET x").ok());
  EXPECT_EQ(CheckHttpStatus({404, R"({"errors":["Job not found"]})"}, "GET x").code(),
            StatusCode::kNotFound);
  Status electing = CheckHttpStatus(
      {503, R"({"errors":["Service temporarily unavailable due to an ongoing leader election. )"
            R"(Please refresh."]})"},
      "GET http://h:8081/jobs/overview");
  EXPECT_EQ(electing.code(), StatusCode::kUnavailable);
  EXPECT_NE(electing.message().find("http://h:8081/jobs/overview"), std::string::npos);
  EXPECT_NE(electing.message().find("ongoing leader election"), std::string::npos);
  EXPECT_EQ(CheckHttpStatus({400, "bad"}, "x").code(), StatusCode::kInvalidArgument);
  Status internal = CheckHttpStatus(
      {500, R"({"errors":["org.apache.flink.runtime.rest.handler.RestHandlerException: )"
            R"(Could not execute application.\n\tat org.apache...","more"]})"},
      "POST x");
  EXPECT_EQ(internal.code(), StatusCode::kInternal);
  EXPECT_NE(internal.message().find("Could not execute application."), std::string::npos);
  EXPECT_EQ(internal.message().find("\tat org.apache"), std::string::npos);
  // A bare "Internal server error." gets the stack trace's root cause (a jar Flink cannot open).
  Status broken_jar = CheckHttpStatus(
      {500, R"({"errors":["Internal server error.","<Exception on server side:\n)"
            R"(java.util.concurrent.CompletionException: x\n\tat a.b(C.java:1)\n)"
            R"(Caused by: org.apache.flink.client.program.ProgramInvocationException: Error )"
            R"(while opening jar file '/tmp/u.jar'\n\tat d.e(F.java:2)\n)"
            R"(Caused by: java.util.zip.ZipException: zip END header not found\n\tat g\n>"]})"},
      "POST x");
  EXPECT_NE(broken_jar.message().find("Internal server error. (caused by: "
                                      "java.util.zip.ZipException: zip END header not found)"),
            std::string::npos)
      << broken_jar.message();
}

// A fake JobManager answering the endpoints FlinkRest uses.
FakeResponse FakeJobManager(const FakeRequest& req) {
  if (req.method == "GET" && req.target == "/jobs/5d8e2b1c3a4f6e7d8c9b0a1f2e3d4c5b") {
    return {200, kJobAllRunning};
  }
  if (req.method == "GET" && req.target == "/jobs/electing") {
    return {503, R"({"errors":["Service temporarily unavailable due to an ongoing leader )"
                 R"(election. Please refresh."]})"};
  }
  if (req.method == "GET" && req.target == "/jobmanager/config") {
    return {200, R"([{"key":"rest.port","value":"8081"}])"};
  }
  if (req.method == "GET" && req.target == "/jobs/overview") {
    return {200, R"({"jobs":[{"jid":"a1","name":"n","state":"RUNNING","start-time":5}]})"};
  }
  if (req.method == "GET" && req.target == "/jobs/a1/checkpoints") {
    return {200, R"({"counts":{"restored":0,"total":3,"in_progress":0,"completed":3,"failed":0},)"
                 R"("latest":{"completed":{"id":3},"restored":null}})"};
  }
  if (req.method == "POST" && req.target == "/jars/upload") {
    return {200,
            R"({"filename":"/tmp/flink-web-x/flink-web-upload/0f9e_job.jar","status":"success"})"};
  }
  if (req.method == "POST" && req.target == "/jars/0f9e_job.jar/run") {
    return {200, R"({"jobid":"5d8e2b1c3a4f6e7d8c9b0a1f2e3d4c5b"})"};
  }
  if (req.method == "POST" && req.target == "/jars/broken.jar/run") {
    return {500, R"({"errors":["Could not execute application.","stack"]})"};
  }
  if (req.method == "PATCH" && req.target == "/jobs/a1?mode=cancel") return {202, "{}"};
  if (req.method == "POST" && req.target == "/jobs/a1/stop") return {202, R"({"request-id":"t1"})"};
  if (req.method == "GET" && req.target == "/jobs/a1/savepoints/t1") {
    return {200, R"({"status":{"id":"COMPLETED"},"operation":{"location":"file:/sp/savepoint-1"}})"};
  }
  if (req.method == "GET" && req.target == "/garbage") return {200, "<html>"};
  return {404, R"({"errors":["Not found: )" + req.target + R"("]})"};
}

TEST(FlinkRestTest, GetJobAndStatusMapping) {
  FakeHttpServer jm(&FakeJobManager);
  FlinkRest rest(jm.url() + "/");
  EXPECT_EQ(rest.base_url(), jm.url());
  auto job = rest.GetJob("5d8e2b1c3a4f6e7d8c9b0a1f2e3d4c5b");
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_TRUE(job->all_tasks_running);

  auto unknown = rest.GetJob("00000000000000000000000000000000");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);

  auto electing = rest.GetJob("electing");
  ASSERT_FALSE(electing.ok());
  EXPECT_EQ(electing.status().code(), StatusCode::kUnavailable);

  // An id cannot change the request's path.
  (void)rest.GetJob("../overview");
  EXPECT_EQ(jm.requests().back().target, "/jobs/..%2Foverview");
}

TEST(FlinkRestTest, OtherGets) {
  FakeHttpServer jm(&FakeJobManager);
  FlinkRest rest(jm.url());
  auto cfg = rest.JobManagerConfig();
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->at("rest.port"), "8081");
  auto jobs = rest.ListJobs();
  ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
  EXPECT_EQ(jobs->at(0).jid, "a1");
  auto cps = rest.JobCheckpoints("a1");
  ASSERT_TRUE(cps.ok()) << cps.status().ToString();
  EXPECT_EQ((*cps)["counts"]["completed"], 3);
  EXPECT_EQ(rest.Overview().status().code(), StatusCode::kNotFound);
}

TEST(FlinkRestTest, UploadJarAndRunJarRequestShapes) {
  FakeHttpServer jm(&FakeJobManager);
  FlinkRest rest(jm.url());
  const auto dir =
      std::filesystem::temp_directory_path() / ("jf_flink_rest_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto jar = dir / "job.jar";
  { std::ofstream(jar, std::ios::binary) << "PK\x03\x04 fake jar"; }

  auto jar_id = rest.UploadJar(jar.string());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(jar_id.ok()) << jar_id.status().ToString();
  EXPECT_EQ(*jar_id, "0f9e_job.jar");

  auto job_id = rest.RunJar(*jar_id, "org.example.CounterJob", {"--rate", "100"}, 2);
  ASSERT_TRUE(job_id.ok()) << job_id.status().ToString();
  EXPECT_EQ(*job_id, "5d8e2b1c3a4f6e7d8c9b0a1f2e3d4c5b");

  auto reqs = jm.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].target, "/jars/upload");
  EXPECT_EQ(reqs[0].headers["content-type"].rfind("multipart/form-data", 0), 0u);
  EXPECT_NE(reqs[0].body.find("name=\"jarfile\""), std::string::npos);
  EXPECT_NE(reqs[0].body.find("filename=\"job.jar\""), std::string::npos);
  EXPECT_NE(reqs[0].body.find("application/x-java-archive"), std::string::npos);
  EXPECT_NE(reqs[0].body.find("PK\x03\x04 fake jar"), std::string::npos);

  EXPECT_EQ(reqs[1].target, "/jars/0f9e_job.jar/run");
  EXPECT_EQ(reqs[1].headers["content-type"], "application/json");
  auto body = nlohmann::json::parse(reqs[1].body);
  EXPECT_EQ(body["entryClass"], "org.example.CounterJob");
  EXPECT_EQ(body["programArgsList"], nlohmann::json::array({"--rate", "100"}));
  EXPECT_EQ(body["parallelism"], 2);
}

TEST(FlinkRestTest, RunJarFailureCarriesFlinksMessage) {
  FakeHttpServer jm(&FakeJobManager);
  auto r = FlinkRest(jm.url()).RunJar("broken.jar", "C", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("Could not execute application."), std::string::npos);
}

TEST(FlinkRestTest, CancelAndGarbage) {
  FakeHttpServer jm(&FakeJobManager);
  FlinkRest rest(jm.url());
  EXPECT_TRUE(rest.CancelJob("a1").ok());
  EXPECT_EQ(jm.requests().back().method, "PATCH");
  EXPECT_EQ(rest.CancelJob("zz").code(), StatusCode::kNotFound);
  EXPECT_EQ(rest.UploadJar("/nonexistent.jar").status().code(), StatusCode::kNotFound);
}

TEST(FlinkRestTest, StopWithSavepoint) {
  FakeHttpServer jm(&FakeJobManager);
  FlinkRest rest(jm.url());
  auto trigger = rest.StopWithSavepoint("a1", /*drain=*/false);
  ASSERT_TRUE(trigger.ok()) << trigger.status().ToString();
  EXPECT_EQ(*trigger, "t1");
  EXPECT_EQ(nlohmann::json::parse(jm.requests().back().body), nlohmann::json({{"drain", false}}));
  auto st = rest.GetSavepointState("a1", "t1");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_TRUE(st->completed);
  EXPECT_EQ(st->location, "file:/sp/savepoint-1");
  EXPECT_EQ(rest.StopWithSavepoint("zz", false).status().code(), StatusCode::kNotFound);
}

TEST(FlinkRestTest, ParseSavepointState) {
  auto running = ParseSavepointState(R"({"status":{"id":"IN_PROGRESS"}})");
  ASSERT_TRUE(running.ok());
  EXPECT_FALSE(running->completed);
  auto failed = ParseSavepointState(
      R"({"status":{"id":"COMPLETED"},"operation":{"failure-cause":{"class":"java.lang.Exception",)"
      R"("stack-trace":"java.util.concurrent.CompletionException: boom\n\tat x"}}})");
  ASSERT_TRUE(failed.ok());
  EXPECT_TRUE(failed->completed);
  EXPECT_TRUE(failed->location.empty());
  EXPECT_EQ(failed->failure, "java.util.concurrent.CompletionException: boom");
  EXPECT_FALSE(ParseSavepointState(R"({"operation":{}})").ok());
  EXPECT_FALSE(ParseSavepointState("<html>").ok());
}

}  // namespace
}  // namespace jf
