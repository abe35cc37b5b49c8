// Packet delay (net/delay.h) on the shared local cluster: the delay happens (round trips grow by
// it, and only with the named peer), TCP still works under it at full speed, the filter rules
// still see delayed packets, healing undoes it without touching rules that are not ours, the
// delayer stops by itself, and a delayer that is gone never cuts the network (--queue-bypass).
#include "net/delay.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <thread>

#include "cluster/local_cluster.h"
#include "cluster_fixture.h"
#include "control/daemon.h"

namespace jf {
namespace {

using Clock = std::chrono::steady_clock;

struct PingStats {
  int sent = 0;
  int received = 0;
  double min_ms = -1, avg_ms = -1, max_ms = -1;
  std::string raw;
};

class DelayTest : public ClusterTest {
 protected:
  void SetUp() override {
    ClusterTest::SetUp();
    if (HasFatalFailure()) return;
#ifdef JF_DELAYER_PATH
    const std::string local = JF_DELAYER_PATH;
#else
    const std::string local = DefaultDelayerPath();
#endif
    ASSERT_TRUE(ProbeNfqueue(nodes_[1])) << "the kernel has no NFQUEUE";
    Status up = UploadDelayer(nodes_[1], local);
    ASSERT_TRUE(up.ok()) << up.ToString();
  }
  void TearDown() override {
    for (const auto& n : nodes_) (void)HealDelay(n);
  }

