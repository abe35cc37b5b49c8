// The exactly-once output checker: reads what the test job's FileSink wrote and the job's source
// commit logs, and checks that every committed record is in the output exactly once, in order.
//
// Formats (the job's side is described in job/README.md; these are fixed here):
//
// * Output directory OUT, Flink's FileSink layout (row format, rolling on checkpoint). Files are
//   found at any depth below OUT (one bucket directory, or none) and classified by name:
//     - finished part file:  part-<uuid>-<partCounter>[suffix]
//       (Flink's default FileSink name in 1.20 and 2.x: <uuid>, 8-4-4-4-12 hex digits, names one
//       writer's bucket instance, which a restored or idle-then-busy subtask replaces with a new
//       one; the name has no subtask index. [suffix] is empty or starts with a non-digit, e.g.
//       ".txt"; the job's non-transactional `append` sink names its files
//       part-<uuid>-<subtask>-0, i.e. counter = subtask, suffix "-0"). Only these count.
//     - in-progress or pending file (hidden):
//       .part-<uuid>-<partCounter>[suffix].inprogress.<uuid>
//       Counted and reported (files, records = '\n's), never checked, never counted as output.
//     - anything else (_SUCCESS, .crc files, ...): "other", listed and ignored.
// * A record is one line `<key> <seq>\n`: two decimal non-negative integers (at most 19 digits),
//   one space, '\n'. Anything else, including a torn last line without '\n', is "malformed"
//   (reported with file and line number; the scan goes on with the next line).
// * Commit logs: COMMITS/source-*.log, lines `<checkpointId> <splitIndex> <position>\n`. The
//   committed checkpoint is the HIGHEST id with a line for every split 0..S-1 (an id missing a
//   split, e.g. because a task failed before it was notified, is skipped). With position p for
//   split s, key k = s + i*S (0 <= i < K) is committed for seq < ceil((p - i) / K), 0 if p <= i.
//   Keys are therefore 0..S*K-1; any other key is "unknown-key". Bad commit-log lines and lines
//   for a split >= S are counted and ignored.
// * Alert files (optional): ALERTS/alerts-*.log, lines `<key> <expected> <actual> <wallclock-ms>
//   <subtaskIndex>\n` written by the job's own checker; every line is an "in-job-alert".
//
// Rules, each an anomaly kind with a count and the first examples:
//   lost          a seq below its key's committed bound is in no finished part file
//                 (count = missing records; an example is a range of missing seqs)
//   duplicate     a (key, seq) occurs more than once in the finished part files, anywhere, also
//                 above the committed bound (count = extra occurrences; an example names both
//                 files; the one reported first is the later in (uuid, partCounter) order)
//   out-of-order  within one part file a key's seqs do not strictly increase (count = records
//                 whose seq is <= the key's previous seq in the file); or, for one writer (uuid),
//                 the first seq of a key in a part file is <= the highest seq of that key in the
//                 writer's earlier part files (partCounter order; count = one per file and key)
//   malformed, unknown-key, in-job-alert: as above.
// Verdict: invalid if any anomaly; else unknown if no complete checkpoint is in the commit logs
// (nothing committed to check against); else valid.
//
// How it scales: files are mapped (mmap) in chunks of OutputCheckOptions::chunk_bytes and scanned
// on all cores; a scan keeps, per key, runs of consecutive seqs instead of the seqs themselves,
// so memory is proportional to the number of runs (files x keys + gaps + reorderings), not to the
// number of records (~30 MB for 10^8 records in 100 files). Output shuffled record by record
// would cost ~100 bytes per record. The result, examples included, does not depend on the
// number of threads or on the chunk size.
//
// Thread-safety: CheckOutput() is a pure function of the files it reads (the files must not be
// truncated while it runs: a mapped file that shrinks raises SIGBUS); it may be called
// concurrently. It starts and joins its own threads.
#ifndef JF_CHECKER_OUTPUT_H_
#define JF_CHECKER_OUTPUT_H_

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checker/checker.h"
#include "common/status.h"

