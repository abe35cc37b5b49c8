#include "control/ssh_remote.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string_view>

extern char** environ;

namespace jf {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How long the harness waits for a reply beyond the command's own timeout (which the host
// enforces) before it gives the session up: the round trip and the agent's bookkeeping.
constexpr milliseconds kGrace{2000};
// Connecting and logging in (ConnectTimeout=10 covers only the TCP connection).
constexpr milliseconds kStartTimeout{20000};
// How long a closing session may take to end by itself (EOF on its stdin) before it is killed.
constexpr milliseconds kClosePatience{1000};
// What of an ssh child's stderr is kept for messages.
constexpr size_t kStderrTail = 8192;
// Output that may precede the agent's banner (motd-like noise from the login shell's rc files).
constexpr size_t kMaxNoise = 64 * 1024;
constexpr std::string_view kBanner = "JF-AGENT 1";

long MsLeft(Clock::time_point deadline) {
  return static_cast<long>(
      std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count());
}

milliseconds Since(Clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - t);
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

std::string LastLine(const std::string& s) {
  size_t end = s.find_last_not_of("\r\n \t");
  if (end == std::string::npos) return "";
  size_t start = s.find_last_of("\r\n", end);
  start = start == std::string::npos ? 0 : start + 1;
  return s.substr(start, end - start + 1);
}

// "exit 3", "killed by signal 9" for a wait status.
std::string DescribeWait(int status) {
  if (WIFEXITED(status)) return fmt::format("exit {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {}", WTERMSIG(status));
  return "ended";
}

// A timeout for GNU timeout(1): seconds with milliseconds ("0" would mean none).
std::string TimeoutSecs(milliseconds t) {
  long ms = std::max<long>(1, static_cast<long>(t.count()));
  return fmt::format("{}.{:03}", ms / 1000, ms % 1000);
}

// What the remote login shell runs for a one-shot `command_line` (quoted words): sh, whatever
// the login shell is, runs it under the host-side timeout and exits with its status. `; exit $?`
// keeps sh from exec'ing timeout, so that a command killed by a signal ends ssh with status
// 128+N (as in a session) rather than with ssh's own 255.
std::string OneShotCommand(const std::string& command_line, milliseconds timeout) {
  return "exec sh -c " +
         ShellQuote("timeout -s KILL -- " + TimeoutSecs(timeout) + " " + command_line +
                    "; exit $?");
}

// The quoted words that run a fixed sh script.
std::string ShScript(const std::string& script) { return "sh -c " + ShellQuote(script); }

bool ValidEnvName(const std::string& k) {
  if (k.empty() || std::isdigit(static_cast<unsigned char>(k[0]))) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

// "n1 (10.0.0.1)", or just the node if the host is the same or unknown.
std::string Where(const std::string& node, const std::string& host) {
  return host.empty() || host == node ? node : fmt::format("{} ({})", node, host);
}

// The first line of `text` that contains `what` (trimmed), or "".
std::string LineWith(const std::string& text, std::string_view what) {
  size_t at = text.find(what);
  if (at == std::string::npos) return "";
  size_t start = text.find_last_of("\r\n", at);
  start = start == std::string::npos ? 0 : start + 1;
  size_t end = text.find_first_of("\r\n", at);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The error of a one-shot command that had to succeed, naming the node.
Status OneShotStatus(const Result<ExecResult>& r, const std::string& where,
                     const std::string& what) {
  if (!r.ok()) return r.status();
  if (r->ok()) return Status::Ok();
  return Status(r->timed_out ? StatusCode::kTimeout : StatusCode::kInternal,
                fmt::format("{}: {} failed: {}", where, what, r->Describe()));
}

// What the remote login shell runs to start the agent.
std::string AgentCommand() { return "exec sh -c " + ShellQuote(SshAgentScript()); }

// A child with its stdin on a socket (so that writes to a dead child fail with EPIPE instead of
// raising SIGPIPE: send() takes MSG_NOSIGNAL) and stdout and stderr on pipes, in its own process
// group. Every descriptor is close-on-exec, so children spawned concurrently by other threads do
// not inherit them (and hold a session open).
struct Child {
  pid_t pid = -1;
  int in = -1;
  int out = -1;
  int err = -1;
};

Result<Child> SpawnPiped(const std::vector<std::string>& argv) {
  if (argv.empty()) return InvalidArgument("ssh transport gave an empty command line");
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  auto close_all = [&] {
    for (int* p : {in, out, err}) {
      CloseFd(p[0]);
      CloseFd(p[1]);
    }
  };
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0 || pipe2(out, O_CLOEXEC) != 0 ||
      pipe2(err, O_CLOEXEC) != 0) {
    int e = errno;
    close_all();
    return Internal("cannot create pipes for ssh: {}", strerror(e));
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[1], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGCHLD, SIGHUP}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETSIGMASK);
  std::vector<std::string> storage = argv;
  std::vector<char*> cargv;
  for (auto& s : storage) cargv.push_back(s.data());
  cargv.push_back(nullptr);
  Child c;
  int rc = posix_spawnp(&c.pid, cargv[0], &fa, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  CloseFd(in[1]);
  CloseFd(out[1]);
  CloseFd(err[1]);
  if (rc != 0) {
    close_all();
    return NotFound("cannot run {}: {}", argv[0], strerror(rc));
  }
  c.in = in[0];
  c.out = out[0];
  c.err = err[0];
  for (int fd : {c.in, c.out, c.err}) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return c;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The agent.

const std::string& SshAgentScript() {
  // d: the private directory (mktemp -d makes it 0700; recreated if a command removed it, as a
  // nemesis cleaning /tmp might); i, o, e: the command's stdin, stdout and stderr. The command
  // line arrives as <l> lines read by the `read` builtin (no process) and is made of quoted words
  // only, so `eval` turns it into timeout's arguments without a shell in between: the common
  // command costs one fork (timeout) and no temporary file but the outputs. Replies send exactly
  // the bytes stat counted (head -c, not cat): a process the command left in the background may
  // still be writing to o, and the frame must match its header; if stat cannot see both files,
  // the reply carries no output rather than a wrong frame. On HUP/INT/TERM/PIPE (the connection
  // is gone) the agent exits, which removes d.
  static const std::string kScript = R"(d=$(mktemp -d "${TMPDIR:-/tmp}/jf-agent.XXXXXX") || exit 97
trap 'rm -rf "$d"' EXIT
trap 'exit 1' HUP INT TERM PIPE
nl='
'
echo 'JF-AGENT 1'
while read -r id t l n; do
  case "$id:$t:$l:$n" in *[!0-9.:]*|*::*|:*|*:) exit 1;; esac
  IFS= read -r cmd || exit 1
  while [ "$l" -gt 1 ]; do IFS= read -r x || exit 1; cmd=$cmd$nl$x; l=$((l - 1)); done
  [ -d "$d" ] || mkdir -m 700 "$d" || exit 1
  i=/dev/null
  if [ "$n" -gt 0 ]; then head -c "$n" > "$d/i" || exit 1; i=$d/i; fi
  read -r end && [ "$end" = "$id" ] || exit 1
  eval "timeout -s KILL -- \"\$t\" $cmd" < "$i" > "$d/o" 2> "$d/e"
  s=$?
  set -- 0 0
  if [ -s "$d/o" ] || [ -s "$d/e" ]; then
    z=$(stat -c %s "$d/o" "$d/e" 2>/dev/null) && set -- $z
  fi
  printf 'JF %s %s %s %s\n' "$id" "$s" "$1" "$2"
  [ "$1" -eq 0 ] || head -c "$1" "$d/o"
  [ "$2" -eq 0 ] || head -c "$2" "$d/e"
done
)";
  return kScript;
}

// ---------------------------------------------------------------------------------------------
// A session: one ssh child running the agent. Used by one thread at a time (the pool hands it
// to one call); not thread-safe.

class SshRemote::Session {
 public:
  struct Reply {
    int status = -1;  // the agent's $? for the command
    std::string out;
    std::string err;
  };