  // `count` pings from `from` to `to`, 0.2 s apart.
  PingStats Ping(const NodeHandle& from, const NodeHandle& to, int count = 5) {
    PingStats s;
    auto r = from.remote->Exec(
        {"ping", "-n", "-q", "-c", std::to_string(count), "-i", "0.2", "-W", "3", to.ip});
    if (!r.ok()) return s;
    s.raw = r->out;
    auto tx = r->out.find(" packets transmitted");
    if (tx != std::string::npos) {
      auto start = r->out.rfind('\n', tx);
      std::sscanf(r->out.c_str() + (start == std::string::npos ? 0 : start + 1),
                  "%d packets transmitted, %d received", &s.sent, &s.received);
    }
    auto rtt = r->out.find("min/avg/max");
    if (rtt != std::string::npos) {
      auto eq = r->out.find("= ", rtt);
      std::sscanf(r->out.c_str() + eq + 2, "%lf/%lf/%lf", &s.min_ms, &s.avg_ms, &s.max_ms);
    }
    std::cout << from.name << " -> " << to.name << ": " << s.received << "/" << s.sent
              << " received, rtt min/avg/max " << s.min_ms << "/" << s.avg_ms << "/" << s.max_ms
              << " ms\n";
    return s;
  }
  int DelayerPid(const NodeHandle& n) { return DaemonPid(*n.remote, kDelayerPidFile).value_or(-1); }
  // How many jf-delayer processes run on the node (by name: also ones we did not start).
  int DelayerProcesses(const NodeHandle& n) {
    auto r = n.remote->Exec({"pgrep", "-c", "-x", "jf-delayer"});
    return r.ok() ? ParsePid(r->out) : -1;
  }
  bool WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds limit) {
    auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return pred();
  }
  // `iptables -S chain` in `table`.
  std::string Rules(const NodeHandle& n, const std::string& table, const std::string& chain) {
    auto r = n.remote->Exec({"iptables", "-w", "-t", table, "-S", chain});
    return r.ok() ? r->out + r->err : "";
  }
  std::string DelayRules(const NodeHandle& n) { return Rules(n, kDelayTable, kDelayChain); }
  // Every rule and chain of every table.
  std::string AllRules(const NodeHandle& n) {
    auto r = n.remote->Exec({"iptables-save"});
    return r.ok() ? r->out : "";
  }
  // Runs `iptables -w -t table op rule...` on `n`; returns its exit code.
  int Iptables(const NodeHandle& n, const std::string& table, const std::string& op,
               const std::vector<std::string>& rule) {
    std::vector<std::string> argv = {"iptables", "-w", "-t", table, op};
    argv.insert(argv.end(), rule.begin(), rule.end());
    auto r = n.remote->Exec(argv);
    return r.ok() ? r->exit_code : -1;
  }
  std::string DelayerLog(const NodeHandle& n) {
    auto r = ExecShell(*n.remote, "tail -n 5 \"$1\"", {kDelayerLogFile});
    return r.ok() ? r->out : "";
  }
  // Bytes that arrive at a listener on `to` when `from` sends `bytes` zeros over TCP; -1 if the
  // listener could not be set up.
  long long TcpTransfer(const NodeHandle& from, const NodeHandle& to, int bytes) {
    const std::string pid_file = "/tmp/jf-delay-test-nc.pid", rx = "/tmp/jf-delay-test-rx";
    auto listen = ExecShell(*to.remote,
                            "rm -f \"$1\" \"$2\"; setsid -f sh -c 'echo $$ > \"$0\"; exec nc -l "
                            "7781 > \"$1\"' \"$1\" \"$2\" < /dev/null > /dev/null 2>&1",
                            {pid_file, rx});
    if (!listen.ok()) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto t0 = Clock::now();
    auto send = ExecShell(*from.remote, "head -c \"$1\" /dev/zero | nc -N -w 10 \"$2\" 7781",
                          {std::to_string(bytes), to.ip});
    std::cout << "TCP transfer of " << bytes << " bytes " << from.name << " -> " << to.name << ": "
              << std::chrono::duration<double>(Clock::now() - t0).count() << " s, "
              << (send.ok() ? "ok" : send.status().ToString()) << "\n";
    // The listener exits when the sender closes; wait for it (bounded), then end it by its PID.
    (void)WaitUntil(
        [&] {
          auto r = ExecShell(*to.remote, "kill -0 \"$(cat \"$1\")\" 2>/dev/null && echo up; exit 0",
                             {pid_file});
          return r.ok() && r->out.empty();
        },
        std::chrono::seconds(5));
    auto size = ExecShell(*to.remote,
                          "kill \"$(cat \"$1\")\" 2>/dev/null; wc -c < \"$2\"; rm -f \"$1\" \"$2\"",
                          {pid_file, rx});
    return size.ok() && !size->out.empty() ? std::strtoll(size->out.c_str(), nullptr, 10) : -1;
  }
};

TEST_F(DelayTest, DelayLengthensRoundTripsKeepsTcpAndHealsKeepingForeignRules) {
  const auto &n1 = nodes_[0], &n2 = nodes_[1], &n3 = nodes_[2];
  // Rules of somebody else's, in the chain we jump from and in OUTPUT; both must survive.
  const std::vector<std::string> foreign = {"-p", "tcp", "--dport", "9998", "-j", "ACCEPT"};
  const std::vector<std::pair<std::string, std::string>> foreign_at = {{"raw", "PREROUTING"},
                                                                       {"filter", "OUTPUT"}};
  auto with_chain = [&](const std::string& chain) {
    std::vector<std::string> rule = {chain};
    rule.insert(rule.end(), foreign.begin(), foreign.end());
    return rule;
  };
  for (const auto& [table, chain] : foreign_at) {
    ASSERT_EQ(Iptables(n2, table, "-A", with_chain(chain)), 0);
  }

  PingStats before = Ping(n1, n2);
  ASSERT_EQ(before.received, 5) << before.raw;
  EXPECT_LT(before.max_ms, 50) << before.raw;

  Status applied = ApplyDelay(n2, {n1.ip}, 200, 0, 60, kDelayerNodePath);
  ASSERT_TRUE(applied.ok()) << applied.ToString();
  EXPECT_GT(DelayerPid(n2), 0);
  EXPECT_NE(DelayRules(n2).find("-s " + n1.ip + "/32 -j NFQUEUE --queue-num 19014 --queue-bypass"),
            std::string::npos)
      << DelayRules(n2);
  // What n2 receives from n1 is held 200 ms: n1's round trips to n2 grow by that much.
  PingStats during = Ping(n1, n2);
  EXPECT_EQ(during.received, 5) << during.raw;
  EXPECT_GE(during.min_ms, 200) << during.raw;
  EXPECT_LT(during.max_ms, 400) << during.raw;
  // Only with n1: n3's round trips to n2 stay short.
  PingStats other = Ping(n3, n2);
  EXPECT_EQ(other.received, 5) << other.raw;
  EXPECT_LT(other.max_ms, 50) << other.raw;
  // TCP works under the delay, either way of the data, and is not throttled: 256 KiB need a few
  // round trips of slow start (about 1.3 s here), not one packet per delay.
  for (auto [from, to] : {std::pair(&n1, &n2), std::pair(&n2, &n1)}) {
    auto t0 = Clock::now();
    EXPECT_EQ(TcpTransfer(*from, *to, 256 * 1024), 256 * 1024);
    EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 5.0);
  }

