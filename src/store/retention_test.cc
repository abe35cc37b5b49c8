#include "store/retention.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/temp_dir.h"

namespace jf {
namespace {

namespace fs = std::filesystem;

void Touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "{}";
}

TEST(FreeBytesTest, AsksTheNearestExistingAncestor) {
  TempDir tmp("jf-retention");
  auto here = FreeBytes(tmp.path().string());
  auto below = FreeBytes((tmp.path() / "not" / "yet").string());
  ASSERT_TRUE(here.ok());
  ASSERT_TRUE(below.ok());
  EXPECT_GT(*here, 0u);
  // The same file system; other processes may write in between, so only roughly equal.
  EXPECT_LT(std::max(*here, *below) - std::min(*here, *below), uint64_t{1} << 30);
}

TEST(CheckFreeDiskTest, RefusesWhenTooLittleIsFreeAndSaysHowMuch) {
  TempDir tmp("jf-retention");
  EXPECT_TRUE(CheckFreeDisk(tmp.path().string(), 1).ok());
  EXPECT_TRUE(CheckFreeDisk(tmp.path().string(), 0).ok());
  Status s = CheckFreeDisk(tmp.path().string(), uint64_t{1} << 62);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("MiB free"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("--min-free-disk-mb"), std::string::npos) << s.message();
}

TEST(PruneRunsTest, KeepsTheNewestRunsOfEachTestAndNothingElseIsTouched) {
  TempDir tmp("jf-retention");
  const fs::path store = tmp.path();
  for (const char* ts : {"20261201T100000.000", "20261202T100000.000", "20261203T100000.000",
                         "20261204T100000.000"}) {
    Touch(store / "test-a" / ts / "test.json");
  }
  Touch(store / "test-b" / "20261201T100000.000" / "history.jsonl");
  Touch(store / "test-b" / "20261202T100000.000" / "history.jsonl");
  // Not ours: no test.json or history, another name, a symlink.
  fs::create_directories(store / "test-a" / "20261101T100000.000" / "notes");
  Touch(store / "test-a" / "keep-me" / "test.json");
  fs::create_directory_symlink(store / "test-a" / "20261204T100000.000",
                               store / "test-a" / "latest");
  Touch(store / "test-a.junit.xml");

  auto removed = PruneRuns(store.string(), 2, (store / "test-a" / "20261201T100000.000").string());
  ASSERT_TRUE(removed.ok()) << removed.status().message();
  // test-a: the oldest is the run just made (kept), the second oldest goes; test-b has only 2.
  ASSERT_EQ(removed->size(), 1u);
  EXPECT_EQ(fs::path((*removed)[0]).filename(), "20261202T100000.000");
  EXPECT_TRUE(fs::exists(store / "test-a" / "20261201T100000.000"));
  EXPECT_TRUE(fs::exists(store / "test-a" / "20261203T100000.000"));
  EXPECT_TRUE(fs::exists(store / "test-a" / "20261204T100000.000"));
  EXPECT_TRUE(fs::exists(store / "test-a" / "20261101T100000.000" / "notes"));
  EXPECT_TRUE(fs::exists(store / "test-a" / "keep-me"));
  EXPECT_TRUE(fs::is_symlink(store / "test-a" / "latest"));
  EXPECT_TRUE(fs::exists(store / "test-b" / "20261201T100000.000"));
  EXPECT_TRUE(fs::exists(store / "test-a.junit.xml"));

  auto again = PruneRuns(store.string(), 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size(), 3u);  // test-a's two oldest, test-b's oldest
  EXPECT_TRUE(fs::exists(store / "test-a" / "20261204T100000.000"));
  EXPECT_TRUE(fs::exists(store / "test-b" / "20261202T100000.000"));
}

TEST(PruneRunsTest, ZeroKeepsEverything) {
  TempDir tmp("jf-retention");
  Touch(tmp.path() / "t" / "20261201T100000.000" / "test.json");
  auto removed = PruneRuns(tmp.path().string(), 0);
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(removed->empty());
  EXPECT_TRUE(fs::exists(tmp.path() / "t" / "20261201T100000.000"));
}

}  // namespace
}  // namespace jf
