#include "control/ssh_remote.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <thread>

#include "common/temp_dir.h"

namespace jf {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

long MsSince(Clock::time_point t) {
  return static_cast<long>(std::chrono::duration_cast<milliseconds>(Clock::now() - t).count());
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& p, const std::string& data) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << data;
}

std::string RandomBytes(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen() & 0xff);
  return s;
}

// Runs the remote command here, as the node's login shell would: everything but ssh itself.
SshRemote::Transport LocalTransport(const fs::path& tmpdir) {
  return [tmpdir](const std::string& remote_command) {
    return std::vector<std::string>{"env", "TMPDIR=" + tmpdir.string(), "sh", "-c", remote_command};
  };
}

SshOptions NodeOptions() {
  SshOptions o;
  o.host = "10.0.0.1";
  return o;
}

// ---------------------------------------------------------------------------------------------
// Pure functions.

TEST(SshArgvTest, DefaultWords) {
  SshOptions o;
  o.host = "10.0.0.1";
  // Left unformatted: the column layout would split each -o from its value.
  // clang-format off
  EXPECT_EQ(SshArgv(o, "echo hi"),
            (std::vector<std::string>{"ssh", "-T", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
                                      "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3",
                                      "-o", "ConnectTimeout=10", "-o", "StrictHostKeyChecking=yes",
                                      "-p", "22", "-l", "root", "10.0.0.1", "--", "echo hi"}));
  // clang-format on
}

TEST(SshArgvTest, AllOptions) {
  SshOptions o;
  o.host = "db1.example.com";
  o.user = "admin";
  o.port = 2222;
  o.private_key = "/keys/id ed25519";
  o.strict_host_key_checking = false;
  o.known_hosts_file = "/keys/known_hosts";
  o.control_dir = "/run/jf-ssh";
  o.extra_options = {"ProxyJump=bastion", "ConnectTimeout=30"};
  EXPECT_EQ(SshArgv(o, "x"), (std::vector<std::string>{"ssh",
                                                       "-T",
                                                       "-o",
                                                       "BatchMode=yes",
                                                       "-o",
                                                       "LogLevel=ERROR",
                                                       "-o",
                                                       "ProxyJump=bastion",
                                                       "-o",
                                                       "ConnectTimeout=30",
                                                       "-o",
                                                       "ServerAliveInterval=5",
                                                       "-o",
                                                       "ServerAliveCountMax=3",
                                                       "-o",
                                                       "ConnectTimeout=10",
                                                       "-o",
                                                       "StrictHostKeyChecking=no",
                                                       "-o",
                                                       "UserKnownHostsFile=/keys/known_hosts",
                                                       "-i",
                                                       "/keys/id ed25519",
                                                       "-o",
                                                       "IdentitiesOnly=yes",
                                                       "-p",
                                                       "2222",
                                                       "-l",
                                                       "admin",
                                                       "-o",
                                                       "ControlMaster=auto",
                                                       "-o",
                                                       "ControlPath=/run/jf-ssh/%C",
                                                       "-o",
                                                       "ControlPersist=60",
                                                       "db1.example.com",
                                                       "--",
                                                       "x"}));
}

