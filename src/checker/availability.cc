#include "checker/availability.h"

#include <map>
#include <set>

namespace jf {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

constexpr double kNs = 1e9;

struct JobModel {
  int64_t run_start = -1;  // time of the first poll of the current run of running polls
  int64_t last_running = -1;
  int64_t running_polls = 0;
  bool ever_running = false;
};

}  // namespace

CheckResult AvailabilityChecker::Check(const CheckOptions& opts,
                                       const std::vector<Op>& history) const {
  CheckResult result;
  std::set<std::string> jobs;
  for (const auto& op : history) {
    if (op.f == kJobsRunningF && op.type == OpType::kOk && op.value.is_object()) {
      for (const auto& [id, _] : op.value.items()) jobs.insert(id);
    }
  }
  if (jobs.empty()) {
    if (opts.truncated) return result;
    result.valid = Validity::kInvalid;
    result.anomalies.push_back({0, -1, "No job was ever seen."});
    return result;
  }

  std::map<std::string, int> active;  // fault kind -> open windows
  int64_t last_failure = history.empty() ? 0 : history.front().time;
  int64_t poll_interval = 0, prev_poll = -1;
  std::map<std::string, JobModel> models;
  int64_t canceled_at = -1;  // when cancel-jobs completed; the original canceled every job
  const auto cancel_grace = static_cast<int64_t>(opts.cancellation_grace_period_s * kNs);
  auto should_be_healthy = [&](int64_t now) {
    for (const auto& [_, n] : active)
      if (n > 0) return false;
    return (now - last_failure) > static_cast<int64_t>(opts.recovery_grace_period_s * kNs);
  };
  auto report = [&](const Op& op, std::string what) {
    result.valid = Validity::kInvalid;
    result.anomalies.push_back({op.time, op.index, std::move(what)});
  };

  for (const auto& op : history) {
    if (!op.is_client()) {
      // The invocation record carries no value (the original ignored it too), and a kill that
      // found no process injected no fault.
      if (op.value.is_null() || op.f == "heal") continue;
      if (op.value.is_object() && op.value.value("no-target", false)) continue;
      if (EndsWith(op.f, "-start")) {
        if (op.type != OpType::kInvoke) active[op.f.substr(0, op.f.size() - 6)]++;
      } else if (EndsWith(op.f, "-stop")) {
        if (op.type != OpType::kInvoke) {
          auto& n = active[op.f.substr(0, op.f.size() - 5)];
          if (n > 0) --n;
          last_failure = op.time;
        }
      } else if (op.type != OpType::kInvoke) {
        last_failure = op.time;
      }
      continue;
    }
    if (op.f == kCancelJobsF && op.type != OpType::kInvoke) {
      // An indeterminate cancellation (info: no JobManager answered) canceled nothing we know of.
      if (op.type == OpType::kInfo) continue;
      if (op.type != OpType::kOk) {
        report(op, "cancel-jobs must not fail: " + op.error.value_or("(no error given)"));
      } else if (canceled_at < 0) {
        canceled_at = op.time;
      }
      continue;
    }
    if (op.f != kJobsRunningF || op.type == OpType::kInvoke) continue;
    if (prev_poll >= 0) poll_interval = op.time - prev_poll;
    prev_poll = op.time;
    bool healthy_expected = should_be_healthy(op.time);
    if (op.type != OpType::kOk) {
      if (healthy_expected) report(op, "Cluster is not running.");
      for (auto& [_, m] : models) m.run_start = -1;
      continue;
    }
    for (const auto& id : jobs) {
      auto& m = models[id];
      bool running = op.value.contains(id) && op.value[id].is_boolean() && op.value[id].get<bool>();
      if (running && canceled_at >= 0 && op.time - canceled_at > cancel_grace) {
        report(op, fmt::format("Job {} is running after cancellation.", id));
      }
      if (running) {
        if (m.run_start < 0) m.run_start = op.time;
        m.last_running = op.time;
        m.ever_running = true;
        m.running_polls++;
      } else {
        if (healthy_expected && canceled_at < 0) {
          report(op, fmt::format("Job {} is not running.", id));
        }
        m.run_start = -1;
      }
    }
  }

  const double window_s = opts.healthy_threshold * kHealthyPollUnitSeconds;
  nlohmann::json per_job = nlohmann::json::object();
  for (const auto& id : jobs) {
    auto& m = models[id];
    double covered_s = m.run_start < 0 ? 0.0 : (m.last_running - m.run_start + poll_interval) / kNs;
    // A canceled job counts as healthy at the end, as in the original.
    bool healthy = covered_s + 1e-9 >= window_s || canceled_at >= 0;
    per_job[id] = {{"healthy_at_end", healthy},
                   {"running_at_end_s", covered_s},
                   {"running_polls", m.running_polls}};
    if (!healthy && !opts.truncated) {
      result.valid = Validity::kInvalid;
      result.anomalies.push_back(
          {history.empty() ? 0 : history.back().time, -1,
           fmt::format("Job {} is not healthy at the end: it ran for {:.1f} s at the end of the "
                       "test, less than the {:.0f} s required (--job-running-healthy-threshold "
                       "{} x 5 s).",
                       id, covered_s, window_s, opts.healthy_threshold)});
    }
  }
  result.details["jobs"] = per_job;
  result.details["healthy_window_s"] = window_s;
  return result;
}

}  // namespace jf
