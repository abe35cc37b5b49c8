#include "report/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "common/temp_dir.h"

namespace jf {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kS = 1'000'000'000;

// Builds a history with dense indices.
class Ops {
 public:
  Ops& Add(double t_s, OpType type, int64_t process, const std::string& f, json value = nullptr,
           json ext = nullptr, std::optional<std::string> error = std::nullopt) {
    ops_.push_back(Op{.index = static_cast<int64_t>(ops_.size()),
                      .time = static_cast<int64_t>(t_s * kS),
                      .type = type,
                      .process = process,
                      .f = f,
                      .value = std::move(value),
                      .error = std::move(error),
                      .ext = std::move(ext)});
    return *this;
  }
  // A nemesis pair: the invocation, then the completion with `value`.
  Ops& Nemesis(double t_s, const std::string& f, json value,
               std::optional<std::string> error = std::nullopt) {
    Add(t_s, OpType::kInfo, kNemesisProcess, f);
    return Add(t_s + 0.2, OpType::kInfo, kNemesisProcess, f, std::move(value), nullptr,
               std::move(error));
  }
  Ops& Poll(double t_s, bool running, const std::string& state) {
    Add(t_s, OpType::kInvoke, 0, "jobs-running?");
    return Add(t_s + 0.01, OpType::kOk, 0, "jobs-running?", json{{"j1", running}},
               json{{"flink", {{"j1", {{"state", state}}}}}});
  }
  Ops& Checkpoints(double t_s, int completed, std::vector<int> new_ids) {
    json list = json::array();
    for (int id : new_ids) list.push_back({{"id", id}, {"savepoint", false}});
    Add(t_s, OpType::kInvoke, 2, "checkpoints");
    return Add(t_s + 0.01, OpType::kOk, 2, "checkpoints",
               json{{"j1", {{"completed", list}, {"counts", {{"completed", completed}}}}}});
  }
  const std::vector<Op>& ops() const { return ops_; }