namespace jf {

struct OutputCheckOptions {
  int splits = 12;         // the job's --splits
  int keys_per_split = 4;  // the job's --keys-per-split
  int threads = 0;         // scanning threads; 0 = one per core
  // Files larger than this are scanned in several chunks in parallel (tests use small values).
  uint64_t chunk_bytes = 16ull << 20;
  int max_examples = 10;  // per anomaly kind
};

enum class OutputAnomalyKind {
  kLost,
  kDuplicate,
  kOutOfOrder,
  kMalformed,
  kUnknownKey,
  kInJobAlert,
};
inline constexpr int kNumOutputAnomalyKinds = 6;
const char* OutputAnomalyKindName(OutputAnomalyKind kind);  // "lost", "out-of-order", ...

// One example of an anomaly. Fields that do not apply are empty / 0.
struct OutputExample {
  uint64_t key = 0;
  uint64_t seq = 0;
  uint64_t last_seq = 0;  // a range seq..last_seq (lost, duplicate); == seq for one record
  std::string file;       // relative to the directory it was found in; empty for lost
  uint64_t line = 0;      // 1-based; 0 if not known
  std::string detail;     // e.g. the malformed line, "after seq 17 in an earlier part"
};

struct OutputAnomalies {
  uint64_t count = 0;
  std::vector<OutputExample> examples;  // the first ones, at most max_examples
};

// Per key: what was committed and what the finished part files hold.
struct OutputKeySummary {
  uint64_t key = 0;
  int split = 0;
  uint64_t committed = 0;  // seqs 0..committed-1 are committed
  uint64_t distinct = 0;   // distinct seqs in finished part files
  std::optional<uint64_t> max_seq;
};

struct OutputCheckResult {
  Validity valid = Validity::kUnknown;
  std::array<OutputAnomalies, kNumOutputAnomalyKinds> anomalies;
  const OutputAnomalies& anomaly(OutputAnomalyKind k) const {
    return anomalies[static_cast<int>(k)];
  }

  uint64_t finished_files = 0;
  uint64_t finished_records = 0;  // well-formed lines, unknown keys included
  uint64_t in_progress_files = 0;
  uint64_t in_progress_records = 0;  // lines; not checked
  uint64_t other_files = 0;
  std::vector<std::string> other_examples;

  // Commit logs.
  uint64_t commit_log_files = 0;
  uint64_t commit_log_lines = 0;
  uint64_t commit_log_bad_lines = 0;                 // malformed or split >= S: ignored
  std::vector<std::string> commit_log_bad_examples;  // "file:line: text"
  std::optional<int64_t> committed_checkpoint;       // highest complete checkpoint id
  std::optional<int64_t> highest_checkpoint;         // highest id in the logs, complete or not
  uint64_t alert_files = 0;

  std::vector<OutputKeySummary> keys;  // one per key 0..S*K-1
};

// Checks OUT against the commit logs (and, if alert_dir is not empty, counts the alerts).
// kInvalidArgument for bad options or a missing directory; kInternal for I/O errors.
Result<OutputCheckResult> CheckOutput(const std::string& out_dir, const std::string& commit_log_dir,
                                      const std::string& alert_dir,
                                      const OutputCheckOptions& opts = {});

nlohmann::json OutputCheckResultToJson(const OutputCheckResult& r);
// The human-readable summary the CLI prints (without the verdict line), '\n'-terminated lines.
std::string FormatOutputCheckSummary(const OutputCheckResult& r);

// Building blocks, exposed for tests.

// The seqs of the key with index i (0 <= i < K) of a split at position p that are committed:
// seq < ceil((p - i) / K), 0 if p <= i.
uint64_t CommittedSeqBound(uint64_t position, int i, int keys_per_split);

enum class OutputFileKind { kFinished, kInProgress, kOther };
struct PartFileName {
  OutputFileKind kind = OutputFileKind::kOther;
  std::string writer;  // the <uuid>: one bucket instance of one sink subtask attempt
  uint64_t counter = 0;
};
// Classifies a file name (no directory part) by the rules above.
PartFileName ParsePartFileName(std::string_view name);

// The commit logs, read: position per split of the highest complete checkpoint.
struct CommittedPositions {
  std::optional<int64_t> checkpoint;  // none if no checkpoint is complete
  std::optional<int64_t> highest_checkpoint;
  std::vector<uint64_t> positions;  // per split; all 0 without a complete checkpoint
  uint64_t files = 0;
  uint64_t lines = 0;
  uint64_t bad_lines = 0;
  std::vector<std::string> bad_examples;
};
Result<CommittedPositions> ReadCommitLogs(const std::string& dir, int splits);

}  // namespace jf

#endif  // JF_CHECKER_OUTPUT_H_
