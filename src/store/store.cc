#include "store/store.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>

#include "control/subprocess.h"

namespace fs = std::filesystem;

namespace jf {
namespace {

void PointLink(const fs::path& link, const fs::path& target) {
  std::error_code ec;
  fs::path tmp = link;
  tmp += fmt::format(".tmp{}", getpid());
  fs::remove(tmp, ec);
  fs::create_directory_symlink(target, tmp, ec);
  if (!ec) fs::rename(tmp, link, ec);
  if (ec) spdlog::warn("could not point {} at {}: {}", link.string(), target.string(), ec.message());
}

}  // namespace

std::string StoreTimestamp(std::chrono::system_clock::time_point t) {
  auto secs = std::chrono::system_clock::to_time_t(t);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y%m%dT%H%M%S", &tm);
  return fmt::format("{}.{:03d}", buf, ms);
}

Result<Store> Store::Create(const std::string& base, const std::string& test_name,
                            std::chrono::system_clock::time_point start) {
  std::string ts = StoreTimestamp(start);
  fs::path dir = fs::absolute(fs::path(base) / test_name / ts);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Internal("cannot create the store directory {}: {}", dir.string(), ec.message());
  PointLink(fs::path(base) / test_name / "latest", ts);
  PointLink(fs::path(base) / "latest", fs::path(test_name) / ts);
  return Store(dir.string(), ts);
}

Status Store::WriteJson(const std::string& name, const nlohmann::json& j) const {
  return WriteText(name, j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

Status Store::WriteText(const std::string& name, const std::string& text) const {
  fs::path p = fs::path(dir_) / name;
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  std::ofstream out(p);
  out << text;
  out.close();
  if (!out) return Internal("cannot write {}", p.string());
  return Status::Ok();
}

Status Store::CollectLogs(const NodeHandle& node, const std::vector<LogPath>& paths) const {
  Status first;
  for (const auto& lp : paths) {
    fs::path dest = fs::path(dir_) / node.name / lp.local;
    fs::path tarball = fs::path(dir_) / node.name / fmt::format(".collect-{}.tar", getpid());
    std::error_code ec;
    fs::create_directories(dest, ec);
    ExecOptions o;
    o.stdout_file = tarball.string();
    o.timeout = std::chrono::minutes(5);
    // Transfer as a tar stream: one command per directory, permissions and names kept.
    auto r = node.remote->Exec(
        {"sh", "-c", "[ -e \"$1\" ] || exit 3; cd \"$1\" 2>/dev/null && exec tar -cf - . ; "
                     "cd \"$(dirname \"$1\")\" && exec tar -cf - \"$(basename \"$1\")\"",
         "sh", lp.remote},
        o);
    if (r.ok() && r->exit_code == 3) {
      spdlog::debug("{}: {} does not exist; nothing to collect", node.name, lp.remote);
    } else if (!r.ok() || !r->ok()) {
      Status s = r.ok() ? Internal("collecting {} from {}: {}", lp.remote, node.name, r->Describe())
                        : r.status();
      spdlog::warn("{}", s.message());
      if (first.ok()) first = s;
    } else {
      auto x = RunProcess({"tar", "-xf", tarball.string(), "-C", dest.string()});
      if (!x.ok() || !x->ok()) {
        Status s = Internal("unpacking {} from {} into {} failed{}", lp.remote, node.name,
                            dest.string(), x.ok() ? ": " + x->Describe() : "");
        spdlog::warn("{}", s.message());
        if (first.ok()) first = s;
      }
    }
    fs::remove(tarball, ec);
  }
  return first;
}

}  // namespace jf