TEST(SshArgvTest, CheckOptionsRejectsWhatSshWouldMisread) {
  SshOptions o = NodeOptions();
  EXPECT_TRUE(CheckSshOptions(o).ok());
  o.host = "";
  EXPECT_EQ(CheckSshOptions(o).code(), StatusCode::kInvalidArgument);
  o.host = "-oProxyCommand=touch /tmp/x";
  EXPECT_EQ(CheckSshOptions(o).code(), StatusCode::kInvalidArgument);
  o.host = "a b";
  EXPECT_EQ(CheckSshOptions(o).code(), StatusCode::kInvalidArgument);
  o = NodeOptions();
  o.user = "-x";
  EXPECT_EQ(CheckSshOptions(o).code(), StatusCode::kInvalidArgument);
  o = NodeOptions();
  o.port = 0;
  EXPECT_EQ(CheckSshOptions(o).code(), StatusCode::kInvalidArgument);
  o = NodeOptions();
  o.extra_options = {"-F/tmp/evil"};
  EXPECT_EQ(CheckSshOptions(o).code(), StatusCode::kInvalidArgument);

  // With the default transport, bad options fail every call.
  SshOptions bad;
  bad.host = "-oProxyCommand=x";
  SshRemote remote("n1", bad);
  auto r = remote.Exec({"true"});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(SshCommandLineTest, QuotesEveryWord) {
  ExecOptions o;
  EXPECT_EQ(SshCommandLine({"echo", "a b", "it's"}, o).value(), "echo 'a b' 'it'\\''s'");
  o.cwd = "/opt/my dir";
  EXPECT_EQ(SshCommandLine({"ls"}, o).value(), "env -C '/opt/my dir' -- ls");
  o.env = {{"A", "1 2"}, {"B_2", "$(x)"}};
  EXPECT_EQ(SshCommandLine({"ls", "-l"}, o).value(),
            "env -C '/opt/my dir' -- 'A=1 2' 'B_2=$(x)' ls -l");
  o.cwd.clear();
  EXPECT_EQ(SshCommandLine({"ls"}, o).value(), "env -- 'A=1 2' 'B_2=$(x)' ls");
}

TEST(SshCommandLineTest, RejectsWhatCannotBeSaid) {
  EXPECT_EQ(SshCommandLine({}, {}).status().code(), StatusCode::kInvalidArgument);
  ExecOptions o;
  o.env = {{"A=B", "x"}};
  EXPECT_EQ(SshCommandLine({"true"}, o).status().code(), StatusCode::kInvalidArgument);
  o.env = {{"A;touch x", "x"}};
  EXPECT_EQ(SshCommandLine({"true"}, o).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SshCommandLine({"echo", std::string("a\0b", 3)}, {}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(SshClassifyTest, HostKeyFailures) {
  SshOptions o = NodeOptions();
  o.known_hosts_file = "/state/ssh/known_hosts";
  Status s = ClassifySshFailure("n1", o,
                                "No ED25519 host key is known for 10.0.0.1 and you have requested "
                                "strict checking.\nHost key verification failed.\n");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "n1 (10.0.0.1): host key verification failed: add it to known_hosts (ssh-keyscan "
            "10.0.0.1 >> /state/ssh/known_hosts) or pass --strict-host-key-checking=no");

  o.port = 2222;
  s = ClassifySshFailure(
      "n1", o,
      "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
      "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
      "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
      "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n"
      "Host key for [10.0.0.1]:2222 has changed and you have requested strict checking.\n"
      "Host key verification failed.\n");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("n1 (10.0.0.1): the host's key is not the one recorded"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("ssh-keygen -R '[10.0.0.1]:2222' -f /state/ssh/known_hosts"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("ssh-keyscan -p 2222 10.0.0.1"), std::string::npos) << s.message();
}

TEST(SshClassifyTest, AuthenticationFailures) {
  SshOptions o = NodeOptions();
  o.private_key = "/secret/dir/id_ed25519";
  Status s = ClassifySshFailure("n1", o, "root@10.0.0.1: Permission denied (publickey).\n");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message().rfind("n1 (10.0.0.1): ssh authentication as root failed", 0), 0u)
      << s.message();
  EXPECT_EQ(ClassifySshFailure("n1", o,
                               "Received disconnect from 10.0.0.1 port 22:2: Too many "
                               "authentication failures\n")
                .code(),
            StatusCode::kFailedPrecondition);
  s = ClassifySshFailure("n1", o,
                         "Warning: Identity file /secret/dir/id_ed25519 not accessible: No such "
                         "file or directory.\nroot@10.0.0.1: Permission denied (publickey).\n");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("cannot be read"), std::string::npos) << s.message();
  s = ClassifySshFailure("n1", o,
                         "@         WARNING: UNPROTECTED PRIVATE KEY FILE!          @\n"
                         "Load key \"/secret/dir/id_ed25519\": bad permissions\n");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("chmod 600"), std::string::npos) << s.message();
}

TEST(SshClassifyTest, ConnectionFailures) {
  SshOptions o = NodeOptions();
  struct Case {
    const char* text;
    const char* expected;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"ssh: Could not resolve hostname nosuch: Name or service not known\n",
            "cannot resolve the host name"},
           {"ssh: connect to host 10.0.0.1 port 22: Connection refused\n", "connection refused"},
           {"ssh: connect to host 10.0.0.1 port 22: Connection timed out\n", "timed out"},
           {"ssh: connect to host 10.0.0.1 port 22: No route to host\n", "no route"},
           {"Timeout, server 10.0.0.1 not responding.\n", "stopped answering"},
           {"Connection to 10.0.0.1 closed by remote host.\n", "was closed"},
           {"kex_exchange_identification: read: Connection reset by peer\n", "was closed"},
       }) {
    Status s = ClassifySshFailure("n1", o, c.text);
    EXPECT_EQ(s.code(), StatusCode::kUnavailable) << c.text;
    EXPECT_EQ(s.message().rfind("n1 (10.0.0.1): ", 0), 0u) << s.message();
    EXPECT_NE(s.message().find(c.expected), std::string::npos) << s.message();
  }
}

