#include "checker/output.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "cli/cli.h"

namespace jf {
namespace {

namespace fs = std::filesystem;

constexpr int kS = 12;  // splits
constexpr int kK = 4;   // keys per split
constexpr int kT = 3;   // subtasks
constexpr const char* kUuid = "81fc4980-a6af-41c8-9937-9939408a734b";
constexpr const char* kUuid2 = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

using Records = std::vector<std::pair<uint64_t, uint64_t>>;  // (key, seq)
using Checkpoints = std::vector<std::vector<uint64_t>>;      // [id - 1][split] = position

struct Part {
  int subtask;
  int counter;
  Records records;
};

// Positions of checkpoint id j (1-based): 30 * j + s for split s, so splits and keys differ.
Checkpoints MakeCheckpoints(int n) {
  Checkpoints c(static_cast<size_t>(n), std::vector<uint64_t>(kS));
  for (int j = 0; j < n; ++j) {
    for (int s = 0; s < kS; ++s) c[j][s] = 30 * (j + 1) + s;
  }
  return c;
}

// The output a correct job writes for these checkpoints: split s belongs to subtask s % kT; part
// j of a subtask holds the records its splits emitted between checkpoints j and j+1 (ids), its
// splits round-robin, each split's keys round-robin (job/README.md).
std::vector<Part> CleanParts(const Checkpoints& checkpoints) {
  std::vector<Part> parts;
  std::vector<uint64_t> from(kS, 0);
  for (size_t j = 0; j < checkpoints.size(); ++j) {
    for (int t = 0; t < kT; ++t) {
      Part p{t, static_cast<int>(j), {}};
      for (uint64_t r = 0, more = 1; more != 0; ++r) {
        more = 0;
        for (int s = t; s < kS; s += kT) {
          uint64_t n = from[s] + r;
          if (n < checkpoints[j][s]) {
            p.records.push_back({s + (n % kK) * kS, n / kK});
            more = 1;
          }
        }
      }
      parts.push_back(std::move(p));
    }
    from = checkpoints[j];
  }
  return parts;
}

uint64_t Sum(const std::vector<uint64_t>& v) { return std::accumulate(v.begin(), v.end(), 0ull); }

std::string Lines(const Records& records) {
  std::string s;
  for (auto [k, q] : records) s += fmt::format("{} {}\n", k, q);
  return s;
}

class OutputCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    root_ = fs::temp_directory_path() / fmt::format("jf_output_test_{}_{}", getpid(), n++);
    fs::remove_all(root_);
    out_ = root_ / "out";
    commits_ = root_ / "commits";
    alerts_ = root_ / "alerts";
    fs::create_directories(out_ / "2024-01-01--12");
    fs::create_directories(commits_);
    fs::create_directories(alerts_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void WriteFile(const fs::path& path, const std::string& content) {
    std::ofstream f(path, std::ios::binary);
    f << content;
    ASSERT_TRUE(f.good()) << path;
  }
  // One FileSink writer (uuid) per subtask; uuids sort in subtask order.
  static std::string WriterUuid(int subtask) {
    return fmt::format("{:08x}-a6af-41c8-9937-9939408a734b", subtask);
  }
  static std::string PartName(const Part& p) {
    return fmt::format("part-{}-{}", WriterUuid(p.subtask), p.counter);
  }
  void WritePart(const Part& p) {
    WriteFile(out_ / "2024-01-01--12" / PartName(p), Lines(p.records));
  }
  void WriteParts(const std::vector<Part>& parts) {
    for (const auto& p : parts) WritePart(p);
  }
  // One log per subtask with its splits' lines for every checkpoint; `skip` (id, split) leaves
  // one line out.
  void WriteCommitLogs(const Checkpoints& c, std::pair<int, int> skip = {-1, -1}) {
    for (int t = 0; t < kT; ++t) {
      std::string s;
      for (size_t j = 0; j < c.size(); ++j) {
        for (int split = t; split < kS; split += kT) {
          if (skip == std::pair<int, int>(static_cast<int>(j + 1), split)) continue;
          s += fmt::format("{} {} {}\n", j + 1, split, c[j][split]);
        }
      }
      WriteFile(commits_ / fmt::format("source-{}-{}.log", t, kUuid2), s);
    }
  }
  // The clean output and logs of n checkpoints.
  std::vector<Part> WriteClean(int n = 3) {
    auto c = MakeCheckpoints(n);
    auto parts = CleanParts(c);
    WriteParts(parts);
    WriteCommitLogs(c);
    return parts;
  }

  OutputCheckResult Check(OutputCheckOptions opts = {}, bool alerts = false) {
    opts.chunk_bytes = chunk_bytes_;
    auto r = CheckOutput(out_.string(), commits_.string(), alerts ? alerts_.string() : "", opts);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : OutputCheckResult{};
  }
  static uint64_t Count(const OutputCheckResult& r, OutputAnomalyKind k) {
    return r.anomaly(k).count;
  }
  // Every kind but `kind` has no anomaly.
  static void ExpectOnly(const OutputCheckResult& r, std::vector<OutputAnomalyKind> kinds) {
    for (int k = 0; k < kNumOutputAnomalyKinds; ++k) {
      auto kind = static_cast<OutputAnomalyKind>(k);
      if (std::find(kinds.begin(), kinds.end(), kind) != kinds.end()) continue;
      EXPECT_EQ(Count(r, kind), 0u)
          << OutputAnomalyKindName(kind) << ": " << OutputCheckResultToJson(r).dump();
    }
  }

  fs::path root_, out_, commits_, alerts_;
  uint64_t chunk_bytes_ = 16 << 20;
};

using K = OutputAnomalyKind;

TEST(OutputCheckUnitTest, CommittedSeqBound) {
  EXPECT_EQ(CommittedSeqBound(0, 0, 4), 0u);
  EXPECT_EQ(CommittedSeqBound(1, 0, 4), 1u);  // record 0: key i=0 seq 0
  EXPECT_EQ(CommittedSeqBound(1, 1, 4), 0u);
  EXPECT_EQ(CommittedSeqBound(4, 3, 4), 1u);
  EXPECT_EQ(CommittedSeqBound(5, 0, 4), 2u);  // records 0 and 4
  EXPECT_EQ(CommittedSeqBound(5, 1, 4), 1u);
  EXPECT_EQ(CommittedSeqBound(8, 3, 4), 2u);
  EXPECT_EQ(CommittedSeqBound(3, 3, 4), 0u);
}

TEST(OutputCheckUnitTest, PartFileNames) {
  // Flink's FileSink (1.20 and 2.x): part-<uuid>-<partCounter>, no subtask index.
  auto p = ParsePartFileName(fmt::format("part-{}-17", kUuid));
  EXPECT_EQ(p.kind, OutputFileKind::kFinished);
  EXPECT_EQ(p.writer, kUuid);
  EXPECT_EQ(p.counter, 17u);
  p = ParsePartFileName(fmt::format("part-{}-3.txt", kUuid));
  EXPECT_EQ(p.kind, OutputFileKind::kFinished);
  EXPECT_EQ(p.counter, 3u);
  p = ParsePartFileName(fmt::format(".part-{}-4.txt.inprogress.{}", kUuid, kUuid2));
  EXPECT_EQ(p.kind, OutputFileKind::kInProgress);
  EXPECT_EQ(p.writer, kUuid);
  EXPECT_EQ(p.counter, 4u);
  // The job's append sink: part-<uuid>-<subtask>-0 is one writer's only file.
  p = ParsePartFileName(fmt::format("part-{}-2-0", kUuid));
  EXPECT_EQ(p.kind, OutputFileKind::kFinished);
  EXPECT_EQ(p.writer, kUuid);
  for (const std::string& other :
       {std::string("_SUCCESS"), std::string("part-0-0"), fmt::format("part-{}", kUuid),
        fmt::format("part-{}-x", kUuid), fmt::format(".part-{}-2", kUuid),
        fmt::format(".part-{}-2.crc", kUuid), fmt::format(".part-{}-2.inprogress.x", kUuid),
        fmt::format("xpart-{}-2", kUuid)}) {
    EXPECT_EQ(ParsePartFileName(other).kind, OutputFileKind::kOther) << other;
  }
}

TEST_F(OutputCheckTest, CleanOutputIsValid) {
  WriteClean(3);
  auto c = MakeCheckpoints(3);
  auto r = Check();
  EXPECT_EQ(r.valid, Validity::kValid) << OutputCheckResultToJson(r).dump(2);
  ExpectOnly(r, {});
  EXPECT_EQ(r.committed_checkpoint, 3);
  EXPECT_EQ(r.finished_files, 9u);
  EXPECT_EQ(r.finished_records, Sum(c[2]));
  EXPECT_EQ(r.commit_log_files, 3u);
  EXPECT_EQ(r.commit_log_lines, 36u);
  ASSERT_EQ(r.keys.size(), static_cast<size_t>(kS * kK));
  for (const auto& k : r.keys) {
    uint64_t bound = CommittedSeqBound(c[2][k.split], static_cast<int>(k.key / kS), kK);
    EXPECT_EQ(k.committed, bound) << k.key;
    EXPECT_EQ(k.distinct, bound) << k.key;
  }
  auto j = OutputCheckResultToJson(r);
  EXPECT_EQ(j["valid?"], true);
  EXPECT_EQ(j["anomalies"]["lost"]["count"], 0);
}

TEST_F(OutputCheckTest, LostRecordIsFound) {
  auto c = MakeCheckpoints(3);
  auto parts = CleanParts(c);
  auto lost = parts[4].records[5];  // subtask 1, part 1
  parts[4].records.erase(parts[4].records.begin() + 5);
  WriteParts(parts);
  WriteCommitLogs(c);
  auto r = Check();
  EXPECT_EQ(r.valid, Validity::kInvalid);
  EXPECT_EQ(Count(r, K::kLost), 1u);
  ExpectOnly(r, {K::kLost});
  ASSERT_EQ(r.anomaly(K::kLost).examples.size(), 1u);
  EXPECT_EQ(r.anomaly(K::kLost).examples[0].key, lost.first);
  EXPECT_EQ(r.anomaly(K::kLost).examples[0].seq, lost.second);
}

TEST_F(OutputCheckTest, LostRangeIsOneExampleWithTheRecordCount) {
  auto c = MakeCheckpoints(3);
  auto parts = CleanParts(c);
  // Everything of key 0 in subtask 0's part 1 is lost.
  auto& recs = parts[3].records;
  uint64_t n = std::erase_if(recs, [](auto r) { return r.first == 0; });
  WriteParts(parts);
  WriteCommitLogs(c);
  auto r = Check();
  EXPECT_EQ(Count(r, K::kLost), n);
  ASSERT_EQ(r.anomaly(K::kLost).examples.size(), 1u);
  const auto& ex = r.anomaly(K::kLost).examples[0];
  EXPECT_EQ(ex.last_seq - ex.seq + 1, n);
}

TEST_F(OutputCheckTest, DuplicateAcrossSubtasksIsFound) {
  auto c = MakeCheckpoints(3);
  auto parts = CleanParts(c);
  auto dup = parts[0].records[7];   // subtask 0, part 0
  parts[5].records.push_back(dup);  // subtask 2, part 1: a key it never had
  WriteParts(parts);
  WriteCommitLogs(c);
  auto r = Check();
  EXPECT_EQ(r.valid, Validity::kInvalid);
  EXPECT_EQ(Count(r, K::kDuplicate), 1u);
  ExpectOnly(r, {K::kDuplicate});
  ASSERT_EQ(r.anomaly(K::kDuplicate).examples.size(), 1u);
  const auto& ex = r.anomaly(K::kDuplicate).examples[0];
  EXPECT_EQ(ex.key, dup.first);
  EXPECT_EQ(ex.seq, dup.second);
  // Files are merged per subtask: the copy in subtask 2 is the one reported, with its line.
  EXPECT_EQ(ex.file, "2024-01-01--12/" + PartName(parts[5]));
  EXPECT_EQ(ex.line, parts[5].records.size());
  EXPECT_NE(ex.detail.find(PartName(parts[0])), std::string::npos) << ex.detail;
}

TEST_F(OutputCheckTest, DuplicateAboveTheCommittedBoundIsFound) {
  auto c = MakeCheckpoints(4);
  auto parts = CleanParts(c);
  parts[10].records.push_back(parts[9].records.back());  // part 3: not committed by the logs
  WriteParts(parts);
  c.pop_back();
  WriteCommitLogs(c);
  auto r = Check();
  EXPECT_EQ(Count(r, K::kDuplicate), 1u);
  ExpectOnly(r, {K::kDuplicate});
}

TEST_F(OutputCheckTest, ReplayedRecordsInOneFileAreDuplicatesAndOutOfOrder) {
  auto c = MakeCheckpoints(3);
  auto parts = CleanParts(c);
  auto& recs = parts[1].records;  // subtask 1, part 0
  Records replay(recs.begin(), recs.begin() + 8);
  recs.insert(recs.end(), replay.begin(), replay.end());
  WriteParts(parts);
  WriteCommitLogs(c);
  auto r = Check();
  EXPECT_EQ(Count(r, K::kDuplicate), 8u);
  // One record per key goes back: the first of each key in the replay.
  std::set<uint64_t> keys;
  for (auto [k, q] : replay) keys.insert(k);
  EXPECT_EQ(Count(r, K::kOutOfOrder), keys.size());
  ExpectOnly(r, {K::kDuplicate, K::kOutOfOrder});
}

TEST_F(OutputCheckTest, OutOfOrderWithinAFileIsFound) {
  auto c = MakeCheckpoints(3);
  auto parts = CleanParts(c);
  auto& recs = parts[2].records;  // subtask 2, part 0: swap two records of one key
  size_t a = 3;
  size_t b = a + 1;
  while (recs[b].first != recs[a].first) ++b;
  std::swap(recs[a], recs[b]);
  WriteParts(parts);
  WriteCommitLogs(c);
  auto r = Check();
  EXPECT_EQ(r.valid, Validity::kInvalid);
  EXPECT_EQ(Count(r, K::kOutOfOrder), 1u);
  ExpectOnly(r, {K::kOutOfOrder});
  ASSERT_EQ(r.anomaly(K::kOutOfOrder).examples.size(), 1u);
  EXPECT_EQ(r.anomaly(K::kOutOfOrder).examples[0].line, b + 1);
  EXPECT_EQ(r.anomaly(K::kOutOfOrder).examples[0].seq, recs[b].second);
}

TEST_F(OutputCheckTest, OutOfOrderAcrossPartsOfASubtaskIsFound) {
  auto c = MakeCheckpoints(3);
  auto parts = CleanParts(c);
  std::swap(parts[2].counter, parts[5].counter);  // subtask 2: parts 0 and 1 swap places
  WriteParts(parts);
  WriteCommitLogs(c);
  auto r = Check();
  std::set<uint64_t> keys;
  for (auto [k, q] : parts[2].records) keys.insert(k);
  EXPECT_EQ(Count(r, K::kOutOfOrder), keys.size());  // one per key of the moved part
  ExpectOnly(r, {K::kOutOfOrder});
  ASSERT_FALSE(r.anomaly(K::kOutOfOrder).examples.empty());
  EXPECT_NE(r.anomaly(K::kOutOfOrder).examples[0].detail.find("earlier part"), std::string::npos);
}

TEST_F(OutputCheckTest, MalformedLinesAreFoundAndTheRestIsChecked) {
  auto c = MakeCheckpoints(3);
  auto parts = CleanParts(c);
  WriteParts(parts);
  WriteCommitLogs(c);
  // Extra lines around a committed part's content; the torn last line has no newline.
  std::string bad =
      "x 1\n" + Lines(parts[0].records) + "1  2\n\n1 2 3\n-1 2\n" + "1 12345678901234567890\n5 7";
  WriteFile(out_ / "2024-01-01--12" / PartName(parts[0]), bad);
  auto r = Check();
  EXPECT_EQ(r.valid, Validity::kInvalid);
  EXPECT_EQ(Count(r, K::kMalformed), 7u);
  ExpectOnly(r, {K::kMalformed});
  const auto& ex = r.anomaly(K::kMalformed).examples;
  ASSERT_EQ(ex.size(), 7u);
  uint64_t n = parts[0].records.size();
  std::vector<uint64_t> lines = {1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7};
  for (size_t i = 0; i < ex.size(); ++i) EXPECT_EQ(ex[i].line, lines[i]) << i;
  EXPECT_EQ(ex[0].detail, "x 1");
  EXPECT_NE(ex[6].detail.find("no newline"), std::string::npos);
}

TEST_F(OutputCheckTest, UnknownKeyIsFound) {
  auto c = MakeCheckpoints(3);
  auto parts = CleanParts(c);
  parts[1].records.push_back({kS * kK, 0});
  WriteParts(parts);
  WriteCommitLogs(c);
  auto r = Check();
  EXPECT_EQ(r.valid, Validity::kInvalid);
  EXPECT_EQ(Count(r, K::kUnknownKey), 1u);
  ExpectOnly(r, {K::kUnknownKey});
  ASSERT_EQ(r.anomaly(K::kUnknownKey).examples.size(), 1u);
  EXPECT_EQ(r.anomaly(K::kUnknownKey).examples[0].key, static_cast<uint64_t>(kS * kK));
}

TEST_F(OutputCheckTest, UncommittedRecordsBeyondTheBoundAreValid) {
  auto c = MakeCheckpoints(4);
  WriteParts(CleanParts(c));
  c.pop_back();  // the logs know checkpoints 1..3 only
  WriteCommitLogs(c);
  auto r = Check();
  EXPECT_EQ(r.valid, Validity::kValid) << OutputCheckResultToJson(r).dump(2);
  EXPECT_EQ(r.committed_checkpoint, 3);
  EXPECT_GT(r.finished_records, Sum(c[2]));
}

TEST_F(OutputCheckTest, InProgressFilesAreReportedButNotCounted) {
  auto parts = WriteClean(3);
  // A pending file with a copy of committed records and a broken line: not checked.
  std::string text = Lines(parts[0].records) + "garbage\n";
  WriteFile(out_ / "2024-01-01--12" / fmt::format(".part-{}-0-3.inprogress.{}", kUuid, kUuid2),
            text);
  auto r = Check();
  EXPECT_EQ(r.valid, Validity::kValid) << OutputCheckResultToJson(r).dump(2);
  EXPECT_EQ(r.in_progress_files, 1u);
  EXPECT_EQ(r.in_progress_records, parts[0].records.size() + 1);
  EXPECT_EQ(r.finished_files, 9u);
  EXPECT_EQ(r.finished_records, Sum(MakeCheckpoints(3)[2]));
}

TEST_F(OutputCheckTest, OtherFilesAreListedAndIgnored) {
  WriteClean(3);
  WriteFile(out_ / "_SUCCESS", "");
  WriteFile(out_ / "2024-01-01--12" / fmt::format(".part-{}-0-0.crc", kUuid), "xx");
  WriteFile(out_ / "2024-01-01--12" / "notes.txt", "1 1\n");
  auto r = Check();
  EXPECT_EQ(r.valid, Validity::kValid);
  EXPECT_EQ(r.other_files, 3u);
  EXPECT_EQ(r.other_examples.size(), 3u);
}

TEST_F(OutputCheckTest, IncompleteCheckpointIsSkippedForTheHighestComplete) {
  auto c = MakeCheckpoints(3);
  WriteParts(CleanParts({c[0], c[1]}));  // output up to checkpoint 2
  WriteCommitLogs(c, {3, 5});            // checkpoint 3 lacks split 5's line
  auto r = Check();
  EXPECT_EQ(r.valid, Validity::kValid) << OutputCheckResultToJson(r).dump(2);
  EXPECT_EQ(r.committed_checkpoint, 2);
  EXPECT_EQ(r.highest_checkpoint, 3);
  // Had checkpoint 3 been taken, records would be lost: the logs decide.
  WriteCommitLogs(c);
  r = Check();
  EXPECT_EQ(r.committed_checkpoint, 3);
  EXPECT_GT(Count(r, K::kLost), 0u);
}

TEST_F(OutputCheckTest, NoCompleteCheckpointIsUnknown) {
  auto c = MakeCheckpoints(1);
  WriteParts(CleanParts(c));
  WriteCommitLogs(c, {1, 0});
  auto r = Check();
  EXPECT_EQ(r.valid, Validity::kUnknown);
  EXPECT_FALSE(r.committed_checkpoint.has_value());
  EXPECT_EQ(r.highest_checkpoint, 1);
  ExpectOnly(r, {});
  // No logs at all: the same.
  fs::remove_all(commits_);
  fs::create_directories(commits_);
  r = Check();
  EXPECT_EQ(r.valid, Validity::kUnknown);
}

TEST_F(OutputCheckTest, DuplicatesWithoutACommittedCheckpointAreStillInvalid) {
  auto parts = CleanParts(MakeCheckpoints(1));
  parts[1].records.push_back(parts[0].records[0]);
  WriteParts(parts);
  auto r = Check();
  EXPECT_EQ(r.valid, Validity::kInvalid);
  EXPECT_EQ(Count(r, K::kDuplicate), 1u);
}

TEST_F(OutputCheckTest, CommitLogBadLinesAreIgnoredAndCounted) {
  auto c = MakeCheckpoints(2);
  WriteParts(CleanParts(c));
  WriteCommitLogs(c);
  // A line for split 12 (S = 12), a malformed one and a torn one claiming checkpoint 9.
  WriteFile(commits_ / fmt::format("source-0-{}.log", kUuid), "9 12 5\n9 x 1\n9 0 4");
  WriteFile(commits_ / "unrelated.txt", "1 2 3\n");
  auto r = Check();
  EXPECT_EQ(r.valid, Validity::kValid) << OutputCheckResultToJson(r).dump(2);
  EXPECT_EQ(r.committed_checkpoint, 2);
  EXPECT_EQ(r.commit_log_files, 4u);
  EXPECT_EQ(r.commit_log_bad_lines, 3u);
  EXPECT_EQ(r.commit_log_bad_examples.size(), 3u);
}

TEST_F(OutputCheckTest, InJobAlertsAreViolations) {
  WriteClean(3);
  WriteFile(alerts_ / fmt::format("alerts-1-{}.log", kUuid),
            "7 5 9 1700000000000 1\n7 10 3 1700000000001 1\n");
  WriteFile(alerts_ / "other.log", "1 2 3 4 5\n");
  auto r = Check({}, /*alerts=*/true);
  EXPECT_EQ(r.valid, Validity::kInvalid);
  EXPECT_EQ(r.alert_files, 1u);
  EXPECT_EQ(Count(r, K::kInJobAlert), 2u);
  ExpectOnly(r, {K::kInJobAlert});
  const auto& ex = r.anomaly(K::kInJobAlert).examples;
  ASSERT_EQ(ex.size(), 2u);
  EXPECT_EQ(ex[0].key, 7u);
  EXPECT_EQ(ex[0].seq, 9u);
  EXPECT_EQ(ex[1].line, 2u);
}

// The fast path (KeyScan::text) and the general parser must agree: seqs across digit-count
// boundaries, past 10^8 (no text), with leading zeros.
TEST_F(OutputCheckTest, SeqsOfEveryLengthAreContiguous) {
  Records recs;
  for (uint64_t q = 0; q < 1200; ++q) recs.push_back({1, q});
  for (uint64_t q = 99'999'990; q < 100'000'010; ++q) recs.push_back({13, q});
  std::string text = Lines(recs) + "1 001200\n13 0100000010\n";
  WriteFile(out_ / fmt::format("part-{}-0-0", kUuid), text);
  auto r = Check();
  EXPECT_EQ(r.valid, Validity::kUnknown);  // no commit logs
  ExpectOnly(r, {});
  EXPECT_EQ(r.keys[1].distinct, 1201u);
  EXPECT_EQ(r.keys[13].distinct, 21u);
  EXPECT_EQ(r.keys[13].max_seq, 100'000'010u);
  // Runs that start and end at digit-count boundaries, then a step back.
  WriteFile(out_ / fmt::format("part-{}-0-0", kUuid), "1 9\n1 10\n1 99\n1 100\n1 99\n");
  r = Check();
  EXPECT_EQ(Count(r, K::kOutOfOrder), 1u);
  EXPECT_EQ(Count(r, K::kDuplicate), 1u);
}

// Chunks (down to one byte, so that every line boundary is a chunk boundary) and threads do not
// change anything in the result.
TEST_F(OutputCheckTest, ChunksAndThreadsDoNotChangeTheResult) {
  auto c = MakeCheckpoints(3);
  auto parts = CleanParts(c);
  parts[0].records.erase(parts[0].records.begin() + 3);                  // lost
  parts[4].records.push_back(parts[0].records[10]);                      // duplicate
  std::swap(parts[2].records[20], parts[2].records[20 + kS / kT * kK]);  // out of order
  std::swap(parts[7].counter, parts[4].counter);                         // across parts
  parts[1].records.push_back({999, 1});                                  // unknown key
  WriteParts(parts);
  WriteCommitLogs(c);
  WriteFile(out_ / fmt::format("part-{}-1-9", kUuid), "7 1\nbad\n1 2\n12");
  chunk_bytes_ = 16 << 20;
  OutputCheckOptions one;
  one.threads = 1;
  auto expected = OutputCheckResultToJson(Check(one));
  EXPECT_EQ(expected["valid?"], false);
  for (auto kind : {"lost", "duplicate", "out-of-order", "malformed", "unknown-key"}) {
    EXPECT_GT(expected["anomalies"][kind]["count"], 0) << kind;
  }
  for (uint64_t chunk : {1ull, 2ull, 5ull, 13ull, 64ull, 1000ull}) {
    for (int threads : {1, 2, 3}) {
      chunk_bytes_ = chunk;
      OutputCheckOptions o;
      o.threads = threads;
      EXPECT_EQ(OutputCheckResultToJson(Check(o)), expected) << chunk << " " << threads;
    }
  }
}

TEST_F(OutputCheckTest, ManyExamplesAreCappedButAllCounted) {
  auto c = MakeCheckpoints(3);
  auto parts = CleanParts(c);
  for (auto& p : parts) p.records.erase(p.records.begin());  // 9 lost
  for (int i = 0; i < 15; ++i) parts[0].records.push_back({static_cast<uint64_t>(1000 + i), 0});
  WriteParts(parts);
  WriteCommitLogs(c);
  auto r = Check();
  EXPECT_EQ(Count(r, K::kLost), 9u);
  EXPECT_EQ(Count(r, K::kUnknownKey), 15u);
  ASSERT_EQ(r.anomaly(K::kUnknownKey).examples.size(), 10u);
  EXPECT_EQ(r.anomaly(K::kUnknownKey).examples[0].key, 1000u);
}

TEST_F(OutputCheckTest, MissingDirectoryIsAnArgumentError) {
  auto r = CheckOutput((root_ / "nope").string(), commits_.string(), "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = CheckOutput(out_.string(), (root_ / "nope").string(), "");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  OutputCheckOptions bad;
  bad.splits = 0;
  r = CheckOutput(out_.string(), commits_.string(), "", bad);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

int RunCheckOutputCli(std::vector<std::string> args) {
  args.insert(args.begin(), {"jepsen-flink", "check-output"});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return RunCli(static_cast<int>(argv.size()), argv.data());
}

TEST_F(OutputCheckTest, CliExitCodes) {
  auto c = MakeCheckpoints(2);
  auto parts = CleanParts(c);
  WriteParts(parts);
  std::string json = (root_ / "r.json").string();
  // No logs: unknown.
  EXPECT_EQ(RunCheckOutputCli({out_.string(), "--commit-log-dir", commits_.string()}), 2);
  WriteCommitLogs(c);
  EXPECT_EQ(RunCheckOutputCli({out_.string(), "--commit-log-dir", commits_.string(), "--alert-dir",
                               alerts_.string(), "--json", json}),
            0);
  std::ifstream in(json);
  auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["valid?"], true);
  EXPECT_EQ(j["committed_checkpoint"], 2);
  parts[0].records.pop_back();
  WritePart(parts[0]);
  EXPECT_EQ(RunCheckOutputCli({out_.string(), "--commit-log-dir", commits_.string()}), 1);
  EXPECT_EQ(RunCheckOutputCli({(root_ / "nope").string(), "--commit-log-dir", commits_.string()}),
            254);
  EXPECT_EQ(RunCheckOutputCli({out_.string()}), 254);  // --commit-log-dir is required here
  EXPECT_EQ(
      RunCheckOutputCli({out_.string(), "--commit-log-dir", commits_.string(), "--splits", "0"}),
      254);
}

TEST_F(OutputCheckTest, CliTakesAStoredRun) {
  auto c = MakeCheckpoints(2);
  WriteParts(CleanParts(c));
  WriteCommitLogs(c);
  // The layout a run leaves: RUN/test.json, RUN/job/{output,commits}.
  fs::path run = root_ / "run";
  fs::create_directories(run / "job");
  fs::rename(out_, run / "job" / "output");
  fs::rename(commits_, run / "job" / "commits");
  // The splits come from test.json (the defaults would find unknown keys if they differed).
  std::ofstream(run / "test.json") << nlohmann::json{{"job-splits", kS}, {"job-keys-per-split", kK}};
  EXPECT_EQ(RunCheckOutputCli({run.string()}), 0);
  EXPECT_EQ(RunCheckOutputCli({(run / "job").string()}), 0);
  std::ofstream(run / "test.json") << nlohmann::json{{"job-splits", 1}, {"job-keys-per-split", 1}};
  EXPECT_EQ(RunCheckOutputCli({run.string()}), 1);  // every key but 0 is unknown
  EXPECT_EQ(RunCheckOutputCli({run.string(), "--splits", std::to_string(kS), "--keys-per-split",
                               std::to_string(kK)}),
            0);  // explicit options win
}

}  // namespace
}  // namespace jf
