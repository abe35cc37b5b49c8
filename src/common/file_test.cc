#include "common/file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/temp_dir.h"

namespace jf {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(WriteFileAtomicTest, ReplacesTheFileAndLeavesNoTemporary) {
  TempDir tmp("jf-file");
  const std::string path = (tmp.path() / "a.txt").string();
  ASSERT_TRUE(WriteFileAtomic(path, "first").ok());
  ASSERT_TRUE(WriteFileAtomic(path, std::string("sec\0nd", 6)).ok());
  EXPECT_EQ(Read(path), std::string("sec\0nd", 6));
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

TEST(WriteFileAtomicTest, MissingDirectoryIsAnInternalErrorNamingTheFile) {
  TempDir tmp("jf-file");
  const std::string path = (tmp.path() / "no" / "a.txt").string();
  Status s = WriteFileAtomic(path, "x");
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find(path + ".tmp"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace jf
