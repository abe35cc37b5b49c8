#include "history/history.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace jf {
namespace {

TEST(HistoryTest, AssignsDenseIndicesAndMonotonicTimes) {
  History h;
  for (int i = 0; i < 5; ++i) h.Append(Op{.type = OpType::kInvoke, .process = 0, .f = "x"});
  auto snap = h.Snapshot();
  ASSERT_TRUE(snap.ok());
  const auto& ops = *snap;
  ASSERT_EQ(ops.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(ops[i].index, i);
    if (i > 0) {
      EXPECT_GE(ops[i].time, ops[i - 1].time);
    }
  }
}

TEST(HistoryTest, StreamedOpsAreReadBackFromTheFile) {
  auto dir = std::filesystem::temp_directory_path() / "jf_history_snapshot_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto path = (dir / "history.jsonl").string();
  History h;
  h.Append(Op{.type = OpType::kInvoke, .process = 0, .f = "submit-job"});
  ASSERT_TRUE(h.StreamTo(path).ok());
  for (int i = 0; i < 1000; ++i) {
    h.Append(Op{.type = OpType::kOk, .process = 1, .f = "x", .value = {{"i", i}, {"s", "\xff"}}});
  }
  auto ops = h.Snapshot();
  ASSERT_TRUE(ops.ok()) << ops.status().ToString();
  ASSERT_EQ(ops->size(), 1001u);
  EXPECT_EQ((*ops)[0].f, "submit-job");
  EXPECT_EQ((*ops)[1000].index, 1000);
  EXPECT_EQ((*ops)[1000].value["i"], 999);
  EXPECT_EQ((*ops)[1000].value["s"], "\xEF\xBF\xBD");  // invalid UTF-8 replaced, as on disk
  // What the run checks is what analyze reads.
  auto read = ReadHistory(path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->size(), ops->size());
  // The file gone: an error, not an empty history that would look like a job never seen.
  std::filesystem::remove_all(dir);
  EXPECT_FALSE(h.Snapshot().ok());
}

TEST(HistoryTest, StreamsAndReadsBackIgnoringTornLastLine) {
  auto dir = std::filesystem::temp_directory_path() / "jf_history_test";
  std::filesystem::create_directories(dir);
  auto path = (dir / "history.jsonl").string();
  std::filesystem::remove(path);
  {
    History h;
    h.Append(Op{.type = OpType::kInvoke, .process = 0, .f = "job-running?"});
    ASSERT_TRUE(h.StreamTo(path).ok());
    h.Append(Op{.type = OpType::kOk, .process = 0, .f = "job-running?", .value = {{"j", true}}});
    h.Append(Op{.type = OpType::kInfo, .process = kNemesisProcess, .f = "kill", .error = "boom"});
  }
  { std::ofstream(path, std::ios::app) << "{\"index\": 3, \"ti"; }
  auto ops = ReadHistory(path);
  ASSERT_TRUE(ops.ok()) << ops.status().ToString();
  ASSERT_EQ(ops->size(), 3u);
  EXPECT_EQ((*ops)[1].value["j"], true);
  EXPECT_EQ((*ops)[2].process, kNemesisProcess);
  EXPECT_EQ((*ops)[2].error.value_or(""), "boom");
  std::filesystem::remove_all(dir);
}

// /dev/full: every write fails with ENOSPC, as on a store whose disk filled during the run.
TEST(HistoryTest, AFullDiskMakesTheHistoryAnErrorNotAShorterHistory) {
  History h;
  ASSERT_TRUE(h.StreamTo("/dev/full").ok());  // nothing to write yet
  EXPECT_TRUE(h.WriteError().ok());
  h.Append(Op{.type = OpType::kInvoke, .process = 0, .f = "jobs-running?"});
  h.Append(Op{.type = OpType::kOk, .process = 0, .f = "jobs-running?"});
  Status err = h.WriteError();
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.message().find("cannot write op 0 and later to /dev/full"), std::string::npos)
      << err.message();
  EXPECT_NE(err.message().find(std::strerror(ENOSPC)), std::string::npos) << err.message();
  auto snapshot = h.Snapshot();
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().message(), err.message());
}

TEST(OpTest, JsonRoundTripUsesJepsenFieldNames) {
  Op op{.index = 7, .time = 42, .type = OpType::kFail, .process = 3, .f = "f", .value = 1,
        .error = "e"};
  auto j = OpToJson(op);
  EXPECT_EQ(j["type"], "fail");
  EXPECT_EQ(j["process"], 3);
  auto back = OpFromJson(j);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->index, 7);
  EXPECT_EQ(back->error.value_or(""), "e");
  EXPECT_FALSE(OpFromJson(nlohmann::json{{"index", 1}}).ok());
}

// Found by fuzz/history_fuzz.cc: a float out of int64_t's range was converted unchecked
// (undefined behaviour). Integer fields take integers only.
TEST(OpTest, IntegerFieldsRefuseFloatsAndOutOfRange) {
  for (const char* line :
       {R"({"index":0,"time":7.77778e48,"type":"ok","process":0,"f":"x"})",
        R"({"index":1.5,"time":0,"type":"ok","process":0,"f":"x"})",
        R"({"index":0,"time":0,"type":"ok","process":18446744073709551615,"f":"x"})",
        R"({"index":0,"time":0,"type":"ok","process":-1e300,"f":"x"})"}) {
    auto op = OpFromJson(nlohmann::json::parse(line));
    ASSERT_FALSE(op.ok()) << line;
    EXPECT_EQ(op.status().code(), StatusCode::kInvalidArgument) << line;
  }
  std::istringstream in(
      "{\"index\":0,\"time\":1e400,\"type\":\"ok\",\"process\":0,\"f\":\"x\"}\n{}\n");
  EXPECT_FALSE(ParseHistory(in, "h.jsonl").ok());
}

}  // namespace
}  // namespace jf
