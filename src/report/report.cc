#include "report/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "common/file.h"
#include "common/xml.h"
#include "core/matrix.h"

namespace jf {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// ---- JSON access that never throws: the inputs are files a crash may have left half-written.

const json& Get(const json& j, std::string_view key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

std::optional<double> Num(const json& j) {
  if (j.is_number()) return j.get<double>();
  return std::nullopt;
}

std::optional<int64_t> Int(const json& j) {
  if (j.is_number_integer() || j.is_number_unsigned()) return j.get<int64_t>();
  if (j.is_number_float()) return static_cast<int64_t>(j.get<double>());
  return std::nullopt;
}

bool IsTrue(const json& j) { return j.is_boolean() && j.get<bool>(); }

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// A string as itself, anything else as JSON; null as "".
std::string Text(const json& j) {
  if (j.is_null()) return "";
  if (j.is_string()) return j.get<std::string>();
  return Dump(j);
}

// At most `max` bytes of `s`, cut at a UTF-8 character boundary, with "…" if cut.
std::string Truncate(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n) + "…";
}

std::string Secs(double s, int precision = 1) { return fmt::format("{:.{}f}", s, precision); }

std::string E(std::string_view s) { return XmlEscape(s); }

std::string HumanBytes(uintmax_t b) {
  if (b < 1024) return fmt::format("{} B", b);
  if (b < 1024 * 1024) return fmt::format("{:.1f} KiB", b / 1024.0);
  return fmt::format("{:.1f} MiB", b / (1024.0 * 1024.0));
}

// A path relative to the page as an href: each segment percent-encoded where needed.
std::string Href(const std::string& rel) {
  std::string out;
  for (unsigned char c : rel) {
    if (std::isalnum(c) || c == '/' || c == '.' || c == '-' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string OpLink(int64_t index) {
  return fmt::format("<a class=\"op-link\" href=\"#op-{0}\">#{0}</a>", index);
}

bool IsWindowStart(const std::string& f) { return f.size() > 6 && f.ends_with("-start"); }

// The lane of a fault op: its f, without "-start" for a fault window.
std::string LaneOf(const std::string& f) {
  return IsWindowStart(f) ? f.substr(0, f.size() - 6) : f;
}

bool IsNemesisCompletion(const Op& op) {
  return op.process == kNemesisProcess && op.type == OpType::kInfo &&
         (!op.value.is_null() || op.error.has_value());
}

// ---- What the history shows, laid out for the timeline.

struct Band {
  const Op* op = nullptr;
  std::string lane;
  double start = 0, end = 0;  // seconds
  bool window = false;
  std::string end_what;  // what ended the window: "partition-stop #312", "heal #400", "the end"
};

struct Segment {
  double start = 0, end = 0;
  std::string key;    // CSS class suffix
  std::string label;  // text
  int64_t first = -1, last = -1;
  int polls = 0;
};

struct Mark {
  double t = 0;
  int64_t index = -1;
  std::string title;
  std::string cls;
};

struct RecoveryBar {
  int64_t index = -1;  // the fault op
  std::string f;
  double at = 0;                // when the fault (kill) or its heal (window) happened
  std::optional<double> until;  // when the job ran again
  std::optional<double> seconds;
  bool outage = true;
  bool window = false;
  std::optional<int64_t> superseded_by;  // a later fault came before the job ran again
};

struct CheckpointPoint {
  double t = 0;
  double completed = 0;
  int64_t index = -1;
};

std::string StateClass(const std::string& state) {
  static const std::map<std::string, std::string> kClasses = {
      {"RUNNING", "running"},     {"RESTARTING", "restarting"}, {"FAILING", "failing"},
      {"FAILED", "failing"},      {"CREATED", "created"},       {"INITIALIZING", "created"},
      {"RECONCILING", "created"}, {"CANCELLING", "finished"},   {"CANCELED", "finished"},
      {"FINISHED", "finished"},   {"SUSPENDED", "suspended"}};
  auto it = kClasses.find(state);
  return it == kClasses.end() ? "other" : it->second;
}

struct Timeline {
  double t_end = 1;  // seconds shown on the x axis
  std::vector<Band> bands;
  std::vector<std::string> lanes;  // fault lanes, in order of their first fault
  std::vector<Mark> events;        // process-started and other observations
  std::vector<Mark> heals;
  std::vector<Segment> states;
  std::vector<Segment> availability;
  std::vector<Mark> checkpoints;
  std::vector<RecoveryBar> recoveries;
  std::vector<Mark> anomalies;
  std::map<std::string, std::vector<CheckpointPoint>> progress;  // per job
};

// Consecutive polls with the same key become one segment, from the first one's time to the
// next different poll's (or the end).
void AddSegment(std::vector<Segment>* segs, double t, const std::string& key,
                const std::string& label, int64_t index) {
  if (!segs->empty() && segs->back().key == key && segs->back().label == label) {
    segs->back().last = index;
    segs->back().polls++;
    return;
  }
  if (!segs->empty()) segs->back().end = t;
  segs->push_back({t, t, key, label, index, index, 1});
}

std::vector<RecoveryBar> RecoveryBars(const json& results) {
  std::vector<RecoveryBar> out;
  const json& harness = Get(Get(results, "recovery"), "harness");
  for (const char* part : {"kills", "windows"}) {
    const json& list = Get(harness, part);
    if (!list.is_array()) continue;
    const bool window = std::string_view(part) == "windows";
    for (const auto& k : list) {
      RecoveryBar r;
      r.window = window;
      r.index = Int(Get(k, "index")).value_or(-1);
      r.f = Text(Get(k, "f"));
      r.at = Num(Get(k, window ? "healed_at_s" : "time_s")).value_or(0);
      r.until = Num(Get(k, "recovered_at_s"));
      r.seconds = Num(Get(k, window ? "seconds_after_heal" : "seconds"));
      r.outage = !(Get(k, "outage").is_boolean() && !Get(k, "outage").get<bool>());
      r.superseded_by = Int(Get(k, "superseded_by"));
      out.push_back(r);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const RecoveryBar& a, const RecoveryBar& b) { return a.index < b.index; });
  return out;
}

Timeline Lay(const ReportInput& in) {
  Timeline tl;
  const auto& ops = in.ops;
  double last = 0;
  for (const auto& op : ops) last = std::max(last, op.time / 1e9);
  tl.recoveries = RecoveryBars(in.results);
  double t_end = last;
  for (const auto& r : tl.recoveries) t_end = std::max({t_end, r.at, r.until.value_or(0)});
  tl.t_end = std::max(t_end, 1e-3);

  std::set<std::string> seen_lanes;
  for (size_t i = 0; i < ops.size(); ++i) {
    const Op& op = ops[i];
    if (op.process == kNemesisProcess && op.type == OpType::kInfo) {
      if (op.f == "heal") {
        tl.heals.push_back({op.time / 1e9, op.index, "heal: " + Text(op.value), "heal"});
        continue;
      }
      if (op.f == "process-started") {
        tl.events.push_back({op.time / 1e9, op.index,
                             fmt::format("#{} process-started at {} s: {}", op.index,
                                         Secs(op.time / 1e9, 3), Dump(op.value)),
                             "event"});
        continue;
      }
    }
    if (IsFaultOp(op)) {
      Band b{&op, LaneOf(op.f), op.time / 1e9, op.time / 1e9, IsWindowStart(op.f), ""};
      if (b.window) {
        const std::string stop = b.lane + "-stop";
        b.end = last;
        b.end_what = "the end of the history";
        for (size_t j = i + 1; j < ops.size(); ++j) {
          const Op& o = ops[j];
          if (!IsNemesisCompletion(o)) continue;
          if (o.f == stop || o.f == "heal") {
            b.end = o.time / 1e9;
            b.end_what = fmt::format("{} #{}", o.f, o.index);
            break;
          }
        }
      }
      if (seen_lanes.insert(b.lane).second) tl.lanes.push_back(b.lane);
      tl.bands.push_back(std::move(b));
      continue;
    }
    if (!op.is_client() || op.type == OpType::kInvoke) continue;
    const double t = op.time / 1e9;
    if (op.f == "jobs-running?") {
      std::string state, key;
      if (op.type != OpType::kOk) {
        state = op.type == OpType::kFail ? "poll failed" : "poll unanswered";
        key = "pollfail";
      } else {
        const json& flink = Get(op.ext, "flink");
        std::vector<std::string> states;
        if (flink.is_object()) {
          for (const auto& [_, info] : flink.items()) {
            const json& s = Get(info, "state");
            states.push_back(s.is_string() ? s.get<std::string>() : "?");
          }
        }
        if (states.empty()) {
          state = "no job";
          key = "other";
        } else {
          for (const auto& s : states) state += (state.empty() ? "" : ", ") + s;
          key = StateClass(states.front());
          for (const auto& s : states) {
            if (StateClass(s) != key) key = "other";
          }
        }
      }
      AddSegment(&tl.states, t, key, state, op.index);
      bool running = op.type == OpType::kOk && op.value.is_object() && !op.value.empty();
      if (running) {
        for (const auto& [_, v] : op.value.items()) running = running && IsTrue(v);
      }
      if (op.type != OpType::kOk) {
        AddSegment(&tl.availability, t, "pollfail", "unknown (poll failed)", op.index);
      } else {
        AddSegment(&tl.availability, t, running ? "up" : "down",
                   running ? "running with all tasks" : "not running", op.index);
      }
    } else if (op.f == "checkpoints" && op.type == OpType::kOk && op.value.is_object()) {
      for (const auto& [job, info] : op.value.items()) {
        const json& completed = Get(info, "completed");
        if (completed.is_array()) {
          for (const auto& c : completed) {
            tl.checkpoints.push_back(
                {t, op.index,
                 fmt::format("checkpoint {} of job {} completed (seen at {} s, op #{})",
                             Text(Get(c, "id")), job, Secs(t, 3), op.index),
                 IsTrue(Get(c, "savepoint")) ? "savepoint" : "checkpoint"});
          }
        }
        if (auto n = Num(Get(Get(info, "counts"), "completed"))) {
          tl.progress[job].push_back({t, *n, op.index});
        }
      }
    }
  }
  for (auto* segs : {&tl.states, &tl.availability}) {
    if (!segs->empty()) segs->back().end = tl.t_end;
  }
  for (const char* checker : {"availability", "consistency"}) {
    const json& anomalies = Get(Get(in.results, checker), "anomalies");
    if (!anomalies.is_array()) continue;
    for (const auto& a : anomalies) {
      tl.anomalies.push_back({Num(Get(a, "time_s")).value_or(0),
                              Int(Get(a, "op_index")).value_or(-1),
                              fmt::format("{}: {}", checker, Text(Get(a, "what"))), checker});
    }
  }
  return tl;
}

// ---- SVG.

constexpr double kSvgW = 1200, kLabelW = 190, kPlotW = 980, kLaneH = 24, kBandH = 16;
constexpr double kMinBandW = 4;  // px: instantaneous faults (kills) are this wide

struct XScale {
  double t_end;
  double X(double s) const { return kLabelW + std::clamp(s / t_end, 0.0, 1.0) * kPlotW; }
};

// A step of 1, 2 or 5 x 10^k that gives at most `max_ticks` ticks over [0, span].
double NiceStep(double span, int max_ticks) {
  double raw = span / std::max(1, max_ticks);
  double p = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-9))));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= raw) return m * p;
  }
  return 10 * p;
}

