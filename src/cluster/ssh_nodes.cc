#include "cluster/ssh_nodes.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "control/remote.h"
#include "control/subprocess.h"

namespace jf {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr auto kListenTimeout = std::chrono::seconds(10);
constexpr auto kSshCheckTimeout = std::chrono::seconds(15);

long ElapsedMs(Clock::time_point since) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
}

// Writes `content` to `path` with mode `mode` (not widened by the umask: it is set after).
Status WriteFileMode(const std::string& path, const std::string& content, fs::perms mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) return Internal("cannot write {}", path);
  }
  std::error_code ec;
  fs::permissions(path, mode, ec);
  if (ec) return Internal("cannot chmod {}: {}", path, ec.message());
  return Status::Ok();
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read {}", path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// The last `max_lines` non-empty lines of `path`, joined with " | ", or a note that it is empty.
std::string LogTail(const std::string& path, size_t max_lines) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  if (lines.empty()) return "(empty or missing)";
  size_t start = lines.size() > max_lines ? lines.size() - max_lines : 0;
  std::string out;
  for (size_t i = start; i < lines.size(); ++i) out += (out.empty() ? "" : " | ") + lines[i];
  return out;
}

std::string HostLogPath(const LocalNode& n) { return n.root_dir + "/log/sshd.log"; }

// "the node's /var/log/sshd.log ends: <tail>", plus a hint for a known cause. Quoted rather than
// pointed at: removing the cluster after a failure removes the node's log directory.
std::string LogNote(const LocalNode& n) {
  std::string tail = LogTail(HostLogPath(n), 5);
  std::string note = fmt::format("the node's {} ends: {}", kNodeSshdLog, tail);
  if (tail.find("account is locked") != std::string::npos) {
    // With UsePAM no, sshd refuses a root whose /etc/shadow password starts with '!', also for
    // keys. The nodes share the host's /etc/shadow.
    note +=
        "; root's account is locked on this host ('!' in /etc/shadow): allow key logins with "
        "`usermod -p '*' root`";
  }
  return note;
}

// True once a TCP connection to ip:port succeeds within `wait` for this one attempt.
bool TryConnect(const std::string& ip, int port, std::chrono::milliseconds wait) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = false;
  if (inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) == 1) {
    int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    if (rc == 0) {
      ok = true;
    } else if (errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      if (poll(&p, 1, static_cast<int>(wait.count())) == 1) {
        int err = 0;
        socklen_t len = sizeof(err);
        ok = getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
      }
    }
  }
  close(fd);
  return ok;
}

