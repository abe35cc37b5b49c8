// jf-gen-output: writes synthetic test-job output for bench/output_checker.sh, in the formats of
// checker/output.h: FileSink part files under DIR/output/<bucket>/ and source commit logs under
// DIR/commits/, as a job with S splits over T source/sink subtasks would have written them.
//
//   jf-gen-output DIR N [--splits 12] [--keys-per-split 4] [--subtasks 3]
//                 [--part-records 1000000] [--lose L] [--duplicate D] [--seed 1]
//
// Split s belongs to subtask s % T and emits records round-robin over its keys (job/README.md).
// A checkpoint every ~part-records records per subtask rolls every subtask's part file; the
// records after the last checkpoint stay in an in-progress file. The last checkpoint's commit-log
// lines are missing for subtask T-1 (a task that failed before it was notified), so the
// committed checkpoint is the one before it and the last finished parts are above the committed
// bounds (allowed). L committed records are left out (lost) and D committed records are written
// a second time, at the end of the last finished part of the next subtask (duplicates that break
// no order rule, T >= 2). Prints what a checker must find, as key=value lines.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "jf-gen-output: %s\n", msg.c_str());
  std::exit(2);
}

// A file written through a large buffer.
class Writer {
 public:
  explicit Writer(const std::string& path) : path_(path) {
    fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) Die(path + ": " + std::strerror(errno));
    buf_.reserve(kBuf + 64);
  }
  ~Writer() {
    Flush();
    close(fd_);
  }
  void Number(uint64_t v) {
    char tmp[20];
    int n = 0;
    do {
      tmp[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n > 0) buf_.push_back(tmp[--n]);
  }
  void Char(char c) {
    buf_.push_back(c);
    if (buf_.size() >= kBuf) Flush();
  }
  void Record(uint64_t key, uint64_t seq) {
    Number(key);
    Char(' ');
    Number(seq);
    Char('\n');
  }

 private:
  static constexpr size_t kBuf = 1 << 20;
  void Flush() {
    size_t off = 0;
    while (off < buf_.size()) {
      ssize_t n = write(fd_, buf_.data() + off, buf_.size() - off);
      if (n < 0) Die(path_ + ": " + std::strerror(errno));
      off += static_cast<size_t>(n);
    }
    buf_.clear();
  }
  std::string path_;
  int fd_;
  std::string buf_;
};

std::string Uuid(std::mt19937_64& rng) {
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) s += '-';
    s += hex[rng() % 16];
  }
  return s;
}

