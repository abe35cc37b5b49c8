#include "history/history.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace jf {

namespace {

// One history.jsonl line; invalid UTF-8 in a value (a process's output) becomes U+FFFD.
std::string OpLine(const Op& op) {
  return OpToJson(op).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

History::History() : start_(std::chrono::steady_clock::now()) {}

History::~History() {
  if (file_) fclose(file_);
}

Status History::StreamTo(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  FILE* f = fopen(path.c_str(), "a");
  if (!f) return Internal("cannot write {}", path);
  for (const auto& op : ops_) fprintf(f, "%s\n", OpLine(op).c_str());
  if (fflush(f) != 0) {
    fclose(f);
    return Internal("cannot write {}", path);
  }
  file_ = f;
  path_ = path;
  ops_.clear();
  ops_.shrink_to_fit();
  return Status::Ok();
}

int64_t History::Now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              start_)
      .count();
}

Op History::Append(Op op) {
  std::lock_guard<std::mutex> lock(mu_);
  op.index = count_++;
  op.time = Now();
  if (file_) {
    errno = 0;
    bool written = fprintf(file_, "%s\n", OpLine(op).c_str()) >= 0;
    written = fflush(file_) == 0 && written;
    if (!written && write_error_.ok()) {
      write_error_ = Internal("cannot write op {} and later to {}: {}", op.index, path_,
                              errno ? std::strerror(errno) : "write error");
      spdlog::error("{}; the run's verdict will be unknown", write_error_.message());
    }
  } else {
    ops_.push_back(op);
  }
  return op;
}

Result<std::vector<Op>> History::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!file_) return ops_;
  if (!write_error_.ok()) return write_error_;
  if (fflush(file_) != 0) return Internal("cannot write {}", path_);
  return ReadHistory(path_);
}

Status History::WriteError() const {
  std::lock_guard<std::mutex> lock(mu_);
  return write_error_;
}

Result<std::vector<Op>> ReadHistory(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read {}", path);
  return ParseHistory(in, path);
}

Result<std::vector<Op>> ParseHistory(std::istream& in, const std::string& path) {
  std::vector<Op> ops;
  std::string line;
  int lineno = 0;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  for (size_t i = 0; i < lines.size(); ++i) {
    ++lineno;
    if (lines[i].empty()) continue;
    auto j = nlohmann::json::parse(lines[i], nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      if (i + 1 == lines.size()) break;  // torn final line from a crash
      return InvalidArgument("{}:{}: not JSON", path, lineno);
    }
    auto op = OpFromJson(j);
    if (!op.ok()) return op.status().WithContext(fmt::format("{}:{}", path, lineno));
    ops.push_back(std::move(*op));
  }
  return ops;
}

}  // namespace jf
