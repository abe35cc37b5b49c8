#include "control/namespace_remote.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>

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

std::string NamespaceRemote::HostPathOf(const std::string& node_path) const {
  if (root_dir_.empty()) return "";
  static const std::pair<const char*, const char*> kMounts[] = {
      {"/opt", "opt"}, {"/tmp", "tmp"}, {"/var/log", "log"}};
  for (const auto& [prefix, sub] : kMounts) {
    std::string p(prefix);
    if (node_path == p || node_path.rfind(p + "/", 0) == 0) {
      return root_dir_ + "/" + sub + node_path.substr(p.size());
    }
  }
  return "";
}

Status NamespaceRemote::UploadTree(const std::string& local_dir, const std::string& remote_dir) {
  JF_RETURN_IF_ERROR(ExecChecked(*this, {"rm", "-rf", remote_dir}).status());
  std::string host_path = HostPathOf(remote_dir);
  if (!host_path.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(host_path).parent_path(), ec);
    auto r = RunProcess({"cp", "-al", local_dir, host_path});
    if (r.ok() && r->ok()) return Status::Ok();
    (void)RunProcess({"rm", "-rf", host_path});  // e.g. another file system: copy instead
  }
  ExecOptions o;
  o.timeout = std::chrono::minutes(10);
  std::string script = fmt::format("tar -C {} -cf - . | nsenter -t {} -m -u -p -n -- sh -c {}",
                                   ShellQuote(local_dir), init_pid_,
                                   ShellQuote("mkdir -p " + ShellQuote(remote_dir) + " && tar -C " +
                                              ShellQuote(remote_dir) + " -xf -"));
  auto r = RunChecked({"sh", "-c", script}, o);
  return r.ok() ? Status::Ok() : r.status().WithContext("uploading " + local_dir + " to " + node_);
}

std::optional<int> NamespaceRemote::HostPid(int node_pid) const {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto ns = fs::read_symlink(fmt::format("/proc/{}/ns/pid", init_pid_), ec);
  if (ec) return std::nullopt;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || !isdigit(static_cast<unsigned char>(name[0]))) continue;
    std::error_code ec2;
    if (fs::read_symlink(e.path() / "ns" / "pid", ec2) != ns || ec2) continue;
    std::ifstream status(e.path() / "status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("NSpid:", 0) != 0) continue;
      std::istringstream fields(line.substr(6));
      int v = 0, last = 0;
      while (fields >> v) last = v;
      if (last == node_pid) return std::stoi(name);
      break;
    }
  }
  return std::nullopt;
}

}  // namespace jf