  // Spawns `argv` and waits for the agent's banner until `deadline`.
  static Result<std::unique_ptr<Session>> Start(const std::vector<std::string>& argv,
                                                const SshRemote& remote,
                                                Clock::time_point deadline);

  ~Session() { Close(milliseconds(0)); }

  // False if the child has exited or its stdout shows EOF or stray bytes (unusable).
  bool Healthy();

  // Sends a request and reads its reply until `deadline`. *sent tells whether the whole request
  // was written. Errors: Timeout (deadline), Unavailable (the session ended), Internal (a reply
  // that breaks the protocol). After an error the session must be discarded.
  Result<Reply> Call(const std::vector<std::string>& argv, const std::string& command_line,
                     const ExecOptions& opts, Clock::time_point deadline, bool* sent);

  // Closes the agent's stdin (it exits at EOF), waits up to `patience` for the child to end, then
  // kills its process group.
  void Close(milliseconds patience);
  void CloseInput() { CloseFd(in_); }

 private:
  enum class Io { kOk, kEof, kDeadline, kWriteFailed };

  Session(const SshRemote& remote, Child child)
      : remote_(remote), pid_(child.pid), in_(child.in), out_(child.out), err_(child.err) {}

  // One round of I/O until `deadline`: writes what is left of `data` (from *written on), reads
  // stdout into buf_ and stderr into err_tail_.
  Io Pump(std::string_view data, size_t* written, Clock::time_point deadline);
  // The session ended (EOF or a failed write): collects ssh's last words and exit status and
  // says why, in ssh's terms if ClassifySshFailure knows them.
  Status Ended(const std::string& doing);

