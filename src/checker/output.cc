#include "checker/output.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>
#include <thread>
#include <tuple>
#include <utility>

namespace jf {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kNoSeq = UINT64_MAX;  // never a seq: seqs have at most 19 digits
constexpr int kMaxDigits = 19;           // 10^19 - 1 < 2^64: no overflow check per digit

// ---------------------------------------------------------------------------------------------
// Small helpers.

bool IsDigit(char c) { return static_cast<unsigned char>(c - '0') <= 9; }

// Parses a whole string_view as a decimal of 1..19 digits.
bool ParseDecimal(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > kMaxDigits) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

// Splits `line` into exactly n decimals separated by single spaces.
bool ParseFields(std::string_view line, uint64_t* out, int n) {
  for (int i = 0; i < n; ++i) {
    size_t sp = line.find(' ');
    bool last = i + 1 == n;
    if (last != (sp == std::string_view::npos)) return false;
    if (!ParseDecimal(line.substr(0, sp), &out[i])) return false;
    if (!last) line.remove_prefix(sp + 1);
  }
  return true;
}

// A line as shown in an example: at most 80 characters, control characters escaped.
std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 80)) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  if (s.size() > 80) out += "...";
  return out;
}

// Reads a whole (small) file.
Result<std::string> ReadSmallFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Internal("cannot open {}: {}", path.string(), std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Internal("cannot read {}", path.string());
  return ss.str();
}

// Calls f(line, line_number) for each line of `text`; a last line without '\n' is passed too.
template <typename F>
void ForEachLine(std::string_view text, F f) {
  uint64_t n = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    f(line, ++n, nl != std::string_view::npos);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

// Regular files directly in `dir` named <prefix>*<suffix>, sorted.
Result<std::vector<fs::path>> ListLogs(const std::string& dir, std::string_view prefix,
                                       std::string_view suffix) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() >= prefix.size() + suffix.size() && name.starts_with(prefix) &&
        name.ends_with(suffix) && it->is_regular_file(ec)) {
      files.push_back(it->path());
    }
  }
  if (ec) return Internal("cannot list {}: {}", dir, ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

// Keeps the first `max` examples and counts all.
void Note(OutputAnomalies& a, size_t max, OutputExample ex) {
  ++a.count;
  if (a.examples.size() < max) a.examples.push_back(std::move(ex));
}

// Appends b's examples to a's (up to max) and adds the counts.
void Absorb(OutputAnomalies& a, OutputAnomalies&& b, size_t max) {
  a.count += b.count;
  for (auto& ex : b.examples) {
    if (a.examples.size() >= max) break;
    a.examples.push_back(std::move(ex));
  }
}

using Tallies = std::array<OutputAnomalies, kNumOutputAnomalyKinds>;
OutputAnomalies& Of(Tallies& t, OutputAnomalyKind k) { return t[static_cast<int>(k)]; }

// ---------------------------------------------------------------------------------------------
// Mapping.

// Bytes [offset, offset + length) of a file, read-only, followed by at least one '\0' byte: the
// file is mapped over a reserved anonymous region one page longer, so a parser can stop at the
// '\0' instead of checking bounds on every byte. Move-only; unmaps on destruction.
class MappedRange {
 public:
  static Result<MappedRange> Map(int fd, uint64_t offset, uint64_t length) {
    MappedRange m;
    if (length == 0) return m;
    static const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    uint64_t start = offset & ~(page - 1);
    uint64_t file_len = offset - start + length;
    m.total_ = (file_len + page - 1) / page * page + page;
    void* reserved = mmap(nullptr, m.total_, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (reserved == MAP_FAILED) return Internal("mmap: {}", std::strerror(errno));
    m.base_ = reserved;
    // Within the file's last page, bytes past the end read as 0; the extra page is anonymous.
    void* p =
        mmap(reserved, file_len, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, static_cast<off_t>(start));
    if (p == MAP_FAILED) return Internal("mmap: {}", std::strerror(errno));
    m.data_ = static_cast<const char*>(reserved) + (offset - start);
    m.size_ = length;
    return m;
  }

  MappedRange() = default;
  MappedRange(MappedRange&& o) noexcept { *this = std::move(o); }
  MappedRange& operator=(MappedRange&& o) noexcept {
    std::swap(base_, o.base_);
    std::swap(total_, o.total_);
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    return *this;
  }
  ~MappedRange() {
    if (base_ != nullptr) munmap(base_, total_);
  }

  const char* data() const { return data_; }  // data()[size()] == '\0'
  uint64_t size() const { return size_; }

 private:
  void* base_ = nullptr;
  size_t total_ = 0;
  const char* data_ = "";
  uint64_t size_ = 0;
};

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// ---------------------------------------------------------------------------------------------
// Scanning one chunk of a part file.

// Seqs first..last of one key, consecutive, one record each, in one file; `line` is first's.
struct Run {
  uint64_t first;
  uint64_t last;
  uint64_t line;
};

// What a scan knows about one key.
struct KeyScan {
  // The hot part (see ScanRecords). `next` is the seq that extends the open run (the last seq
  // + 1); text is its decimal digits as they appear in a line, read as a little-endian integer
  // (the first digit in the lowest byte), text_len of them. Next seqs of 9 or more digits are
  // not kept as text (text_len == kNoText, which matches no line).
  uint64_t next = kNoSeq;
  uint64_t text = 0;
  uint64_t text_len = kNoText;
  uint64_t text_mask = 0;  // the low text_len bytes
  uint64_t text_inc = 0;   // 1 in the last digit's byte
  uint64_t text_last = 0;  // 0xff in the last digit's byte
  uint64_t text_nine = 0;  // '9' in the last digit's byte

  uint64_t run_first = 0;  // the open run
  uint64_t run_line = 0;
  bool seen = false;
  uint64_t first_seq = 0;  // the key's first record in the chunk
  uint64_t first_line = 0;
  std::vector<Run> runs;  // closed runs, in file order

  static constexpr uint64_t kNoText = UINT64_MAX;
};

// What a chunk or a file holds of one key, once scanned.
struct KeyRuns {
  uint64_t key;
  uint64_t first_seq;  // the key's first record
  uint64_t first_line;
  uint64_t last_seq;  // its last record
  std::vector<Run> runs;
};

// A chunk's or a whole file's scan. Line numbers are relative to its first line. Kept until all
// files are scanned, so it holds only the keys seen (memory is per run, not per key).
struct Scan {
  uint64_t lines = 0;
  uint64_t records = 0;
  std::vector<KeyRuns> keys;  // by key
  Tallies anomalies;          // malformed, unknown-key, out-of-order (within the scanned range)
};

// Parses `<key> <seq>\n` at p; returns the position after '\n', or nullptr if the line is not
// exactly that. The general (slow) path; it never reads past the '\0' after the data.
inline const char* ParseRecord(const char* p, uint64_t* key, uint64_t* seq) {
  const char* q = p;
  unsigned d = static_cast<unsigned char>(*q) - '0';
  if (d > 9) return nullptr;
  uint64_t k = d;
  while ((d = static_cast<unsigned char>(*++q) - '0') <= 9) k = k * 10 + d;
  if (*q != ' ' || q - p > kMaxDigits) return nullptr;
  const char* s = ++q;
  d = static_cast<unsigned char>(*q) - '0';
  if (d > 9) return nullptr;
  uint64_t v = d;
  while ((d = static_cast<unsigned char>(*++q) - '0') <= 9) v = v * 10 + d;
  if (*q != '\n' || q - s > kMaxDigits) return nullptr;
  *key = k;
  *seq = v;
  return q + 1;
}

// The 8 bytes at p as a little-endian integer (p[0] in the lowest byte).
inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

#if defined(__SSE2__)
// Bit i is set iff p[i] == '\n' (0 <= i < 64).
inline uint64_t NewlineMask64(const char* p) {
  const __m128i nl = _mm_set1_epi8('\n');
  auto mask16 = [&](int i) -> uint64_t {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    return static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)));
  };
  return mask16(0) | mask16(1) << 16 | mask16(2) << 32 | mask16(3) << 48;
}
#else
inline uint64_t NewlineMask64(const char* p) {
  uint64_t m = 0;
  for (int i = 0; i < 64; ++i) m |= static_cast<uint64_t>(p[i] == '\n') << i;
  return m;
}
#endif