TEST(SshClassifyTest, LeavesOtherTextAlone) {
  SshOptions o = NodeOptions();
  EXPECT_TRUE(ClassifySshFailure("n1", o, "").ok());
  EXPECT_TRUE(ClassifySshFailure("n1", o, "cat: /root/x: Permission denied\n").ok());
  // Node named as the host: no repetition.
  o.host = "n1";
  EXPECT_EQ(ClassifySshFailure("n1", o, "ssh: connect to host n1 port 22: Connection refused")
                .message()
                .rfind("n1: ", 0),
            0u);
}

// ---------------------------------------------------------------------------------------------
// SshRemote over the local transport: the agent, framing, pool and one-shot paths for real.

class SshRemoteTest : public ::testing::Test {
 protected:
  SshRemoteTest() : remote_("n1", NodeOptions(), LocalTransport(dir_.path())) {}

  TempDir dir_{"jf-ssh-test"};
  SshRemote remote_;
};

TEST_F(SshRemoteTest, RunsCommandsAndReportsExitCodes) {
  auto r = remote_.Exec({"sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->term_signal, 0);
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
  r = remote_.Exec({"printf", "no newline"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(r->out, "no newline");
  EXPECT_EQ(r->err, "");
  r = remote_.Exec({"/nonexistent/prog"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 127);
  EXPECT_EQ(remote_.sessions(), 1);  // one warm session served all three
}

TEST_F(SshRemoteTest, HostileArgumentsRunNothing) {
  const fs::path canary = dir_.path() / "canary";
  const std::string c = canary.string();
  const std::vector<std::string> words = {"a b",
                                          "'single'",
                                          "\"double\"",
                                          "; touch " + c,
                                          "$(touch " + c + ")",
                                          "`touch " + c + "`",
                                          "x\ny\n",
                                          "| touch " + c,
                                          "&& touch " + c,
                                          "\\",
                                          "*",
                                          "~",
                                          "$HOME",
                                          "",
                                          "-n",
                                          "\n; touch " + c,
                                          "'; touch " + c + "; '",
                                          "%s"};
  std::vector<std::string> argv = {"printf", "[%s]\n"};
  argv.insert(argv.end(), words.begin(), words.end());
  std::string expected;
  for (const auto& w : words) expected += "[" + w + "]\n";

  ExecOptions o;
  o.env = {{"JF_HOSTILE", "$(touch " + c + "); `touch " + c + "`"}};
  o.cwd = (dir_.path() / "a dir; touch x '$(touch y)'").string();
  fs::create_directories(o.cwd);
  auto r = remote_.Exec(argv, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->out, expected);
  r = remote_.Exec({"sh", "-c", "printf '%s|%s' \"$JF_HOSTILE\" \"$PWD\""}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, o.env["JF_HOSTILE"] + "|" + o.cwd);

  // The one-shot path quotes the same way.
  o.stdout_file = (dir_.path() / "out").string();
  r = remote_.Exec(argv, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->ok()) << r->Describe();
  EXPECT_EQ(ReadFile(o.stdout_file), expected);

  EXPECT_FALSE(fs::exists(canary));
  EXPECT_FALSE(fs::exists(fs::path(o.cwd) / "x"));
  EXPECT_FALSE(fs::exists(fs::path(o.cwd) / "y"));
}

TEST_F(SshRemoteTest, BinaryAndLargeOutputKeepTheFraming) {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  ExecOptions o;
  o.stdin_data = all_bytes;
  auto r = remote_.Exec({"cat"}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->out, all_bytes);

  const std::string big = RandomBytes(6 << 20, 1);
  o.stdin_data = big;
  r = remote_.Exec({"sh", "-c", "cat; cat /dev/null >&2"}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->out.size(), big.size());
  EXPECT_TRUE(r->out == big);
  r = remote_.Exec({"sh", "-c", "cat >&2; printf tail"}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->err == big);
  EXPECT_EQ(r->out, "tail");
  // Produced on the "host", not echoed: 5 MB of zeros then a marker.
  r = remote_.Exec({"sh", "-c", "head -c 5000000 /dev/zero; printf END"});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->out.size(), 5000003u);
  EXPECT_EQ(r->out.substr(4999990), std::string(10, '\0') + "END");

  // The same session still answers in step.
  r = remote_.Exec({"echo", "ok"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "ok\n");
  EXPECT_EQ(remote_.sessions(), 1);
}

TEST_F(SshRemoteTest, StdinEnvAndCwd) {
  ExecOptions o;
  o.stdin_data = "line 1\nline 2";
  auto r = remote_.Exec({"wc", "-l"}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "1\n");
  o = {};
  o.env = {{"JF_A", "x y"}, {"JF_B", ""}};
  o.cwd = dir_.path().string();
  r = remote_.Exec({"sh", "-c",
                    "printf '%s:%s:%s:%s' \"$JF_A\" \"${JF_B-unset}\" \"$PWD\" "
                    "\"$(cat)\""},
                   o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "x y::" + dir_.path().string() + ":");  // no stdin: EOF at once
  o.cwd = (dir_.path() / "missing").string();
  r = remote_.Exec({"true"}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->exit_code, 0);
  EXPECT_NE(r->err.find("missing"), std::string::npos) << r->err;
}

TEST_F(SshRemoteTest, SignalsAndTimeouts) {
  auto r = remote_.Exec({"sh", "-c", "kill -TERM $$"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->term_signal, SIGTERM);
  EXPECT_FALSE(r->timed_out);
  r = remote_.Exec({"sh", "-c", "kill -KILL $$"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->term_signal, SIGKILL);
  EXPECT_FALSE(r->timed_out);

  // The host kills a command that overruns, with what it started; the session lives on.
  const fs::path pid_file = dir_.path() / "bg.pid";
  ExecOptions o;
  o.timeout = milliseconds(300);
  auto start = Clock::now();
  r = remote_.Exec({"sh", "-c", "sleep 30 & echo $! > " + pid_file.string() + "; sleep 30"}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_LT(MsSince(start), 1500);  // the host's timeout, not the harness's grace
  EXPECT_EQ(remote_.sessions(), 1);
  // Dead, or a zombie (where nobody reaps orphans, as in some containers).
  const std::string stat_path = fmt::format("/proc/{}/stat", std::stoi(ReadFile(pid_file)));
  std::string stat;
  // Up to 5 s: on a loaded machine the killed process can take a while to be seen gone.
  for (int i = 0; i < 500; ++i) {
    stat = ReadFile(stat_path);
    if (stat.empty() || stat.find(") Z ") != std::string::npos) break;
    usleep(10 * 1000);
  }
  EXPECT_TRUE(stat.empty() || stat.find(") Z ") != std::string::npos)
      << "the background sleep survived the timeout: " << stat;
  r = remote_.Exec({"echo", "alive"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "alive\n");

  // The one-shot path reports the same.
  o.stdout_file = (dir_.path() / "o").string();
  r = remote_.Exec({"sleep", "30"}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  o.timeout = milliseconds(5000);
  r = remote_.Exec({"sh", "-c", "kill -TERM $$"}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->term_signal, SIGTERM);
  r = remote_.Exec({"sh", "-c", "exit 4"}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 4);

  // The documented convention: a status of 129..192 reads as a signal, as in a shell.
  r = remote_.Exec({"sh", "-c", "exit 130"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->term_signal, 2);
}

TEST_F(SshRemoteTest, OneShotStdinAndStdoutFiles) {
  const fs::path in = dir_.path() / "in.bin", out = dir_.path() / "out.bin";
  const std::string data = RandomBytes(3 << 20, 2);
  WriteFile(in, data);
  ExecOptions o;
  o.stdin_file = in.string();
  auto r = remote_.Exec({"wc", "-c"}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->out, std::to_string(data.size()) + "\n");
  o.stdout_file = out.string();
  r = remote_.Exec({"cat"}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok()) << r->Describe();
  EXPECT_TRUE(ReadFile(out) == data);
  EXPECT_EQ(remote_.sessions(), 0);  // no session was needed
  o.stdin_file = (dir_.path() / "nope").string();
  EXPECT_EQ(remote_.Exec({"cat"}, o).status().code(), StatusCode::kNotFound);
}

TEST_F(SshRemoteTest, UploadDownloadAndUploadTree) {
  const fs::path local = dir_.path() / "local.bin";
  const std::string data = RandomBytes(1 << 20, 3) + "\nno newline";
  WriteFile(local, data);
  const fs::path remote_file = dir_.path() / "node" / "deep" / "er" / "a file.bin";
  ASSERT_TRUE(remote_.Upload(local.string(), remote_file.string()).ok());
  EXPECT_TRUE(ReadFile(remote_file) == data);

  const fs::path back = dir_.path() / "back" / "x" / "copy.bin";
  Status st = remote_.Download(remote_file.string(), back.string());
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(ReadFile(back) == data);
  const fs::path missing_copy = dir_.path() / "back" / "missing";
  st = remote_.Download((dir_.path() / "no such file").string(), missing_copy.string());
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("n1 (10.0.0.1)"), std::string::npos) << st.message();
  EXPECT_FALSE(fs::exists(missing_copy));

  const fs::path tree = dir_.path() / "tree";
  WriteFile(tree / "bin" / "run.sh", "#!/bin/sh\necho hi\n");
  fs::permissions(tree / "bin" / "run.sh", fs::perms::owner_all);
  WriteFile(tree / "conf" / "it's a file", data);
  const fs::path remote_dir = dir_.path() / "node" / "opt" / "app";
  WriteFile(remote_dir / "stale", "old");
  st = remote_.UploadTree(tree.string(), remote_dir.string());
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_FALSE(fs::exists(remote_dir / "stale"));  // replaced, not merged
  EXPECT_EQ(ReadFile(remote_dir / "bin" / "run.sh"), "#!/bin/sh\necho hi\n");
  EXPECT_TRUE(ReadFile(remote_dir / "conf" / "it's a file") == data);
  auto r = remote_.Exec({(remote_dir / "bin" / "run.sh").string()});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "hi\n");

  // Unchanged: not sent again (a file the node added stays); changed: replaced again.
  WriteFile(remote_dir / "added-on-node", "x");
  ASSERT_TRUE(remote_.UploadTree(tree.string(), remote_dir.string()).ok());
  EXPECT_TRUE(fs::exists(remote_dir / "added-on-node"));
  const std::string id = *TreeFingerprint(tree.string());
  EXPECT_EQ(ReadFile(remote_dir / kTreeMarker), id);
  WriteFile(tree / "conf" / "new", "y");
  EXPECT_NE(*TreeFingerprint(tree.string()), id);
  ASSERT_TRUE(remote_.UploadTree(tree.string(), remote_dir.string()).ok());
  EXPECT_FALSE(fs::exists(remote_dir / "added-on-node"));
  EXPECT_EQ(ReadFile(remote_dir / "conf" / "new"), "y");
  EXPECT_EQ(ReadFile(remote_dir / kTreeMarker), *TreeFingerprint(tree.string()));

  EXPECT_EQ(remote_.UploadTree(tree.string(), "/").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(remote_.UploadTree(tree.string(), "//.").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(remote_.UploadTree(tree.string(), "relative/dir").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(remote_.UploadTree((dir_.path() / "none").string(), remote_dir.string()).code(),
            StatusCode::kNotFound);
}

TEST_F(SshRemoteTest, LongCommandDoesNotBlockAFault) {
  std::thread slow([&] {
    auto r = remote_.Exec({"sleep", "2"});
    EXPECT_TRUE(r.ok() && r->ok());
  });
  usleep(200 * 1000);
  auto start = Clock::now();
  auto r = remote_.Exec({"echo", "fault"});
  long ms = MsSince(start);
  slow.join();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "fault\n");
  EXPECT_LT(ms, 1000);
  EXPECT_EQ(remote_.sessions(), 2);
}

TEST_F(SshRemoteTest, ConcurrentCallsGetTheirOwnReplies) {
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        std::string word = fmt::format("t{}-i{}", t, i);
        ExecOptions o;
        o.stdin_data = std::string(static_cast<size_t>(i * 1000), 'x');
        auto r = remote_.Exec({"sh", "-c", "printf '%s ' \"$1\"; wc -c", "sh", word}, o);
        if (!r.ok() || r->out != fmt::format("{} {}\n", word, i * 1000)) ++bad;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_LE(remote_.sessions(), SshRemote::kDefaultMaxSessions);
}

TEST(SshRemotePoolTest, BoundedPoolMakesCallsWait) {
  TempDir dir{"jf-ssh-test"};
  SshRemote remote("n1", NodeOptions(), LocalTransport(dir.path()), 2);
  auto start = Clock::now();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      auto r = remote.Exec({"sleep", "0.3"});
      if (r.ok() && r->ok()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 6);
  EXPECT_GE(MsSince(start), 850);  // three rounds of two
  EXPECT_EQ(remote.sessions(), 2);

  // A caller that cannot get a session within its timeout gets Timeout.
  std::thread hog1([&] { (void)remote.Exec({"sleep", "3"}); });
  std::thread hog2([&] { (void)remote.Exec({"sleep", "3"}); });
  usleep(300 * 1000);
  ExecOptions o;
  o.timeout = milliseconds(10);
  start = Clock::now();
  auto r = remote.Exec({"true"}, o);
  EXPECT_EQ(r.status().code(), StatusCode::kTimeout);
  EXPECT_LT(MsSince(start), 2500);
  hog1.join();
  hog2.join();
}

// The agent's pid, as seen from a command it runs: the parent of timeout(1), our parent.
constexpr char kAgentPid[] = "$(cut -d' ' -f4 /proc/$PPID/stat)";

TEST(SshRemoteFailureTest, SessionKilledWhileIdleIsReplaced) {
  TempDir dir{"jf-ssh-test"};
  SshRemote remote("n1", NodeOptions(), LocalTransport(dir.path()));
  // The command returns, then something kills its session (a reboot, say).
  auto r = remote.Exec(
      {"sh", "-c", std::string("a=") + kAgentPid + "; (sleep 0.2; kill -9 $a) >/dev/null 2>&1 &"});
  ASSERT_TRUE(r.ok());
  usleep(600 * 1000);
  r = remote.Exec({"echo", "again"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->out, "again\n");
  EXPECT_EQ(remote.sessions(), 1);
}

TEST(SshRemoteFailureTest, SessionKilledMidCommandIsUnavailable) {
  TempDir dir{"jf-ssh-test"};
  SshRemote remote("n1", NodeOptions(), LocalTransport(dir.path()));
  auto r = remote.Exec({"sh", "-c", std::string("kill -9 ") + kAgentPid + "; sleep 1"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("n1 (10.0.0.1)"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("may or may not have run"), std::string::npos);
  EXPECT_EQ(remote.sessions(), 0);
  r = remote.Exec({"echo", "fresh"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "fresh\n");
}

TEST(SshRemoteFailureTest, TransportThatDiesIsUnavailable) {
  SshRemote remote("n1", NodeOptions(), [](const std::string&) {
    return std::vector<std::string>{"sh", "-c", "kill -9 $$"};
  });
  auto r = remote.Exec({"true"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("n1 (10.0.0.1)"), std::string::npos);
  EXPECT_NE(r.status().message().find("signal 9"), std::string::npos) << r.status().message();
  EXPECT_EQ(remote.sessions(), 0);
}

TEST(SshRemoteFailureTest, SshErrorsBecomeClearStatuses) {
  auto fake_ssh = [](const std::string& stderr_text) {
    return [stderr_text](const std::string&) {
      return std::vector<std::string>{"sh", "-c", "printf '%s\\n' \"$1\" >&2; exit 255", "ssh",
                                      stderr_text};
    };
  };
  SshOptions o = NodeOptions();
  o.private_key = "/keys/id_ed25519";
  SshRemote denied("n1", o, fake_ssh("root@10.0.0.1: Permission denied (publickey)."));
  auto r = denied.Exec({"true"});
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("authentication"), std::string::npos);
  // Also on the one-shot paths.
  TempDir dir{"jf-ssh-test"};
  WriteFile(dir.path() / "f", "x");
  Status st = denied.Upload((dir.path() / "f").string(), "/tmp/f");
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();

  SshRemote hostkey("n1", o, fake_ssh("Host key verification failed."));
  r = hostkey.Exec({"true"});
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("ssh-keyscan 10.0.0.1"), std::string::npos);

  SshRemote refused("n1", o,
                    fake_ssh("ssh: connect to host 10.0.0.1 port 22: Connection "
                             "refused"));
  r = refused.Exec({"true"});
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);

  SshRemote odd("n1", o, fake_ssh("something else entirely"));
  r = odd.Exec({"true"});
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("something else entirely"), std::string::npos);
  EXPECT_NE(r.status().message().find("exit 255"), std::string::npos);
}

TEST(SshRemoteFailureTest, SilentSessionIsKilledAfterTimeoutAndGrace) {
  // Prints the banner, then never answers (a host that froze).
  SshRemote remote("n1", NodeOptions(), [](const std::string&) {
    return std::vector<std::string>{"sh", "-c",
                                    "echo 'motd noise'; echo 'JF-AGENT 1'; "
                                    "exec sleep 30"};
  });
  ExecOptions o;
  o.timeout = milliseconds(200);
  auto start = Clock::now();
  auto r = remote.Exec({"true"}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->timed_out);
  EXPECT_GE(MsSince(start), 200);
  EXPECT_LT(MsSince(start), 5000);
  EXPECT_EQ(remote.sessions(), 0);
}

TEST(SshRemoteFailureTest, AgentLeavesNothingBehind) {
  TempDir dir{"jf-ssh-test"};
  {
    SshRemote remote("n1", NodeOptions(), LocalTransport(dir.path()));
    ExecOptions o;
    o.stdin_data = "some input";
    auto r = remote.Exec({"cat"}, o);
    ASSERT_TRUE(r.ok());
    bool found = false;
    for (const auto& e : fs::directory_iterator(dir.path())) {
      found |= e.path().filename().string().rfind("jf-agent.", 0) == 0;
    }
    EXPECT_TRUE(found);
  }
  for (const auto& e : fs::directory_iterator(dir.path())) {
    ADD_FAILURE() << "left behind: " << e.path();
  }
}

TEST(SshRemoteFailureTest, RealSshConnectionRefused) {
  if (access("/usr/bin/ssh", X_OK) != 0) GTEST_SKIP() << "no ssh client";
  SshOptions o;
  o.host = "127.0.0.1";
  o.port = 1;  // nothing listens there
  SshRemote remote("n1", o);
  auto r = remote.Exec({"true"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r.status().message(),
            "n1 (127.0.0.1): connection refused on port 1: is sshd running there?");
}

// ---------------------------------------------------------------------------------------------
// Measurement (prints only).

TEST(SshRemoteRttTest, WarmSessionVersusOneShotProcess) {
  TempDir dir{"jf-ssh-test"};
  SshRemote remote("n1", NodeOptions(), LocalTransport(dir.path()));
  ASSERT_TRUE(remote.Exec({"true"}).ok());  // warm up
  auto median_us = [](std::vector<long> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  constexpr int kCalls = 200;
  auto measure = [&](const char* what, const std::function<bool()>& call) {
    std::vector<long> us;
    for (int i = 0; i < kCalls; ++i) {
      auto t = Clock::now();
      bool ok = call();
      us.push_back(static_cast<long>(
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t).count()));
      EXPECT_TRUE(ok) << what;
    }
    std::printf("[ RTT      ] %-44s median %.2f ms (min %.2f, max %.2f) over %d calls\n", what,
                median_us(us) / 1000.0, *std::min_element(us.begin(), us.end()) / 1000.0,
                *std::max_element(us.begin(), us.end()) / 1000.0, kCalls);
    return median_us(us);
  };
  long session = measure("Exec({\"true\"}) via a warm session:", [&] {
    auto r = remote.Exec({"true"});
    return r.ok() && r->ok();
  });
  measure("Exec({\"echo\", \"x\"}) via a warm session:", [&] {
    auto r = remote.Exec({"echo", "x"});
    return r.ok() && r->out == "x\n";
  });
  measure("RunProcess({\"sh\", \"-c\", \"true\"}):", [&] {
    auto r = RunProcess({"sh", "-c", "true"});
    return r.ok() && r->ok();
  });
  EXPECT_LT(session, 1000 * 1000);  // very loose: only catches a hang
}

}  // namespace
}  // namespace jf
