// The output checker on REAL FileSink output: src/checker/testdata/filesink-2.2.1/, written by the
// test job on a Flink 2.2.1 MiniCluster
// (job/src/test/java/io/jepsenflink/job/FixtureGenerator.java, see the fixture's README.md):
// finished part files, in-progress, pending and orphaned hidden files, and the source commit logs
// of two attempts. expected.json holds what the generator counted on its own, independently of this
// checker.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "checker/output.h"

namespace jf {
namespace {

namespace fs = std::filesystem;
using K = OutputAnomalyKind;

fs::path FixtureDir() { return fs::path(JF_SOURCE_ROOT) / "src/checker/testdata/filesink-2.2.1"; }

nlohmann::json Expected() {
  std::ifstream in(FixtureDir() / "expected.json");
  EXPECT_TRUE(in.good()) << FixtureDir();
  return nlohmann::json::parse(in);
}

OutputCheckOptions FixtureOptions(const nlohmann::json& e) {
  OutputCheckOptions o;
  o.splits = e["splits"].get<int>();
  o.keys_per_split = e["keys_per_split"].get<int>();
  return o;
}

std::vector<std::string> ReadLines(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

void WriteLines(const fs::path& p, const std::vector<std::string>& lines) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  for (const auto& l : lines) out << l << '\n';
  ASSERT_TRUE(out.good()) << p;
}

// (key, seq) of a record line.
std::pair<uint64_t, uint64_t> Record(const std::string& line) {
  std::istringstream s(line);
  uint64_t k = 0, q = 0;
  s >> k >> q;
  return {k, q};
}

TEST(OutputFixtureTest, RealFileSinkOutputIsValid) {
  auto e = Expected();
  ASSERT_EQ(e["flink_version"], "2.2.1");
  auto opts = FixtureOptions(e);
  auto fixture = FixtureDir();
  auto r = CheckOutput((fixture / "output").string(), (fixture / "commits").string(), "", opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto j = OutputCheckResultToJson(*r);
  EXPECT_EQ(r->valid, Validity::kValid) << j.dump(2);
  for (int k = 0; k < kNumOutputAnomalyKinds; ++k) {
    EXPECT_EQ(r->anomalies[k].count, 0u) << OutputAnomalyKindName(static_cast<K>(k));
  }
  EXPECT_EQ(r->finished_files, e["finished_files"].get<uint64_t>());
  EXPECT_EQ(r->finished_records, e["finished_records"].get<uint64_t>());
  // Orphaned (failed attempt), pending (closed at the barrier of a checkpoint that never
  // completed) and in-progress files: all hidden, all counted, none checked.
  EXPECT_EQ(r->in_progress_files, e["in_progress_files"].get<uint64_t>());
  EXPECT_EQ(r->in_progress_records, e["in_progress_records"].get<uint64_t>());
  EXPECT_GT(r->in_progress_records, 0u);
  EXPECT_EQ(r->other_files, e["other_files"].get<uint64_t>()) << j["files"].dump();
  EXPECT_EQ(r->committed_checkpoint, e["committed_checkpoint"].get<int64_t>());
  EXPECT_EQ(r->highest_checkpoint, e["highest_checkpoint"].get<int64_t>());
  EXPECT_EQ(r->commit_log_files, e["commit_log_files"].get<uint64_t>());
  EXPECT_EQ(r->commit_log_lines, e["commit_log_lines"].get<uint64_t>());
  EXPECT_EQ(r->commit_log_bad_lines, 0u);
  // The job was cancelled while a checkpoint was in flight, after the previous one was committed:
  // the finished files hold exactly what the committed checkpoint covers, key by key.
  ASSERT_EQ(r->keys.size(), static_cast<size_t>(opts.splits * opts.keys_per_split));
  uint64_t committed = 0;
  for (const auto& k : r->keys) {
    EXPECT_GT(k.committed, 0u) << k.key;
    EXPECT_EQ(k.distinct, k.committed) << k.key;
    committed += k.committed;
  }
  EXPECT_EQ(committed, e["committed_records"].get<uint64_t>());
  EXPECT_EQ(committed, r->finished_records);

  // Chunks and threads do not change the result on real data either.
  for (uint64_t chunk : {7ull, 100ull}) {
    OutputCheckOptions o = opts;
    o.chunk_bytes = chunk;
    o.threads = 2;
    auto r2 = CheckOutput((fixture / "output").string(), (fixture / "commits").string(), "", o);
    ASSERT_TRUE(r2.ok());
    EXPECT_EQ(OutputCheckResultToJson(*r2), j) << chunk;
  }
}

// A copy of the fixture with one finished record copied into another writer's part file and one
// committed record deleted from a third file: exactly one duplicate and one lost record.
TEST(OutputFixtureTest, OneDuplicateAndOneLostInTheRealOutputAreFound) {
  auto e = Expected();
  auto opts = FixtureOptions(e);
  fs::path root =
      fs::temp_directory_path() / ("jf_output_fixture_test_" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::copy(FixtureDir(), root, fs::copy_options::recursive);
  fs::path out = root / "output";

  // Finished part files by writer uuid, in name order.
  std::map<std::string, std::vector<fs::path>> by_writer;
  for (const auto& f : fs::directory_iterator(out)) {
    auto name = ParsePartFileName(f.path().filename().string());
    if (name.kind == OutputFileKind::kFinished) by_writer[name.writer].push_back(f.path());
  }
  ASSERT_GE(by_writer.size(), 2u);
  for (auto& [w, files] : by_writer) std::sort(files.begin(), files.end());
  auto keys_of_writer = [&](const std::string& w) {
    std::set<uint64_t> keys;
    for (const auto& f : by_writer.at(w)) {
      for (const auto& l : ReadLines(f)) keys.insert(Record(l).first);
    }
    return keys;
  };

  // The duplicate: the first line of some writer's first part, appended to a part of a writer
  // that never had that key (so it adds no out-of-order record in that file or writer).
  fs::path from, to;
  std::string dup_line;
  for (const auto& [w, files] : by_writer) {
    auto line = ReadLines(files.front()).front();
    for (const auto& [w2, files2] : by_writer) {
      if (w2 != w && !keys_of_writer(w2).contains(Record(line).first)) {
        from = files.front();
        to = files2.back();
        dup_line = line;
        break;
      }
    }
    if (!dup_line.empty()) break;
  }
  ASSERT_FALSE(dup_line.empty()) << "no writer pair without a common key";
  auto to_lines = ReadLines(to);
  to_lines.push_back(dup_line);
  WriteLines(to, to_lines);

  // The lost record: a middle line of another finished file (every finished record is
  // committed here, see the test above).
  fs::path victim;
  for (const auto& [w, files] : by_writer) {
    for (const auto& f : files) {
      if (f != from && f != to && ReadLines(f).size() >= 3) victim = f;
    }
  }
  ASSERT_FALSE(victim.empty());
  auto victim_lines = ReadLines(victim);
  size_t mid = victim_lines.size() / 2;
  auto lost = Record(victim_lines[mid]);
  victim_lines.erase(victim_lines.begin() + static_cast<std::ptrdiff_t>(mid));
  WriteLines(victim, victim_lines);

  auto r = CheckOutput(out.string(), (root / "commits").string(), "", opts);
  fs::remove_all(root);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto j = OutputCheckResultToJson(*r);
  EXPECT_EQ(r->valid, Validity::kInvalid);
  EXPECT_EQ(r->anomaly(K::kDuplicate).count, 1u) << j.dump(2);
  EXPECT_EQ(r->anomaly(K::kLost).count, 1u) << j.dump(2);
  for (auto k : {K::kOutOfOrder, K::kMalformed, K::kUnknownKey, K::kInJobAlert}) {
    EXPECT_EQ(r->anomaly(k).count, 0u) << OutputAnomalyKindName(k) << ": " << j.dump(2);
  }
  ASSERT_EQ(r->anomaly(K::kDuplicate).examples.size(), 1u);
  const auto& d = r->anomaly(K::kDuplicate).examples[0];
  EXPECT_EQ(std::make_pair(d.key, d.seq), Record(dup_line));
  std::string names = d.file + " " + d.detail;
  EXPECT_NE(names.find(from.filename().string()), std::string::npos) << names;
  EXPECT_NE(names.find(to.filename().string()), std::string::npos) << names;
  ASSERT_EQ(r->anomaly(K::kLost).examples.size(), 1u);
  const auto& l = r->anomaly(K::kLost).examples[0];
  EXPECT_EQ(std::make_pair(l.key, l.seq), lost);
  EXPECT_EQ(l.last_seq, lost.second);
  EXPECT_EQ(r->finished_records, e["finished_records"].get<uint64_t>());  // +1 -1
}

}  // namespace
}  // namespace jf