// Waits until the node's sshd accepts on port 22, then logs in once and checks that the node
// answers with its own name. (The bare connect leaves one "kex_exchange_identification:
// Connection closed by remote host" line in the node's sshd log.)
Status CheckNode(const SshFiles& files, const LocalNode& n) {
  auto deadline = Clock::now() + kListenTimeout;
  while (!TryConnect(n.ip, kSshPort, std::chrono::milliseconds(200))) {
    if (Clock::now() > deadline) {
      return Timeout("node {}: sshd does not accept connections on {}:{} within {} s; {}", n.name,
                     n.ip, kSshPort, kListenTimeout.count(), LogNote(n));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ExecOptions o;
  o.timeout = kSshCheckTimeout;
  auto argv = NodeSshArgv(files, n.ip, {"hostname"});
  JF_ASSIGN_OR_RETURN(ExecResult r, RunProcess(argv, o));
  if (!r.ok()) {
    return Internal("node {}: `{}` failed: {}; {}", n.name, ShellJoin(argv), r.Describe(),
                    LogNote(n));
  }
  if (Trim(r.out) != n.name) {
    return Internal("node {}: ssh root@{} landed on a host named '{}', not {}; {}", n.name, n.ip,
                    Trim(r.out), n.name, LogNote(n));
  }
  return Status::Ok();
}

Status MakeKey(const std::string& path, const std::string& comment) {
  ExecOptions o;
  o.timeout = std::chrono::seconds(30);
  auto r =
      RunChecked({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path}, o);
  return r.ok() ? Status::Ok() : r.status();
}

// Writes every file of <state_dir>/ssh; returns whether sshd may run with StrictModes.
Result<bool> WriteFiles(const SshFiles& files, const std::vector<LocalNode>& nodes) {
  std::error_code ec;
  fs::remove_all(files.dir, ec);
  if (ec) return Internal("cannot remove the old {}: {}", files.dir, ec.message());
  fs::create_directories(files.dir, ec);
  if (!ec) fs::permissions(files.dir, fs::perms::owner_all, ec);
  if (ec) return Internal("cannot create {}: {}", files.dir, ec.message());

  JF_RETURN_IF_ERROR(MakeKey(files.private_key, "jepsen-flink-client"));
  JF_RETURN_IF_ERROR(MakeKey(files.host_key, "jepsen-flink-host"));
  JF_ASSIGN_OR_RETURN(std::string client_pub, ReadFile(files.public_key));
  JF_ASSIGN_OR_RETURN(std::string host_pub, ReadFile(files.host_public_key));
  JF_ASSIGN_OR_RETURN(std::string known_hosts, RenderKnownHosts(nodes, host_pub));

  const auto rw = fs::perms::owner_read | fs::perms::owner_write;
  const auto r_all = rw | fs::perms::group_read | fs::perms::others_read;
  JF_RETURN_IF_ERROR(WriteFileMode(files.authorized_keys, client_pub, rw));
  JF_RETURN_IF_ERROR(WriteFileMode(files.known_hosts, known_hosts, r_all));
  JF_RETURN_IF_ERROR(WriteFileMode(files.nodes_file, RenderNodesFile(nodes), r_all));
  JF_RETURN_IF_ERROR(
      WriteFileMode(files.nodes_json, RenderNodesJson(nodes, files).dump(2) + "\n", r_all));

  const std::string insecure = FirstInsecureDir(files.dir);
  const bool strict = insecure.empty();
  if (!strict) {
    spdlog::warn(
        "ssh: {} is owned by another user or writable by group/others, so sshd's StrictModes "
        "would refuse the keys in {}; the nodes' sshd runs with StrictModes no (choose a state "
        "dir under root-owned, non-shared directories to avoid this)",
        insecure, files.dir);
  }
  for (const auto& n : nodes) {
    JF_RETURN_IF_ERROR(
        WriteFileMode(files.SshdConfig(n.name), RenderSshdConfig(files, n.ip, strict), rw));
  }
  return strict;
}

}  // namespace

std::string SshFiles::SshdConfig(const std::string& node) const {
  return dir + "/sshd_config." + node;
}

SshFiles SshFilesFor(const std::string& state_dir) {
  SshFiles f;
  f.dir = state_dir + "/ssh";
  f.private_key = f.dir + "/id_ed25519";
  f.public_key = f.private_key + ".pub";
  f.host_key = f.dir + "/ssh_host_ed25519_key";
  f.host_public_key = f.host_key + ".pub";
  f.authorized_keys = f.dir + "/authorized_keys";
  f.known_hosts = f.dir + "/known_hosts";
  f.nodes_file = f.dir + "/nodes";
  f.nodes_json = f.dir + "/nodes.json";
  return f;
}

std::string RenderSshdConfig(const SshFiles& files, const std::string& listen_ip,
                             bool strict_modes) {
  return fmt::format(
      "# Written by jepsen-flink (`cluster up --ssh`) for one node of the local cluster.\n"
      "Port {port}\n"
      "ListenAddress {ip}\n"
      "HostKey {host_key}\n"
      "PidFile {pid_file}\n"
      "AuthorizedKeysFile {authorized_keys}\n"
      "PubkeyAuthentication yes\n"
      "PermitRootLogin prohibit-password\n"
      "PasswordAuthentication no\n"
      "KbdInteractiveAuthentication no\n"
      "UsePAM no\n"
      "{strict_note}"
      "StrictModes {strict}\n"
      "# VERBOSE logs every login as \"Accepted publickey for root ...\".\n"
      "LogLevel VERBOSE\n"
      "PrintMotd no\n"
      "PrintLastLog no\n"
      "UseDNS no\n"
      "X11Forwarding no\n"
      "# The harness may open many connections and multiplexed sessions at once.\n"
      "MaxStartups 100:30:200\n"
      "MaxSessions 100\n"
      "# scp uses the SFTP protocol since OpenSSH 9.0.\n"
      "Subsystem sftp internal-sftp\n",
      fmt::arg("port", kSshPort), fmt::arg("ip", listen_ip), fmt::arg("host_key", files.host_key),
      fmt::arg("pid_file", kNodeSshdPidFile), fmt::arg("authorized_keys", files.authorized_keys),
      fmt::arg("strict_note",
               strict_modes ? "" : "# Off: a directory above the keys is group/world-writable.\n"),
      fmt::arg("strict", strict_modes ? "yes" : "no"));
}

Result<std::string> RenderKnownHosts(const std::vector<LocalNode>& nodes,
                                     const std::string& host_public_key) {
  std::istringstream in(host_public_key);
  std::string type, blob;
  in >> type >> blob;
  if (type.rfind("ssh-", 0) != 0 && type.rfind("ecdsa-", 0) != 0) {
    return InvalidArgument("not an OpenSSH public key: '{}'", Trim(host_public_key));
  }
  if (blob.empty()) return InvalidArgument("public key '{}' has no key data", type);
  std::string out;
  for (const auto& n : nodes) out += fmt::format("{},{} {} {}\n", n.ip, n.name, type, blob);
  return out;
}

std::string RenderNodesFile(const std::vector<LocalNode>& nodes) {
  std::string out;
  for (const auto& n : nodes) out += n.ip + "\n";
  return out;
}

nlohmann::json RenderNodesJson(const std::vector<LocalNode>& nodes, const SshFiles& files) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& n : nodes) list.push_back({{"name", n.name}, {"ip", n.ip}});
  return {{"nodes", list},
          {"user", kSshUser},
          {"port", kSshPort},
          {"private_key", files.private_key},
          {"known_hosts", files.known_hosts}};
}

