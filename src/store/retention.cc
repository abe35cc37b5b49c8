#include "store/retention.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>

namespace jf {

namespace fs = std::filesystem;

namespace {

bool IsRunDir(const fs::directory_entry& e) {
  static const std::regex kTimestamp(R"(^\d{8}T\d{6}\.\d{3}$)");
  std::error_code ec;
  if (e.is_symlink(ec) || !e.is_directory(ec)) return false;
  if (!std::regex_match(e.path().filename().string(), kTimestamp)) return false;
  return fs::exists(e.path() / "test.json", ec) || fs::exists(e.path() / "history.jsonl", ec);
}

}  // namespace

Result<uint64_t> FreeBytes(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path.empty() ? "." : path, ec);
  if (ec) return NotFound("{}: {}", path, ec.message());
  while (!fs::exists(p, ec)) {
    if (!p.has_parent_path() || p.parent_path() == p)
      return NotFound("{} has no existing ancestor", path);
    p = p.parent_path();
  }
  struct statvfs st {};
  if (statvfs(p.c_str(), &st) != 0) return NotFound("statvfs {} failed", p.string());
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

Status CheckFreeDisk(const std::string& store_dir, uint64_t min_bytes) {
  if (min_bytes == 0) return Status::Ok();
  auto free = FreeBytes(store_dir);
  if (!free.ok()) return free.status();
  if (*free >= min_bytes) return Status::Ok();
  return FailedPrecondition(
      "only {} MiB free on the file system of the store {}, {} MiB needed: free some space, "
      "prune old runs (--keep-runs) or lower --min-free-disk-mb",
      *free >> 20, store_dir, min_bytes >> 20);
}

Result<std::vector<std::string>> PruneRuns(const std::string& store_dir, int keep,
                                           const std::string& keep_dir) {
  std::vector<std::string> removed;
  if (keep <= 0) return removed;
  std::error_code ec;
  const fs::path keep_path = keep_dir.empty() ? fs::path() : fs::weakly_canonical(keep_dir, ec);
  Status first_error;
  for (const auto& test : fs::directory_iterator(store_dir, ec)) {
    std::error_code tec;
    if (test.is_symlink(tec) || !test.is_directory(tec)) continue;
    std::vector<fs::path> runs;
    for (const auto& run : fs::directory_iterator(test.path(), tec)) {
      if (IsRunDir(run)) runs.push_back(run.path());
    }
    if (runs.size() <= static_cast<size_t>(keep)) continue;
    std::sort(runs.begin(), runs.end());  // oldest first: names are start times
    for (size_t i = 0; i + keep < runs.size(); ++i) {
      std::error_code rec;
      if (!keep_path.empty() && fs::weakly_canonical(runs[i], rec) == keep_path) continue;
      fs::remove_all(runs[i], rec);
      if (rec) {
        if (first_error.ok())
          first_error = Internal("cannot remove {}: {}", runs[i].string(), rec.message());
      } else {
        removed.push_back(runs[i].string());
      }
    }
  }
  if (ec) return NotFound("cannot list the store {}: {}", store_dir, ec.message());
  if (!first_error.ok()) return first_error;
  return removed;
}

}  // namespace jf
