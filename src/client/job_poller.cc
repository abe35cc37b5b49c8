#include "client/job_poller.h"

#include <thread>

#include "client/flink_rest.h"

namespace jf {

JobPoller::JobPoller(LeaderFinder finder, std::vector<std::string> job_ids,
                     std::chrono::milliseconds request_timeout)
    : finder_(std::move(finder)), job_ids_(std::move(job_ids)), request_timeout_(request_timeout) {}

PollOutcome JobPoller::Poll(std::chrono::milliseconds budget) {
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + budget;
  PollOutcome out;
  Status last;
  int attempts = 0;
  do {
    ++attempts;
    auto leader = finder_.Find();
    if (!leader.ok()) {
      last = leader.status();
    } else {
      out.leader_url = leader->rest_url;
      out.leader_source = leader->source;
      out.leader_session = leader->session_id;
      FlinkRest rest(leader->rest_url, request_timeout_);
      nlohmann::json value = nlohmann::json::object();
      Status err;
      for (const auto& id : job_ids_) {
        auto job = rest.GetJob(id);
        if (job.ok()) {
          value[id] = job->all_tasks_running;
          out.states[id] = job->state;
          out.flink[id] = {{"state", job->state},
                           {"timestamps", job->raw.value("timestamps", nlohmann::json::object())}};
        } else if (job.status().code() == StatusCode::kNotFound) {
          value[id] = false;
          out.states[id] = "NOT_FOUND";
        } else {
          err = job.status();
          break;
        }
      }
      if (err.ok()) {
        out.type = OpType::kOk;
        out.value = value;
        return out;
      }
      last = err;
    }
    if (Clock::now() + std::chrono::milliseconds(200) >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  } while (Clock::now() < deadline);
  out.type = last.code() == StatusCode::kTimeout ? OpType::kInfo : OpType::kFail;
  out.error = fmt::format("{} ({} attempt{})", last.message(), attempts, attempts == 1 ? "" : "s");
  return out;
}

}  // namespace jf