  const SshRemote& remote_;
  pid_t pid_;
  int in_;
  int out_;
  int err_;
  bool exited_ = false;
  int wait_status_ = 0;
  uint64_t next_id_ = 0;
  std::string buf_;       // bytes from stdout not yet consumed
  std::string err_tail_;  // the end of ssh's stderr
};

Result<std::unique_ptr<SshRemote::Session>> SshRemote::Session::Start(
    const std::vector<std::string>& argv, const SshRemote& remote, Clock::time_point deadline) {
  const long budget_ms = std::max(0L, MsLeft(deadline));
  JF_ASSIGN_OR_RETURN(Child child, SpawnPiped(argv));
  std::unique_ptr<Session> s(new Session(remote, child));
  size_t none = 0;
  while (true) {
    size_t nl;
    while ((nl = s->buf_.find('\n')) != std::string::npos) {
      bool banner = std::string_view(s->buf_).substr(0, nl) == kBanner;
      s->buf_.erase(0, nl + 1);
      if (banner) return s;
    }
    if (s->buf_.size() > kMaxNoise) {
      return Unavailable("{}: the ssh session printed {} bytes of unexpected output instead of "
                         "starting its agent",
                         remote.where_, s->buf_.size());
    }
    switch (s->Pump({}, &none, deadline)) {
      case Io::kOk:
        break;
      case Io::kDeadline: {
        std::string line = LastLine(s->err_tail_);
        return Unavailable("{}: the ssh session did not start within {} ms{}", remote.where_,
                           budget_ms, line.empty() ? "" : ": " + line);
      }
      case Io::kEof:
      case Io::kWriteFailed:
        return s->Ended("starting a session");
    }
  }
}

bool SshRemote::Session::Healthy() {
  if (exited_ || in_ < 0) return false;
  if (waitpid(pid_, &wait_status_, WNOHANG) == pid_) {
    exited_ = true;
    return false;
  }
  pollfd p{out_, POLLIN, 0};
  return buf_.empty() && poll(&p, 1, 0) == 0;
}

SshRemote::Session::Io SshRemote::Session::Pump(std::string_view data, size_t* written,
                                                Clock::time_point deadline) {
  long left = MsLeft(deadline);
  if (left <= 0) return Io::kDeadline;
  pollfd fds[3];
  nfds_t n = 0;
  fds[n++] = {out_, POLLIN, 0};
  int err_at = -1, in_at = -1;
  if (err_ >= 0) {
    err_at = static_cast<int>(n);
    fds[n++] = {err_, POLLIN, 0};
  }
  if (*written < data.size()) {
    in_at = static_cast<int>(n);
    fds[n++] = {in_, POLLOUT, 0};
  }
  if (poll(fds, n, static_cast<int>(std::min<long>(left, 1000))) < 0) {
    return errno == EINTR ? Io::kOk : Io::kEof;
  }
  if (in_at >= 0 && fds[in_at].revents != 0) {
    ssize_t w = send(in_, data.data() + *written, data.size() - *written,
                     MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w > 0) {
      *written += static_cast<size_t>(w);
    } else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      return Io::kWriteFailed;
    }
  }
  char chunk[65536];
  if (err_at >= 0 && fds[err_at].revents != 0) {
    ssize_t r = read(err_, chunk, sizeof chunk);
    if (r > 0) {
      err_tail_.append(chunk, static_cast<size_t>(r));
      if (err_tail_.size() > kStderrTail) err_tail_.erase(0, err_tail_.size() - kStderrTail);
    } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
      CloseFd(err_);
    }
  }
  if (fds[0].revents != 0) {
    // Drain what is there (up to 1 MiB a round), so multi-megabyte replies take few polls.
    for (int i = 0; i < 16; ++i) {
      ssize_t r = read(out_, chunk, sizeof chunk);
      if (r > 0) {
        buf_.append(chunk, static_cast<size_t>(r));
        continue;
      }
      if (r == 0 || (errno != EAGAIN && errno != EINTR)) return Io::kEof;
      break;
    }
  }
  return Io::kOk;
}