  Status healed = HealDelay(n2);
  ASSERT_TRUE(healed.ok()) << healed.ToString();
  PingStats after = Ping(n1, n2);
  EXPECT_EQ(after.received, 5) << after.raw;
  EXPECT_LT(after.max_ms, 50) << after.raw;
  EXPECT_EQ(AllRules(n2).find(kDelayChain), std::string::npos) << AllRules(n2);
  EXPECT_EQ(DelayerPid(n2), 0);
  EXPECT_EQ(DelayerProcesses(n2), 0);
  EXPECT_NE(DelayerLog(n2).find("exiting on SIGTERM"), std::string::npos) << DelayerLog(n2);
  for (const auto& [table, chain] : foreign_at) {
    EXPECT_EQ(Iptables(n2, table, "-C", with_chain(chain)), 0)
        << "healing removed a rule that was not ours, in " << table << " " << chain;
  }
  EXPECT_TRUE(HealDelay(n2).ok()) << "healing twice";
  for (const auto& [table, chain] : foreign_at) {
    EXPECT_EQ(Iptables(n2, table, "-D", with_chain(chain)), 0);
  }
}

TEST_F(DelayTest, DelayedPacketsStillMeetTheFilterRules) {
  const auto &n1 = nodes_[0], &n2 = nodes_[1];
  // Somebody's filter rule (a partition would be one of ours) drops n1's pings at n2. A packet the
  // delayer accepts goes on to the filter table, so the drop must still happen.
  const std::vector<std::string> drop = {"INPUT", "-s", n1.ip, "-p", "icmp", "-j", "DROP"};
  ASSERT_TRUE(ApplyDelay(n2, {n1.ip}, 100, 0, 60, kDelayerNodePath).ok());
  ASSERT_EQ(Iptables(n2, "filter", "-I", drop), 0);
  PingStats dropped = Ping(n1, n2, 3);
  EXPECT_EQ(dropped.received, 0) << "a delayed packet skipped the filter rules: " << dropped.raw;
  ASSERT_EQ(Iptables(n2, "filter", "-D", drop), 0);
  PingStats passed = Ping(n1, n2, 3);
  EXPECT_EQ(passed.received, 3) << passed.raw;
  EXPECT_GE(passed.min_ms, 100) << passed.raw;
  ASSERT_TRUE(HealDelay(n2).ok());
}

TEST_F(DelayTest, ApplyingAgainReplacesTheDelayAndJitterVariesIt) {
  const auto &n1 = nodes_[0], &n2 = nodes_[1];
  ASSERT_TRUE(ApplyDelay(n2, {n1.ip}, 100, 0, 60, kDelayerNodePath).ok());
  Status again = ApplyDelay(n2, {n1.ip}, 100, 100, 60, kDelayerNodePath);
  ASSERT_TRUE(again.ok()) << again.ToString();
  std::string prerouting = Rules(n2, kDelayTable, "PREROUTING");
  size_t jumps = 0;
  for (size_t p = prerouting.find("-j JF-DELAY"); p != std::string::npos;
       p = prerouting.find("-j JF-DELAY", p + 1)) {
    ++jumps;
  }
  EXPECT_EQ(jumps, 1u) << prerouting;
  EXPECT_EQ(DelayerProcesses(n2), 1);
  PingStats s = Ping(n1, n2, 10);
  EXPECT_EQ(s.received, 10) << s.raw;
  EXPECT_GE(s.min_ms, 100) << s.raw;
  EXPECT_LT(s.max_ms, 300) << s.raw;
  EXPECT_GT(s.max_ms - s.min_ms, 10) << "no jitter: " << s.raw;
  ASSERT_TRUE(HealDelay(n2).ok());
  EXPECT_EQ(DelayerProcesses(n2), 0);
}

