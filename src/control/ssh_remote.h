// SshRemote: a real host reached through the OpenSSH client (`ssh`), with long-lived sessions so
// that a command costs a round trip, not a new ssh process (~90 ms even with ControlMaster).
//
// A session is one `ssh HOST -- 'exec sh -c <agent>'` child whose stdin and stdout are connected
// to the harness. The agent is a POSIX sh loop (dash and coreutils only: mktemp, head, stat,
// timeout, env) that runs one request at a time. The protocol:
//
//   agent, once:  "JF-AGENT 1\n"                  (lines before it, e.g. from a noisy .bashrc,
//                                                   are skipped)
//   request:      "<id> <timeout secs> <lines> <stdin bytes>\n" <command line> "\n" <stdin>
//                 "<id>\n"
//   reply:        "JF <id> <status> <stdout bytes> <stderr bytes>\n" <stdout> <stderr>
//
// The command line (SshCommandLine: quoted words only, possibly spanning lines inside quotes) is
// read with the `read` builtin; stdin and the outputs are raw bytes counted exactly (`head -c`
// reads no more than asked for), so binary and unterminated output survive and nothing is
// encoded. The trailing "<id>" line is read last: a request cut short (the harness or the link
// died mid-write) ends the agent at EOF instead of running a truncated command. The agent runs
// `eval "timeout -s KILL -- $secs <command line>"`: the words reach timeout as arguments and no
// argument is ever interpreted by a shell. stdin is /dev/null or a file with the request's bytes;
// stdout and stderr go to files in a private `mktemp -d` directory (removed when the agent exits,
// i.e. when its connection ends). A command that hangs is killed on the host with its process
// group, and the session survives.
//
// <status> is the shell's `$?`: a command killed by signal N is reported as term_signal N
// (status 128+N, as a shell sees it; a command that itself exits with 129..192 is therefore
// reported as killed by a signal), a command killed by the timeout as timed_out.
//
// Commands with a stdin_file or a stdout_file, Upload, Download and UploadTree do not go through a
// session: each runs one `ssh` process that streams the data (with ControlMaster it reuses the
// connection), wrapped in the same host-side `timeout`.
//
// Thread-safety: all methods may be called concurrently from any number of threads. Each SshRemote
// keeps a pool of up to `max_sessions` sessions, started on demand; a call takes an idle session,
// starts one if fewer than max_sessions exist, or waits for one within its timeout, so a long
// command does not delay a fault injection while sessions are free. A session is used by one call
// at a time. The destructor must not run while calls are in flight; it closes the sessions.
#ifndef JF_CONTROL_SSH_REMOTE_H_
#define JF_CONTROL_SSH_REMOTE_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "control/remote.h"

namespace jf {

struct SshOptions {
  std::string host;
  std::string user = "root";
  int port = 22;
  std::string private_key;  // a path, optional (the agent's or ~/.ssh's keys otherwise)
  bool strict_host_key_checking = true;
  std::string known_hosts_file;  // optional
  std::string control_dir;       // for ControlMaster sockets, optional
  // "key=value" words, each passed as `-o key=value`. They come before the defaults (ssh keeps
  // the first value it sees), so they may override everything but BatchMode and LogLevel.
  std::vector<std::string> extra_options;
};

// InvalidArgument if the options cannot be used safely: an empty host, a host or user that would
// be read as an ssh option (leading '-') or contains whitespace, a port outside 1..65535.
Status CheckSshOptions(const SshOptions& opts);

// The ssh command line that runs `remote_command` (one word: the remote login shell gets it as
// is) on opts.host:
//   ssh -T -o BatchMode=yes -o LogLevel=ERROR [-o EXTRA...] -o ServerAliveInterval=5
//       -o ServerAliveCountMax=3 -o ConnectTimeout=10 -o StrictHostKeyChecking=yes|no
//       [-o UserKnownHostsFile=F] [-i KEY -o IdentitiesOnly=yes] -p PORT -l USER
//       [-o ControlMaster=auto -o ControlPath=DIR/%C -o ControlPersist=60] HOST -- remote_command
// Plain OpenSSH, so the user's ~/.ssh/config, agent and ProxyJump still apply. BatchMode: a
// password is never asked for. LogLevel=ERROR keeps ssh's notices ("Permanently added ... to the
// list of known hosts") out of the commands' stderr; its errors still show.
std::vector<std::string> SshArgv(const SshOptions& opts, const std::string& remote_command);

// Recognizes OpenSSH's own failures in its stderr and turns them into a Status that names the
// node (`node (host)`) and the fix: FailedPrecondition for authentication and host keys,
// Unavailable for name resolution and connection problems. OK if nothing is recognized (the text
// may be a remote command's). Never quotes keys or passwords (ssh prints none). Pure.
Status ClassifySshFailure(const std::string& node, const SshOptions& opts,
                          const std::string& ssh_stderr);

// The command line (quoted words, for a POSIX shell) that runs argv with opts.env and in
// opts.cwd: `ARGV...`, or `env [-C CWD] -- [K=V...] ARGV...` (coreutils env). InvalidArgument for
// an empty argv, an environment name that is not [A-Za-z_][A-Za-z0-9_]*, or a NUL byte anywhere.
Result<std::string> SshCommandLine(const std::vector<std::string>& argv, const ExecOptions& opts);

// The file in an uploaded tree that names the local tree it came from (see UploadTree).
inline constexpr char kTreeMarker[] = ".jf-tree-id";

// A fingerprint of a local tree: every entry's relative path and type, and each regular file's
// size, modification time and mode, hashed (FNV-1a; not a security measure: it detects changes
// to the harness's own copy, not tampering on the node). Changes when any file is added, removed,
// rewritten or touched.
Result<std::string> TreeFingerprint(const std::string& local_dir);

// The agent (a sh script; exposed for tests and for reading).
const std::string& SshAgentScript();

class SshRemote : public Remote {
 public:
  // Maps a remote command (one word, for the remote login shell) to the local argv that runs it
  // on the node. The default is SshArgv(options, remote_command); tests run it locally with
  // {"sh", "-c", remote_command}.
  using Transport = std::function<std::vector<std::string>(const std::string& remote_command)>;