 private:
  std::vector<Op> ops_;
};

// A run with kills, a partition window, a comeback, polls, checkpoints and the heal.
std::vector<Op> SampleHistory() {
  Ops h;
  h.Poll(1, true, "RUNNING").Checkpoints(1.5, 1, {1});
  h.Nemesis(2, "kill-task-managers",
            {{"nodes", {"n1"}}, {"targets", {{{"node", "n1"}, {"pid", 42}}}}});
  h.Poll(3, false, "RESTARTING");
  h.Add(4, OpType::kInfo, kNemesisProcess, "process-started", {{"node", "n1"}, {"pid", 43}});
  h.Poll(5, true, "RUNNING").Checkpoints(5.5, 3, {2, 3});
  h.Nemesis(6, "kill-task-managers", {{"targets", json::array()}, {"no-target", true}});
  h.Nemesis(7, "partition-start", {{"shape", "isolate"}, {"grudge", {{"n1", {"n2"}}}}});
  h.Poll(8, false, "RUNNING");
  h.Nemesis(12, "partition-stop", {{"grudge", "fully connected"}});
  h.Nemesis(13, "pause-start", nullptr, "no nemesis performs pause-start");
  h.Poll(14, true, "RUNNING").Checkpoints(14.5, 4, {4});
  h.Add(20, OpType::kInfo, kNemesisProcess, "heal", "healed");
  return h.ops();
}

json SampleResults() {
  return {
      {"valid?", false},
      {"deployment-mode", "standalone-session"},
      {"availability",
       {{"valid?", false},
        {"anomalies", {{{"time_s", 8.01}, {"op_index", 18}, {"what", "Job j1 is not running."}}}},
        {"details", {{"healthy_window_s", 25.0}}}}},
      {"consistency",
       {{"valid?", true}, {"anomalies", json::array()}, {"details", json::object()}}},
      {"recovery",
       {{"harness",
         {{"summary", {{"count", 1}, {"min", 3.0}, {"median", 3.0}, {"max", 3.0}}},
          {"kills",
           {{{"f", "kill-task-managers"},
             {"index", 5},
             {"time_s", 2.2},
             {"recovered_at_s", 5.01},
             {"seconds", 2.81}}}},
          {"windows",
           {{{"f", "partition-start"},
             {"index", 16},
             {"time_s", 7.2},
             {"healed_at_s", 12.2},
             {"recovery", false},
             {"recovered", false}}}}}},
        {"flink", {{"summary", {{"count", 0}}}, {"restarts", json::array()}}}}},
  };
}

json SampleTest() {
  return {{"name", "standalone-session-kill-task-managers"},
          {"deployment-mode", "standalone-session"},
          {"nemesis-gen", "kill-task-managers"},
          {"nemesis", json::array()},
          {"flink-version", "2.2.1"},
          {"time-limit", 30.0}};
}

ReportInput SampleInput() {
  ReportInput in;
  in.run_name = "20261206T120415.199";
  in.test_name = "standalone-session-kill-task-managers";
  in.ops = SampleHistory();
  in.results = SampleResults();
  in.test = SampleTest();
  in.flink_version = {{"flink-version", "2.2.1"}, {"flink-revision", "450c63e"}};
  in.files = {{"jepsen.log", 100},
              {"n1/flink/flink-root-standalonesession-0-n1.log", 2048},
              {"n1/flink/jobmanager-gc.log", 10}};
  return in;
}

// The data-op-index of every element whose class list has "fault-band", in document order.
std::vector<int64_t> FaultBandIndices(const std::string& html) {
  static const std::regex kBand(R"re(<rect class="fault-band[^"]*"[^>]*data-op-index="(\d+)")re");
  std::vector<int64_t> out;
  for (std::sregex_iterator it(html.begin(), html.end(), kBand), end; it != end; ++it) {
    out.push_back(std::stoll((*it)[1]));
  }
  return out;
}

size_t Count(const std::string& html, const std::string& needle) {
  size_t n = 0;
  for (size_t p = html.find(needle); p != std::string::npos; p = html.find(needle, p + 1)) ++n;
  return n;
}

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ReportFaultOp, CompletionsOfFaultsOnly) {
  auto nemesis = [](const std::string& f, json value,
                    std::optional<std::string> error = std::nullopt) {
    return Op{.type = OpType::kInfo,
              .process = kNemesisProcess,
              .f = f,
              .value = std::move(value),
              .error = std::move(error)};
  };
  EXPECT_FALSE(IsFaultOp(nemesis("kill-task-managers", nullptr)));  // the invocation
  EXPECT_TRUE(IsFaultOp(nemesis("kill-task-managers", {{"targets", json::array({1})}})));
  EXPECT_TRUE(IsFaultOp(nemesis("kill", {{"targets", json::array()}, {"no-target", true}})));
  EXPECT_TRUE(IsFaultOp(nemesis("partition-start", {{"shape", "isolate"}})));
  EXPECT_TRUE(IsFaultOp(nemesis("pause-start", nullptr, "no nemesis performs pause-start")));
  EXPECT_FALSE(IsFaultOp(nemesis("partition-stop", {{"grudge", "fully connected"}})));
  EXPECT_FALSE(IsFaultOp(nemesis("heal", "healed")));
  EXPECT_FALSE(IsFaultOp(nemesis("process-started", {{"pid", 3}})));
  Op client{.type = OpType::kInfo, .process = 0, .f = "jobs-running?", .value = {{"j", true}}};
  EXPECT_FALSE(IsFaultOp(client));
  Op ok = nemesis("kill", {{"targets", json::array()}});
  ok.type = OpType::kOk;
  EXPECT_FALSE(IsFaultOp(ok));
}

TEST(ReportVerdict, FromValid) {
  EXPECT_EQ(VerdictName(json{{"valid?", true}}), "valid");
  EXPECT_EQ(VerdictName(json{{"valid?", false}}), "invalid");
  EXPECT_EQ(VerdictName(json{{"valid?", "unknown"}}), "unknown");
  EXPECT_EQ(VerdictName(json::object()), "unknown");
  EXPECT_EQ(VerdictName(nullptr), "unknown");
}

TEST(ReportRender, OneFaultBandPerFaultOp) {
  ReportInput in = SampleInput();
  std::string html = RenderReport(in);
  std::vector<int64_t> expected;
  for (const auto& op : in.ops) {
    if (IsFaultOp(op)) expected.push_back(op.index);
  }
  ASSERT_EQ(expected.size(), 4u);  // two kills, the partition, the failed pause
  EXPECT_EQ(FaultBandIndices(html), expected);
  EXPECT_EQ(Count(html, "class=\"fault-band"), expected.size());
  EXPECT_THAT(html, HasSubstr("class=\"fault-band no-target\""));
  EXPECT_THAT(html, HasSubstr("class=\"fault-band error\""));
  // Lanes per fault family; the window is named without "-start".
  EXPECT_THAT(html, HasSubstr(">kill-task-managers</text>"));
  EXPECT_THAT(html, HasSubstr(">partition</text>"));
  EXPECT_THAT(html, HasSubstr(">process-started</text>"));
  EXPECT_THAT(html, HasSubstr("until 12.200 s (partition-stop #"));
}

TEST(ReportRender, HeaderAndVerdict) {
  std::string html = RenderReport(SampleInput());
  EXPECT_THAT(html, HasSubstr("<h1>standalone-session-kill-task-managers</h1>"));
  EXPECT_THAT(html,
              HasSubstr("id=\"verdict\" class=\"verdict v-invalid\" data-verdict=\"invalid\""));
  EXPECT_THAT(html, HasSubstr("standalone-session"));
  EXPECT_THAT(html, HasSubstr("2.2.1 (450c63e)"));
  EXPECT_THAT(html, HasSubstr("2026-12-06 12:04:15.199"));
  EXPECT_THAT(html, HasSubstr("kill-task-managers"));
  EXPECT_THAT(html, HasSubstr("availability: Job j1 is not running. (at 8.0 s, op 18)"));

  ReportInput valid = SampleInput();
  valid.results["valid?"] = true;
  EXPECT_THAT(RenderReport(valid), HasSubstr("data-verdict=\"valid\""));
  valid.results["valid?"] = "unknown";
  EXPECT_THAT(RenderReport(valid), HasSubstr("data-verdict=\"unknown\""));
}

TEST(ReportRender, HistoryRowsAndAnomalyLinks) {
  ReportInput in = SampleInput();
  std::string html = RenderReport(in);
  for (const auto& op : in.ops) {
    EXPECT_EQ(Count(html, fmt::format("<tr id=\"op-{}\"", op.index)), 1u) << op.index;
  }
  EXPECT_THAT(html, HasSubstr("<details id=\"history\">"));
  // The availability anomaly links to its op, names the fault before it and the JobManager log
  // (not its GC log).
  EXPECT_THAT(html, HasSubstr("<a class=\"op-link\" href=\"#op-18\">#18</a>"));
  EXPECT_THAT(html, HasSubstr("last fault before: <a class=\"op-link\" href=\"#op-16\">"));
  EXPECT_THAT(html, HasSubstr("href=\"n1/flink/flink-root-standalonesession-0-n1.log\">n1/flink/"));
  EXPECT_THAT(html, Not(HasSubstr("log-link\" href=\"n1/flink/jobmanager-gc.log")));
  // The file list, the recovery table and the plots.
  EXPECT_THAT(html, HasSubstr("<a href=\"n1/flink/jobmanager-gc.log\">"));
  EXPECT_THAT(html, HasSubstr("id=\"recovery-chart\""));
  EXPECT_THAT(html, HasSubstr("id=\"checkpoint-chart\""));
  EXPECT_EQ(Count(html, "class=\"recovery-bar"), 2u);
  EXPECT_EQ(Count(html, "class=\"ckpt-mark"), 4u);  // checkpoints 1..4
  EXPECT_THAT(html, HasSubstr("2.81 s"));
  EXPECT_THAT(html, HasSubstr("never running again after the heal of partition-start #16"));
}

TEST(ReportRender, ASupersededFaultIsNotARecoveryOfItsOwn) {
  ReportInput in = SampleInput();
  json& harness = in.results["recovery"]["harness"];
  harness["kills"].insert(harness["kills"].begin(), json{{"f", "kill-task-managers"},
                                                         {"index", 3},
                                                         {"time_s", 1.5},
                                                         {"recovered_at_s", 5.01},
                                                         {"seconds", 3.51},
                                                         {"superseded_by", 5}});
  harness["summary"]["superseded"] = 1;
  std::string html = RenderReport(in);
  EXPECT_EQ(Count(html, "class=\"recovery-bar"), 2u);  // not charted
  EXPECT_THAT(html, Not(HasSubstr("3.51 s")));
  EXPECT_THAT(html, HasSubstr("superseded by #5</td>"));
  EXPECT_THAT(html, HasSubstr("kill-task-managers #3 at 1.5 s: superseded by #5"));
  EXPECT_THAT(html, HasSubstr("(1 more fault superseded by a later one before the job ran again)"));
}

TEST(ReportRender, SelfContainedAndEscaped) {
  ReportInput in = SampleInput();
  Ops h;
  h.Nemesis(1, "kill", {{"note", "<script>alert('x')</script>"}});
  in.ops = h.ops();
  in.results["availability"]["anomalies"][0]["what"] = "<img src=x onerror=alert(1)>";
  in.results["availability"]["anomalies"][0]["op_index"] = 1;
  std::string html = RenderReport(in);
  EXPECT_THAT(html, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, HasSubstr("&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
  // Nothing is fetched: no external script, style sheet, image or font.
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(ContainsRegex("<[^>]*\\ssrc=")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
  EXPECT_EQ(Count(html, "<script>"), 1u);
}

TEST(ReportRender, MissingResultsAndTest) {
  ReportInput in;
  in.run_name = "20261206T120415.199";
  in.test_name = "some-test";
  in.ops = SampleHistory();
  in.notes = {"results.json is missing: the run did not finish"};
  std::string html = RenderReport(in);
  EXPECT_THAT(html, HasSubstr("data-verdict=\"unknown\""));
  EXPECT_THAT(html, HasSubstr("<h1>some-test</h1>"));
  EXPECT_THAT(html, HasSubstr("results.json is missing: the run did not finish"));
  EXPECT_THAT(html, HasSubstr("results.json is missing or unreadable"));
  EXPECT_EQ(FaultBandIndices(html).size(), 4u);

  ReportInput empty;
  std::string page = RenderReport(empty);
  EXPECT_THAT(page, HasSubstr("data-verdict=\"unknown\""));
  EXPECT_THAT(page, HasSubstr("0 ops"));
}

TEST(ReportWrite, ReadsTheRunDirectory) {
  TempDir tmp("jf-report");
  fs::path run = tmp.path() / "my-test" / "20261206T120415.199";
  fs::create_directories(run / "n1" / "flink");
  fs::create_directories(run / "job" / "output");
  // The run began at 12:04:15.199; the anomaly (8.01 s) follows partition-start (7 s).
  std::ofstream(run / "n1" / "flink" / "flink-root-standalonesession-0-n1.log")
      << "2026-12-06 12:04:15,900 INFO  o.a.f.r.e.DefaultExecutionGraph [] - Job j1 (abc) "
         "switched from state CREATED to RUNNING.\n"
         "2026-12-06 12:04:16,000 ERROR o.a.f.Early [] - before the fault\n"
         "2026-12-06 12:04:22,500 INFO  o.a.f.r.e.DefaultExecutionGraph [] - Job j1 (abc) "
         "switched from state RUNNING to RESTARTING.\n"
         "2026-12-06 12:04:22,600 INFO  o.a.f.Boring [] - nothing to see\n"
         "\tat org.apache.flink.Some.trace(Some.java:1) WARN \n"
         "2026-12-06 12:04:23,000 WARN  o.a.f.Akka [] - lost <n2>\n"
         "2026-12-06 12:04:30,000 ERROR o.a.f.Late [] - after the anomaly\n";
  std::ofstream(run / "job" / "output" / "part-1") << "1 2\n";
  {
    std::ofstream h(run / "history.jsonl");
    for (const auto& op : SampleHistory()) h << OpToJson(op).dump() << "\n";
    h << R"({"f":"kill","index":99,"proc)";  // torn by an interruption
  }
  std::ofstream(run / "test.json") << SampleTest().dump();

  ASSERT_TRUE(WriteReport(run.string()).ok());
  EXPECT_FALSE(fs::exists(run / "report.html.tmp"));
  std::string html = Read(run / "report.html");
  EXPECT_THAT(html, HasSubstr("data-verdict=\"unknown\""));
  EXPECT_THAT(html, HasSubstr("results.json is missing"));
  EXPECT_THAT(html, HasSubstr("The last line of history.jsonl is incomplete"));
  EXPECT_EQ(FaultBandIndices(html).size(), 4u);
  EXPECT_THAT(html, HasSubstr("href=\"n1/flink/flink-root-standalonesession-0-n1.log\""));
  EXPECT_THAT(html, Not(HasSubstr("part-1")));  // the job directories are not listed

  // Written again (as `analyze` does), with results.json and without test.json.
  fs::remove(run / "test.json");
  std::ofstream(run / "results.json") << SampleResults().dump();
  ASSERT_TRUE(WriteReport(run.string()).ok());
  html = Read(run / "report.html");
  EXPECT_THAT(html, HasSubstr("data-verdict=\"invalid\""));
  EXPECT_THAT(html, HasSubstr("test.json is missing"));
  EXPECT_THAT(html, HasSubstr("<h1>my-test</h1>"));
  EXPECT_THAT(html, Not(HasSubstr("report.html</a>")));
  // The anomaly quotes the JobManager's lines between the fault before it and itself.
  const std::string log = "n1/flink/flink-root-standalonesession-0-n1.log";
  EXPECT_THAT(html, HasSubstr(log + ":3</a> <code>2026-12-06 12:04:22,500 INFO"));
  EXPECT_THAT(html, HasSubstr(log + ":6</a> <code>2026-12-06 12:04:23,000 WARN  o.a.f.Akka [] - "
                                    "lost &lt;n2&gt;</code>"));
  EXPECT_EQ(Count(html, "class=\"log-line\""), 2u);
  EXPECT_THAT(html, Not(HasSubstr("before the fault")));
  EXPECT_THAT(html, Not(HasSubstr("after the anomaly")));
  EXPECT_THAT(html, Not(HasSubstr("nothing to see")));

  ReportInput in = ReadReportInput(run.string());
  EXPECT_EQ(in.ops.size(), SampleHistory().size());
  EXPECT_EQ(in.run_name, "20261206T120415.199");
  std::set<std::string> files;
  for (const auto& f : in.files) files.insert(f.path);
  EXPECT_TRUE(files.count("n1/flink/flink-root-standalonesession-0-n1.log"));
  EXPECT_TRUE(files.count("history.jsonl"));
  EXPECT_FALSE(files.count("report.html"));
  ASSERT_EQ(in.log_lines.size(), 5u);
  EXPECT_NEAR(in.log_lines[1].time_s, 0.801, 1e-6);
  EXPECT_EQ(in.log_lines[4].line, 7u);
}

TEST(ReportWrite, MissingDirectory) {
  TempDir tmp("jf-report");
  Status s = WriteReport((tmp.path() / "nope").string());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace jf
