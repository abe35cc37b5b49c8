#include "cluster/freezer.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

namespace jf {
namespace fs = std::filesystem;
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes `value` to a cgroup control file; the kernel answers each write on its own.
Status WriteControl(const std::string& path, const std::string& value) {
  std::ofstream out(path);
  if (!out) return Internal("cannot open {}: {}", path, strerror(errno));
  out << value;
  out.flush();
  if (!out) return Internal("writing '{}' to {} failed: {}", value, path, strerror(errno));
  return Status::Ok();
}

std::vector<ProcEntry> ReadProcs() {
  std::vector<ProcEntry> procs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = ReadAll("/proc/" + name + "/stat");
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after the last
    // ')'.
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    char state = 0;
    int ppid = 0;
    if (!(rest >> state >> ppid)) continue;
    procs.push_back({std::stoi(name), ppid});
  }
  return procs;
}

std::string ControlFile(const FreezerMount& m) { return m.v2 ? "cgroup.freeze" : "freezer.state"; }

Status SetFrozen(const FreezerMount& m, const std::string& dir, bool frozen) {
  return WriteControl(dir + "/" + ControlFile(m),
                      m.v2 ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED"));
}

bool ReportsFrozen(const FreezerMount& m, const std::string& dir) {
  if (m.v2) return ReadAll(dir + "/cgroup.events").find("frozen 1") != std::string::npos;
  return ReadAll(dir + "/freezer.state").rfind("FROZEN", 0) == 0;
}

std::vector<int> GroupPids(const std::string& dir) {
  std::vector<int> pids;
  std::istringstream in(ReadAll(dir + "/cgroup.procs"));
  for (int pid; in >> pid;) pids.push_back(pid);
  return pids;
}

// Moves `pid` into cgroup `dir`; a process that exited meanwhile is no error.
Status MovePid(const std::string& dir, int pid) {
  std::ofstream out(dir + "/cgroup.procs");
  if (!out) return Internal("cannot open {}/cgroup.procs: {}", dir, strerror(errno));
  out << pid;
  out.flush();
  if (!out && errno != ESRCH) {
    return Internal("moving PID {} into {} failed: {}", pid, dir, strerror(errno));
  }
  return Status::Ok();
}

// Unfreezes `dir`, sends its processes to `back(pid)` (or the root when that fails), removes it.
Status Release(const FreezerMount& m, const std::string& dir,
               const std::function<std::string(int)>& back) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return Status::Ok();
  JF_RETURN_IF_ERROR(SetFrozen(m, dir, false));
  for (int round = 0; round < 10; ++round) {
    auto pids = GroupPids(dir);
    if (pids.empty()) break;
    for (int pid : pids) {
      std::string to = m.root + back(pid);
      if (!MovePid(to, pid).ok()) (void)MovePid(m.root, pid);
    }
  }
  if (rmdir(dir.c_str()) != 0 && errno != ENOENT) {
    return Internal("cannot remove cgroup {}: {}", dir, strerror(errno));
  }
  // The parent goes when the last node's cgroup went; another node may still use it.
  (void)rmdir(fs::path(dir).parent_path().c_str());
  return Status::Ok();
}

}  // namespace

std::vector<FreezerMount> AllFreezers(const std::string& proc_mounts) {
  std::vector<FreezerMount> found;
  std::istringstream in(proc_mounts);
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string dev, point, type, options;
    if (!(f >> dev >> point >> type >> options)) continue;
    if (type == "cgroup2") {
      found.push_back({true, point});
    } else if (type == "cgroup") {
      std::istringstream o(options);
      for (std::string opt; std::getline(o, opt, ',');) {
        if (opt == "freezer") found.push_back({false, point});
      }
    }
  }
  return found;
}

std::optional<FreezerMount> FindFreezer(const std::string& proc_mounts) {
  auto all = AllFreezers(proc_mounts);
  for (const auto& m : all) {
    if (m.v2) return m;
  }
  if (!all.empty()) return all.front();
  return std::nullopt;
}

std::vector<int> ProcessTree(const std::vector<ProcEntry>& procs, int init) {
  std::vector<int> tree = {init};
  std::set<int> in = {init};
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& p : procs) {
      if (!in.count(p.pid) && in.count(p.ppid)) {
        in.insert(p.pid);
        tree.push_back(p.pid);
        grew = true;
      }
    }
  }
  return tree;
}