Status SshRemote::Session::Ended(const std::string& doing) {
  // ssh prints why before it exits: read its stderr to the end (briefly), then reap it.
  auto until = Clock::now() + milliseconds(500);
  while (err_ >= 0 && MsLeft(until) > 0) {
    pollfd p{err_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(std::max<long>(1, MsLeft(until)))) <= 0) break;
    char chunk[4096];
    ssize_t r = read(err_, chunk, sizeof chunk);
    if (r > 0) {
      err_tail_.append(chunk, static_cast<size_t>(r));
    } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
      CloseFd(err_);
    }
  }
  if (err_tail_.size() > kStderrTail) err_tail_.erase(0, err_tail_.size() - kStderrTail);
  Close(milliseconds(500));
  Status known = ClassifySshFailure(remote_.node_, remote_.options_, err_tail_);
  if (!known.ok()) return known;
  std::string line = LastLine(err_tail_);
  return Unavailable("{}: the ssh session ended ({}) while {}{}", remote_.where_,
                     DescribeWait(wait_status_), doing, line.empty() ? "" : ": " + line);
}

void SshRemote::Session::Close(milliseconds patience) {
  CloseFd(in_);
  if (!exited_ && pid_ > 0) {
    auto until = Clock::now() + patience;
    while (true) {
      pid_t w = waitpid(pid_, &wait_status_, WNOHANG);
      if (w == pid_ || (w < 0 && errno != EINTR)) {
        exited_ = true;
        break;
      }
      if (Clock::now() >= until) break;
      usleep(1000);
    }
    if (!exited_) {
      // Not reaped yet, so the group id cannot have been reused.
      kill(-pid_, SIGKILL);
      kill(pid_, SIGKILL);
      while (waitpid(pid_, &wait_status_, 0) < 0 && errno == EINTR) {
      }
      exited_ = true;
    }
  }
  CloseFd(out_);
  CloseFd(err_);
}