// Sets ks.next and its text.
void SetNext(KeyScan& ks, uint64_t next) {
  ks.next = next;
  if (next >= 100'000'000) {  // 9+ digits: no text (the slow path handles them)
    ks.text_len = KeyScan::kNoText;
    ks.text = 0;
    ks.text_mask = 0;
    return;
  }
  char digits[8];
  unsigned n = 0;
  do {
    digits[n++] = static_cast<char>('0' + next % 10);
    next /= 10;
  } while (next != 0);
  uint64_t text = 0;
  for (unsigned i = 0; i < n; ++i) {
    text |= static_cast<uint64_t>(static_cast<unsigned char>(digits[n - 1 - i])) << (8 * i);
  }
  unsigned last = 8 * (n - 1);
  ks.text = text;
  ks.text_len = n;
  ks.text_mask = ~0ull >> (64 - 8 * n);
  ks.text_inc = 1ull << last;
  ks.text_last = 0xffull << last;
  ks.text_nine = static_cast<uint64_t>('9') << last;
}

// ks.text + 1 where its last digit is '9': carries to the left; a new digit (999 -> 1000)
// starts over with SetNext.
[[gnu::noinline]] void CarryText(KeyScan& ks) {
  uint64_t t = ks.text;
  for (unsigned i = static_cast<unsigned>(ks.text_len); i-- > 0;) {
    uint64_t digit = (t >> (8 * i)) & 0xff;
    if (digit != '9') {
      ks.text = t + (1ull << (8 * i));
      return;
    }
    t -= 9ull << (8 * i);  // '9' -> '0', carry on
  }
  SetNext(ks, ks.next);
}

// A record that does not extend its key's open run: the key's first record, a gap, or a seq
// that is not above the previous one (out of order).
[[gnu::noinline]] void OnJump(KeyScan& ks, uint64_t key, uint64_t seq, uint64_t line, Scan& out,
                              size_t max) {
  if (seq == ks.next) {  // only the fast path missed it (e.g. a seq with leading zeros)
    SetNext(ks, seq + 1);
    return;
  }
  if (!ks.seen) {
    ks.seen = true;
    ks.first_seq = seq;
    ks.first_line = line;
  } else {
    ks.runs.push_back({ks.run_first, ks.next - 1, ks.run_line});
    if (seq < ks.next) {
      Note(Of(out.anomalies, OutputAnomalyKind::kOutOfOrder), max,
           {.key = key,
            .seq = seq,
            .last_seq = seq,
            .line = line,
            .detail = fmt::format("after seq {}", ks.next - 1)});
    }
  }
  ks.run_first = seq;
  ks.run_line = line;
  SetNext(ks, seq + 1);
}