uint64_t Arg(const char* v) {
  char* end = nullptr;
  errno = 0;
  unsigned long long x = std::strtoull(v, &end, 10);
  if (errno != 0 || end == v || *end != '\0') Die(std::string("bad number: ") + v);
  return x;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    Die("usage: jf-gen-output DIR N [--splits S] [--keys-per-split K] [--subtasks T] "
        "[--part-records R] [--lose L] [--duplicate D] [--seed X]");
  }
  std::string dir = argv[1];
  uint64_t n = Arg(argv[2]);
  uint64_t S = 12;  // splits
  uint64_t K = 4;   // keys per split
  uint64_t T = 3;   // subtasks
  uint64_t part_records = 1000000, lose = 0, dup = 0, seed = 1;
  const std::pair<const char*, uint64_t*> options[] = {
      {"--splits", &S},   {"--keys-per-split", &K},
      {"--subtasks", &T}, {"--part-records", &part_records},
      {"--lose", &lose},  {"--duplicate", &dup},
      {"--seed", &seed}};
  for (int i = 3; i < argc; i += 2) {
    if (i + 1 >= argc) Die(std::string("missing value for ") + argv[i]);
    uint64_t* target = nullptr;
    for (const auto& [name, p] : options) {
      if (std::strcmp(argv[i], name) == 0) target = p;
    }
    if (target == nullptr) Die(std::string("unknown option ") + argv[i]);
    *target = Arg(argv[i + 1]);
  }
  if (S == 0 || K == 0 || T == 0 || T > S) Die("need S, K >= 1 and 1 <= T <= S");
  if (dup > 0 && T < 2) Die("--duplicate needs --subtasks >= 2");
  std::mt19937_64 rng(seed);

  // Splits, positions, checkpoints.
  std::vector<uint64_t> total(S);  // records per split
  for (uint64_t s = 0; s < S; ++s) total[s] = n / S + (s < n % S ? 1 : 0);
  std::vector<std::vector<uint64_t>> owned(T);
  for (uint64_t s = 0; s < S; ++s) owned[s % T].push_back(s);
  const uint64_t rounds = (n + S - 1) / S;     // the longest split's records
  const uint64_t per_round = owned[0].size();  // the most splits a subtask has
  const uint64_t c = std::max<uint64_t>(1, part_records / per_round);  // rounds per checkpoint
  const uint64_t checkpoints = rounds / c;  // checkpoint j covers rounds < j*c
  const uint64_t committed = T > 1 ? (checkpoints > 0 ? checkpoints - 1 : 0) : checkpoints;
  // Rounds below committed*c are committed. Anomalies go below n / S too, where every split emits
  // in every round, so record i of subtask t's stream is record i / m of split owned[t][i % m].
  const uint64_t committed_rounds = std::min(committed * c, n / S);
  if (lose + dup > committed_rounds) Die("too few committed records to inject that many anomalies");

  // Injections: distinct (subtask, stream index) in the committed region.
  std::set<std::pair<uint64_t, uint64_t>> picked;
  std::vector<std::vector<uint64_t>> lost(T);
  std::vector<std::vector<std::pair<uint64_t, uint64_t>>> dups(T);  // by target subtask
  while (picked.size() < lose + dup) {
    uint64_t t = rng() % T;
    uint64_t m = owned[t].size();
    uint64_t i = rng() % (committed_rounds * m);
    if (!picked.insert({t, i}).second) continue;
    if (picked.size() <= lose) {
      lost[t].push_back(i);
    } else {
      uint64_t s = owned[t][i % m];
      uint64_t rec = i / m;
      dups[(t + 1) % T].push_back({s + (rec % K) * S, rec / K});
    }
  }
  for (auto& l : lost) std::sort(l.begin(), l.end());
  for (auto& d : dups) std::sort(d.begin(), d.end());  // by key, then seq: in order per key

  std::string out = dir + "/output/2024-01-01--12";
  std::string commits = dir + "/commits";
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) Die(out + ": " + ec.message());
  std::filesystem::create_directories(commits, ec);
  if (ec) Die(commits + ": " + ec.message());

  uint64_t finished_records = 0, finished_files = 0, in_progress_records = 0;
  for (uint64_t t = 0; t < T; ++t) {
    std::string uuid = Uuid(rng);
    uint64_t index = 0;  // in the subtask's stream
    size_t next_lost = 0;
    for (uint64_t part = 0; part * c < rounds; ++part) {
      bool finished = part < checkpoints;
      std::string path = finished ? out + "/part-" + uuid + "-" + std::to_string(part)
                                  : out + "/.part-" + uuid + "-" + std::to_string(part) +
                                        ".inprogress." + Uuid(rng);
      Writer w(path);
      uint64_t written = 0;
      for (uint64_t r = part * c; r < std::min(rounds, (part + 1) * c); ++r) {
        for (uint64_t s : owned[t]) {
          if (r >= total[s]) continue;
          uint64_t i = index++;
          if (next_lost < lost[t].size() && lost[t][next_lost] == i) {
            ++next_lost;
            continue;
          }
          w.Record(s + (r % K) * S, r / K);
          ++written;
        }
      }
      if (finished && part + 1 == checkpoints) {
        for (auto [key, seq] : dups[t]) w.Record(key, seq);
        written += dups[t].size();
      }
      (finished ? finished_records : in_progress_records) += written;
      finished_files += finished ? 1 : 0;
    }
    // The subtask's commit log.
    Writer log(commits + "/source-" + std::to_string(t) + "-" + Uuid(rng) + ".log");
    for (uint64_t j = 1; j <= checkpoints; ++j) {
      if (j == checkpoints && T > 1 && t == T - 1) break;  // never notified
      for (uint64_t s : owned[t]) {
        log.Number(j);
        log.Char(' ');
        log.Number(s);
        log.Char(' ');
        log.Number(std::min(j * c, total[s]));
        log.Char('\n');
      }
    }
  }
  std::printf(
      "records=%llu\nfinished_files=%llu\nfinished_records=%llu\n"
      "in_progress_records=%llu\ncommitted_checkpoint=%llu\nlost=%llu\nduplicate=%llu\n",
      static_cast<unsigned long long>(n), static_cast<unsigned long long>(finished_files),
      static_cast<unsigned long long>(finished_records),
      static_cast<unsigned long long>(in_progress_records),
      static_cast<unsigned long long>(committed), static_cast<unsigned long long>(lose),
      static_cast<unsigned long long>(dup));
  return 0;
}