std::string Num2(double v) { return fmt::format("{:.1f}", v); }

std::string SvgTitle(const std::string& s) { return "<title>" + E(Truncate(s, 2000)) + "</title>"; }

std::string LaneLabel(double y, const std::string& label) {
  return fmt::format("<text class=\"lane-label\" x=\"{}\" y=\"{}\">{}</text>", kLabelW - 8,
                     Num2(y + kLaneH / 2 + 4), E(label));
}

std::string RenderTimeline(const Timeline& tl) {
  XScale xs{tl.t_end};
  std::string body;
  double y = 8;
  auto lane_bg = [&](double height) {
    body += fmt::format("<rect class=\"lane-bg\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                        kLabelW, Num2(y), kPlotW, Num2(height));
  };
  auto band_rect = [&](double a, double b, double top, const std::string& cls, double h) {
    double x0 = xs.X(a), x1 = xs.X(b);
    double w = std::max(x1 - x0, kMinBandW);
    if (x0 + w > kLabelW + kPlotW) x0 = kLabelW + kPlotW - w;
    return fmt::format("<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"", cls,
                       Num2(x0), Num2(top), Num2(w), Num2(h));
  };
  const double top0 = y;

  // Fault lanes.
  for (const auto& lane : tl.lanes) {
    lane_bg(kLaneH);
    body += LaneLabel(y, lane);
    for (const auto& b : tl.bands) {
      if (b.lane != lane) continue;
      const Op& op = *b.op;
      std::string cls = "fault-band";
      if (Get(op.value, "no-target").is_boolean() && Get(op.value, "no-target").get<bool>()) {
        cls += " no-target";
      }
      if (op.error) cls += " error";
      std::string title = fmt::format("#{} {} at {} s", op.index, op.f, Secs(b.start, 3));
      if (b.window) title += fmt::format(", until {} s ({})", Secs(b.end, 3), b.end_what);
      if (!op.value.is_null()) title += "\n" + Dump(op.value);
      if (op.error) title += "\nerror: " + *op.error;
      body += fmt::format("<a href=\"#op-{}\">", op.index);
      body += band_rect(b.start, b.end, y + (kLaneH - kBandH) / 2, cls, kBandH);
      body += fmt::format(" data-op-index=\"{}\">{}</rect></a>", op.index, SvgTitle(title));
    }
    y += kLaneH;
  }
  if (!tl.events.empty()) {
    lane_bg(kLaneH);
    body += LaneLabel(y, "process-started");
    for (const auto& m : tl.events) {
      body += fmt::format(
          "<a href=\"#op-{}\"><circle class=\"event-mark\" cx=\"{}\" cy=\"{}\" r=\"4\">{}"
          "</circle></a>",
          m.index, Num2(xs.X(m.t)), Num2(y + kLaneH / 2), SvgTitle(m.title));
    }
    y += kLaneH;
  }
  auto segments = [&](const std::vector<Segment>& segs, const std::string& label,
                      const std::string& prefix) {
    lane_bg(kLaneH);
    body += LaneLabel(y, label);
    for (const auto& s : segs) {
      std::string title =
          fmt::format("{} from {} s to {} s ({} poll{}, ops #{}..#{})", s.label, Secs(s.start),
                      Secs(s.end), s.polls, s.polls == 1 ? "" : "s", s.first, s.last);
      double x0 = xs.X(s.start), x1 = xs.X(s.end);
      body += fmt::format(
          "<a href=\"#op-{}\"><rect class=\"seg {}{}\" x=\"{}\" y=\"{}\" width=\"{}\" "
          "height=\"{}\">{}</rect></a>",
          s.first, prefix, s.key, Num2(x0), Num2(y + (kLaneH - kBandH) / 2),
          Num2(std::max(x1 - x0, 1.0)), Num2(kBandH), SvgTitle(title));
      if (x1 - x0 > 9.0 * s.label.size()) {
        body += fmt::format("<text class=\"seg-label\" x=\"{}\" y=\"{}\">{}</text>", Num2(x0 + 4),
                            Num2(y + kLaneH / 2 + 4), E(s.label));
      }
    }
    y += kLaneH;
  };
  segments(tl.states, "job state (polls)", "st-");
  segments(tl.availability, "job running?", "av-");

  lane_bg(kLaneH);
  body += LaneLabel(y, "checkpoints completed");
  for (const auto& m : tl.checkpoints) {
    double x = xs.X(m.t);
    body += fmt::format(
        "<a href=\"#op-{}\"><rect class=\"ckpt-mark {}\" x=\"{}\" y=\"{}\" width=\"2\" "
        "height=\"{}\">{}</rect></a>",
        m.index, m.cls, Num2(x - 1), Num2(y + 4), Num2(kLaneH - 8), SvgTitle(m.title));
  }
  y += kLaneH;

  // Recoveries: overlapping ones get rows of their own.
  std::vector<double> row_ends;
  std::vector<int> rows;
  for (const auto& r : tl.recoveries) {
    if (!r.outage || r.superseded_by) {
      rows.push_back(0);
      continue;
    }
    double a = xs.X(r.at), b = std::max(xs.X(r.until.value_or(tl.t_end)), a + kMinBandW);
    size_t row = 0;
    while (row < row_ends.size() && row_ends[row] > a) ++row;
    if (row == row_ends.size()) row_ends.push_back(0);
    row_ends[row] = b + 2;
    rows.push_back(static_cast<int>(row));
  }
  const double rec_row_h = 14;
  const double rec_h = std::max(kLaneH, 6 + rec_row_h * std::max<size_t>(1, row_ends.size()));
  lane_bg(rec_h);
  body += fmt::format("<text class=\"lane-label\" x=\"{}\" y=\"{}\">recoveries</text>", kLabelW - 8,
                      Num2(y + 16));
  for (size_t i = 0; i < tl.recoveries.size(); ++i) {
    const auto& r = tl.recoveries[i];
    const double top = y + 3 + rows[i] * rec_row_h;
    std::string what = r.window ? "after the heal of" : "after";
    std::string title;
    std::string cls = "recovery";
    if (!r.outage) {
      title = fmt::format("{} #{} at {} s: the job never went down", r.f, r.index, Secs(r.at));
    } else if (r.superseded_by) {
      title =
          fmt::format("{} #{} at {} s: superseded by #{}, a later fault before the job ran again",
                      r.f, r.index, Secs(r.at), *r.superseded_by);
    }
    if (!r.outage || r.superseded_by) {
      body += fmt::format(
          "<a href=\"#op-{}\"><circle class=\"recovery-none\" cx=\"{}\" cy=\"{}\" r=\"3\">{}"
          "</circle></a>",
          r.index, Num2(xs.X(r.at)), Num2(top + 5), SvgTitle(title));
      continue;
    }
    if (r.seconds) {
      title =
          fmt::format("running again {} s {} {} #{} (at {} s; running at {} s)", Secs(*r.seconds),
                      what, r.f, r.index, Secs(r.at), Secs(r.until.value_or(0)));
    } else {
      title =
          fmt::format("never running again {} {} #{} (at {} s)", what, r.f, r.index, Secs(r.at));
      cls += " unrecovered";
    }
    body += fmt::format("<a href=\"#op-{}\">", r.index);
    body += band_rect(r.at, r.until.value_or(tl.t_end), top, cls, rec_row_h - 3);
    body += ">" + SvgTitle(title) + "</rect>";
    double x0 = xs.X(r.at), x1 = xs.X(r.until.value_or(tl.t_end));
    std::string label = r.seconds ? Secs(*r.seconds) + " s" : "not recovered";
    if (x1 - x0 > 7.0 * label.size() + 6) {
      body += fmt::format("<text class=\"rec-label\" x=\"{}\" y=\"{}\">{}</text>", Num2(x0 + 3),
                          Num2(top + rec_row_h - 5), E(label));
    }
    body += "</a>";
  }
  y += rec_h;

  lane_bg(kLaneH);
  body += LaneLabel(y, "anomalies");
  for (const auto& m : tl.anomalies) {
    double x = xs.X(m.t), cy = y + kLaneH / 2;
    std::string shape =
        fmt::format("<path class=\"anomaly-mark\" d=\"M{} {} l5 9 h-10 z\">{}</path>", Num2(x),
                    Num2(cy - 5), SvgTitle(m.title));
    body += m.index >= 0 ? fmt::format("<a href=\"#op-{}\">{}</a>", m.index, shape) : shape;
  }
  y += kLaneH;

  // Heals: a line across the lanes.
  for (const auto& h : tl.heals) {
    double x = xs.X(h.t);
    body += fmt::format(
        "<a href=\"#op-{}\"><line class=\"heal-mark\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\">{}"
        "</line></a>",
        h.index, Num2(x), Num2(top0), Num2(x), Num2(y), SvgTitle(h.title));
  }

  // The axis.
  std::string axis;
  double step = NiceStep(tl.t_end, 12);
  for (double t = 0; t <= tl.t_end + 1e-9; t += step) {
    double x = xs.X(t);
    axis += fmt::format("<line class=\"grid\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>",
                        Num2(x), Num2(top0), Num2(y + 4));
    axis += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\">{}</text>", Num2(x), Num2(y + 18),
                        step < 1 ? fmt::format("{:.1f}", t) : fmt::format("{:.0f}", t));
  }
  axis += fmt::format("<text class=\"axis-label\" x=\"{}\" y=\"{}\">seconds since start</text>",
                      Num2(kLabelW + kPlotW / 2), Num2(y + 34));
  const double height = y + 40;
  return fmt::format(
             "<svg id=\"timeline\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
             "viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" role=\"img\" "
             "aria-label=\"timeline\">",
             kSvgW, Num2(height)) +
         axis + body + "</svg>";
}