Result<SshRemote::Session::Reply> SshRemote::Session::Call(const std::vector<std::string>& argv,
                                                           const std::string& command_line,
                                                           const ExecOptions& opts,
                                                           Clock::time_point deadline,
                                                           bool* sent) {
  const uint64_t id = ++next_id_;
  const std::string& in = opts.stdin_data;
  const auto lines = std::count(command_line.begin(), command_line.end(), '\n') + 1;
  std::string request =
      fmt::format("{} {} {} {}\n", id, TimeoutSecs(opts.timeout), lines, in.size());
  request.reserve(request.size() + command_line.size() + in.size() + 24);
  request += command_line;
  request += '\n';
  request += in;
  request += fmt::format("{}\n", id);

  size_t written = 0;
  *sent = false;
  size_t header_len = 0;  // 0 until the reply's header line has been parsed
  unsigned long long out_len = 0, err_len = 0;
  int status = -1;
  while (true) {
    if (header_len == 0) {
      size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        unsigned long long got_id = 0;
        char extra = 0;
        std::string header = buf_.substr(0, nl);
        if (std::sscanf(header.c_str(), "JF %llu %d %llu %llu%c", &got_id, &status, &out_len,
                        &err_len, &extra) != 4 ||
            got_id != id) {
          std::string shown = header.substr(0, 80);
          std::replace_if(
              shown.begin(), shown.end(),
              [](char c) { return !std::isprint(static_cast<unsigned char>(c)); }, '?');
          return Internal("{}: the ssh agent broke the protocol: expected the reply to request "
                          "{}, got '{}'",
                          remote_.where_, id, shown);
        }
        header_len = nl + 1;
        buf_.reserve(std::min<unsigned long long>(header_len + out_len + err_len, 1ULL << 28));
      } else if (buf_.size() > 256) {
        return Internal("{}: the ssh agent broke the protocol (no reply header)", remote_.where_);
      }
    }
    if (header_len > 0 && buf_.size() >= header_len + out_len + err_len) {
      Reply reply;
      reply.status = status;
      reply.out = buf_.substr(header_len, out_len);
      reply.err = buf_.substr(header_len + out_len, err_len);
      buf_.erase(0, header_len + out_len + err_len);
      return reply;
    }
    Io io = Pump(request, &written, deadline);
    if (written == request.size()) *sent = true;
    switch (io) {
      case Io::kOk:
        break;
      case Io::kDeadline:
        return Timeout("{}: no reply within {} ms", remote_.where_,
                       (opts.timeout + kGrace).count());
      case Io::kEof:
      case Io::kWriteFailed:
        return Ended(fmt::format("running `{}`", ShellJoin(argv)));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Free functions.

Status CheckSshOptions(const SshOptions& opts) {
  auto bad_word = [](const std::string& w) {
    return w.empty() || w[0] == '-' ||
           std::any_of(w.begin(), w.end(), [](char c) {
             return std::isspace(static_cast<unsigned char>(c)) ||
                    std::iscntrl(static_cast<unsigned char>(c));
           });
  };
  if (opts.host.empty()) return InvalidArgument("ssh: no host given");
  if (bad_word(opts.host)) return InvalidArgument("ssh: '{}' is not a host name", opts.host);
  if (bad_word(opts.user)) return InvalidArgument("ssh: '{}' is not a user name", opts.user);
  if (opts.port < 1 || opts.port > 65535) {
    return InvalidArgument("ssh: port {} is not in 1..65535", opts.port);
  }
  for (const auto& o : opts.extra_options) {
    if (o.empty() || o[0] == '-' || HasNul(o) || o.find('\n') != std::string::npos) {
      return InvalidArgument("ssh: '{}' is not an ssh option (key=value)", o);
    }
  }
  return Status::Ok();
}

std::vector<std::string> SshArgv(const SshOptions& opts, const std::string& remote_command) {
  std::vector<std::string> argv = {"ssh", "-T", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"};
  for (const auto& o : opts.extra_options) {
    argv.push_back("-o");
    argv.push_back(o);
  }
  for (const char* o : {"ServerAliveInterval=5", "ServerAliveCountMax=3", "ConnectTimeout=10"}) {
    argv.push_back("-o");
    argv.push_back(o);
  }
  argv.push_back("-o");
  argv.push_back(opts.strict_host_key_checking ? "StrictHostKeyChecking=yes"
                                               : "StrictHostKeyChecking=no");
  if (!opts.known_hosts_file.empty()) {
    argv.push_back("-o");
    argv.push_back("UserKnownHostsFile=" + opts.known_hosts_file);
  }
  if (!opts.private_key.empty()) {
    argv.insert(argv.end(), {"-i", opts.private_key, "-o", "IdentitiesOnly=yes"});
  }
  argv.insert(argv.end(), {"-p", std::to_string(opts.port), "-l", opts.user});
  if (!opts.control_dir.empty()) {
    argv.insert(argv.end(), {"-o", "ControlMaster=auto", "-o",
                             "ControlPath=" + opts.control_dir + "/%C", "-o",
                             "ControlPersist=60"});
  }
  argv.insert(argv.end(), {opts.host, "--", remote_command});
  return argv;
}

Status ClassifySshFailure(const std::string& node, const SshOptions& opts,
                          const std::string& ssh_stderr) {
  auto has = [&](std::string_view what) { return ssh_stderr.find(what) != std::string::npos; };
  const std::string where = Where(node, opts.host);
  const std::string host = opts.host.empty() ? node : opts.host;
  const std::string known_hosts =
      opts.known_hosts_file.empty() ? "~/.ssh/known_hosts" : opts.known_hosts_file;
  const std::string keyscan =
      fmt::format("ssh-keyscan{} {} >> {}", opts.port == 22 ? "" : fmt::format(" -p {}", opts.port),
                  host, known_hosts);

  if (has("REMOTE HOST IDENTIFICATION HAS CHANGED")) {
    const std::string entry = opts.port == 22 ? host : fmt::format("[{}]:{}", host, opts.port);
    return FailedPrecondition(
        "{}: the host's key is not the one recorded in {} (host reinstalled, or someone in the "
        "middle): if the change is expected, remove the old entry (ssh-keygen -R '{}'{}) and add "
        "the new key ({})",
        where, known_hosts, entry,
        opts.known_hosts_file.empty() ? "" : " -f " + opts.known_hosts_file, keyscan);
  }
  if (has("Host key verification failed") || (has("No ") && has("host key is known for"))) {
    return FailedPrecondition(
        "{}: host key verification failed: add it to known_hosts ({}) or pass "
        "--strict-host-key-checking=no",
        where, keyscan);
  }
  if (has("UNPROTECTED PRIVATE KEY FILE") || has("bad permissions")) {
    return FailedPrecondition("{}: ssh ignores the private key {} because others can read it: "
                              "chmod 600 it",
                              where, opts.private_key.empty() ? "(from ssh_config)" : opts.private_key);
  }
  if (has("Identity file") && has("not accessible")) {
    return FailedPrecondition("{}: the private key {} cannot be read: check its path and "
                              "permissions",
                              where, opts.private_key.empty() ? "(from ssh_config)" : opts.private_key);
  }
  if (has("Too many authentication failures")) {
    return FailedPrecondition("{}: ssh authentication as {} failed: too many keys were offered "
                              "(ssh-agent?): name the key to use (IdentitiesOnly)",
                              where, opts.user);
  }
  if (has("Permission denied (")) {
    return FailedPrecondition(
        "{}: ssh authentication as {} failed (permission denied): check the user, the private "
        "key (or the keys in ssh-agent) and the host's authorized_keys; passwords are never tried",
        where, opts.user);
  }
  if (has("Could not resolve hostname")) {
    return Unavailable("{}: cannot resolve the host name {}: check the node's address", where,
                       host);
  }
  if (has("Connection refused")) {
    return Unavailable("{}: connection refused on port {}: is sshd running there?", where,
                       opts.port);
  }
  if (has("Connection timed out") || has("Operation timed out") ||
      has("timed out during banner exchange")) {
    return Unavailable("{}: the ssh connection timed out: the host is down or unreachable "
                       "(firewall, partition?)",
                       where);
  }
  if (has("No route to host") || has("Network is unreachable")) {
    return Unavailable("{}: no route to the host: it is down or the network is cut", where);
  }
  if (has("Timeout, server")) {
    return Unavailable("{}: the host stopped answering (ssh keepalive timeout)", where);
  }
  for (std::string_view what : {"Connection closed by", "Connection reset by",
                                "closed by remote host", "kex_exchange_identification",
                                "Broken pipe"}) {
    if (has(what)) {
      return Unavailable("{}: the ssh connection was closed: {}", where,
                         LineWith(ssh_stderr, what));
    }
  }
  return Status::Ok();
}

Result<std::string> SshCommandLine(const std::vector<std::string>& argv,
                                   const ExecOptions& opts) {
  if (argv.empty()) return InvalidArgument("empty command");
  if (std::any_of(argv.begin(), argv.end(), HasNul) || HasNul(opts.cwd)) {
    return InvalidArgument("`{}`: a word contains a NUL byte", ShellJoin(argv));
  }
  if (opts.cwd.empty() && opts.env.empty()) return ShellJoin(argv);
  std::vector<std::string> words = {"env"};
  if (!opts.cwd.empty()) words.insert(words.end(), {"-C", opts.cwd});
  words.push_back("--");
  for (const auto& [k, v] : opts.env) {
    if (!ValidEnvName(k) || HasNul(v)) {
      return InvalidArgument("`{}`: cannot set environment variable '{}'", ShellJoin(argv), k);
    }
    words.push_back(k + "=" + v);
  }
  words.insert(words.end(), argv.begin(), argv.end());
  return ShellJoin(words);
}

// ---------------------------------------------------------------------------------------------
// SshRemote.

SshRemote::SshRemote(std::string node, SshOptions options, Transport transport, int max_sessions)
    : node_(std::move(node)),
      options_(std::move(options)),
      where_(Where(node_, options_.host)),
      transport_(transport ? transport
                           : Transport([opts = options_](const std::string& remote_command) {
                               return SshArgv(opts, remote_command);
                             })),
      max_sessions_(std::max(1, max_sessions)),
      config_(transport ? Status::Ok() : CheckSshOptions(options_)) {
  if (!transport && !options_.control_dir.empty()) {
    // ssh creates the sockets but not the directory. Best effort: ssh reports what is wrong.
    std::error_code ec;
    fs::create_directories(options_.control_dir, ec);
    fs::permissions(options_.control_dir, fs::perms::owner_all, ec);
  }
}

SshRemote::~SshRemote() {
  std::vector<std::unique_ptr<Session>> idle;
  {
    std::lock_guard<std::mutex> lock(mu_);
    idle.swap(idle_);
    live_ -= static_cast<int>(idle.size());
  }
  // EOF to every agent first, so that they wind down in parallel.
  for (auto& s : idle) s->CloseInput();
  for (auto& s : idle) s->Close(kClosePatience);
}

int SshRemote::sessions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return live_;
}

Result<std::unique_ptr<SshRemote::Session>> SshRemote::Acquire(Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (!idle_.empty()) {
      std::unique_ptr<Session> s = std::move(idle_.back());  // the warmest
      idle_.pop_back();
      if (s->Healthy()) return s;  // (a waitpid and a poll: cheap enough under the lock)
      lock.unlock();
      spdlog::debug("{}: an idle ssh session has ended; replacing it", where_);
      Discard(std::move(s));
      lock.lock();
      continue;
    }
    if (live_ < max_sessions_) {
      ++live_;
      lock.unlock();
      auto s = Session::Start(transport_(AgentCommand()), *this,
                              std::min(deadline, Clock::now() + kStartTimeout));
      if (!s.ok()) {
        lock.lock();
        --live_;
        released_.notify_one();
        return s.status();
      }
      spdlog::debug("{}: ssh session started", where_);
      return s;
    }
    if (released_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        live_ >= max_sessions_) {
      return Timeout("{}: all {} ssh sessions stayed busy", where_, max_sessions_);
    }
  }
}

void SshRemote::Release(std::unique_ptr<Session> session) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(session));
  released_.notify_one();
}

