#include "control/namespace_remote.h"

#include <signal.h>

#include <filesystem>

namespace jf {

std::vector<std::string> NamespaceRemote::Wrap(const std::vector<std::string>& argv) const {
  std::vector<std::string> out = {"nsenter", "-t", std::to_string(init_pid_), "-m", "-u",
                                  "-p",      "-n", "--wd=/", "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

Result<ExecResult> NamespaceRemote::Exec(const std::vector<std::string>& argv,
                                         const ExecOptions& opts) {
  if (kill(init_pid_, 0) != 0) {
    return Unavailable("node {} is gone (its init, host PID {}, does not exist)", node_,
                       init_pid_);
  }
  ExecOptions o = opts;
  o.cwd.clear();  // the working directory is set inside the node by --wd
  if (!opts.cwd.empty()) {
    auto wrapped = Wrap(argv);
    wrapped[7] = "--wd=" + opts.cwd;
    return RunProcess(wrapped, o);
  }
  return RunProcess(Wrap(argv), o);
}

Status NamespaceRemote::Upload(const std::string& local_path, const std::string& remote_path) {
  ExecOptions o;
  o.stdin_file = local_path;
  o.timeout = std::chrono::minutes(5);
  auto r = ExecShell(*this, "mkdir -p \"$(dirname \"$1\")\" && cat > \"$1\"", {remote_path}, o);
  return r.ok() ? Status::Ok() : r.status();
}

Status NamespaceRemote::Download(const std::string& remote_path, const std::string& local_path) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(local_path).parent_path(), ec);
  ExecOptions o;
  o.stdout_file = local_path;
  o.timeout = std::chrono::minutes(5);
  auto r = ExecChecked(*this, {"cat", remote_path}, o);
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace jf
