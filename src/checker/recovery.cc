#include "checker/recovery.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "checker/availability.h"

namespace jf {
namespace {

constexpr double kNs = 1e9;

bool IsHittingKill(const Op& op) {
  return !op.is_client() && (op.f == "kill" || op.f.rfind("kill-", 0) == 0) &&
         op.value.is_object() && op.value.contains("targets") && op.value["targets"].is_array() &&
         !op.value["targets"].empty();
}

// The completion of a windowed fault's start that did something (not the invocation record).
bool IsHittingWindowStart(const Op& op) {
  return !op.is_client() && op.f.size() > 6 && op.f.ends_with("-start") && op.value.is_object() &&
         !op.value.value("no-target", false);
}

// Whether a completed poll saw every job running; nullopt for invocations and other ops.
std::optional<bool> PollRunning(const Op& op) {
  if (!op.is_client() || op.f != kJobsRunningF || op.type == OpType::kInvoke) return std::nullopt;
  if (op.type != OpType::kOk || !op.value.is_object() || op.value.empty()) return false;
  for (const auto& [_, v] : op.value.items()) {
    if (!v.is_boolean() || !v.get<bool>()) return false;
  }
  return true;
}

}  // namespace

nlohmann::json Summary(std::vector<double> values) {
  if (values.empty()) {
    return {{"count", 0}, {"min", nullptr}, {"median", nullptr}, {"max", nullptr}};
  }
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  double median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  return {{"count", n}, {"min", values.front()}, {"median", median}, {"max", values.back()}};
}

nlohmann::json RecoveryTimes(const std::vector<Op>& history) {
  // Harness measure. Every fault that found an outage gets the first running poll after it; those
  // that share one are a single recovery, measured from the latest of them (kill or heal).
  struct Measured {
    bool window;
    size_t pos;     // in kills or windows
    int64_t from;   // the kill's time, or the heal's
    int64_t index;  // the fault op's
    std::optional<int64_t> up;
  };
  std::vector<Measured> measured;
  nlohmann::json kills = nlohmann::json::array();
  for (size_t i = 0; i < history.size(); ++i) {
    if (!IsHittingKill(history[i])) continue;
    const Op& kill = history[i];
    std::optional<int64_t> down, up;
    for (size_t j = i + 1; j < history.size() && !up; ++j) {
      auto running = PollRunning(history[j]);
      if (!running) continue;
      if (!down && !*running) down = history[j].time;
      if (down && *running) up = history[j].time;
    }
    nlohmann::json k = {{"f", kill.f}, {"index", kill.index}, {"time_s", kill.time / kNs}};
    if (!down) {
      k["outage"] = false;
    } else if (!up) {
      k["recovered"] = false;
    } else {
      k["recovered_at_s"] = *up / kNs;
      k["seconds"] = (*up - kill.time) / kNs;
    }
    if (down) measured.push_back({false, kills.size(), kill.time, kill.index, up});
    kills.push_back(k);
  }

  // Windowed faults (pause, partition, ...): when the job went down during or after the window,
  // from the heal (the "-stop" op) to the first running poll after it.
  nlohmann::json windows = nlohmann::json::array();
  for (size_t i = 0; i < history.size(); ++i) {
    if (!IsHittingWindowStart(history[i])) continue;
    const Op& start = history[i];
    const std::string stop_f = start.f.substr(0, start.f.size() - 6) + "-stop";
    std::optional<size_t> stop;
    for (size_t j = i + 1; j < history.size() && !stop; ++j) {
      if (!history[j].is_client() && history[j].f == stop_f && !history[j].value.is_null()) {
        stop = j;
      }
    }
    if (!stop) continue;
    // An outage counts for this window if it begins before the next fault does.
    size_t next_fault = history.size();
    for (size_t j = *stop + 1; j < history.size() && next_fault == history.size(); ++j) {
      const Op& o = history[j];
      if (!o.is_client() && !o.value.is_null() && o.f != "process-started" && o.f != "heal") {
        next_fault = j;
      }
    }
    std::optional<int64_t> down, up;
    for (size_t j = i + 1; j < history.size() && !up; ++j) {
      auto running = PollRunning(history[j]);
      if (!running) continue;
      if (!down && !*running && j < next_fault) down = history[j].time;
      if (down && *running && j > *stop) up = history[j].time;
    }
    const int64_t healed = history[*stop].time;
    nlohmann::json w = {{"f", start.f},
                        {"index", start.index},
                        {"time_s", start.time / kNs},
                        {"healed_at_s", healed / kNs}};
    if (!down) {
      w["outage"] = false;
    } else if (!up) {
      w["recovered"] = false;
    } else {
      w["recovered_at_s"] = *up / kNs;
      w["seconds_after_heal"] = (*up - healed) / kNs;
    }
    if (down) measured.push_back({true, windows.size(), healed, start.index, up});
    windows.push_back(w);
  }

  // Under faults closer together than the job recovers (kill-task-managers kills every 3 s on
  // average), each fault's own span would run to the one recovery at the end: an hour of kills
  // would count as hundreds of recoveries, most of them as long as the run.
  std::map<std::optional<int64_t>, const Measured*> last_before;
  for (const auto& m : measured) {
    const Measured*& last = last_before[m.up];
    if (!last || m.from >= last->from) last = &m;
  }
  std::vector<double> harness;
  size_t superseded = 0;
  for (const auto& m : measured) {
    nlohmann::json& e = m.window ? windows[m.pos] : kills[m.pos];
    const Measured* last = last_before[m.up];
    if (last != &m) {
      e["superseded_by"] = last->index;
      ++superseded;
    } else if (m.up) {
      harness.push_back(e[m.window ? "seconds_after_heal" : "seconds"].get<double>());
    }
  }

  // Flink's measure: every distinct RESTARTING timestamp, paired with the first later RUNNING.
  std::map<std::string, std::set<int64_t>> restarting, running;
  for (const auto& op : history) {
    if (!op.is_client() || !op.ext.is_object() || !op.ext.contains("flink")) continue;
    for (const auto& [job, info] : op.ext["flink"].items()) {
      const auto& ts = info.value("timestamps", nlohmann::json::object());
      // Flink reports 0 for a state the job never entered.
      if (ts.contains("RESTARTING") && ts["RESTARTING"].is_number() &&
          ts["RESTARTING"].get<int64_t>() > 0) {
        restarting[job].insert(ts["RESTARTING"].get<int64_t>());
      }
      if (ts.contains("RUNNING") && ts["RUNNING"].is_number() && ts["RUNNING"].get<int64_t>() > 0) {
        running[job].insert(ts["RUNNING"].get<int64_t>());
      }
    }
  }
  nlohmann::json restarts = nlohmann::json::array();
  std::vector<double> flink;
  for (const auto& [job, starts] : restarting) {
    for (int64_t r : starts) {
      auto it = running[job].upper_bound(r);
      nlohmann::json e = {{"job", job}, {"restarting_ms", r}};
      if (it != running[job].end()) {
        double s = (*it - r) / 1000.0;
        e["running_ms"] = *it;
        e["seconds"] = s;
        flink.push_back(s);
      } else {
        e["recovered"] = false;
      }
      restarts.push_back(e);
    }
  }
  nlohmann::json summary = Summary(harness);
  summary["superseded"] = superseded;
  return {{"harness", {{"summary", summary}, {"kills", kills}, {"windows", windows}}},
          {"flink", {{"summary", Summary(flink)}, {"restarts", restarts}}}};
}

}  // namespace jf