void SshRemote::Discard(std::unique_ptr<Session> session) {
  session.reset();  // kills the child if it still runs
  std::lock_guard<std::mutex> lock(mu_);
  --live_;
  released_.notify_one();
}

Result<ExecResult> SshRemote::Exec(const std::vector<std::string>& argv,
                                   const ExecOptions& opts) {
  JF_RETURN_IF_ERROR(config_);
  JF_ASSIGN_OR_RETURN(std::string line, SshCommandLine(argv, opts));
  if (!opts.stdin_file.empty() || !opts.stdout_file.empty()) return RunOneShot(line, opts);

  const auto start = Clock::now();
  const auto deadline = start + opts.timeout + kGrace;
  for (int attempt = 0;; ++attempt) {
    JF_ASSIGN_OR_RETURN(std::unique_ptr<Session> session, Acquire(deadline));
    bool sent = false;
    const auto sent_at = Clock::now();
    Result<Session::Reply> reply = session->Call(argv, line, opts, deadline, &sent);
    if (reply.ok()) {
      Release(std::move(session));
      ExecResult r;
      r.out = std::move(reply->out);
      r.err = std::move(reply->err);
      r.elapsed = Since(start);
      const int s = reply->status;
      if (s == 128 + SIGKILL && Since(sent_at) >= opts.timeout) {
        r.timed_out = true;  // the host's `timeout -s KILL`
      } else if (s > 128 && s <= 128 + 64) {
        r.term_signal = s - 128;
      } else {
        r.exit_code = s;
      }
      return r;
    }
    Discard(std::move(session));
    const Status& st = reply.status();
    if (st.code() == StatusCode::kTimeout) {
      spdlog::debug("{}", st.message());
      ExecResult r;
      r.timed_out = true;
      r.elapsed = Since(start);
      return r;
    }
    if (!sent && attempt == 0) {
      spdlog::debug("{} (before the request was written); retrying on a fresh session",
                    st.message());
      continue;
    }
    if (st.code() == StatusCode::kInternal) return st;
    return Unavailable("{}{}", st.message(),
                       sent ? "; the command may or may not have run" : "");
  }
}

