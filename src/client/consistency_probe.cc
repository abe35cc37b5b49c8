#include "client/consistency_probe.h"

#include <exception>
#include <future>
#include <system_error>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "client/flink_rest.h"

namespace jf {
namespace {

using nlohmann::json;

std::optional<int64_t> IntField(const json& obj, const char* key) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

std::optional<bool> BoolField(const json& obj, const char* key) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

// obj[key] when obj is an object holding it, else null (never inserts, never throws).
const json& Member(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

// Adds `entry` to `*out` when it is a completed checkpoint with an id and both timestamps. A
// "status" other than COMPLETED excludes it; `require_status` also excludes one without status.
void AddCompleted(const json& entry, bool require_status, bool default_savepoint,
                  std::map<CheckpointKey, json>* out) {
  if (!entry.is_object()) return;
  const json& status = Member(entry, "status");
  if (status.is_null() ? require_status : status != "COMPLETED") return;
  auto id = IntField(entry, "id");
  auto trigger = IntField(entry, "trigger_timestamp");
  auto ack = IntField(entry, "latest_ack_timestamp");
  if (!id || !trigger || !ack) return;
  out->emplace(CheckpointKey{*id, *trigger},
               json{{"id", *id},
                    {"trigger", *trigger},
                    {"ack", *ack},
                    {"savepoint", BoolField(entry, "is_savepoint").value_or(default_savepoint)}});
}

// The messages of a sample's failures, for its `error`.
std::string JoinErrors(const std::vector<std::string>& errors) {
  return fmt::format("{}", fmt::join(errors, "; "));
}

}  // namespace

json ReduceCheckpoints(const json& raw, std::set<CheckpointKey>* seen) {
  json counts = json::object();
  const json& raw_counts = Member(raw, "counts");
  for (const char* key : {"completed", "failed", "restored", "in_progress"}) {
    if (auto n = IntField(raw_counts, key)) counts[key] = *n;
  }

  const json& latest = Member(raw, "latest");
  std::map<CheckpointKey, json> found;  // ordered by id, then trigger
  AddCompleted(Member(latest, "completed"), /*require_status=*/false,
               /*default_savepoint=*/false, &found);
  AddCompleted(Member(latest, "savepoint"), /*require_status=*/false,
               /*default_savepoint=*/true, &found);
  const json& history = Member(raw, "history");
  if (history.is_array()) {
    for (const json& entry : history) {
      AddCompleted(entry, /*require_status=*/true, /*default_savepoint=*/false, &found);
    }
  }
  json completed = json::array();
  for (auto& [key, entry] : found) {
    if (seen->insert(key).second) completed.push_back(std::move(entry));
  }

  json restored;  // null unless Flink names a restore
  const json& raw_restored = Member(latest, "restored");
  auto restored_id = IntField(raw_restored, "id");
  auto restored_at = IntField(raw_restored, "restore_timestamp");
  if (restored_id && restored_at) {
    restored = {{"id", *restored_id},
                {"at", *restored_at},
                {"savepoint", BoolField(raw_restored, "is_savepoint").value_or(false)}};
  }
  return {{"counts", std::move(counts)},
          {"completed", std::move(completed)},
          {"restored", std::move(restored)}};
}

ConsistencyProbe::ConsistencyProbe(std::vector<std::string> jobmanager_urls,
                                   std::vector<std::string> job_ids,
                                   std::chrono::milliseconds timeout)
    : jobmanager_urls_(std::move(jobmanager_urls)),
      job_ids_(std::move(job_ids)),
      timeout_(timeout) {}

ProbeOutcome ConsistencyProbe::SampleJobManagers() {
  using Jobs = Result<std::vector<JobSummary>>;
  ProbeOutcome out;
  if (jobmanager_urls_.empty()) {
    out.error = "no JobManager URL to ask";
    return out;
  }
  try {
    // Runs on its own thread: nothing may escape it.
    auto ask = [timeout = timeout_](const std::string& url) -> Jobs {
      try {
        return FlinkRest(url, timeout).ListJobs();
      } catch (const std::exception& e) {
        return Internal("GET {}/jobs/overview: {}", url, e.what());
      } catch (...) {
        return Internal("GET {}/jobs/overview: unknown exception", url);
      }
    };
    std::vector<std::future<Jobs>> answers;
    for (const std::string& url : jobmanager_urls_) {
      try {
        answers.push_back(std::async(std::launch::async, ask, url));
      } catch (const std::system_error&) {
        // No thread to be had: ask this one when its answer is collected.
        answers.push_back(std::async(std::launch::deferred, ask, url));
      }
    }

    json value = json::object();
    std::vector<std::string> errors;
    int answered = 0;
    bool all_timeouts = true;
    for (size_t i = 0; i < answers.size(); ++i) {
      const std::string& url = jobmanager_urls_[i];
      Jobs jobs = answers[i].get();
      if (!jobs.ok()) {
        value[url] = {{"error", jobs.status().message()}};
        errors.push_back(jobs.status().message());
        all_timeouts = all_timeouts && jobs.status().code() == StatusCode::kTimeout;
        continue;
      }
      ++answered;
      json rows = json::array();
      for (const JobSummary& job : *jobs) {
        rows.push_back({{"id", job.jid},
                        {"name", job.name},
                        {"state", job.state},
                        {"start-time", job.start_time_ms}});
      }
      value[url] = {{"jobs", std::move(rows)}};
    }
    out.value = std::move(value);
    if (answered > 0) {
      out.type = OpType::kOk;
    } else {
      out.type = all_timeouts ? OpType::kInfo : OpType::kFail;
      out.error = "no JobManager answered: " + JoinErrors(errors);
    }
  } catch (const std::exception& e) {
    out = ProbeOutcome{.error = fmt::format("jobmanagers sample: {}", e.what())};
  }
  return out;
}

ProbeOutcome ConsistencyProbe::SampleCheckpoints(const std::string& rest_url) {
  ProbeOutcome out;
  try {
    FlinkRest rest(rest_url, timeout_);
    json value = json::object();
    // What this sample reports, committed to seen_ only if the sample is ok.
    std::map<std::string, std::set<CheckpointKey>> seen;
    for (const std::string& id : job_ids_) {
      auto raw = rest.JobCheckpoints(id);
      if (raw.ok()) {
        seen[id] = seen_[id];
        value[id] = ReduceCheckpoints(*raw, &seen[id]);
      } else if (raw.status().code() == StatusCode::kNotFound) {
        value[id] = nullptr;
      } else {
        out.type = raw.status().code() == StatusCode::kTimeout ? OpType::kInfo : OpType::kFail;
        out.error = raw.status().message();
        return out;
      }
    }
    for (auto& [id, keys] : seen) seen_[id] = std::move(keys);
    out.type = OpType::kOk;
    out.value = std::move(value);
  } catch (const std::exception& e) {
    out = ProbeOutcome{.error = fmt::format("checkpoints sample: {}", e.what())};
  }
  return out;
}

}  // namespace jf
