#include "core/run_lock.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "cluster/local_cluster.h"

namespace jf {

Result<RunLock> RunLock::Take(const std::string& state_dir) {
  auto dir = NormalizeStateDir(state_dir);
  if (!dir.ok()) return dir.status();
  std::error_code ec;
  std::filesystem::create_directories(*dir, ec);
  std::string path = *dir + "/run.lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Internal("cannot open {}: {}", path, std::strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {};
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    std::string holder = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "?";
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    return FailedPrecondition(
        "another jepsen-flink run (pid {}) is using the local cluster (state in {}): wait for "
        "it to end or interrupt it; two runs on one cluster would tear down each other's daemons",
        holder, *dir);
  }
  std::string pid = fmt::format("{}\n", getpid());
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    spdlog::debug("cannot write the pid into {}", path);
  }
  return RunLock(fd);
}

RunLock::~RunLock() {
  if (fd_ >= 0) close(fd_);  // closing releases the flock
}

}  // namespace jf