// Closes every open run and keeps the keys seen.
void CloseRuns(std::vector<KeyScan>& state, Scan& out) {
  for (size_t k = 0; k < state.size(); ++k) {
    KeyScan& ks = state[k];
    if (!ks.seen) continue;
    ks.runs.push_back({ks.run_first, ks.next - 1, ks.run_line});
    out.keys.push_back({k, ks.first_seq, ks.first_line, ks.next - 1, std::move(ks.runs)});
  }
}

// The rare cases of ScanRecords, out of line so that the hot loop keeps its state in registers.
[[gnu::noinline]] void NoteMalformed(Scan& out, size_t max, uint64_t line, const char* from,
                                     const char* to, bool newline) {
  std::string text = Printable(std::string_view(from, static_cast<size_t>(to - from)));
  if (!newline) text += " (no newline at end of file)";
  Note(Of(out.anomalies, OutputAnomalyKind::kMalformed), max,
       {.line = line, .detail = std::move(text)});
}

[[gnu::noinline]] void NoteUnknownKey(Scan& out, size_t max, uint64_t line, uint64_t key,
                                      uint64_t seq) {
  Note(Of(out.anomalies, OutputAnomalyKind::kUnknownKey), max,
       {.key = key, .seq = seq, .last_seq = seq, .line = line});
}

// Scans the lines that start in data[begin, end); data[0, size) is the text from the chunk's
// start to the end of the file, followed by a page of zeros. begin is 0 or 1 (1: data[0] is the
// byte before the chunk, which tells whether a line starts at the chunk's first byte).
//
// This is the loop that must keep up with `wc -l`. In good output nearly every line is
// "<key> <the key's next seq>", so instead of parsing the seq the loop compares its bytes with
// the next seq's digits, kept as text per key (KeyScan::text) and incremented in place:
//   * newlines are found 64 bytes at a time (NewlineMask64), so a line's end is known before it
//     is read and lines do not wait on each other;
//   * a key of 1 or 2 digits is read without a loop; the seq is one 8-byte load, a mask and a
//     compare (its length is checked against the newline's position);
// about 10 cycles a line. Any other line (a gap, a longer key, anything malformed) goes through
// ParseRecord and OnJump. Loads may read up to 64 bytes past the data: MappedRange guarantees
// a page of zeros there.
Scan ScanRecords(const char* data, uint64_t size, uint64_t begin, uint64_t end, size_t nkeys,
                 size_t max) {
  Scan out;
  std::vector<KeyScan> state(nkeys);
  const char* file_end = data + size;
  const char* line_start = data;
  if (begin > 0) {  // skip the line that started in the previous chunk
    const void* nl = std::memchr(data, '\n', size);
    line_start = nl != nullptr ? static_cast<const char*>(nl) + 1 : file_end;
  }
  const char* stop = data + end;
  uint64_t line = 0;
  uint64_t malformed = 0;
  KeyScan* keys = state.data();
  for (const char* block = line_start; line_start < stop && block < file_end; block += 64) {
    __builtin_prefetch(block + 1024);  // measured: ~10% faster than the hardware's prefetch alone
    for (uint64_t m = NewlineMask64(block); m != 0; m &= m - 1) {
      const char* nl = block + __builtin_ctzll(m);
      const char* from = line_start;  // the line is [from, nl)
      line_start = nl + 1;
      ++line;
      // The fast path.
      unsigned d0 = static_cast<unsigned char>(from[0]) - '0';
      unsigned d1 = static_cast<unsigned char>(from[1]) - '0';
      bool two = d1 <= 9;
      uint64_t key = two ? d0 * 10 + d1 : d0;
      const char* s = from + 2 + two;  // the seq, if the key has 1 or 2 digits
      if (d0 <= 9 && s[-1] == ' ' && key < nkeys) [[likely]] {
        KeyScan& ks = keys[key];
        if (static_cast<uint64_t>(nl - s) == ks.text_len && (Load64(s) & ks.text_mask) == ks.text)
            [[likely]] {
          ++ks.next;
          if ((ks.text & ks.text_last) != ks.text_nine) [[likely]] {
            ks.text += ks.text_inc;
          } else {
            CarryText(ks);
          }
          if (line_start >= stop) break;
          continue;
        }
      }
      // The general path.
      uint64_t seq;
      if (ParseRecord(from, &key, &seq) != line_start) [[unlikely]] {
        ++malformed;
        NoteMalformed(out, max, line, from, nl, true);
      } else if (key >= nkeys) [[unlikely]] {
        NoteUnknownKey(out, max, line, key, seq);
      } else {
        OnJump(keys[key], key, seq, line, out, max);
      }
      if (line_start >= stop) break;  // the rest belongs to the next chunk
    }
  }
  if (line_start < stop && line_start < file_end) {  // a last line without '\n'
    ++line;
    ++malformed;
    NoteMalformed(out, max, line, line_start, file_end, false);
  }
  out.lines = line;
  out.records = line - malformed;
  CloseRuns(state, out);
  return out;
}