// Recovery time per fault, as bars; each bar links to its fault op.
// Horizontal grid lines with their labels at 0, step, ... max, from x = left to x2.
template <typename YOf>
std::string YGrid(double left, double x2, double max, double step, const YOf& y) {
  std::string out;
  for (double v = 0; v <= max + 1e-9; v += step) {
    out += fmt::format(
        "<line class=\"grid\" x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\"/>"
        "<text class=\"ytick\" x=\"{3}\" y=\"{4}\">{5}</text>",
        left, Num2(y(v)), x2, left - 6, Num2(y(v) + 4), fmt::format("{:g}", v));
  }
  return out;
}

std::string RenderRecoveryChart(const Timeline& tl) {
  if (tl.recoveries.empty()) {
    return "<p class=\"muted\">No fault hit a process or opened a window, so there is no "
           "recovery to plot.</p>";
  }
  // A fault superseded by a later one before the job ran again has no recovery of its own.
  std::vector<RecoveryBar> bars;
  for (const auto& r : tl.recoveries) {
    if (!r.superseded_by) bars.push_back(r);
  }
  const double w = 900, h = 220, left = 60, top = 14, bottom = 40;
  double max_s = 1;
  for (const auto& r : bars) max_s = std::max(max_s, r.seconds.value_or(0));
  const double step = NiceStep(max_s, 5);
  max_s = std::ceil(max_s / step) * step;
  const double plot_h = h - top - bottom;
  const size_t n = bars.size();
  const double slot = (w - left - 10) / std::max<size_t>(n, 1);
  const double bar_w = std::clamp(slot * 0.7, 2.0, 40.0);
  auto Y = [&](double s) { return top + plot_h - s / max_s * plot_h; };
  std::string out = fmt::format(
      "<svg id=\"recovery-chart\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
      "viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" role=\"img\" "
      "aria-label=\"recovery time per fault\">",
      w, h);
  out += YGrid(left, w - 10, max_s, step, Y);
  out += fmt::format(
      "<text class=\"axis-label\" transform=\"translate(14 {}) rotate(-90)\">seconds</text>",
      Num2(top + plot_h / 2));
  for (size_t i = 0; i < n; ++i) {
    const auto& r = bars[i];
    double x = left + slot * i + (slot - bar_w) / 2;
    std::string title, cls = "recovery-bar";
    double top_y;
    if (!r.outage) {
      title = fmt::format("{} #{} at {} s: the job never went down", r.f, r.index, Secs(r.at));
      cls += " none";
      top_y = Y(0) - 2;
    } else if (r.seconds) {
      title = fmt::format("{} #{} at {} s: running again after {} s{}", r.f, r.index, Secs(r.at),
                          Secs(*r.seconds, 2), r.window ? " (from the heal)" : "");
      top_y = Y(*r.seconds);
    } else {
      title = fmt::format("{} #{} at {} s: never running again", r.f, r.index, Secs(r.at));
      cls += " unrecovered";
      top_y = Y(max_s);
    }
    out += fmt::format(
        "<a href=\"#op-{}\"><rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\">{}"
        "</rect></a>",
        r.index, cls, Num2(x), Num2(top_y), Num2(bar_w), Num2(std::max(Y(0) - top_y, 2.0)),
        SvgTitle(title));
    if (n <= 40) {
      out += fmt::format("<text class=\"xtick\" x=\"{}\" y=\"{}\">#{}</text>", Num2(x + bar_w / 2),
                         Num2(Y(0) + 14), r.index);
      std::string v = !r.outage ? "-" : r.seconds ? Secs(*r.seconds) : "∞";
      out += fmt::format("<text class=\"bar-value\" x=\"{}\" y=\"{}\">{}</text>",
                         Num2(x + bar_w / 2), Num2(top_y - 3), E(v));
    }
  }
  out += fmt::format(
      "<text class=\"axis-label\" x=\"{}\" y=\"{}\">fault op (index in the history)</text>",
      Num2(left + (w - left) / 2), Num2(h - 6));
  return out + "</svg>";
}

