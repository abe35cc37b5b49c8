// JobPoller: the `poll-job-running` probe. One Poll() asks the leading JobManager whether each
// job runs with all its tasks, retrying failures (a 503 during leader election, a refused
// connection, a timeout) until its budget (the poll interval) is spent, and turns the outcome into
// the completion of a `jobs-running?` op:
//   ok   {job id: running?}   every job answered (404 = not running)
//   info error                the last attempt timed out: the answer is unknown
//   fail error                no JobManager answered (refused, 503, other HTTP errors)
//
// Thread-safety: Poll() may be called from one thread at a time.
#ifndef JF_CLIENT_JOB_POLLER_H_
#define JF_CLIENT_JOB_POLLER_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/leader.h"
#include "history/op.h"

namespace jf {

struct PollOutcome {
  OpType type = OpType::kFail;
  nlohmann::json value;  // {job id: bool} when ok
  std::optional<std::string> error;
  std::string leader_url;       // the JobManager that answered, if any
  std::string leader_source;    // "zookeeper" or "fallback"
  std::string leader_session;   // leader session id when found through ZooKeeper
  std::map<std::string, std::string> states;  // job id -> Flink job state, when known
  // job id -> what Flink said: {"state", "timestamps": {JobStatus: ms since epoch}}.
  nlohmann::json flink = nlohmann::json::object();
};

class JobPoller {
 public:
  JobPoller(LeaderFinder finder, std::vector<std::string> job_ids,
            std::chrono::milliseconds request_timeout = std::chrono::seconds(3));

  PollOutcome Poll(std::chrono::milliseconds budget);

 private:
  LeaderFinder finder_;
  std::vector<std::string> job_ids_;
  std::chrono::milliseconds request_timeout_;
};

}  // namespace jf

#endif  // JF_CLIENT_JOB_POLLER_H_