// The number of '\n' in data[0, size) (data[size, size + 64) readable).
uint64_t CountNewlines(const char* data, uint64_t size) {
  uint64_t n = 0;
  uint64_t i = 0;
  for (; i + 64 <= size; i += 64)
    n += static_cast<uint64_t>(__builtin_popcountll(NewlineMask64(data + i)));
  if (i < size) {
    n += static_cast<uint64_t>(
        __builtin_popcountll(NewlineMask64(data + i) & ((1ull << (size - i)) - 1)));
  }
  return n;
}

// Appends chunk `next` (the following lines of the same file) to `acc`.
void AppendScan(Scan& acc, Scan&& next, size_t max) {
  uint64_t offset = acc.lines;
  std::vector<KeyRuns> keys;  // both, by key
  auto a = acc.keys.begin();
  for (KeyRuns& b : next.keys) {
    for (; a != acc.keys.end() && a->key < b.key; ++a) keys.push_back(std::move(*a));
    b.first_line += offset;
    for (Run& r : b.runs) r.line += offset;
    if (a == acc.keys.end() || a->key != b.key) {
      keys.push_back(std::move(b));
      continue;
    }
    if (b.first_seq <= a->last_seq) {  // the order check across the chunk boundary
      Note(Of(acc.anomalies, OutputAnomalyKind::kOutOfOrder), max,
           {.key = b.key,
            .seq = b.first_seq,
            .last_seq = b.first_seq,
            .line = b.first_line,
            .detail = fmt::format("after seq {}", a->last_seq)});
    }
    auto from = b.runs.begin();
    if (b.first_seq == a->last_seq + 1) {  // one run across the boundary, as in a single scan
      a->runs.back().last = from->last;
      ++from;
    }
    a->runs.insert(a->runs.end(), from, b.runs.end());
    a->last_seq = b.last_seq;
    keys.push_back(std::move(*a++));
  }
  for (; a != acc.keys.end(); ++a) keys.push_back(std::move(*a));
  acc.keys = std::move(keys);
  for (int i = 0; i < kNumOutputAnomalyKinds; ++i) {
    OutputAnomalies& n = next.anomalies[i];
    for (auto& ex : n.examples) ex.line += offset;
    acc.anomalies[i].count += n.count;
    // Keep all: sorted and cut once the file is complete (SortExamples).
    for (auto& ex : n.examples) acc.anomalies[i].examples.push_back(std::move(ex));
  }
  acc.lines += next.lines;
  acc.records += next.records;
}

// Orders a file's examples by line and keeps the first `max` of each kind.
void SortExamples(Tallies& t, size_t max) {
  for (auto& a : t) {
    std::stable_sort(
        a.examples.begin(), a.examples.end(),
        [](const OutputExample& x, const OutputExample& y) { return x.line < y.line; });
    if (a.examples.size() > max) a.examples.resize(max);
  }
}

// ---------------------------------------------------------------------------------------------
// The seqs of one key seen so far, as disjoint intervals that remember where they came from.
// Pieces are not coalesced, so there are about as many as runs were added (files x keys in good
// output).

class SeqIntervals {
 public:
  struct Piece {
    uint64_t last;
    size_t file;    // index of the file the seqs were first seen in
    uint64_t line;  // the line of the piece's first seq, 0 if not known
  };

  // Adds the run [a, b] of `file` (line: a's). For each part already present calls
  // on_overlap(from, to, first, piece): seqs from..to are also in `piece`, which starts at
  // `first`. Returns the number of seqs that were already present.
  template <typename F>
  uint64_t Add(uint64_t a, uint64_t b, size_t file, uint64_t line, F on_overlap) {
    uint64_t dup = 0;
    uint64_t cur = a;  // the first seq of [a, b] not yet placed
    auto it = m_.upper_bound(a);
    if (it != m_.begin() && std::prev(it)->second.last >= a) --it;
    while (cur <= b) {
      if (it == m_.end() || it->first > b) {
        m_.emplace_hint(it, cur, Piece{b, file, cur == a ? line : 0});
        break;
      }
      if (it->first > cur) {  // the part before *it is new
        m_.emplace_hint(it, cur, Piece{it->first - 1, file, cur == a ? line : 0});
        cur = it->first;
      }
      uint64_t to = std::min(b, it->second.last);
      on_overlap(cur, to, it->first, it->second);
      dup += to - cur + 1;
      cur = to + 1;  // no overflow: seqs are < 10^19
      ++it;
    }
    return dup;
  }

  const std::map<uint64_t, Piece>& pieces() const { return m_; }  // first -> piece

 private:
  std::map<uint64_t, Piece> m_;
};

// ---------------------------------------------------------------------------------------------
// The files below OUT.

struct OutputFile {
  fs::path path;
  std::string rel;  // relative to OUT, for reports
  PartFileName name;
  uint64_t size = 0;
};

Status ListOutput(const std::string& out_dir, std::vector<OutputFile>* files, OutputCheckResult* r,
                  size_t max) {
  std::error_code ec;
  fs::recursive_directory_iterator it(out_dir, fs::directory_options::skip_permission_denied, ec);
  for (fs::recursive_directory_iterator end; !ec && it != end; it.increment(ec)) {
    std::error_code ec2;
    if (!it->is_regular_file(ec2)) continue;
    OutputFile f;
    f.path = it->path();
    f.rel = f.path.lexically_relative(out_dir).string();
    f.name = ParsePartFileName(f.path.filename().string());
    if (f.name.kind == OutputFileKind::kOther) {
      ++r->other_files;
      if (r->other_examples.size() < max) r->other_examples.push_back(f.rel);
      continue;
    }
    f.size = it->file_size(ec2);
    if (ec2) return Internal("cannot stat {}: {}", f.path.string(), ec2.message());
    files->push_back(std::move(f));
  }
  if (ec) return Internal("cannot list {}: {}", out_dir, ec.message());
  // Finished files first, in the order the checks want: per writer, by part counter.
  std::sort(files->begin(), files->end(), [](const OutputFile& a, const OutputFile& b) {
    return std::tie(a.name.kind, a.name.writer, a.name.counter, a.rel) <
           std::tie(b.name.kind, b.name.writer, b.name.counter, b.rel);
  });
  return Status::Ok();
}

