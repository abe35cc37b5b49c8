#include "cluster/ssh_nodes.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace jf {
namespace {

namespace fs = std::filesystem;

constexpr char kHostPub[] =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBv5Qn2n0QJ8yFzJqzv7m3bYgSx0b4mR6m2i3X8QnWc9 "
    "jepsen-flink-host\n";

std::vector<LocalNode> ThreeNodes() {
  return {{"n1", "10.77.7.11", 0, "/var/lib/jepsen-flink/nodes/n1"},
          {"n2", "10.77.7.12", 0, "/var/lib/jepsen-flink/nodes/n2"},
          {"n3", "10.77.7.13", 0, "/var/lib/jepsen-flink/nodes/n3"}};
}

bool HasLine(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST(SshNodesTest, FilesLiveUnderStateDirSsh) {
  SshFiles f = SshFilesFor("/var/lib/jepsen-flink");
  EXPECT_EQ(f.dir, "/var/lib/jepsen-flink/ssh");
  EXPECT_EQ(f.private_key, "/var/lib/jepsen-flink/ssh/id_ed25519");
  EXPECT_EQ(f.public_key, "/var/lib/jepsen-flink/ssh/id_ed25519.pub");
  EXPECT_EQ(f.host_key, "/var/lib/jepsen-flink/ssh/ssh_host_ed25519_key");
  EXPECT_EQ(f.authorized_keys, "/var/lib/jepsen-flink/ssh/authorized_keys");
  EXPECT_EQ(f.known_hosts, "/var/lib/jepsen-flink/ssh/known_hosts");
  EXPECT_EQ(f.nodes_file, "/var/lib/jepsen-flink/ssh/nodes");
  EXPECT_EQ(f.nodes_json, "/var/lib/jepsen-flink/ssh/nodes.json");
  EXPECT_EQ(f.SshdConfig("n2"), "/var/lib/jepsen-flink/ssh/sshd_config.n2");
}

TEST(SshNodesTest, SshdConfigListensOnTheNodeAndTakesOnlyOurKey) {
  SshFiles f = SshFilesFor("/srv/jf");
  std::string c = RenderSshdConfig(f, "10.77.7.12", /*strict_modes=*/true);
  for (const char* line :
       {"Port 22", "ListenAddress 10.77.7.12", "HostKey /srv/jf/ssh/ssh_host_ed25519_key",
        "PidFile /run/sshd.pid", "AuthorizedKeysFile /srv/jf/ssh/authorized_keys",
        "PermitRootLogin prohibit-password", "PasswordAuthentication no",
        "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes yes", "LogLevel VERBOSE"}) {
    EXPECT_TRUE(HasLine(c, line)) << "missing '" << line << "' in:\n" << c;
  }
  // Exactly one address: sshd would also try to bind the others' and log errors.
  EXPECT_EQ(c.find("ListenAddress"), c.rfind("ListenAddress"));
  EXPECT_EQ(c.find("10.77.7.11"), std::string::npos);
}

TEST(SshNodesTest, SshdConfigWithoutStrictModesSaysWhy) {
  std::string c = RenderSshdConfig(SshFilesFor("/var/tmp/x"), "10.77.7.11", false);
  EXPECT_TRUE(HasLine(c, "StrictModes no")) << c;
  EXPECT_FALSE(HasLine(c, "StrictModes yes")) << c;
  EXPECT_NE(c.find("# Off: "), std::string::npos) << c;
}

TEST(SshNodesTest, KnownHostsNamesEveryNodeByAddressAndName) {
  auto kh = RenderKnownHosts(ThreeNodes(), kHostPub);
  ASSERT_TRUE(kh.ok()) << kh.status().message();
  const std::string key =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBv5Qn2n0QJ8yFzJqzv7m3bYgSx0b4mR6m2i3X8QnWc9";
  EXPECT_EQ(*kh,
            "10.77.7.11,n1 " + key + "\n10.77.7.12,n2 " + key + "\n10.77.7.13,n3 " + key + "\n");
}

TEST(SshNodesTest, KnownHostsRefusesWhatIsNotAPublicKey) {
  EXPECT_EQ(RenderKnownHosts(ThreeNodes(), "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RenderKnownHosts(ThreeNodes(), "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n")
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RenderKnownHosts(ThreeNodes(), "ssh-ed25519\n").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(RenderKnownHosts(ThreeNodes(), "ecdsa-sha2-nistp256 AAAAE2Vj").ok());
}

TEST(SshNodesTest, NodesFileHasOneAddressPerLine) {
  EXPECT_EQ(RenderNodesFile(ThreeNodes()), "10.77.7.11\n10.77.7.12\n10.77.7.13\n");
  EXPECT_EQ(RenderNodesFile({}), "");
}

TEST(SshNodesTest, NodesJsonHasNodesUserPortAndPaths) {
  SshFiles f = SshFilesFor("/var/lib/jepsen-flink");
  nlohmann::json j = RenderNodesJson(ThreeNodes(), f);
  nlohmann::json want = {{"nodes",
                          {{{"name", "n1"}, {"ip", "10.77.7.11"}},
                           {{"name", "n2"}, {"ip", "10.77.7.12"}},
                           {{"name", "n3"}, {"ip", "10.77.7.13"}}}},
                         {"user", "root"},
                         {"port", 22},
                         {"private_key", "/var/lib/jepsen-flink/ssh/id_ed25519"},
                         {"known_hosts", "/var/lib/jepsen-flink/ssh/known_hosts"}};
  EXPECT_EQ(j, want) << j.dump(2);
}

TEST(SshNodesTest, NodeSshArgvChecksTheHostKeyAndNeverPrompts) {
  SshFiles f = SshFilesFor("/var/lib/jepsen-flink");
  auto argv = NodeSshArgv(f, "10.77.7.11", {"echo", "a b"});
  auto has = [&](const std::string& opt) {
    for (size_t i = 0; i + 1 < argv.size(); ++i) {
      if (argv[i] == "-o" && argv[i + 1] == opt) return true;
    }
    return false;
  };
  EXPECT_EQ(argv.front(), "ssh");
  EXPECT_TRUE(has("StrictHostKeyChecking=yes"));
  EXPECT_TRUE(has("BatchMode=yes"));
  EXPECT_TRUE(has("UserKnownHostsFile=/var/lib/jepsen-flink/ssh/known_hosts"));
  EXPECT_NE(std::find(argv.begin(), argv.end(), "/var/lib/jepsen-flink/ssh/id_ed25519"),
            argv.end());
  // The destination, then the command with each word quoted for the remote shell.
  ASSERT_GE(argv.size(), 3u);
  EXPECT_EQ(argv[argv.size() - 3], "root@10.77.7.11");
  EXPECT_EQ(argv.back(), "'a b'");
}

TEST(SshNodesTest, UsageNamesTheNodesFileAndAnExampleCommand) {
  SshFiles f = SshFilesFor("/var/lib/jepsen-flink");
  std::string u = SshUsage(f, ThreeNodes());
  EXPECT_NE(u.find("/var/lib/jepsen-flink/ssh/nodes\n"), std::string::npos) << u;
  EXPECT_NE(u.find("ssh -i /var/lib/jepsen-flink/ssh/id_ed25519 -o "
                   "UserKnownHostsFile=/var/lib/jepsen-flink/ssh/known_hosts"),
            std::string::npos)
      << u;
  EXPECT_NE(u.find("root@10.77.7.11\n"), std::string::npos) << u;
}

TEST(SshNodesTest, FirstInsecureDirFindsGroupOrWorldWritableParents) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root: sshd wants root-owned directories";
  // Under the build tree rather than /tmp: /tmp itself is world-writable.
  fs::path base = fs::absolute("ssh_nodes_test");
  fs::remove_all(base);
  fs::create_directories(base / "open" / "keys");
  fs::permissions(base, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(base / "open", fs::perms::all);
  fs::permissions(base / "open" / "keys", fs::perms::owner_all);
  std::string above = FirstInsecureDir(base.parent_path().string());
  if (!above.empty()) {
    fs::remove_all(base);
    GTEST_SKIP() << "the test's working directory is itself below " << above;
  }
  EXPECT_EQ(FirstInsecureDir((base / "open" / "keys").string()), (base / "open").string());
  fs::permissions(base / "open", fs::perms::owner_all);
  EXPECT_EQ(FirstInsecureDir((base / "open" / "keys").string()), "");
  EXPECT_EQ(FirstInsecureDir((base / "missing").string()), (base / "missing").string());
  fs::remove_all(base);
  // World-writable (1777) on every Debian machine.
  EXPECT_EQ(FirstInsecureDir("/var/tmp"), "/var/tmp");
}

}  // namespace
}  // namespace jf