Result<ExecResult> SshRemote::RunOneShot(const std::string& command_line,
                                         const ExecOptions& opts) {
  ExecOptions o = opts;
  o.env.clear();  // in the script
  o.cwd.clear();
  o.timeout = opts.timeout + kGrace;
  const auto start = Clock::now();
  Result<ExecResult> run = RunProcess(transport_(OneShotCommand(command_line, opts.timeout)), o);
  if (!run.ok()) return run.status().WithContext(where_);
  ExecResult r = std::move(run).value();
  if (r.exit_code == 255) {
    Status known = ClassifySshFailure(node_, options_, r.err);
    if (!known.ok()) return known;
  }
  if (r.exit_code == 128 + SIGKILL && Since(start) >= opts.timeout) {
    r.exit_code = -1;
    r.timed_out = true;
  } else if (r.exit_code > 128 && r.exit_code <= 128 + 64) {
    r.term_signal = r.exit_code - 128;
    r.exit_code = -1;
  }
  return r;
}

Status SshRemote::Upload(const std::string& local_path, const std::string& remote_path) {
  JF_RETURN_IF_ERROR(config_);
  ExecOptions o;
  o.stdin_file = local_path;
  o.timeout = std::chrono::minutes(5);
  const std::string q = ShellQuote(remote_path);
  auto r = RunOneShot(ShScript("mkdir -p -- \"$(dirname -- " + q + ")\" && cat > " + q), o);
  return OneShotStatus(r, where_, fmt::format("uploading {} to {}", local_path, remote_path));
}