// One unit of scanning work: bytes [begin, end) of a file (lines that start there).
struct WorkItem {
  size_t file;
  size_t chunk;
  uint64_t begin;
  uint64_t end;
};

struct ScanPlan {
  std::vector<WorkItem> items;
  std::vector<std::vector<Scan>> scans;  // [file][chunk]: finished files
  std::vector<uint64_t> newlines;        // [item]: in-progress files
};

Status RunItem(const std::vector<OutputFile>& files, const WorkItem& item, size_t item_index,
               size_t nkeys, size_t max, ScanPlan* plan) {
  const OutputFile& f = files[item.file];
  Fd fd(open(f.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Internal("cannot open {}: {}", f.path.string(), std::strerror(errno));
  struct stat st;
  if (fstat(fd.get(), &st) != 0) {
    return Internal("cannot stat {}: {}", f.path.string(), std::strerror(errno));
  }
  if (static_cast<uint64_t>(st.st_size) < f.size) {  // mapped pages past the end would SIGBUS
    return Internal("{} shrank while it was checked", f.path.string());
  }
  if (f.name.kind == OutputFileKind::kInProgress) {
    JF_ASSIGN_OR_RETURN(MappedRange m,
                        MappedRange::Map(fd.get(), item.begin, item.end - item.begin));
    plan->newlines[item_index] = CountNewlines(m.data(), m.size());
    return Status::Ok();
  }
  // Map from the byte before the chunk (see ScanRecords) to the end of the file: the chunk's last
  // line may run past its end. Only the pages touched are resident, and only until unmapped.
  uint64_t from = item.begin > 0 ? item.begin - 1 : 0;
  JF_ASSIGN_OR_RETURN(MappedRange m, MappedRange::Map(fd.get(), from, f.size - from));
  plan->scans[item.file][item.chunk] =
      ScanRecords(m.data(), m.size(), item.begin - from, item.end - from, nkeys, max);
  return Status::Ok();
}

// Scans every file on `threads` threads.
Status ScanAll(const std::vector<OutputFile>& files, const OutputCheckOptions& opts, size_t nkeys,
               ScanPlan* plan) {
  const uint64_t chunk = std::max<uint64_t>(opts.chunk_bytes, 1);
  plan->scans.resize(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    uint64_t n = std::max<uint64_t>(1, (files[i].size + chunk - 1) / chunk);
    if (files[i].name.kind == OutputFileKind::kFinished) plan->scans[i].resize(n);
    for (uint64_t c = 0; c < n; ++c) {
      plan->items.push_back({i, c, c * chunk, std::min(files[i].size, (c + 1) * chunk)});
    }
  }
  plan->newlines.assign(plan->items.size(), 0);
  size_t threads = opts.threads > 0 ? static_cast<size_t>(opts.threads)
                                    : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, plan->items.size());
  std::atomic<size_t> next{0};
  std::vector<Status> errors(threads);
  std::vector<std::exception_ptr> exceptions(threads);
  // No exception may leave a thread (that is std::terminate): each worker keeps its own, and
  // they become a Status once the threads are joined. The catch block does not allocate.
  auto worker = [&](size_t t) noexcept {
    try {
      for (size_t i; (i = next.fetch_add(1)) < plan->items.size();) {
        Status s = RunItem(files, plan->items[i], i, nkeys, opts.max_examples, plan);
        if (!s.ok()) {
          errors[t] = std::move(s);
          next = plan->items.size();  // the others stop after their current item
          return;
        }
      }
    } catch (...) {
      exceptions[t] = std::current_exception();
      next = plan->items.size();
    }
  };
  std::vector<std::thread> pool;
  try {
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  } catch (const std::system_error&) {
    // No more threads: the ones started (and this one) do all the work.
  }
  if (threads > 0) worker(0);
  for (auto& th : pool) th.join();
  for (const auto& e : exceptions) {
    if (e == nullptr) continue;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      return Internal("scanning the output: {}", x.what());
    } catch (...) {
      return Internal("scanning the output: unknown exception");
    }
  }
  for (const Status& s : errors) JF_RETURN_IF_ERROR(s);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Alerts.

Status ReadAlerts(const std::string& dir, size_t max, OutputCheckResult* r) {
  JF_ASSIGN_OR_RETURN(auto files, ListLogs(dir, "alerts-", ".log"));
  OutputAnomalies& a = r->anomalies[static_cast<int>(OutputAnomalyKind::kInJobAlert)];
  for (const auto& path : files) {
    ++r->alert_files;
    JF_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path));
    std::string rel = path.filename().string();
    ForEachLine(text, [&](std::string_view line, uint64_t n, bool) {
      if (line.empty()) return;
      uint64_t f[5];
      OutputExample ex{.file = rel, .line = n};
      if (ParseFields(line, f, 5)) {
        ex.key = f[0];
        ex.seq = ex.last_seq = f[2];
        ex.detail =
            fmt::format("expected seq {}, got {} (subtask {}, at {} ms)", f[1], f[2], f[4], f[3]);
      } else {
        ex.detail = Printable(line);
      }
      Note(a, max, std::move(ex));
    });
  }
  return Status::Ok();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public building blocks.