std::string CgroupOf(const std::string& proc_cgroup, const FreezerMount& m) {
  std::istringstream in(proc_cgroup);
  for (std::string line; std::getline(in, line);) {
    // "hierarchy-id:controller-list:path"
    auto a = line.find(':');
    auto b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    std::string id = line.substr(0, a), controllers = line.substr(a + 1, b - a - 1);
    bool match = false;
    if (m.v2) {
      match = id == "0" && controllers.empty();
    } else {
      std::istringstream c(controllers);
      for (std::string ctl; std::getline(c, ctl, ',');) match = match || ctl == "freezer";
    }
    if (match) return line.substr(b + 1);
  }
  return "/";
}

Result<Freezer> Freezer::ForThisMachine() {
  auto m = FindFreezer(ReadAll("/proc/self/mounts"));
  if (!m) {
    return Unavailable(
        "no cgroup freezer on this machine: neither a cgroup2 hierarchy nor the v1 "
        "freezer controller is mounted");
  }
  return Freezer(*m);
}

std::string Freezer::GroupDir(const std::string& node) const {
  return fmt::format("{}/{}/{}", mount_.root, kFreezerGroup, node);
}

Result<std::vector<int>> Freezer::Freeze(const std::string& node, int init_pid) {
  const std::string dir = GroupDir(node);
  const std::string group = fmt::format("/{}/{}", kFreezerGroup, node);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Internal("cannot create cgroup {}: {}", dir, ec.message());
  if (kill(init_pid, 0) != 0) return NotFound("node {} has no init (PID {})", node, init_pid);
  std::vector<int> frozen;
  // Sweep the tree into the cgroup, freeze it, and sweep again until no process is outside: a
  // process forked between reading /proc and the freeze is caught by the next sweep.
  for (int round = 0; round < 20; ++round) {
    int moved = 0;
    for (int pid : ProcessTree(ReadProcs(), init_pid)) {
      std::string now = CgroupOf(ReadAll(fmt::format("/proc/{}/cgroup", pid)), mount_);
      if (now == group) continue;
      origin_[node].emplace(pid, now);
      JF_RETURN_IF_ERROR(MovePid(dir, pid));
      frozen.push_back(pid);
      ++moved;
    }
    if (round == 0) JF_RETURN_IF_ERROR(SetFrozen(mount_, dir, true));
    if (moved == 0 && round > 0) break;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!ReportsFrozen(mount_, dir)) {
    if (std::chrono::steady_clock::now() > deadline) {
      (void)Thaw(node);
      return Timeout("the kernel did not report {} frozen within 10 s", dir);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return frozen;
}

Status Freezer::Thaw(const std::string& node) {
  const auto& origin = origin_[node];
  Status s = Release(mount_, GroupDir(node), [&origin](int pid) {
    auto it = origin.find(pid);
    return it == origin.end() ? std::string("/") : it->second;
  });
  if (s.ok()) origin_.erase(node);
  return s;
}

bool Freezer::IsFrozen(const std::string& node) const {
  std::error_code ec;
  return fs::exists(GroupDir(node), ec) && ReportsFrozen(mount_, GroupDir(node));
}

std::vector<std::string> OurCgroups() {
  std::vector<std::string> found;
  for (const auto& m : AllFreezers(ReadAll("/proc/self/mounts"))) {
    std::string top = m.root + "/" + kFreezerGroup;
    std::error_code ec;
    if (!fs::exists(top, ec)) continue;
    found.push_back(top);
    for (const auto& e : fs::directory_iterator(top, ec)) {
      if (e.is_directory()) found.push_back(e.path().string());
    }
  }
  return found;
}

Status ThawAll() {
  std::vector<std::string> problems;
  for (const auto& m : AllFreezers(ReadAll("/proc/self/mounts"))) {
    std::string top = m.root + "/" + kFreezerGroup;
    std::error_code ec;
    if (!fs::exists(top, ec)) continue;
    std::vector<std::string> dirs;
    for (const auto& e : fs::directory_iterator(top, ec)) {
      if (e.is_directory()) dirs.push_back(e.path().string());
    }
    for (const auto& d : dirs) {
      Status s = Release(m, d, [](int) { return std::string("/"); });
      if (!s.ok()) problems.push_back(s.message());
    }
    if (rmdir(top.c_str()) != 0 && errno != ENOENT) {
      problems.push_back(fmt::format("cannot remove {}: {}", top, strerror(errno)));
    }
  }
  if (problems.empty()) return Status::Ok();
  std::string all;
  for (const auto& p : problems) all += (all.empty() ? "" : "; ") + p;
  return Internal("thawing our cgroups: {}", all);
}

}  // namespace jf
