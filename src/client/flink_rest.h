// FlinkRest: a typed client for the Flink REST API (Flink 1.20 and 2.x) bound to one base URL,
// plus the pure functions that parse its answers (separate from I/O so they are unit-tested on
// canned JSON).
//
// Status mapping for every call (on top of http.h's transport errors, kUnavailable/kTimeout):
//   2xx                 -> OK
//   404                 -> kNotFound (e.g. the job is not known to this JobManager)
//   503, 502, 504       -> kUnavailable: retryable. Flink answers every endpoint with 503 while a
//                          leader election is going on; that is not a failure of the job.
//   other 4xx           -> kInvalidArgument (the request was wrong)
//   500 and other 5xx   -> kInternal, with Flink's first error line (e.g. the job's main() threw)
//   unparsable body     -> kInternal
// Messages name the URL. Nothing throws: JSON errors are caught and returned as Status.
//
// Thread-safety: a FlinkRest is immutable after construction; any number of threads may call it
// at once. The parse functions are pure.
#ifndef JF_CLIENT_FLINK_REST_H_
#define JF_CLIENT_FLINK_REST_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client/http.h"
#include "common/status.h"

namespace jf {

// One job vertex from GET /jobs/:jobid.
struct VertexStatus {
  std::string id;
  std::string name;
  int parallelism = 0;
  std::string status;                // the vertex's aggregate state; RUNNING once ANY subtask runs
  std::map<std::string, int> tasks;  // ExecutionState name ("RUNNING", "DEPLOYING", ...) -> count

  // Subtasks in state RUNNING (0 when absent from `tasks`).
  int RunningTasks() const;
};

// GET /jobs/:jobid, reduced to what the harness decides on; `raw` keeps the whole answer.
struct JobStatus {
  std::string jid;
  std::string name;
  std::string state;  // JobStatus name: "CREATED", "RUNNING", "RESTARTING", "FAILED", ...
  bool all_tasks_running = false;  // == IsAllRunning(*this), filled by ParseJobStatus
  std::vector<VertexStatus> vertices;
  nlohmann::json raw;
};

// A row of GET /jobs/overview.
struct JobSummary {
  std::string jid;
  std::string name;
  std::string state;
  int64_t start_time_ms = -1;
};

// GET /overview.
struct ClusterOverview {
  int taskmanagers = 0;
  int slots_total = 0;
  int slots_available = 0;
  int jobs_running = 0;
  std::string flink_version;
  std::string flink_commit;
  nlohmann::json raw;
};

// A row of GET /taskmanagers.
struct TaskManagerInfo {
  std::string id;
  std::string path;  // the TaskManager's RPC address
  int slots_number = 0;
  int free_slots = 0;
  nlohmann::json raw;
};

// The state of a savepoint operation (stop-with-savepoint or a plain savepoint).
struct SavepointState {
  bool completed = false;  // status.id == "COMPLETED": `location` or `failure` is set
  std::string location;    // the savepoint's path when it succeeded
  std::string failure;     // the failure cause's first line when it failed
};
Result<SavepointState> ParseSavepointState(const std::string& body);

// "Running" for the harness: the job's state is RUNNING and every vertex has all of its
// `parallelism` subtasks in ExecutionState RUNNING. A vertex's own `status` is not used: it reads
// RUNNING as soon as one subtask runs. A job with no vertices is not considered running (it has
// nothing to show yet). Note: a vertex whose subtasks FINISHED (a bounded source) never counts as
// running; the harness's jobs are unbounded.
bool IsAllRunning(const JobStatus& job);

// Parsers for response bodies. A malformed body or a missing required field is kInternal.
Result<JobStatus> ParseJobStatus(const std::string& body);
Result<std::vector<JobSummary>> ParseJobsOverview(const std::string& body);
Result<ClusterOverview> ParseClusterOverview(const std::string& body);
Result<std::vector<TaskManagerInfo>> ParseTaskManagers(const std::string& body);
// GET /jobmanager/config: [{"key": .., "value": ..}, ...] -> key -> value.
Result<std::map<std::string, std::string>> ParseKeyValueList(const std::string& body);
// POST /jars/upload: {"filename": "/tmp/.../<uuid>_name.jar", "status": "success"} -> the jar id,
// i.e. the basename of `filename`.
Result<std::string> ParseJarUploadResponse(const std::string& body);
// POST /jars/:jarid/run: {"jobid": "..."} -> the job id.
Result<std::string> ParseRunJarResponse(const std::string& body);
// Any JSON body, as is.
Result<nlohmann::json> ParseJsonBody(const std::string& body);

// The JSON body of POST /jars/:jarid/run: entryClass, programArgsList and, only when given,
// parallelism.
std::string BuildRunJarBody(const std::string& entry_class, const std::vector<std::string>& args,
                            std::optional<int> parallelism);

// Maps an HTTP answer to the Status described above; `what` names the request in messages
// ("GET http://.../jobs/x"). OK for 2xx.
Status CheckHttpStatus(const HttpResponse& resp, const std::string& what);

class FlinkRest {
 public:
  // `base_url` like "http://10.77.7.11:8081" (a trailing '/' is dropped). `timeout` bounds each
  // call; jar uploads get `upload_timeout` since jars are tens of MB.
  explicit FlinkRest(std::string base_url,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10),
                     std::chrono::milliseconds upload_timeout = std::chrono::seconds(120));

  const std::string& base_url() const { return base_url_; }

  Result<JobStatus> GetJob(const std::string& job_id) const;
  Result<std::vector<JobSummary>> ListJobs() const;
  Result<ClusterOverview> Overview() const;
  Result<nlohmann::json> Config() const;  // GET /config, as is
  Result<std::map<std::string, std::string>> JobManagerConfig() const;
  Result<std::vector<TaskManagerInfo>> TaskManagers() const;
  Result<nlohmann::json> JobExceptions(const std::string& job_id) const;
  Result<nlohmann::json> JobCheckpoints(const std::string& job_id) const;
  // GET /jobs/:jobid/checkpoints/config, as is (mode, interval, ...).
  Result<nlohmann::json> JobCheckpointConfig(const std::string& job_id) const;

  // Uploads a jar (form field "jarfile", application/x-java-archive); returns the jar id.
  Result<std::string> UploadJar(const std::string& jar_path) const;
  // Runs an uploaded jar; returns the new job's id. Not idempotent: after kTimeout, or
  // kUnavailable saying "connection lost", the job may or may not have been submitted.
  Result<std::string> RunJar(const std::string& jar_id, const std::string& entry_class,
                             const std::vector<std::string>& args,
                             std::optional<int> parallelism = std::nullopt) const;
  // Requests cancellation (PATCH /jobs/:jobid?mode=cancel); OK once Flink accepted it (202), not
  // once the job is CANCELED.
  Status CancelJob(const std::string& job_id) const;
  // Stops the job with a savepoint (POST /jobs/:jobid/stop, {"drain": drain}; the savepoint goes
  // to the cluster's execution.checkpointing.savepoint-dir); returns the trigger id to poll.
  Result<std::string> StopWithSavepoint(const std::string& job_id, bool drain) const;
  // GET /jobs/:jobid/savepoints/:triggerid, reduced: see SavepointState.
  Result<SavepointState> GetSavepointState(const std::string& job_id,
                                           const std::string& trigger_id) const;

 private:
  Result<HttpResponse> GetChecked(const std::string& path) const;

  std::string base_url_;
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds upload_timeout_;
};

}  // namespace jf

#endif  // JF_CLIENT_FLINK_REST_H_