const char* OutputAnomalyKindName(OutputAnomalyKind kind) {
  switch (kind) {
    case OutputAnomalyKind::kLost:
      return "lost";
    case OutputAnomalyKind::kDuplicate:
      return "duplicate";
    case OutputAnomalyKind::kOutOfOrder:
      return "out-of-order";
    case OutputAnomalyKind::kMalformed:
      return "malformed";
    case OutputAnomalyKind::kUnknownKey:
      return "unknown-key";
    case OutputAnomalyKind::kInJobAlert:
      return "in-job-alert";
  }
  return "?";
}

uint64_t CommittedSeqBound(uint64_t position, int i, int keys_per_split) {
  uint64_t ui = static_cast<uint64_t>(i);
  uint64_t k = static_cast<uint64_t>(keys_per_split);
  return position > ui ? (position - ui + k - 1) / k : 0;
}

namespace {

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// Parses "part-<uuid>-<counter>[suffix]" (the suffix is empty or starts with a non-digit).
bool ParseFinishedName(std::string_view name, PartFileName* out) {
  if (!name.starts_with("part-") || name.size() < 5 + 36) return false;
  name.remove_prefix(5);
  if (!IsUuid(name.substr(0, 36))) return false;
  out->writer = std::string(name.substr(0, 36));
  name.remove_prefix(36);
  if (name.empty() || name[0] != '-') return false;
  name.remove_prefix(1);
  size_t n = 0;
  while (n < name.size() && IsDigit(name[n])) ++n;
  return ParseDecimal(name.substr(0, n), &out->counter);
}

}  // namespace

PartFileName ParsePartFileName(std::string_view name) {
  PartFileName p;
  if (name.starts_with('.')) {
    // .part-<uuid>-<counter>[suffix].inprogress.<uuid>
    constexpr std::string_view kMark = ".inprogress.";
    size_t at = name.rfind(kMark);
    if (at == std::string_view::npos || !IsUuid(name.substr(at + kMark.size())) ||
        !ParseFinishedName(name.substr(1, at - 1), &p)) {
      return {};
    }
    p.kind = OutputFileKind::kInProgress;
    return p;
  }
  if (!ParseFinishedName(name, &p)) return {};
  p.kind = OutputFileKind::kFinished;
  return p;
}

