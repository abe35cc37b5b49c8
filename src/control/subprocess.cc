#include "control/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace jf {
namespace {

using Clock = std::chrono::steady_clock;

std::string LastLine(const std::string& s) {
  size_t end = s.find_last_not_of("\n \t");
  if (end == std::string::npos) return "";
  size_t start = s.rfind('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  return s.substr(start, end - start + 1);
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

}  // namespace

std::string ExecResult::Describe() const {
  std::string what;
  if (timed_out) {
    what = fmt::format("timed out after {} ms", elapsed.count());
  } else if (term_signal != 0) {
    what = fmt::format("killed by signal {}", term_signal);
  } else {
    what = fmt::format("exit {}", exit_code);
  }
  std::string line = LastLine(err);
  if (line.empty()) line = LastLine(out);
  return line.empty() ? what : what + ": " + line;
}

std::string ShellQuote(const std::string& word) {
  if (!word.empty() &&
      word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                             "-_./=:,+@%") == std::string::npos) {
    return word;
  }
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string ShellJoin(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += ShellQuote(a);
  }
  return out;
}

Result<ExecResult> RunProcess(const std::vector<std::string>& argv, const ExecOptions& opts) {
  if (argv.empty()) return InvalidArgument("RunProcess: empty argv");
  int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  int stdin_fd = -1, stdout_fd = -1;
  auto cleanup = [&] {
    for (int* p : {in_pipe, out_pipe, err_pipe}) {
      CloseFd(p[0]);
      CloseFd(p[1]);
    }
    CloseFd(stdin_fd);
    CloseFd(stdout_fd);
  };
  if (!opts.stdin_file.empty()) {
    stdin_fd = open(opts.stdin_file.c_str(), O_RDONLY | O_CLOEXEC);
    if (stdin_fd < 0) return NotFound("cannot open {}: {}", opts.stdin_file, strerror(errno));
  } else if (pipe2(in_pipe, O_CLOEXEC) != 0) {
    cleanup();
    return Internal("pipe: {}", strerror(errno));
  }
  if (!opts.stdout_file.empty()) {
    stdout_fd = open(opts.stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (stdout_fd < 0) {
      cleanup();
      return Internal("cannot write {}: {}", opts.stdout_file, strerror(errno));
    }
  } else if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    cleanup();
    return Internal("pipe: {}", strerror(errno));
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    cleanup();
    return Internal("pipe: {}", strerror(errno));
  }

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, stdin_fd >= 0 ? stdin_fd : in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&fa, stdout_fd >= 0 ? stdout_fd : out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  if (!opts.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, opts.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Own process group, so a timeout can kill the child and everything it started.
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGCHLD);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> env_storage;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    std::string key = kv.substr(0, kv.find('='));
    if (!opts.env.count(key)) env_storage.push_back(kv);
  }
  for (const auto& [k, v] : opts.env) env_storage.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_storage) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_storage = argv;
  std::vector<char*> cargv;
  for (auto& s : argv_storage) cargv.push_back(s.data());
  cargv.push_back(nullptr);

  pid_t pid = -1;
  auto start = Clock::now();
  int rc = posix_spawnp(&pid, cargv[0], &fa, &attr, cargv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    cleanup();
    return NotFound("cannot run {}: {}", argv[0], strerror(rc));
  }
  CloseFd(in_pipe[0]);
  CloseFd(out_pipe[1]);
  CloseFd(err_pipe[1]);
  CloseFd(stdin_fd);
  CloseFd(stdout_fd);

  ExecResult res;
  size_t written = 0;
  const std::string& input = opts.stdin_data;
  if (in_pipe[1] >= 0) {
    fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
    if (input.empty()) CloseFd(in_pipe[1]);
  }
  auto deadline = start + opts.timeout;
  char buf[65536];
  while (out_pipe[0] >= 0 || err_pipe[0] >= 0 || in_pipe[1] >= 0) {
    std::vector<pollfd> fds;
    if (out_pipe[0] >= 0) fds.push_back({out_pipe[0], POLLIN, 0});
    if (err_pipe[0] >= 0) fds.push_back({err_pipe[0], POLLIN, 0});
    if (in_pipe[1] >= 0) fds.push_back({in_pipe[1], POLLOUT, 0});
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      res.timed_out = true;
      break;
    }
    int n = poll(fds.data(), fds.size(), static_cast<int>(std::min<long>(left.count(), 1000)));
    if (n < 0 && errno != EINTR) break;
    for (auto& p : fds) {
      if (!p.revents) continue;
      if (p.fd == in_pipe[1]) {
        ssize_t w = write(p.fd, input.data() + written, input.size() - written);
        if (w > 0) written += w;
        if (w < 0 && errno != EAGAIN) written = input.size();
        if (written >= input.size()) CloseFd(in_pipe[1]);
        continue;
      }
      ssize_t r = read(p.fd, buf, sizeof buf);
      if (r > 0) {
        (p.fd == out_pipe[0] ? res.out : res.err).append(buf, r);
      } else if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) {
        if (p.fd == out_pipe[0]) CloseFd(out_pipe[0]);
        else CloseFd(err_pipe[0]);
      }
    }
  }
  int status = 0;
  if (res.timed_out) {
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
  } else {
    // Output closed; the child may still be running (it closed its pipes or handed them to a
    // detached grandchild). Wait for it until the deadline.
    while (true) {
      pid_t w = waitpid(pid, &status, WNOHANG);
      if (w == pid) break;
      if (w < 0 && errno != EINTR) break;
      if (Clock::now() > deadline) {
        res.timed_out = true;
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        break;
      }
      usleep(2000);
    }
  }
  if (res.timed_out) waitpid(pid, &status, 0);
  cleanup();
  res.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  if (!res.timed_out) {
    if (WIFEXITED(status)) res.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) res.term_signal = WTERMSIG(status);
  }
  return res;
}

Result<ExecResult> RunChecked(const std::vector<std::string>& argv, const ExecOptions& opts) {
  JF_ASSIGN_OR_RETURN(ExecResult r, RunProcess(argv, opts));
  if (!r.ok()) {
    return Status(r.timed_out ? StatusCode::kTimeout : StatusCode::kInternal,
                  fmt::format("`{}` failed: {}", ShellJoin(argv), r.Describe()));
  }
  return r;
}

}  // namespace jf