TEST_F(DelayTest, DelayerStopsByItselfAndPacketsThenPass) {
  const auto &n1 = nodes_[0], &n2 = nodes_[1];
  auto t0 = Clock::now();
  ASSERT_TRUE(ApplyDelay(n2, {n1.ip}, 100, 0, 2, kDelayerNodePath).ok());
  PingStats during = Ping(n1, n2, 2);
  EXPECT_GE(during.min_ms, 100) << during.raw;
  ASSERT_TRUE(WaitUntil([&] { return DelayerPid(n2) == 0; }, std::chrono::seconds(8)))
      << "the delayer did not stop after --max-seconds 2";
  double lived = std::chrono::duration<double>(Clock::now() - t0).count();
  std::cout << "delayer gone " << lived << " s after ApplyDelay\n";
  EXPECT_GE(lived, 1.9);
  EXPECT_NE(DelayerLog(n2).find("exiting after --max-seconds"), std::string::npos)
      << DelayerLog(n2);
  // The rule is still there, the queue has no listener: packets pass, undelayed.
  EXPECT_NE(DelayRules(n2).find("NFQUEUE"), std::string::npos);
  PingStats after = Ping(n1, n2);
  EXPECT_EQ(after.received, 5) << after.raw;
  EXPECT_LT(after.max_ms, 50) << after.raw;
  ASSERT_TRUE(HealDelay(n2).ok());
  EXPECT_EQ(AllRules(n2).find(kDelayChain), std::string::npos);
}

TEST_F(DelayTest, KilledDelayerNeverCutsTheNetwork) {
  const auto &n1 = nodes_[0], &n2 = nodes_[1];
  ASSERT_TRUE(ApplyDelay(n2, {n1.ip}, 100, 0, 60, kDelayerNodePath).ok());
  PingStats during = Ping(n1, n2, 2);
  EXPECT_GE(during.min_ms, 100) << during.raw;
  int pid = DelayerPid(n2);
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(n2.remote->Exec({"kill", "-KILL", std::to_string(pid)}).ok());
  ASSERT_TRUE(WaitUntil([&] { return DelayerPid(n2) == 0; }, std::chrono::seconds(5)));
  EXPECT_NE(DelayRules(n2).find("NFQUEUE"), std::string::npos);
  PingStats after = Ping(n1, n2);
  EXPECT_EQ(after.received, 5) << after.raw;
  EXPECT_LT(after.max_ms, 50) << after.raw;
  EXPECT_EQ(TcpTransfer(n2, n1, 64 * 1024), 64 * 1024);
  ASSERT_TRUE(HealDelay(n2).ok());
  EXPECT_EQ(AllRules(n2).find(kDelayChain), std::string::npos);
}

TEST_F(DelayTest, BusyQueueFailsWithTheReasonAndInstallsNothing) {
  const auto &n1 = nodes_[0], &n2 = nodes_[1];
  // Somebody else's program holds our queue number.
  const std::string pid_file = "/tmp/jf-delay-test-foreign.pid";
  const std::string log = "/tmp/jf-delay-test-foreign.log";
  ASSERT_TRUE(ExecShell(*n2.remote,
                        "rm -f \"$1\" \"$2\"; setsid -f sh -c 'echo $$ > \"$0\"; exec \"$1\" "
                        "--queue 19014 --delay-ms 1 --max-seconds 30' \"$1\" \"$3\" >> \"$2\" "
                        "2>&1 < /dev/null",
                        {pid_file, log, kDelayerNodePath})
                  .ok());
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto r = ExecShell(*n2.remote, "grep -q '^ready ' \"$1\" && echo yes; exit 0", {log});
        return r.ok() && !r->out.empty();
      },
      std::chrono::seconds(5)));
  Status s = ApplyDelay(n2, {n1.ip}, 100, 0, 60, kDelayerNodePath);
  std::cout << "ApplyDelay on a busy queue: " << s.ToString() << "\n";
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("cannot bind NFQUEUE queue 19014"), std::string::npos) << s.ToString();
  EXPECT_EQ(AllRules(n2).find(kDelayChain), std::string::npos) << AllRules(n2);
  EXPECT_EQ(DelayerPid(n2), 0);
  (void)ExecShell(*n2.remote, "kill \"$(cat \"$1\")\"; rm -f \"$1\" \"$2\"", {pid_file, log});
  ASSERT_TRUE(WaitUntil([&] { return DelayerProcesses(n2) == 0; }, std::chrono::seconds(5)));
  // Once the queue is free, the delay works.
  Status applied = ApplyDelay(n2, {n1.ip}, 100, 0, 60, kDelayerNodePath);
  EXPECT_TRUE(applied.ok()) << applied.ToString();
  EXPECT_TRUE(HealDelay(n2).ok());
}

}  // namespace
}  // namespace jf
