#include "history/history.h"

#include <fstream>

namespace jf {

History::History() : start_(std::chrono::steady_clock::now()) {}

History::~History() {
  if (file_) fclose(file_);
}

Status History::StreamTo(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  FILE* f = fopen(path.c_str(), "a");
  if (!f) return Internal("cannot write {}", path);
  for (const auto& op : ops_) fprintf(f, "%s\n", OpToJson(op).dump().c_str());
  fflush(f);
  file_ = f;
  return Status::Ok();
}

int64_t History::Now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              start_)
      .count();
}

Op History::Append(Op op) {
  std::lock_guard<std::mutex> lock(mu_);
  op.index = static_cast<int64_t>(ops_.size());
  op.time = Now();
  ops_.push_back(op);
  if (file_) {
    std::string line = OpToJson(op).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    fprintf(file_, "%s\n", line.c_str());
    fflush(file_);
  }
  return op;
}

std::vector<Op> History::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ops_;
}

Result<std::vector<Op>> ReadHistory(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read {}", path);
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