// Completed checkpoints (Flink's count) over time, a line per job.
std::string RenderCheckpointChart(const Timeline& tl) {
  bool any = false;
  double max_c = 1;
  for (const auto& [_, pts] : tl.progress) {
    for (const auto& p : pts) {
      any = true;
      max_c = std::max(max_c, p.completed);
    }
  }
  if (!any) return "<p class=\"muted\">No checkpoint statistics in the history.</p>";
  const double w = 900, h = 220, left = 60, top = 14, bottom = 40, right = 10;
  const double step = NiceStep(max_c, 5);
  max_c = std::ceil(max_c / step) * step;
  const double plot_h = h - top - bottom, plot_w = w - left - right;
  auto X = [&](double t) { return left + std::clamp(t / tl.t_end, 0.0, 1.0) * plot_w; };
  auto Y = [&](double c) { return top + plot_h - c / max_c * plot_h; };
  std::string out = fmt::format(
      "<svg id=\"checkpoint-chart\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
      "viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" role=\"img\" "
      "aria-label=\"checkpoint progress\">",
      w, h);
  out += YGrid(left, w - right, max_c, step, Y);
  const double tstep = NiceStep(tl.t_end, 10);
  for (double t = 0; t <= tl.t_end + 1e-9; t += tstep) {
    out +=
        fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\">{}</text>", Num2(X(t)), Num2(Y(0) + 14),
                    tstep < 1 ? fmt::format("{:.1f}", t) : fmt::format("{:.0f}", t));
  }
  out += fmt::format(
      "<text class=\"axis-label\" transform=\"translate(14 {}) rotate(-90)\">completed</text>",
      Num2(top + plot_h / 2));
  out += fmt::format("<text class=\"axis-label\" x=\"{}\" y=\"{}\">seconds since start</text>",
                     Num2(left + plot_w / 2), Num2(h - 6));
  int series = 0;
  for (const auto& [job, pts] : tl.progress) {
    std::string d;
    for (size_t i = 0; i < pts.size(); ++i) {
      // A step line: the count holds until the next sample.
      if (i == 0) {
        d += fmt::format("M{} {}", Num2(X(pts[i].t)), Num2(Y(pts[i].completed)));
      } else {
        d += fmt::format(" H{} V{}", Num2(X(pts[i].t)), Num2(Y(pts[i].completed)));
      }
    }
    out += fmt::format("<path class=\"ckpt-line s{}\" d=\"{}\">{}</path>", series % 4, d,
                       SvgTitle(fmt::format("job {}: {} completed at the last sample", job,
                                            fmt::format("{:g}", pts.back().completed))));
    out += fmt::format("<text class=\"legend s{}\" x=\"{}\" y=\"{}\">job {}</text>", series % 4,
                       left + 8, Num2(top + 12 + 14 * series), E(job));
    ++series;
  }
  return out + "</svg>";
}

// ---- HTML parts.

