#include "control/ssh_hosts.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

namespace jf {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

Status CheckHostName(const std::string& host) {
  bool ok =
      !host.empty() && host.size() <= 253 && std::isalnum(static_cast<unsigned char>(host[0]));
  for (char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_')
      ok = false;
  }
  if (ok) return Status::Ok();
  return InvalidArgument(
      "node '{}' is not a host name or IPv4 address (letters, digits, '.', "
      "'-' and '_' only)",
      host);
}

Result<std::vector<std::string>> ParseNodesFile(const std::string& text) {
  std::vector<std::string> hosts;
  std::set<std::string> seen;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::string host = Trim(line);
    if (host.empty() || host[0] == '#') continue;
    if (Status s = CheckHostName(host); !s.ok()) {
      return InvalidArgument("line {}: {}", n, s.message());
    }
    if (!seen.insert(host).second) return InvalidArgument("line {}: {} is listed twice", n, host);
    hosts.push_back(host);
  }
  if (hosts.empty()) return InvalidArgument("no hosts in the nodes file");
  return hosts;
}

Result<std::vector<std::string>> ReadNodesFile(const std::string& path) {
  std::ifstream f(path);
  if (!f) return InvalidArgument("--nodes-file {}: cannot be read", path);
  std::stringstream ss;
  ss << f.rdbuf();
  auto hosts = ParseNodesFile(ss.str());
  if (!hosts.ok()) return InvalidArgument("--nodes-file {}: {}", path, hosts.status().message());
  return hosts;
}

Status CheckNodeList(const std::vector<std::string>& hosts) {
  if (hosts.empty()) return InvalidArgument("--nodes: no hosts");
  std::set<std::string> seen;
  for (const auto& h : hosts) {
    JF_RETURN_IF_ERROR(CheckHostName(h));
    if (!seen.insert(h).second) return InvalidArgument("--nodes: {} is listed twice", h);
  }
  return Status::Ok();
}

Result<std::string> ResolveIPv4(const std::string& host) {
  in_addr addr{};
  if (inet_pton(AF_INET, host.c_str(), &addr) == 1) return host;
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0 || res == nullptr) {
    return Unavailable("node {} does not resolve to an IPv4 address here: {}", host,
                       gai_strerror(rc));
  }
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr, buf, sizeof buf);
  freeaddrinfo(res);
  return std::string(buf);
}

}  // namespace jf
