// ConsistencyProbe: samples what Flink's REST API says about who runs the jobs and which
// checkpoints completed, producing the completions of two history ops that ConsistencyChecker
// (checker/consistency.h) judges:
//
//   jobmanagers   GET /jobs/overview on every JobManager URL at once. The value maps each URL to
//                 {"jobs": [{"id", "name", "state", "start-time"}, ...]} when it answered, or to
//                 {"error": "<message>"} when it did not. ok if at least one URL answered; else
//                 info if every failure was a timeout, fail otherwise (the value is kept, with
//                 every URL's error, and `error` sums them up).
//                 Why every URL: a standby JobManager's REST endpoint forwards to the leader's
//                 Dispatcher, so two URLs listing a job with the SAME start-time show one
//                 JobMaster twice; two DIFFERENT start-times for one job id, both RUNNING, mean two
//                 JobMasters run the job at once.
//   checkpoints   GET /jobs/:id/checkpoints on one URL (the caller's choice, e.g. the leader) for
//                 each job. The value maps each job id to ReduceCheckpoints(...) of the answer, or
//                 to null when the JobManager answered 404. ok if every job answered (a 404 is an
//                 answer); else info if the failure was a timeout, fail otherwise, with a null
//                 value. The first failure ends the sample.
//
// A completed checkpoint is reported once per probe object: only by the first ok checkpoints
// sample that sees it. A sample that is not ok reports nothing and consumes nothing, so what it
// saw is reported by the next ok sample.
//
// Nothing throws: transport, HTTP and JSON errors become the outcome's type and error.
//
// Thread-safety: a ConsistencyProbe is used from one thread at a time (SampleJobManagers runs its
// requests on threads of its own and joins them before returning). ReduceCheckpoints is pure
// apart from its `seen` argument.
#ifndef JF_CLIENT_CONSISTENCY_PROBE_H_
#define JF_CLIENT_CONSISTENCY_PROBE_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "history/op.h"

namespace jf {

inline constexpr const char* kJobManagersF = "jobmanagers";
inline constexpr const char* kCheckpointsF = "checkpoints";

struct ProbeOutcome {
  OpType type = OpType::kFail;
  nlohmann::json value;  // null when absent
  std::optional<std::string> error;
};

// (checkpoint id, trigger timestamp in ms): identifies one completed checkpoint of a job.
using CheckpointKey = std::pair<int64_t, int64_t>;

// Reduces one answer of GET /jobs/:id/checkpoints (Flink 1.20 and 2.x) to
//   {"counts": {"completed", "failed", "restored", "in_progress"},   // those Flink gave
//    "completed": [{"id", "trigger", "ack", "savepoint"}, ...],      // by id, then trigger
//    "restored": {"id", "at", "savepoint"} | null}
// "completed" gathers latest.completed, latest.savepoint and the "history" entries with status
// "COMPLETED", leaving out those whose key is in `*seen`, and adds the keys it lists to `*seen`.
// "trigger" is trigger_timestamp, "ack" latest_ack_timestamp and "at" restore_timestamp (ms since
// the epoch, on the JobManager's clock). "savepoint" is is_savepoint; when that is absent, true
// only for latest.savepoint. Tolerant: an entry without an integer id or one of its timestamps,
// or with another status, is skipped; a body of another shape gives empty counts, no completed
// checkpoints and a null restore. Never throws.
nlohmann::json ReduceCheckpoints(const nlohmann::json& raw, std::set<CheckpointKey>* seen);

class ConsistencyProbe {
 public:
  // `jobmanager_urls` like "http://10.77.7.11:8081", every JobManager's REST endpoint;
  // `job_ids` the submitted jobs. `timeout` bounds each request.
  ConsistencyProbe(std::vector<std::string> jobmanager_urls, std::vector<std::string> job_ids,
                   std::chrono::milliseconds timeout = std::chrono::seconds(2));

  ConsistencyProbe(const ConsistencyProbe&) = delete;
  ConsistencyProbe& operator=(const ConsistencyProbe&) = delete;

  // The completion of a "jobmanagers" op. Takes about `timeout` at most, whatever the number of
  // URLs.
  ProbeOutcome SampleJobManagers();

  // The completion of a "checkpoints" op, asking `rest_url`. Takes up to `timeout` per job.
  ProbeOutcome SampleCheckpoints(const std::string& rest_url);

 private:
  std::vector<std::string> jobmanager_urls_;
  std::vector<std::string> job_ids_;
  std::chrono::milliseconds timeout_;
  // job id -> the completed checkpoints an ok sample reported.
  std::map<std::string, std::set<CheckpointKey>> seen_;
};

}  // namespace jf

#endif  // JF_CLIENT_CONSISTENCY_PROBE_H_