const char* kStyle = R"CSS(
body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 24px 40px;color:#1d2330;background:#fafbfc}
h1{font-size:20px;margin:18px 0 6px}h2{font-size:16px;margin:26px 0 8px;border-bottom:1px solid #d8dde6;padding-bottom:3px}
h3{font-size:14px;margin:14px 0 6px}
a{color:#1a5fb4}code,.mono,td.v{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px}
table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left;vertical-align:top}
table.kv th{color:#556;font-weight:600}
table.grid td,table.grid th{border:1px solid #dde2ea}table.grid th{background:#eef1f5}
.verdict{display:inline-block;font-weight:700;font-size:16px;padding:4px 14px;border-radius:4px;color:#fff;margin:6px 0}
.v-valid{background:#2b8a3e}.v-invalid{background:#c92a2a}.v-unknown{background:#e67700}
.badge{display:inline-block;padding:0 7px;border-radius:3px;color:#fff;font-weight:600;font-size:12px}
.b-valid{background:#2b8a3e}.b-invalid{background:#c92a2a}.b-unknown{background:#e67700}.b-none{background:#868e96}
.notes{background:#fff4e6;border:1px solid #ffc078;padding:6px 12px;margin:8px 0}
.muted{color:#6b7280}ul.reasons{margin:4px 0 8px}
.chart{max-width:100%;height:auto;background:#fff;border:1px solid #e3e7ee}
.lane-bg{fill:#f4f6f9}.lane-label{text-anchor:end;font-size:12px;fill:#333}
.grid{stroke:#dfe3ea;stroke-width:1}.tick,.xtick,.bar-value{font-size:11px;fill:#555;text-anchor:middle}
.ytick{font-size:11px;fill:#555;text-anchor:end}.axis-label{font-size:11px;fill:#555;text-anchor:middle}
.fault-band{fill:#d9480f;opacity:.85}.fault-band.no-target{fill:#ffd8a8;stroke:#d9480f;stroke-dasharray:2 2}
.fault-band.error{fill:#862e9c}.event-mark{fill:#1c7ed6}.heal-mark{stroke:#2f9e44;stroke-width:1.5;stroke-dasharray:4 3}
.seg{stroke:#fff;stroke-width:.5}.seg-label{font-size:11px;fill:#fff;pointer-events:none}
.st-running{fill:#2f9e44}.st-restarting{fill:#f08c00}.st-failing{fill:#e03131}.st-created{fill:#4dabf7}
.st-finished{fill:#868e96}.st-suspended{fill:#9c36b5}.st-other{fill:#495057}.st-pollfail{fill:#adb5bd}
.av-up{fill:#2f9e44}.av-down{fill:#e03131}.av-pollfail{fill:#adb5bd}
.ckpt-mark{fill:#1864ab}.ckpt-mark.savepoint{fill:#9c36b5}
.recovery{fill:#74c0fc;stroke:#1971c2;stroke-width:.5}.recovery.unrecovered{fill:#ffa8a8;stroke:#c92a2a}
.recovery-none{fill:#adb5bd}.rec-label{font-size:10px;fill:#0b3d66;pointer-events:none}
.anomaly-mark{fill:#c92a2a}
.recovery-bar{fill:#1c7ed6}.recovery-bar.unrecovered{fill:#e03131}.recovery-bar.none{fill:#adb5bd}
.ckpt-line{fill:none;stroke-width:2}.s0{stroke:#1c7ed6;fill:#1c7ed6}.s1{stroke:#e8590c;fill:#e8590c}
.s2{stroke:#2f9e44;fill:#2f9e44}.s3{stroke:#9c36b5;fill:#9c36b5}path.ckpt-line{fill:none}
text.legend{stroke:none;font-size:11px}
.legend-row span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:11px;height:11px;vertical-align:-1px;margin-right:4px}
table.hist{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:11px}
table.hist td{padding:0 6px;border-bottom:1px solid #eceff3;white-space:nowrap}
table.hist td.v{white-space:normal;word-break:break-all;max-width:900px}
tr.n td{background:#fff9f0}tr.fault td{background:#ffe8cc}tr.fail td{color:#c92a2a}
tr.hl td,tr:target td{background:#fff3bf}
details>summary{cursor:pointer;font-weight:600}
.log-lines{margin-top:3px}.log-lines code{font-size:11px;white-space:pre-wrap;word-break:break-all}
ul.files{columns:2;margin:4px 0}
)CSS";

// Opens the <details> that holds a linked row (#op-N), so anchors into the collapsed history
// work in every browser.
const char* kScript = R"JS(
(function () {
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var el = document.getElementById(id);
    if (!el) return;
    for (var d = el.closest('details'); d; d = d.parentElement && d.parentElement.closest('details')) {
      d.open = true;
    }
    el.scrollIntoView({block: 'center'});
  }
  window.addEventListener('hashchange', reveal);
  document.addEventListener('DOMContentLoaded', reveal);
})();
)JS";

std::string Badge(const json& valid) {
  std::string v = valid.is_null() ? "none" : VerdictName(json{{"valid?", valid}});
  std::string text = valid.is_null() ? "not checked" : v;
  return fmt::format("<span class=\"badge b-{}\">{}</span>", v, text);
}

bool IsJobManagerLog(const std::string& path) {
  std::string name = path.substr(path.rfind('/') + 1);
  if (name.find("-gc") != std::string::npos) return false;
  bool log = name.ends_with(".log") || name.find(".log.") != std::string::npos;
  return log && (name.find("standalonesession") != std::string::npos ||
                 name.find("jobmanager") != std::string::npos ||
                 name.find("jobmaster") != std::string::npos);
}

// Links to the JobManager logs (the first file of each rotation), or to the file list.
std::string LogLinks(const ReportInput& in) {
  std::string out;
  for (const auto& f : in.files) {
    if (!IsJobManagerLog(f.path) || !f.path.ends_with(".log")) continue;
    out += fmt::format(" <a class=\"log-link\" href=\"{}\">{}</a>", Href(f.path), E(f.path));
  }
  return out.empty() ? " <a href=\"#logs\">logs</a>" : " logs:" + out;
}

// Evidence from the JobManager logs for an anomaly at `to`: the job's last state switch at or
// before `to` (however long before: a job that failed at 28 s explains "not running" at 106 s),
// then the last ERROR and WARN lines in (from, to], at most kMaxLogLines in all, by time.
std::string LogEvidence(const ReportInput& in, double from, double to) {
  constexpr size_t kMaxLogLines = 4;
  auto by_time = [](double t, const ReportInput::LogLine& l) { return t < l.time_s; };
  auto end = std::upper_bound(in.log_lines.begin(), in.log_lines.end(), to, by_time);
  auto begin = std::upper_bound(in.log_lines.begin(), end, from, by_time);
  std::vector<const ReportInput::LogLine*> picked;
  for (auto it = end; it != in.log_lines.begin();) {
    --it;
    if (it->text.find("switched from state") != std::string::npos) {
      picked.push_back(&*it);
      break;
    }
  }
  for (const char* level : {" ERROR ", " WARN "}) {
    for (auto it = end; it != begin && picked.size() < kMaxLogLines;) {
      --it;
      if (it->text.find(level) != std::string::npos &&
          std::find(picked.begin(), picked.end(), &*it) == picked.end())
        picked.push_back(&*it);
    }
  }
  if (picked.empty()) return "";
  std::sort(picked.begin(), picked.end(), [](auto* a, auto* b) { return a->time_s < b->time_s; });
  std::string out = "<div class=\"log-lines\">";
  for (const auto* l : picked) {
    out += fmt::format("<div><a class=\"log-line\" href=\"{}\">{}:{}</a> <code>{}</code></div>",
                       Href(l->path), E(l->path), l->line, E(l->text));
  }
  return out + "</div>";
}

// The last fault op at or before `time_s`, as a link, or "".
const Band* LastFaultBefore(const Timeline& tl, double time_s) {
  const Band* last = nullptr;
  for (const auto& b : tl.bands) {
    if (b.start <= time_s + 1e-9) last = &b;
  }
  return last;
}

std::string FaultBefore(const Timeline& tl, double time_s) {
  const Band* last = LastFaultBefore(tl, time_s);
  if (!last) return "";
  return fmt::format(" (last fault before: {} {} at {} s)", OpLink(last->op->index), E(last->op->f),
                     Secs(last->start));
}

// A checker part with {"valid?", "anomalies": [{time_s, op_index, what}], "details"}.
std::string RenderAnomalies(const ReportInput& in, const Timeline& tl, const json& part) {
  const json& anomalies = Get(part, "anomalies");
  if (!anomalies.is_array() || anomalies.empty()) return "<p class=\"muted\">No anomaly.</p>";
  std::string out =
      "<table class=\"grid anomalies\"><tr><th>at</th><th>op</th><th>what</th>"
      "<th>evidence</th></tr>";
  const std::string logs = LogLinks(in);
  size_t shown = 0;
  for (const auto& a : anomalies) {
    if (++shown > 500) {
      out += fmt::format("<tr><td colspan=\"4\">… {} more (results.json has them all)</td></tr>",
                         anomalies.size() - 500);
      break;
    }
    double t = Num(Get(a, "time_s")).value_or(0);
    int64_t idx = Int(Get(a, "op_index")).value_or(-1);
    const Band* fault = LastFaultBefore(tl, t);
    out += fmt::format("<tr><td>{} s</td><td>{}</td><td>{}</td><td>{}{}{}</td></tr>", Secs(t),
                       idx >= 0 ? OpLink(idx) : "-", E(Text(Get(a, "what"))), FaultBefore(tl, t),
                       logs, LogEvidence(in, fault ? fault->start : t - 30, t + 1));
  }
  return out + "</table>";
}

std::string KvTable(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string out = "<table class=\"kv\">";
  for (const auto& [k, v] : rows) out += "<tr><th>" + E(k) + "</th><td>" + v + "</td></tr>";
  return out + "</table>";
}

std::string RenderAvailability(const ReportInput& in, const Timeline& tl) {
  const json& part = Get(in.results, "availability");
  std::string out =
      "<h3 id=\"check-availability\">availability " + Badge(Get(part, "valid?")) + "</h3>";
  if (part.is_null()) return out + "<p class=\"muted\">Not in results.json.</p>";
  const json& details = Get(part, "details");
  if (auto w = Num(Get(details, "healthy_window_s"))) {
    out += fmt::format("<p>The job must run for the last {} s.</p>", Secs(*w));
  }
  const json& jobs = Get(details, "jobs");
  if (jobs.is_object() && !jobs.empty()) {
    out +=
        "<table class=\"grid\"><tr><th>job</th><th>healthy at the end</th><th>running at the "
        "end</th><th>running polls</th></tr>";
    for (const auto& [id, j] : jobs.items()) {
      out += fmt::format("<tr><td class=\"mono\">{}</td><td>{}</td><td>{} s</td><td>{}</td></tr>",
                         E(id), E(Text(Get(j, "healthy_at_end"))),
                         Secs(Num(Get(j, "running_at_end_s")).value_or(0)),
                         E(Text(Get(j, "running_polls"))));
    }
    out += "</table>";
  }
  return out + RenderAnomalies(in, tl, part);
}

std::string RenderConsistency(const ReportInput& in, const Timeline& tl) {
  const json& part = Get(in.results, "consistency");
  std::string out =
      "<h3 id=\"check-consistency\">consistency " + Badge(Get(part, "valid?")) + "</h3>";
  if (part.is_null()) return out + "<p class=\"muted\">Not in results.json.</p>";
  const json& details = Get(part, "details");
  const json& rules = Get(details, "rules");
  if (rules.is_object() && !rules.empty()) {
    out += "<table class=\"grid\"><tr><th>rule</th><th>violations</th></tr>";
    for (const auto& [rule, n] : rules.items()) {
      bool bad = Num(n).value_or(0) > 0;
      out += fmt::format("<tr{}><td>{}</td><td>{}</td></tr>", bad ? " class=\"fail\"" : "", E(rule),
                         E(Text(n)));
    }
    out += "</table>";
  }
  const json& jobs = Get(details, "jobs");
  if (jobs.is_object() && !jobs.empty()) {
    out +=
        "<table class=\"grid\"><tr><th>job</th><th>samples</th><th>completed checkpoints</th>"
        "<th>highest id</th><th>restores (checkpoint ids)</th></tr>";
    for (const auto& [id, j] : jobs.items()) {
      std::string restores;
      if (const json& r = Get(j, "restores"); r.is_array()) {
        for (const auto& x : r) restores += (restores.empty() ? "" : ", ") + Text(Get(x, "id"));
      }
      out += fmt::format(
          "<tr><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", E(id),
          E(Text(Get(j, "samples"))), E(Text(Get(j, "completed_checkpoints"))),
          E(Text(Get(j, "highest_completed_id"))), E(restores));
    }
    out += "</table>";
  }
  return out + RenderAnomalies(in, tl, part);
}

std::string RenderOutput(const ReportInput& in) {
  const json& part = Get(in.results, "output");
  std::string out = "<h3 id=\"check-output\">output " + Badge(Get(part, "valid?")) + "</h3>";
  if (part.is_null()) {
    return out +
           "<p class=\"muted\">No output check in results.json (no job directory, or a "
           "store from before the output checks).</p>";
  }
  if (auto n = Int(Get(part, "records-checked"))) {
    out += fmt::format("<p>{} records checked.</p>", *n);
  }
  const json& jobs = Get(part, "jobs");
  if (!jobs.is_object()) return out;
  for (const auto& [name, j] : jobs.items()) {
    out += fmt::format("<h4>{} {}</h4>", E(name), Badge(Get(j, "valid?")));
    std::vector<std::pair<std::string, std::string>> kv;
    for (const char* k : {"sink", "semantics", "stopped-with-savepoint", "records-checked",
                          "committed_checkpoint", "highest_checkpoint"}) {
      if (!Get(j, k).is_null()) kv.push_back({k, E(Text(Get(j, k)))});
    }
    if (const json& r = Get(j, "records"); r.is_object()) kv.push_back({"records", E(Dump(r))});
    if (const json& f = Get(j, "files"); f.is_object()) {
      json f2 = f;
      f2.erase("other_examples");
      kv.push_back({"files", E(Dump(f2))});
    }
    if (const json& p = Get(j, "permitted"); p.is_array()) {
      kv.push_back({"permitted (at-least-once)", E(Dump(p))});
    }
    kv.push_back({"directory", fmt::format("<a href=\"{0}/\">{1}/</a> (<a href=\"{0}/output/\">"
                                           "output</a>, <a href=\"{0}/commits/\">commits</a>)",
                                           Href(name), E(name))});
    out += KvTable(kv);
    if (const json& reasons = Get(j, "reasons"); reasons.is_array() && !reasons.empty()) {
      out += "<ul class=\"reasons\">";
      for (const auto& r : reasons) out += "<li>" + E(Text(r)) + "</li>";
      out += "</ul>";
    }
    const json& kinds = Get(j, "anomalies");
    if (!kinds.is_object()) continue;
    out += "<table class=\"grid\"><tr><th>anomaly</th><th>count</th><th>examples</th></tr>";
    for (const auto& [kind, a] : kinds.items()) {
      int64_t count = Int(Get(a, "count")).value_or(0);
      std::string examples;
      if (const json& ex = Get(a, "examples"); ex.is_array()) {
        for (const auto& e : ex) {
          std::string s;
          if (!Get(e, "key").is_null()) {
            s += "key " + Text(Get(e, "key")) + " seq " + Text(Get(e, "seq"));
            if (!Get(e, "last_seq").is_null()) s += ".." + Text(Get(e, "last_seq"));
          }
          std::string item = E(s);
          if (const json& file = Get(e, "file"); file.is_string()) {
            std::string sub = kind == "in-job-alert" ? "alerts" : "output";
            std::string rel = name + "/" + sub + "/" + file.get<std::string>();
            item += fmt::format("{}<a href=\"{}\">{}</a>", s.empty() ? "" : " in ", Href(rel),
                                E(file.get<std::string>()));
            if (!Get(e, "line").is_null()) item += ":" + E(Text(Get(e, "line")));
          }
          if (!Get(e, "detail").is_null()) item += " " + E(Text(Get(e, "detail")));
          examples += "<div>" + item + "</div>";
        }
      }
      out += fmt::format("<tr{}><td>{}</td><td>{}</td><td>{}</td></tr>",
                         count > 0 ? " class=\"fail\"" : "", E(kind), count, examples);
    }
    out += "</table>";
  }
  return out;
}

std::string SummaryText(const json& sum) {
  int64_t n = Int(Get(sum, "count")).value_or(0);
  int64_t superseded = Int(Get(sum, "superseded")).value_or(0);
  std::string also = superseded > 0
                         ? fmt::format(
                               " ({} more fault{} superseded by a later one before the job ran "
                               "again)",
                               superseded, superseded == 1 ? "" : "s")
                         : "";
  if (n == 0) return "none" + also;
  return fmt::format(
      "{} recoveries: min {} s, median {} s, max {} s{}", n, Secs(Num(Get(sum, "min")).value_or(0)),
      Secs(Num(Get(sum, "median")).value_or(0)), Secs(Num(Get(sum, "max")).value_or(0)), also);
}

std::string RenderRecovery(const ReportInput& in, const Timeline& tl) {
  const json& part = Get(in.results, "recovery");
  std::string out = "<h3 id=\"check-recovery\">recovery</h3>";
  if (part.is_null()) return out + "<p class=\"muted\">Not in results.json.</p>";
  out += KvTable({{"harness (fault to a poll that sees the job running with all its tasks)",
                   E(SummaryText(Get(Get(part, "harness"), "summary")))},
                  {"Flink (RESTARTING to RUNNING, Flink's clock)",
                   E(SummaryText(Get(Get(part, "flink"), "summary")))}});
  if (!tl.recoveries.empty()) {
    out +=
        "<table class=\"grid\"><tr><th>fault op</th><th>f</th><th>at</th><th>running "
        "again at</th><th>recovery</th></tr>";
    for (const auto& r : tl.recoveries) {
      std::string rec = !r.outage         ? "no outage"
                        : r.superseded_by ? fmt::format("superseded by #{}", *r.superseded_by)
                        : r.seconds
                            ? Secs(*r.seconds, 2) + " s" + (r.window ? " after the heal" : "")
                            : "never";
      out += fmt::format("<tr{}><td>{}</td><td>{}</td><td>{} s{}</td><td>{}</td><td>{}</td></tr>",
                         r.outage && !r.seconds && !r.superseded_by ? " class=\"fail\"" : "",
                         OpLink(r.index), E(r.f), Secs(r.at), r.window ? " (heal)" : "",
                         r.until ? Secs(*r.until) + " s" : "-", E(rec));
    }
    out += "</table>";
  }
  const json& restarts = Get(Get(part, "flink"), "restarts");
  if (restarts.is_array() && !restarts.empty()) {
    out +=
        "<table class=\"grid\"><tr><th>job</th><th>RESTARTING (epoch ms)</th><th>RUNNING "
        "(epoch ms)</th><th>seconds</th></tr>";
    for (const auto& r : restarts) {
      out += fmt::format(
          "<tr><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
          E(Text(Get(r, "job"))), E(Text(Get(r, "restarting_ms"))),
          E(Get(r, "running_ms").is_null() ? "never" : Text(Get(r, "running_ms"))),
          Get(r, "seconds").is_null() ? "-" : Secs(Num(Get(r, "seconds")).value_or(0), 3));
    }
    out += "</table>";
  }
  return out;
}

// Parts of results.json with a "valid?" that this page does not know: their anomalies, if any.
std::string RenderOtherCheckers(const ReportInput& in, const Timeline& tl) {
  static const std::set<std::string> kKnown = {"availability", "consistency", "output", "recovery"};
  std::string out;
  if (!in.results.is_object()) return out;
  for (const auto& [k, v] : in.results.items()) {
    if (kKnown.count(k) || !v.is_object() || !v.contains("valid?")) continue;
    out += fmt::format("<h3 id=\"check-{0}\">{0} {1}</h3>", E(k), Badge(Get(v, "valid?")));
    out += RenderAnomalies(in, tl, v);
  }
  return out;
}

std::string StartTime(const std::string& run_name) {
  static const std::regex kTs(R"(^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})$)");
  std::smatch m;
  if (!std::regex_match(run_name, m, kTs)) return "unknown";
  return fmt::format("{}-{}-{} {}:{}:{}.{} (the harness's local time)", m[1].str(), m[2].str(),
                     m[3].str(), m[4].str(), m[5].str(), m[6].str(), m[7].str());
}

std::string NemesisText(const json& test, const json& results) {
  const json& families = Get(test, "nemesis");
  if (families.is_array() && !families.empty()) {
    std::string s;
    for (const auto& f : families) s += (s.empty() ? "" : ", ") + Text(f);
    std::string out = "--nemesis " + s;
    if (auto i = Num(Get(test, "nemesis-interval"))) out += fmt::format(" (interval {:g} s)", *i);
    return out;
  }
  std::string gen = Text(Get(test, "nemesis-gen"));
  if (gen.empty()) gen = Text(Get(results, "nemesis-gen"));
  return gen.empty() ? "unknown" : gen;
}

std::string RenderHeader(const ReportInput& in, const Timeline& tl, size_t fault_ops) {
  const json& test = in.test;
  const json& results = in.results;
  std::string name = Text(Get(test, "name"));
  if (name.empty()) name = in.test_name.empty() ? "unknown test" : in.test_name;
  std::string mode = Text(Get(test, "deployment-mode"));
  if (mode.empty()) mode = Text(Get(results, "deployment-mode"));
  std::string flink = Text(Get(in.flink_version, "flink-version"));
  if (!flink.empty() && !Get(in.flink_version, "flink-revision").is_null()) {
    flink += " (" + Text(Get(in.flink_version, "flink-revision")) + ")";
  }
  if (flink.empty()) flink = Text(Get(test, "flink-version"));
  const std::string verdict = VerdictName(results);

  std::string out = "<h1>" + E(name) + "</h1>";
  out += fmt::format("<div id=\"verdict\" class=\"verdict v-{0}\" data-verdict=\"{0}\">{1}</div>",
                     verdict,
                     verdict == "valid"     ? "valid"
                     : verdict == "invalid" ? "invalid"
                                            : "unknown");
  std::vector<std::string> reasons;
  try {
    reasons = ResultReasons(results);
  } catch (const json::exception&) {
  }
  if (!reasons.empty()) {
    out += "<ul class=\"reasons\">";
    size_t n = 0;
    for (const auto& r : reasons) {
      if (++n > 20) {
        out += fmt::format("<li>… {} more</li>", reasons.size() - 20);
        break;
      }
      out += "<li>" + E(r) + "</li>";
    }
    out += "</ul>";
  }
  std::vector<std::pair<std::string, std::string>> kv = {
      {"deployment mode", E(mode.empty() ? "unknown" : mode)},
      {"nemesis", E(NemesisText(test, results))},
      {"Flink", E(flink.empty() ? "unknown" : flink)},
      {"started", E(StartTime(in.run_name))},
  };
  std::string length =
      fmt::format("history {} s, {} ops, {} fault ops", Secs(tl.t_end), in.ops.size(), fault_ops);
  if (auto tl_s = Num(Get(test, "time-limit")))
    length += fmt::format("; --time-limit {:g} s", *tl_s);
  if (auto total = Num(Get(Get(results, "timings"), "total_s"))) {
    length += fmt::format("; the run took {} s", Secs(*total));
  }
  kv.push_back({"length", E(length)});
  if (const json& ids = Get(results, "job-ids"); ids.is_array() && !ids.empty()) {
    std::string s;
    for (const auto& id : ids) s += (s.empty() ? "" : ", ") + Text(id);
    kv.push_back({"job ids", "<span class=\"mono\">" + E(s) + "</span>"});
  }
  if (!Get(test, "seed").is_null()) kv.push_back({"seed", E(Text(Get(test, "seed")))});
  kv.push_back({"store", E(in.test_name + "/" + in.run_name) +
                             " (<a href=\"jepsen.log\">jepsen.log</a>, <a href=\"results.json\">"
                             "results.json</a>, <a href=\"test.json\">test.json</a>, <a "
                             "href=\"history.jsonl\">history.jsonl</a>)"});
  out += KvTable(kv);
  if (!in.notes.empty()) {
    out += "<div class=\"notes\" id=\"notes\">";
    for (const auto& n : in.notes) out += "<div>" + E(n) + "</div>";
    out += "</div>";
  }
  return out;
}

std::string Legend() {
  auto item = [](const std::string& color, const std::string& text, const std::string& extra = "") {
    return fmt::format("<span><i class=\"sw\" style=\"background:{};{}\"></i>{}</span>", color,
                       extra, text);
  };
  return "<div class=\"legend-row muted\">" + item("#d9480f", "fault") +
         item("#ffd8a8", "fault that found no target", "outline:1px dashed #d9480f") +
         item("#862e9c", "fault that failed") + item("#1c7ed6", "process started again") +
         item("#2f9e44", "heal (dashed line) / running") + item("#f08c00", "restarting") +
         item("#e03131", "not running / failing") + item("#adb5bd", "poll failed") +
         item("#74c0fc", "recovery (fault to running again)") + item("#c92a2a", "anomaly") +
         "</div>";
}

std::string RenderFiles(const ReportInput& in) {
  std::string out = "<h2 id=\"logs\">Files</h2>";
  if (in.files.empty()) return out + "<p class=\"muted\">No file found in the run directory.</p>";
  std::map<std::string, std::vector<const ReportInput::File*>> groups;
  for (const auto& f : in.files) {
    auto slash = f.path.find('/');
    groups[slash == std::string::npos ? "" : f.path.substr(0, slash)].push_back(&f);
  }
  for (const auto& [group, files] : groups) {
    out += group.empty() ? "<h3>run directory</h3>" : "<h3>" + E(group) + "/</h3>";
    out += "<ul class=\"files\">";
    for (const auto* f : files) {
      out += fmt::format("<li><a href=\"{}\">{}</a> <span class=\"muted\">{}</span></li>",
                         Href(f->path), E(f->path), HumanBytes(f->bytes));
    }
    out += "</ul>";
  }
  return out;
}

std::string OpValueText(const Op& op) {
  std::string s = op.value.is_null() ? "" : Dump(op.value);
  if (op.error) s += (s.empty() ? "" : " ") + std::string("error: ") + *op.error;
  if (op.ext.is_object()) {
    for (const auto& [k, v] : op.ext.items()) {
      if (k == "flink" && v.is_object()) {
        std::string states;
        for (const auto& [id, info] : v.items()) {
          states += (states.empty() ? "" : ", ") + Text(Get(info, "state"));
        }
        s += " flink: " + states;
      } else {
        s += " " + k + ": " + Text(v);
      }
    }
  }
  return s;
}

std::string RenderHistory(const ReportInput& in) {
  std::string out = fmt::format(
      "<h2>History</h2><details id=\"history\"><summary>{} ops (values cut at 200 characters; "
      "<a href=\"history.jsonl\">history.jsonl</a> has them whole)</summary>",
      in.ops.size());
  out +=
      "<table class=\"hist\"><tr><th>#</th><th>s</th><th>process</th><th>type</th><th>f</th>"
      "<th>value</th></tr>";
  out.reserve(out.size() + in.ops.size() * 200);
  for (const auto& op : in.ops) {
    const char* cls = IsFaultOp(op)                   ? " class=\"fault\""
                      : op.process == kNemesisProcess ? " class=\"n\""
                      : op.type == OpType::kFail      ? " class=\"fail\""
                                                      : "";
    out += fmt::format(
        "<tr id=\"op-{0}\"{1}><td>{0}</td><td>{2}</td><td>{3}</td><td>{4}</td>"
        "<td>{5}</td><td class=\"v\">{6}</td></tr>\n",
        op.index, cls, Secs(op.time / 1e9, 3),
        op.process == kNemesisProcess ? "nemesis" : std::to_string(op.process), OpTypeName(op.type),
        E(op.f), E(Truncate(OpValueText(op), 200)));
  }
  return out + "</table></details>";
}

// A local date and time ("20261206T163809.748" or "2026-12-06 16:38:24,893") as seconds of a
// day count, to subtract one from another (the time zone cancels out).
std::optional<double> LocalSeconds(int y, int mo, int d, int h, int mi, int s, int ms) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<double>(timegm(&tm)) + ms / 1000.0;
}

std::optional<double> LocalSeconds(const std::string& run_name) {
  int y, mo, d, h, mi, s, ms;
  if (std::sscanf(run_name.c_str(), "%4d%2d%2dT%2d%2d%2d.%3d", &y, &mo, &d, &h, &mi, &s, &ms) != 7)
    return std::nullopt;
  return LocalSeconds(y, mo, d, h, mi, s, ms);
}

// The evidence lines of one JobManager log (see ReportInput::log_lines): at most 64 MiB of it and
// 20000 lines are read.
void ReadLogLines(const fs::path& file, const std::string& rel, double start,
                  std::vector<ReportInput::LogLine>* out) {
  auto interesting = [](const std::string& l) {
    for (const char* s : {" WARN ", " ERROR ", "switched from state", "granted leadership",
                          "revoked leadership", "leadership revoked"}) {
      if (l.find(s) != std::string::npos) return true;
    }
    return false;
  };
  std::ifstream in(file, std::ios::binary);
  size_t read = 0, kept = 0, number = 0;
  for (std::string line; kept < 20000 && read < (64u << 20) && std::getline(in, line);) {
    read += line.size() + 1;
    ++number;
    int y, mo, d, h, mi, s, ms;
    if (line.size() < 24 || line[4] != '-' ||
        std::sscanf(line.c_str(), "%4d-%2d-%2d %2d:%2d:%2d,%3d", &y, &mo, &d, &h, &mi, &s, &ms) !=
            7)
      continue;  // a stack trace's or a message's continuation
    if (!interesting(line)) continue;
    auto t = LocalSeconds(y, mo, d, h, mi, s, ms);
    if (!t) continue;
    out->push_back({rel, number, *t - start, Truncate(line, 300)});
    ++kept;
  }
}

bool IsJobDir(const std::string& name) {
  static const std::regex kJob(R"(^job(-\d+)?$)");
  return std::regex_match(name, kJob);
}

}  // namespace

bool IsFaultOp(const Op& op) {
  return IsNemesisCompletion(op) && op.f != "heal" && op.f != "process-started" &&
         !op.f.ends_with("-stop");
}

std::string VerdictName(const nlohmann::json& results) {
  const json& v = Get(results, "valid?");
  if (v.is_boolean()) return v.get<bool>() ? "valid" : "invalid";
  return "unknown";
}

std::string RenderReport(const ReportInput& in) {
  Timeline tl = Lay(in);
  std::string out;
  out.reserve(64 * 1024 + in.ops.size() * 220);
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  std::string name = Text(Get(in.test, "name"));
  if (name.empty()) name = in.test_name;
  out += "<title>" + E(name + " " + in.run_name + ": " + VerdictName(in.results)) + "</title>";
  out += "<style>" + std::string(kStyle) + "</style>";
  out += "<script>" + std::string(kScript) + "</script></head><body>\n";
  out += RenderHeader(in, tl, tl.bands.size());
  out += "<h2>Timeline</h2>" + Legend() + RenderTimeline(tl);
  out += "<h2>Checkers</h2>";
  if (in.results.is_null()) {
    out += "<p class=\"muted\">results.json is missing or unreadable: no checker result.</p>";
  }
  if (const json& e = Get(in.results, "error"); e.is_string()) {
    out += "<p class=\"notes\">The run ended with an error: " + E(e.get<std::string>()) + "</p>";
  }
  out += RenderAvailability(in, tl) + RenderConsistency(in, tl) + RenderOutput(in) +
         RenderRecovery(in, tl) + RenderOtherCheckers(in, tl);
  out += "<h2>Plots</h2><h3>Recovery time per fault</h3>" + RenderRecoveryChart(tl);
  out += "<h3>Checkpoint progress</h3>" + RenderCheckpointChart(tl);
  if (const json& timings = Get(in.results, "timings"); timings.is_object()) {
    out += "<h2>Timings</h2><table class=\"grid\">";
    for (const auto& [k, v] : timings.items()) {
      out += "<tr><td>" + E(k) + "</td><td>" +
             E(v.is_number_float() ? fmt::format("{:.3f}", v.get<double>()) : Text(v)) +
             "</td></tr>";
    }
    out += "</table>";
  }
  out += RenderFiles(in);
  out += RenderHistory(in);
  out += "\n</body></html>\n";
  return out;
}

ReportInput ReadReportInput(const std::string& run_dir) {
  ReportInput in;
  std::error_code ec;
  fs::path dir = fs::weakly_canonical(fs::path(run_dir), ec);
  if (ec) dir = fs::path(run_dir);
  in.run_name = dir.filename().string();
  in.test_name = dir.parent_path().filename().string();

  const fs::path history = dir / "history.jsonl";
  std::ifstream hin(history);
  if (!hin) {
    in.notes.push_back("history.jsonl is missing: there is no history to show.");
  } else {
    std::vector<std::string> lines;
    for (std::string line; std::getline(hin, line);) {
      if (!line.empty()) lines.push_back(std::move(line));
    }
    size_t bad = 0;
    bool torn_last = false;
    for (size_t i = 0; i < lines.size(); ++i) {
      auto j = json::parse(lines[i], nullptr, /*allow_exceptions=*/false);
      auto op = j.is_discarded() ? Result<Op>(InvalidArgument("not JSON")) : OpFromJson(j);
      if (op.ok()) {
        in.ops.push_back(std::move(*op));
      } else if (i + 1 == lines.size()) {
        torn_last = true;
      } else {
        ++bad;
      }
    }
    if (torn_last) {
      in.notes.push_back(
          "The last line of history.jsonl is incomplete (the run was interrupted while writing "
          "it); it is left out.");
    }
    if (bad > 0) {
      in.notes.push_back(
          fmt::format("{} line(s) of history.jsonl are not ops; they are left out.", bad));
    }
  }

  auto read_json = [&](const char* name, json* out, bool note_missing) {
    std::ifstream f(dir / name);
    if (!f) {
      if (note_missing) {
        in.notes.push_back(std::string(name) +
                           (std::string_view(name) == "results.json"
                                ? " is missing: the run did not finish (interrupted, or still "
                                  "running), so there is no verdict."
                                : " is missing: the test's configuration is unknown."));
      }
      return;
    }
    json j = json::parse(f, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      if (note_missing)
        in.notes.push_back(std::string(name) + " is not valid JSON; it is ignored.");
      return;
    }
    *out = std::move(j);
  };
  read_json("results.json", &in.results, true);
  read_json("test.json", &in.test, true);
  read_json("flink-version.json", &in.flink_version, false);

  // The run directory's files, without the job directories (thousands of part files).
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec),
       end;
       !ec && it != end; it.increment(ec)) {
    const fs::path rel = it->path().lexically_relative(dir);
    if (it.depth() == 0 && it->is_directory(ec) && IsJobDir(rel.string())) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    std::string r = rel.generic_string();
    if (r == "report.html" || r == "report.html.tmp") continue;
    in.files.push_back({r, it->file_size(ec)});
    if (in.files.size() >= 5000) break;
  }
  std::sort(in.files.begin(), in.files.end(),
            [](const ReportInput::File& a, const ReportInput::File& b) { return a.path < b.path; });
  if (auto start = LocalSeconds(in.run_name)) {
    for (const auto& f : in.files) {
      if (IsJobManagerLog(f.path)) ReadLogLines(dir / f.path, f.path, *start, &in.log_lines);
    }
    std::stable_sort(in.log_lines.begin(), in.log_lines.end(),
                     [](const auto& a, const auto& b) { return a.time_s < b.time_s; });
  }
  return in;
}

Status WriteReport(const std::string& run_dir) {
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec)) return NotFound("{} is not a directory", run_dir);
  std::string html;
  try {
    html = RenderReport(ReadReportInput(run_dir));
  } catch (const std::exception& e) {
    return Internal("cannot render {}/report.html: {}", run_dir, e.what());
  }
  return WriteFileAtomic(run_dir + "/report.html", html);
}

}  // namespace jf