Status SshRemote::Download(const std::string& remote_path, const std::string& local_path) {
  JF_RETURN_IF_ERROR(config_);
  std::error_code ec;
  fs::create_directories(fs::path(local_path).parent_path(), ec);
  ExecOptions o;
  o.stdout_file = local_path;
  o.timeout = std::chrono::minutes(5);
  auto r = RunOneShot(ShellJoin({"cat", "--", remote_path}), o);
  Status st = OneShotStatus(r, where_, fmt::format("downloading {}", remote_path));
  if (!st.ok()) fs::remove(local_path, ec);
  return st;
}

Result<std::string> TreeFingerprint(const std::string& local_dir) {
  std::vector<std::string> entries;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(local_dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    auto st = it->symlink_status(ec);
    if (ec) break;
    std::string rel = fs::relative(it->path(), local_dir, ec).string();
    std::string e = fmt::format("{}\0{}", rel, static_cast<int>(st.type()));
    if (fs::is_regular_file(st)) {
      auto mtime = fs::last_write_time(it->path(), ec).time_since_epoch().count();
      e += fmt::format("\0{}\0{}\0{}", fs::file_size(it->path(), ec), mtime,
                       static_cast<unsigned>(st.permissions()));
    } else if (fs::is_symlink(st)) {
      e += "\0" + fs::read_symlink(it->path(), ec).string();
    }
    entries.push_back(std::move(e));
  }
  if (ec) return Internal("reading {}: {}", local_dir, ec.message());
  std::sort(entries.begin(), entries.end());
  uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  for (const auto& e : entries) {
    for (unsigned char c : e + '\n') h = (h ^ c) * 1099511628211ull;
  }
  return fmt::format("{:016x}-{}", h, entries.size());
}

Status SshRemote::UploadTree(const std::string& local_dir, const std::string& remote_dir) {
  JF_RETURN_IF_ERROR(config_);
  const fs::path dir = fs::path(remote_dir).lexically_normal();
  if (!dir.is_absolute() || dir.relative_path().empty()) {
    return InvalidArgument("{}: will not replace '{}': not an absolute directory other than /",
                           where_, remote_dir);
  }
  if (!fs::is_directory(local_dir)) return NotFound("{} is not a directory", local_dir);
  constexpr auto kTreeTimeout = std::chrono::minutes(10);
  const std::string q = ShellQuote(dir.string());
  const std::string marker = (dir / kTreeMarker).string();
  JF_ASSIGN_OR_RETURN(std::string id, TreeFingerprint(local_dir));
  // The same tree is already there (a node reused across runs): a round trip instead of the tree.
  if (auto there = Exec({"cat", "--", marker}, {.timeout = std::chrono::seconds(30)});
      there.ok() && there->ok() && there->out == id) {
    spdlog::debug("{}: {} is up to date ({})", where_, remote_dir, id);
    return Status::Ok();
  }
  // The marker is written last, so an interrupted transfer is sent again next time.
  const std::string remote = OneShotCommand(
      ShScript("rm -rf -- " + q + " && mkdir -p -- " + q + " && tar --no-same-owner -C " + q +
               " -xf - && printf %s " + ShellQuote(id) + " > " + ShellQuote(marker)),
      kTreeTimeout);
  ExecOptions o;
  o.timeout = kTreeTimeout + kGrace;
  auto r = RunProcess({"sh", "-c",
                       "tar -C " + ShellQuote(local_dir) + " -cf - . | " +
                           ShellJoin(transport_(remote))},
                      o);
  if (r.ok() && r->exit_code == 255) {
    Status known = ClassifySshFailure(node_, options_, r->err);
    if (!known.ok()) return known;
  }
  return OneShotStatus(r, where_, fmt::format("uploading {} to {}", local_dir, remote_dir));
}

}  // namespace jf