Result<CommittedPositions> ReadCommitLogs(const std::string& dir, int splits) {
  constexpr size_t kMaxBad = 10;
  CommittedPositions c;
  c.positions.assign(static_cast<size_t>(splits), 0);
  JF_ASSIGN_OR_RETURN(auto files, ListLogs(dir, "source-", ".log"));
  // checkpoint id -> (position per split, -1 if no line yet).
  std::map<uint64_t, std::vector<int64_t>> checkpoints;
  std::map<uint64_t, int> present;
  for (const auto& path : files) {
    ++c.files;
    JF_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path));
    std::string rel = path.filename().string();
    ForEachLine(text, [&](std::string_view line, uint64_t n, bool complete) {
      ++c.lines;
      uint64_t f[3];
      // A position is a Java long: < 2^63, so it fits the int64 below.
      bool ok = complete && ParseFields(line, f, 3) && f[1] < static_cast<uint64_t>(splits) &&
                f[0] <= INT64_MAX && f[2] <= INT64_MAX;
      if (!ok) {
        ++c.bad_lines;
        if (c.bad_examples.size() < kMaxBad) {
          c.bad_examples.push_back(
              fmt::format("{}:{}: {}{}", rel, n, Printable(line), complete ? "" : " (no newline)"));
        }
        return;
      }
      auto& pos = checkpoints[f[0]];
      if (pos.empty()) pos.assign(static_cast<size_t>(splits), -1);
      int64_t& p = pos[f[1]];
      if (p < 0) ++present[f[0]];
      // Two lines for one split and checkpoint should not happen; keep the larger position.
      p = std::max(p, static_cast<int64_t>(f[2]));
    });
  }
  if (!checkpoints.empty())
    c.highest_checkpoint = static_cast<int64_t>(checkpoints.rbegin()->first);
  for (auto it = checkpoints.rbegin(); it != checkpoints.rend(); ++it) {
    if (present[it->first] != splits) continue;  // a split's line is missing: not usable
    c.checkpoint = static_cast<int64_t>(it->first);
    for (int s = 0; s < splits; ++s) c.positions[s] = static_cast<uint64_t>(it->second[s]);
    break;
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// The check.

Result<OutputCheckResult> CheckOutput(const std::string& out_dir, const std::string& commit_log_dir,
                                      const std::string& alert_dir,
                                      const OutputCheckOptions& opts) {
  if (opts.splits < 1 || opts.keys_per_split < 1 ||
      static_cast<int64_t>(opts.splits) * opts.keys_per_split > (1 << 24)) {
    return InvalidArgument("--splits and --keys-per-split must be >= 1 (and S*K <= 2^24)");
  }
  if (opts.max_examples < 0) return InvalidArgument("max_examples must be >= 0");
  for (const std::string& d : {out_dir, commit_log_dir, alert_dir}) {
    std::error_code ec;
    if (!d.empty() && !fs::is_directory(d, ec)) return InvalidArgument("{}: no such directory", d);
  }
  if (out_dir.empty() || commit_log_dir.empty()) {
    return InvalidArgument("the output and commit-log directories are required");
  }
  const size_t max = static_cast<size_t>(opts.max_examples);
  const size_t S = static_cast<size_t>(opts.splits);
  const size_t nkeys = S * static_cast<size_t>(opts.keys_per_split);

  OutputCheckResult r;
  JF_ASSIGN_OR_RETURN(CommittedPositions committed, ReadCommitLogs(commit_log_dir, opts.splits));
  r.commit_log_files = committed.files;
  r.commit_log_lines = committed.lines;
  r.commit_log_bad_lines = committed.bad_lines;
  r.commit_log_bad_examples = committed.bad_examples;
  r.committed_checkpoint = committed.checkpoint;
  r.highest_checkpoint = committed.highest_checkpoint;
  if (!alert_dir.empty()) JF_RETURN_IF_ERROR(ReadAlerts(alert_dir, max, &r));

  std::vector<OutputFile> files;
  JF_RETURN_IF_ERROR(ListOutput(out_dir, &files, &r, max));
  ScanPlan plan;
  JF_RETURN_IF_ERROR(ScanAll(files, opts, nkeys, &plan));
  for (size_t i = 0; i < plan.items.size(); ++i) r.in_progress_records += plan.newlines[i];

  // Merge the files' scans in order: per writer, by part counter.
  std::vector<SeqIntervals> seen(nkeys);
  Tallies& all = r.anomalies;
  // writer -> per key, the highest seq in its part files so far.
  std::map<std::string, std::vector<uint64_t>> last_by_writer;
  for (size_t i = 0; i < files.size(); ++i) {
    const OutputFile& f = files[i];
    if (f.name.kind == OutputFileKind::kInProgress) {
      ++r.in_progress_files;
      continue;
    }
    ++r.finished_files;
    Scan file = std::move(plan.scans[i][0]);
    for (size_t c = 1; c < plan.scans[i].size(); ++c) {
      AppendScan(file, std::move(plan.scans[i][c]), max);
    }
    plan.scans[i].clear();
    r.finished_records += file.records;

    auto& last = last_by_writer[f.name.writer];
    if (last.empty()) last.assign(nkeys, kNoSeq);
    OutputAnomalies duplicates;
    for (const KeyRuns& ks : file.keys) {
      const uint64_t k = ks.key;
      // Order across the writer's part files.
      if (last[k] != kNoSeq && ks.first_seq <= last[k]) {
        Note(Of(file.anomalies, OutputAnomalyKind::kOutOfOrder), max,
             {.key = k,
              .seq = ks.first_seq,
              .last_seq = ks.first_seq,
              .line = ks.first_line,
              .detail = fmt::format("after seq {} in an earlier part of writer {}", last[k],
                                    f.name.writer)});
      }
      uint64_t max_seq = 0;
      for (const Run& run : ks.runs) max_seq = std::max(max_seq, run.last);
      last[k] = last[k] == kNoSeq ? max_seq : std::max(last[k], max_seq);
      for (const Run& run : ks.runs) {
        duplicates.count += seen[k].Add(
            run.first, run.last, i, run.line,
            [&](uint64_t from, uint64_t to, uint64_t first, const SeqIntervals::Piece& piece) {
              if (duplicates.examples.size() >= max) return;
              // A line is known for the first seq of a run only.
              uint64_t other_line = from == first ? piece.line : 0;
              duplicates.examples.push_back(
                  {.key = k,
                   .seq = from,
                   .last_seq = to,
                   .file = f.rel,
                   .line = from == run.first ? run.line : 0,
                   .detail = other_line > 0
                                 ? fmt::format("also in {}:{}", files[piece.file].rel, other_line)
                                 : fmt::format("also in {}", files[piece.file].rel)});
            });
      }
    }
    SortExamples(file.anomalies, max);
    for (int kind = 0; kind < kNumOutputAnomalyKinds; ++kind) {
      for (auto& ex : file.anomalies[kind].examples) ex.file = f.rel;
      Absorb(all[kind], std::move(file.anomalies[kind]), max);
    }
    Absorb(Of(all, OutputAnomalyKind::kDuplicate), std::move(duplicates), max);
  }

  // Lost: gaps below each key's committed bound.
  OutputAnomalies& lost = Of(all, OutputAnomalyKind::kLost);
  for (size_t k = 0; k < nkeys; ++k) {
    OutputKeySummary sum{.key = k, .split = static_cast<int>(k % S)};
    sum.committed =
        CommittedSeqBound(committed.positions[k % S], static_cast<int>(k / S), opts.keys_per_split);
    uint64_t cursor = 0;  // every seq below it is present or reported
    auto gap = [&](uint64_t from, uint64_t to) {
      lost.count += to - from + 1;
      if (lost.examples.size() < max) {
        lost.examples.push_back({.key = k, .seq = from, .last_seq = to});
      }
    };
    for (const auto& [first, piece] : seen[k].pieces()) {
      sum.distinct += piece.last - first + 1;
      sum.max_seq = piece.last;
      if (first < sum.committed && first > cursor) gap(cursor, first - 1);
      cursor = piece.last + 1;  // pieces are disjoint and sorted
    }
    if (cursor < sum.committed) gap(cursor, sum.committed - 1);
    r.keys.push_back(sum);
  }
  bool any = false;
  for (const auto& a : all) any = any || a.count > 0;
  r.valid = any                      ? Validity::kInvalid
            : r.committed_checkpoint ? Validity::kValid
                                     : Validity::kUnknown;
  return r;
}

// ---------------------------------------------------------------------------------------------
// Reporting.

nlohmann::json OutputCheckResultToJson(const OutputCheckResult& r) {
  using nlohmann::json;
  auto opt = [](const auto& o) { return o ? json(*o) : json(nullptr); };
  json j;
  j["valid?"] = ValidityJson(r.valid);
  j["committed_checkpoint"] = opt(r.committed_checkpoint);
  j["highest_checkpoint"] = opt(r.highest_checkpoint);
  j["files"] = {{"finished", r.finished_files},
                {"in_progress", r.in_progress_files},
                {"other", r.other_files},
                {"other_examples", r.other_examples}};
  j["records"] = {{"finished", r.finished_records}, {"in_progress", r.in_progress_records}};
  j["commit_logs"] = {{"files", r.commit_log_files},
                      {"lines", r.commit_log_lines},
                      {"bad_lines", r.commit_log_bad_lines},
                      {"bad_examples", r.commit_log_bad_examples}};
  j["alert_files"] = r.alert_files;
  json anomalies = json::object();
  for (int k = 0; k < kNumOutputAnomalyKinds; ++k) {
    const OutputAnomalies& a = r.anomalies[k];
    json examples = json::array();
    for (const auto& ex : a.examples) {
      json e = json::object();
      auto kind = static_cast<OutputAnomalyKind>(k);
      if (kind != OutputAnomalyKind::kMalformed) {
        e["key"] = ex.key;
        e["seq"] = ex.seq;
        if (ex.last_seq != ex.seq) e["last_seq"] = ex.last_seq;
      }
      if (!ex.file.empty()) e["file"] = ex.file;
      if (ex.line > 0) e["line"] = ex.line;
      if (!ex.detail.empty()) e["detail"] = ex.detail;
      examples.push_back(std::move(e));
    }
    anomalies[OutputAnomalyKindName(static_cast<OutputAnomalyKind>(k))] = {
        {"count", a.count}, {"examples", std::move(examples)}};
  }
  j["anomalies"] = std::move(anomalies);
  json keys = json::array();
  for (const auto& k : r.keys) {
    keys.push_back({{"key", k.key},
                    {"split", k.split},
                    {"committed", k.committed},
                    {"distinct", k.distinct},
                    {"max_seq", opt(k.max_seq)}});
  }
  j["keys"] = std::move(keys);
  return j;
}

namespace {

std::string FormatExample(OutputAnomalyKind kind, const OutputExample& ex) {
  std::string s;
  if (kind != OutputAnomalyKind::kMalformed) {
    s = ex.last_seq != ex.seq ? fmt::format("key {} seq {}..{}", ex.key, ex.seq, ex.last_seq)
                              : fmt::format("key {} seq {}", ex.key, ex.seq);
  }
  if (!ex.file.empty()) {
    s += fmt::format("{}{}", s.empty() ? "" : " in ", ex.file);
    if (ex.line > 0) s += fmt::format(":{}", ex.line);
  }
  if (!ex.detail.empty()) s += fmt::format("{}{}", s.empty() ? "" : ": ", ex.detail);
  return s;
}

}  // namespace

std::string FormatOutputCheckSummary(const OutputCheckResult& r) {
  std::string s;
  s += fmt::format(
      "output: {} finished part files ({} records); {} in-progress files ({} records, not "
      "counted); {} other files\n",
      r.finished_files, r.finished_records, r.in_progress_files, r.in_progress_records,
      r.other_files);
  for (const auto& o : r.other_examples) s += fmt::format("  other: {}\n", o);
  s += fmt::format("commit logs: {} files, {} lines ({} ignored)\n", r.commit_log_files,
                   r.commit_log_lines, r.commit_log_bad_lines);
  for (const auto& b : r.commit_log_bad_examples) s += fmt::format("  ignored: {}\n", b);
  if (r.committed_checkpoint) {
    uint64_t lo = UINT64_MAX;
    uint64_t hi = 0;
    for (const auto& k : r.keys) {
      lo = std::min(lo, k.committed);
      hi = std::max(hi, k.committed);
    }
    s += fmt::format(
        "committed: checkpoint {} (highest complete; highest in the logs {}); {} keys, each "
        "committed for seqs below {}..{}\n",
        *r.committed_checkpoint, r.highest_checkpoint.value_or(-1), r.keys.size(), lo, hi);
  } else {
    s += "committed: no checkpoint with a line for every split in the commit logs\n";
  }
  for (int k = 0; k < kNumOutputAnomalyKinds; ++k) {
    auto kind = static_cast<OutputAnomalyKind>(k);
    if (kind == OutputAnomalyKind::kInJobAlert && r.alert_files == 0 && r.anomalies[k].count == 0) {
      s += fmt::format("{}: 0 (no alert files)\n", OutputAnomalyKindName(kind));
      continue;
    }
    s += fmt::format("{}: {}\n", OutputAnomalyKindName(kind), r.anomalies[k].count);
    for (const auto& ex : r.anomalies[k].examples) {
      s += fmt::format("  {}\n", FormatExample(kind, ex));
    }
  }
  return s;
}

}  // namespace jf
