#include "checker/consistency.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "checker/availability.h"
#include "client/consistency_probe.h"

namespace jf {
namespace {

using nlohmann::json;

constexpr const char* kIdReused = "checkpoint-id-reused";
constexpr const char* kIdDecreased = "checkpoint-id-decreased";
constexpr const char* kRestoreRollback = "restore-rollback";
constexpr const char* kTwoJobManagers = "two-jobmanagers";
constexpr const char* kJobLost = "job-lost";
constexpr const char* kJobIdChanged = "job-id-changed";

std::optional<int64_t> IntField(const json& obj, const char* key) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

std::string StringField(const json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool IsOk(const Op& op, const char* f) {
  return op.is_client() && op.type == OpType::kOk && op.f == f;
}

// Of two ops, the one later in the history: where a violation shown by both became visible.
const Op& Later(const Op& a, const Op& b) { return a.index >= b.index ? a : b; }

struct Checkpoint {
  int64_t id = 0;
  int64_t trigger = 0;
  int64_t ack = 0;
  bool savepoint = false;
  const Op* op = nullptr;  // the sample that reported it
};

struct Restore {
  int64_t id = 0;
  int64_t at = 0;
  const Op* op = nullptr;
};

// What the checkpoints samples said about one job.
struct JobCheckpoints {
  std::vector<Checkpoint> completed;  // distinct (id, trigger), in the order reported
  std::set<std::pair<int64_t, int64_t>> keys;
  std::map<int64_t, size_t> first_by_id;  // id -> index in `completed` of its first report
  std::vector<Restore> restores;          // distinct (id, at)
  std::set<std::pair<int64_t, int64_t>> restore_keys;
};

// A job as one JobManager's /jobs/overview listed it.
struct Listed {
  std::string url;
  std::string id;
  std::string name;
  std::string state;
  int64_t start_time = -1;
};

// One ok jobmanagers sample: the jobs of the URLs that answered.
struct JobManagersSample {
  const Op* op = nullptr;
  size_t position = 0;  // in the history
  int answers = 0;
  std::vector<Listed> listed;
};

JobManagersSample ParseJobManagers(const Op& op, size_t position) {
  JobManagersSample sample{.op = &op, .position = position};
  if (!op.value.is_object()) return sample;
  for (const auto& [url, answer] : op.value.items()) {
    if (!answer.is_object()) continue;
    auto jobs = answer.find("jobs");
    if (jobs == answer.end() || !jobs->is_array()) continue;
    ++sample.answers;
    for (const json& row : *jobs) {
      Listed l{.url = url,
               .id = StringField(row, "id"),
               .name = StringField(row, "name"),
               .state = StringField(row, "state"),
               .start_time = IntField(row, "start-time").value_or(-1)};
      if (!l.id.empty()) sample.listed.push_back(std::move(l));
    }
  }
  return sample;
}

// Collects anomalies, at most kMaxAnomaliesPerRule listed per rule, all counted.
class Findings {
 public:
  Findings() {
    for (const char* rule : {kIdReused, kIdDecreased, kRestoreRollback, kTwoJobManagers, kJobLost,
                             kJobIdChanged}) {
      counts_[rule] = 0;
    }
  }

  void Report(const char* rule, const Op& op, std::string what) {
    if (++counts_[rule] <= static_cast<int64_t>(kMaxAnomaliesPerRule)) {
      anomalies_.push_back({op.time, op.index, std::move(what)});
    }
  }

  // The listed anomalies, in history order.
  std::vector<Anomaly> TakeAnomalies() {
    std::stable_sort(anomalies_.begin(), anomalies_.end(), [](const Anomaly& a, const Anomaly& b) {
      return std::tie(a.time, a.op_index) < std::tie(b.time, b.op_index);
    });
    return std::move(anomalies_);
  }
  json Counts() const { return counts_; }

 private:
  std::map<std::string, int64_t> counts_;
  std::vector<Anomaly> anomalies_;
};

// Adds what an ok checkpoints sample reported; reports checkpoint-id-reused as it goes.
void AddCheckpoints(const Op& op, std::map<std::string, JobCheckpoints>* jobs,
                    Findings* findings) {
  if (!op.value.is_object()) return;
  for (const auto& [job, v] : op.value.items()) {
    if (!v.is_object()) continue;  // null: the JobManager did not know the job
    JobCheckpoints& jc = (*jobs)[job];
    if (auto c = v.find("completed"); c != v.end() && c->is_array()) {
      for (const json& e : *c) {
        auto id = IntField(e, "id");
        auto trigger = IntField(e, "trigger");
        auto ack = IntField(e, "ack");
        if (!id || !trigger || !ack || !jc.keys.emplace(*id, *trigger).second) continue;
        auto sp = e.find("savepoint");
        Checkpoint cp{.id = *id,
                      .trigger = *trigger,
                      .ack = *ack,
                      .savepoint = sp != e.end() && sp->is_boolean() && sp->get<bool>(),
                      .op = &op};
        auto [first, inserted] = jc.first_by_id.emplace(*id, jc.completed.size());
        if (!inserted) {
          findings->Report(kIdReused, op,
                           fmt::format("Checkpoint {} of job {} completed twice (triggered at {} "
                                       "and {} ms).",
                                       cp.id, job, jc.completed[first->second].trigger,
                                       cp.trigger));
        }
        jc.completed.push_back(cp);
      }
    }
    auto r = v.find("restored");
    if (r == v.end()) continue;
    auto id = IntField(*r, "id");
    auto at = IntField(*r, "at");
    if (id && at && jc.restore_keys.emplace(*id, *at).second) {
      jc.restores.push_back({.id = *id, .at = *at, .op = &op});
    }
  }
}

// The jobs an ok cancel-jobs or stop-job op ended: those its value names; nullopt for every job.
std::optional<std::set<std::string>> EndedJobs(const Op& op) {
  if (op.value.is_string()) return std::set<std::string>{op.value.get<std::string>()};
  if (op.value.is_array()) {
    std::set<std::string> ids;
    for (const json& id : op.value) {
      if (id.is_string()) ids.insert(id.get<std::string>());
    }
    if (!ids.empty()) return ids;
  }
  return std::nullopt;
}

// checkpoint-id-decreased and restore-rollback for one job.
void CheckOrder(const std::string& job, const JobCheckpoints& jc, Findings* findings) {
  std::vector<const Checkpoint*> byack;
  for (const Checkpoint& cp : jc.completed) {
    if (!cp.savepoint) byack.push_back(&cp);
  }
  std::stable_sort(byack.begin(), byack.end(), [](const Checkpoint* a, const Checkpoint* b) {
    return std::tie(a->ack, a->id) < std::tie(b->ack, b->id);
  });
  // highest[i]: the checkpoint with the highest id among byack[0..i].
  std::vector<const Checkpoint*> highest(byack.size());
  const Checkpoint* best = nullptr;  // the highest id acked strictly before the current group
  for (size_t i = 0; i < byack.size();) {
    size_t end = i;
    const Checkpoint* group_best = best;
    for (; end < byack.size() && byack[end]->ack == byack[i]->ack; ++end) {
      const Checkpoint& b = *byack[end];
      if (best != nullptr && best->id > b.id) {
        findings->Report(kIdDecreased, Later(*best->op, *b.op),
                         fmt::format("Checkpoint {} of job {} completed at {} ms, after checkpoint "
                                     "{} had completed at {} ms: checkpoint ids must grow with "
                                     "completion time.",
                                     b.id, job, b.ack, best->id, best->ack));
      }
      if (group_best == nullptr || b.id > group_best->id) group_best = &b;
      highest[end] = group_best;
    }
    best = group_best;
    i = end;
  }

  for (const Restore& r : jc.restores) {
    // The checkpoints acked a margin before the restore: byack[0..n). One acked just before may
    // still have been finalized (written, added to the store) after the restore began.
    auto n = std::partition_point(byack.begin(), byack.end(),
                                  [&](const Checkpoint* c) {
                                    return c->ack < r.at - kRestoreMarginMs;
                                  }) -
             byack.begin();
    if (n == 0) continue;
    const Checkpoint& c = *highest[n - 1];
    if (c.id > r.id) {
      findings->Report(kRestoreRollback, Later(*r.op, *c.op),
                       fmt::format("Job {} restored checkpoint {} at {} ms, but checkpoint {} had "
                                   "completed at {} ms: the restore rolled back.",
                                   job, r.id, r.at, c.id, c.ack));
    }
  }
}

}  // namespace

CheckResult ConsistencyChecker::Check(const CheckOptions& opts,
                                      const std::vector<Op>& history) const {
  CheckResult result;
  Findings findings;

  std::set<std::string> submitted;
  std::vector<JobManagersSample> samples;  // ok jobmanagers samples, in history order
  std::map<std::string, JobCheckpoints> checkpoints;
  int64_t checkpoint_samples = 0;
  std::vector<std::pair<size_t, std::optional<std::set<std::string>>>> ended;  // position, jobs
  for (size_t i = 0; i < history.size(); ++i) {
    const Op& op = history[i];
    if (IsOk(op, kJobsRunningF) && op.value.is_object()) {
      for (const auto& [id, _] : op.value.items()) submitted.insert(id);
    } else if (IsOk(op, kJobManagersF)) {
      samples.push_back(ParseJobManagers(op, i));
    } else if (IsOk(op, kCheckpointsF)) {
      ++checkpoint_samples;
      AddCheckpoints(op, &checkpoints, &findings);
    } else if (IsOk(op, kCancelJobsF) || IsOk(op, kStopJobF)) {
      ended.emplace_back(i, EndedJobs(op));
    }
  }
  const int64_t total_samples = static_cast<int64_t>(samples.size()) + checkpoint_samples;
  if (total_samples == 0) {
    result.details = {{"samples", 0}};
    return result;
  }

  for (const auto& [job, jc] : checkpoints) CheckOrder(job, jc, &findings);

  // The names of the submitted jobs, as the JobManagers list them.
  std::map<std::string, std::string> submitted_by_name;
  for (const JobManagersSample& s : samples) {
    for (const Listed& l : s.listed) {
      if (submitted.count(l.id) && !l.name.empty()) submitted_by_name.emplace(l.name, l.id);
    }
  }

  std::map<std::string, int64_t> listed_samples, absent_samples, overlap_samples;
  // Per job, the current run of samples in which two JobMasters list it RUNNING.
  struct Overlap {
    const Op* first = nullptr;
    bool reported = false;
  };
  std::map<std::string, Overlap> overlaps;
  std::set<std::string> renamed;  // ids reported by job-id-changed
  const JobManagersSample* last_answered = nullptr;
  for (const JobManagersSample& s : samples) {
    std::map<std::string, std::map<int64_t, std::string>> running;  // job -> start-time -> url
    std::set<std::string> listed;
    for (const Listed& l : s.listed) {
      listed.insert(l.id);
      if (l.state != "RUNNING") continue;
      if (submitted.count(l.id)) {
        if (l.start_time >= 0) running[l.id].emplace(l.start_time, l.url);
        continue;
      }
      auto name = submitted_by_name.find(l.name);
      if (name != submitted_by_name.end() && renamed.insert(l.id).second) {
        findings.Report(kJobIdChanged, *s.op,
                        fmt::format("Job {} is RUNNING under the name \"{}\" of submitted job {}: "
                                    "the job got a new id.",
                                    l.id, l.name, name->second));
      }
    }
    if (s.answers == 0) continue;  // says nothing: neither starts nor ends an overlap
    for (const std::string& job : submitted) {
      auto r = running.find(job);
      Overlap& o = overlaps[job];
      if (r == running.end() || r->second.size() < 2) {
        o = Overlap{};
        continue;
      }
      ++overlap_samples[job];
      if (o.first == nullptr) o.first = s.op;
      if (o.reported || s.op->time - o.first->time < kTwoJobMastersToleranceNs) continue;
      o.reported = true;
      auto first = r->second.begin(), second = std::next(first);
      findings.Report(kTwoJobManagers, *s.op,
                      fmt::format("Job {} runs on two JobMasters at once for {:.1f} s: {} lists "
                                  "it RUNNING since {} ms, {} since {} ms.",
                                  job, (s.op->time - o.first->time) / 1e9, first->second,
                                  first->first, second->second, second->first));
    }
    last_answered = &s;
    for (const std::string& job : submitted) {
      if (listed.count(job)) {
        ++listed_samples[job];
      } else {
        ++absent_samples[job];
      }
    }
  }

  if (last_answered != nullptr && !opts.truncated) {
    std::set<std::string> listed;
    for (const Listed& l : last_answered->listed) listed.insert(l.id);
    for (const std::string& job : submitted) {
      if (listed.count(job)) continue;
      bool ended_by_harness = std::any_of(ended.begin(), ended.end(), [&](const auto& e) {
        return e.first < last_answered->position && (!e.second || e.second->count(job));
      });
      if (!ended_by_harness) {
        findings.Report(kJobLost, *last_answered->op,
                        fmt::format("Job {} is lost: no JobManager knows it at the end.", job));
      }
    }
  }

  json jobs = json::object();
  std::set<std::string> all_jobs = submitted;
  for (const auto& [job, _] : checkpoints) all_jobs.insert(job);
  for (const std::string& job : all_jobs) {
    json d = {{"completed_checkpoints", 0},
              {"highest_completed_id", nullptr},
              {"restores", json::array()},
              {"samples", listed_samples[job]},
              {"absent_samples", absent_samples[job]},
              {"two_jobmasters_samples", overlap_samples[job]}};
    if (auto it = checkpoints.find(job); it != checkpoints.end()) {
      const JobCheckpoints& jc = it->second;
      d["completed_checkpoints"] = jc.completed.size();
      if (!jc.first_by_id.empty()) d["highest_completed_id"] = jc.first_by_id.rbegin()->first;
      for (const Restore& r : jc.restores) d["restores"].push_back({{"id", r.id}, {"at", r.at}});
    }
    jobs[job] = std::move(d);
  }

  result.anomalies = findings.TakeAnomalies();
  if (!result.anomalies.empty()) result.valid = Validity::kInvalid;
  result.details = {{"samples", total_samples},
                    {"jobmanagers_samples", samples.size()},
                    {"checkpoints_samples", checkpoint_samples},
                    {"jobs", std::move(jobs)},
                    {"rules", findings.Counts()}};
  return result;
}

}  // namespace jf
