#include "history/history.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace jf {
namespace {

TEST(HistoryTest, AssignsDenseIndicesAndMonotonicTimes) {
  History h;
  for (int i = 0; i < 5; ++i) h.Append(Op{.type = OpType::kInvoke, .process = 0, .f = "x"});
  auto ops = h.Snapshot();
  ASSERT_EQ(ops.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(ops[i].index, i);
    if (i > 0) EXPECT_GE(ops[i].time, ops[i - 1].time);
  }
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

}  // namespace
}  // namespace jf