  static constexpr int kDefaultMaxSessions = 4;

  // `node` is the name the harness uses (n1, or the host name). With the default transport the
  // options must pass CheckSshOptions, or every call fails with its Status.
  SshRemote(std::string node, SshOptions options, Transport transport = nullptr,
            int max_sessions = kDefaultMaxSessions);
  ~SshRemote() override;

  SshRemote(const SshRemote&) = delete;
  SshRemote& operator=(const SshRemote&) = delete;

  const std::string& node() const override { return node_; }

  // Through a session, unless opts.stdin_file or opts.stdout_file is set (then one ssh process).
  // opts.timeout bounds the command on the host; the harness waits that long plus a grace period
  // for the reply, then kills the session (result timed_out). Errors: Unavailable (naming the
  // node) if no session can be started or the session died while running the command (which may
  // or may not have run; a session found dead before the request was written is replaced and the
  // call retried once); FailedPrecondition for authentication and host-key failures; Timeout if
  // every session stayed busy for the whole timeout.
  Result<ExecResult> Exec(const std::vector<std::string>& argv,
                          const ExecOptions& opts = {}) override;
  Status Upload(const std::string& local_path, const std::string& remote_path) override;
  // A failed download leaves no local file.
  Status Download(const std::string& remote_path, const std::string& local_path) override;
  // Streams a tar of local_dir into a fresh remote_dir (removed first; files owned by the ssh
  // user), then writes TreeFingerprint(local_dir) to remote_dir/.jf-tree-id. When that file already
  // holds the same fingerprint (a node reused across runs: Flink is 315 MB), nothing is sent.
  // InvalidArgument unless remote_dir is an absolute path other than /.
  Status UploadTree(const std::string& local_dir, const std::string& remote_dir) override;

  // Sessions alive now (idle or in use), at most max_sessions.
  int sessions() const;

 private:
  class Session;

  // An idle healthy session, a new one, or (all busy) the first one released before `deadline`.
  Result<std::unique_ptr<Session>> Acquire(std::chrono::steady_clock::time_point deadline);
  // Returns a session that answered properly to the pool.
  void Release(std::unique_ptr<Session> session);
  // Kills a session that failed and frees its slot.
  void Discard(std::unique_ptr<Session> session);
  // One ssh process for `command_line` (quoted words) under the host-side timeout; opts.stdin_*
  // and opts.stdout_file apply to the ssh process.
  Result<ExecResult> RunOneShot(const std::string& command_line, const ExecOptions& opts);

  const std::string node_;
  const SshOptions options_;
  const std::string where_;  // "n1 (10.0.0.1)" for messages
  const Transport transport_;
  const int max_sessions_;
  const Status config_;  // CheckSshOptions' verdict (OK with a custom transport)

  mutable std::mutex mu_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<Session>> idle_;  // guarded by mu_
  int live_ = 0;                                // guarded by mu_: idle + in use + starting
};

}  // namespace jf

#endif  // JF_CONTROL_SSH_REMOTE_H_