std::vector<std::string> NodeSshArgv(const SshFiles& files, const std::string& ip,
                                 const std::vector<std::string>& command) {
  std::vector<std::string> argv = {"ssh", "-F", "none", "-i", files.private_key};
  for (const std::string& option :
       {std::string("IdentitiesOnly=yes"), "UserKnownHostsFile=" + files.known_hosts,
        std::string("GlobalKnownHostsFile=/dev/null"), std::string("StrictHostKeyChecking=yes"),
        std::string("BatchMode=yes"), std::string("ConnectTimeout=5")}) {
    argv.insert(argv.end(), {"-o", option});
  }
  argv.insert(argv.end(), {"-p", std::to_string(kSshPort), std::string(kSshUser) + "@" + ip});
  // ssh joins the words with spaces for the remote shell: quote them so that they arrive as-is.
  for (const auto& word : command) argv.push_back(ShellQuote(word));
  return argv;
}

std::string SshUsage(const SshFiles& files, const std::vector<LocalNode>& nodes) {
  std::string out = fmt::format("ssh: sshd runs on every node (port {}, user {}); files in {}\n",
                                kSshPort, kSshUser, files.dir);
  out += fmt::format("  nodes file: {}\n", files.nodes_file);
  out += fmt::format("  nodes json: {}\n", files.nodes_json);
  if (!nodes.empty()) {
    out += fmt::format("  try: ssh -i {} -o UserKnownHostsFile={} -o IdentitiesOnly=yes {}@{}\n",
                       files.private_key, files.known_hosts, kSshUser, nodes.front().ip);
  }
  return out;
}

std::string FirstInsecureDir(const std::string& path) {
  // What sshd's auth_secure_path checks for each directory above a key file (up to /).
  for (fs::path p = fs::path(path).lexically_normal();; p = p.parent_path()) {
    struct stat st = {};
    if (stat(p.c_str(), &st) != 0) return p.string();
    if (st.st_uid != 0 || (st.st_mode & 022) != 0) return p.string();
    if (p == p.root_path() || p.parent_path() == p) return "";
  }
}

Result<SshFiles> StartSsh(const LocalCluster& cluster) {
  auto t0 = Clock::now();
  if (access(kSshdBinary, X_OK) != 0) {
    return FailedPrecondition(
        "--ssh needs {} (Debian's openssh-server; setup.sh installs it without starting a host "
        "sshd)",
        kSshdBinary);
  }
  const SshFiles files = SshFilesFor(cluster.state_dir());
  const auto& nodes = cluster.nodes();
  JF_RETURN_IF_ERROR(WriteFiles(files, nodes).status());

  for (const auto& n : nodes) {
    auto remote = cluster.RemoteFor(n.name);
    if (remote == nullptr) return Internal("node {} has no remote", n.name);
    // /run is the node's own tmpfs: sshd needs its privilege separation directory there. sshd
    // forks into the background inside the node, so this returns once its config is loaded.
    ExecOptions o;
    o.timeout = std::chrono::seconds(30);
    auto r = ExecShell(*remote, "mkdir -p -m 0755 /run/sshd && exec \"$1\" -f \"$2\" -E \"$3\"",
                       {kSshdBinary, files.SshdConfig(n.name), kNodeSshdLog}, o);
    if (!r.ok()) {
      return Status(r.status().code(), fmt::format("node {}: cannot start sshd: {}; {}", n.name,
                                                   r.status().message(), LogNote(n)));
    }
  }
  spdlog::info("ssh: sshd started on {} node(s) ({} ms)", nodes.size(), ElapsedMs(t0));

  // Every node at once: a login takes a few hundred milliseconds.
  std::vector<std::future<Status>> checks;
  for (const auto& n : nodes) {
    checks.push_back(std::async(std::launch::async, [&files, &n] { return CheckNode(files, n); }));
  }
  std::vector<Status> results;
  for (auto& c : checks) results.push_back(c.get());
  for (const auto& s : results) JF_RETURN_IF_ERROR(s);
  spdlog::info("ssh: every node answers over ssh ({} ms)", ElapsedMs(t0));
  return files;
}

nlohmann::json SshStatus(const LocalCluster& cluster) {
  const SshFiles files = SshFilesFor(cluster.state_dir());
  std::error_code ec;
  if (!fs::is_directory(files.dir, ec)) return nullptr;
  nlohmann::json sshd = nlohmann::json::array();
  for (const auto& n : cluster.nodes()) {
    sshd.push_back({{"node", n.name},
                    {"ip", n.ip},
                    {"config", files.SshdConfig(n.name)},
                    {"log", HostLogPath(n)}});
  }
  return {{"dir", files.dir},
          {"user", kSshUser},
          {"port", kSshPort},
          {"private_key", files.private_key},
          {"public_key", files.public_key},
          {"host_key", files.host_key},
          {"authorized_keys", files.authorized_keys},
          {"known_hosts", files.known_hosts},
          {"nodes_file", files.nodes_file},
          {"nodes_json", files.nodes_json},
          {"sshd", sshd}};
}

}  // namespace jf
