// Report: report.html, one self-contained page per store directory (it opens from disk with no
// network: inline CSS, inline SVG and a few lines of inline script; nothing is fetched). It shows
//  - a header: the test's name, deployment mode, nemesis, Flink version, start time and the
//    verdict (an element with id="verdict" and data-verdict="valid|invalid|unknown");
//  - a timeline (x = seconds since the history began, from the ops' "time"): a lane per fault
//    family with a band per fault op (IsFaultOp), the nemesis' observations (process-started) and
//    heals, the job's state and availability from the polls, the completed checkpoints, every
//    recovery with its duration (results.json "recovery") and the checkers' anomalies;
//  - each checker's result (availability, consistency, output, recovery, and any other part with
//    a "valid?") with its anomalies, each linking to the op behind it in the history table and
//    quoting the JobManager log lines (file:line) from the fault before it up to the anomaly;
//  - plots: recovery time per fault (bars) and checkpoint progress (lines);
//  - the files of the run directory (relative links: n1/flink/..., job/output/...);
//  - the history, one table row per op with id="op-<index>", in a collapsed <details>.
// A missing results.json or test.json, or a torn history line, is said on the page.
//
// Thread-safety: every function is safe to call concurrently for different run directories.
#ifndef JF_REPORT_REPORT_H_
#define JF_REPORT_REPORT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "history/op.h"

namespace jf {

// The contract of the timeline's fault bands, which tests mirror (one .fault-band element per
// fault op, with data-op-index = the op's index). A fault op is a nemesis op that completes a
// scheduled fault:
//   process "nemesis", type "info", a non-null value or an error (that is, a completion: the
//   invocation before it has neither), and an f that is none of "heal" (the heal at tear-down),
//   "process-started" (an observation, not a fault) and "*-stop" (the end of a fault window).
// Kills that found no target and faults that failed are fault ops too (their bands are marked
// "no-target" and "error"). In Python, over history.jsonl's lines:
//   o["process"] == "nemesis" and o["type"] == "info"
//   and (o.get("value") is not None or o.get("error") is not None)
//   and o["f"] not in ("heal", "process-started") and not o["f"].endswith("-stop")
bool IsFaultOp(const Op& op);

// "valid", "invalid" or "unknown" for results.json's "valid?" (true, false, anything else; a
// null `results`, i.e. no results.json, is unknown).
std::string VerdictName(const nlohmann::json& results);

// What the page is made of, read from a run directory (ReadReportInput) or made by a test.
struct ReportInput {
  std::string run_name;          // the run directory's name, e.g. "20261206T120415.199"
  std::string test_name;         // the test's directory name, used when test.json has no name
  std::vector<Op> ops;           // history.jsonl, in order
  nlohmann::json results;        // results.json; null when missing or unreadable
  nlohmann::json test;           // test.json; null when missing or unreadable
  nlohmann::json flink_version;  // flink-version.json; null when missing
  // Problems with the inputs, one sentence each, shown at the top ("results.json is missing:
  // ...").
  std::vector<std::string> notes;
  // Files of the run directory, relative paths with '/' ("jepsen.log", "n1/flink/x.log"), sorted,
  // with their sizes; the job directories (job/, job-2/, ...) are left out.
  struct File {
    std::string path;
    uintmax_t bytes = 0;
  };
  std::vector<File> files;
  // JobManager log lines that explain anomalies: WARN and ERROR lines, and the INFO lines where a
  // job switches state or a leader is elected, from the JobManager logs among `files`, with their
  // time as seconds since the history's start (the run directory's name is the harness's local
  // time at the start; Flink logs local time too, so a node in another time zone is off by it).
  struct LogLine {
    std::string path;  // relative, as in `files`
    size_t line = 0;   // 1-based
    double time_s = 0;
    std::string text;  // cut at 300 characters
  };
  std::vector<LogLine> log_lines;  // by time
};

// Reads what the page needs from `run_dir`. Never fails: whatever is missing or unreadable is a
// note (history.jsonl lines that are not ops are skipped; a torn last line is an interrupted run).
ReportInput ReadReportInput(const std::string& run_dir);

// The page. Pure: the same input gives the same bytes.
std::string RenderReport(const ReportInput& in);

// Writes RUN_DIR/report.html from the run directory's files, through RUN_DIR/report.html.tmp and
// a rename so a reader never sees half a page. NotFound if `run_dir` is not a directory, Internal
// if the file cannot be written.
Status WriteReport(const std::string& run_dir);

}  // namespace jf

#endif  // JF_REPORT_REPORT_H_
