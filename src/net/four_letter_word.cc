#include "net/four_letter_word.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace jf {

Result<std::string> FourLetterWord(const std::string& host, int port, const std::string& word,
                                   std::chrono::milliseconds timeout) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return InvalidArgument("not an IPv4 address: {}", host);
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Internal("socket: {}", strerror(errno));
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto left_ms = [&] {
    return static_cast<int>(std::max<long>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                 std::chrono::steady_clock::now())
               .count()));
  };
  auto fail = [&](Status s) {
    close(fd);
    return s;
  };
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
    return fail(Unavailable("connect {}:{}: {}", host, port, strerror(errno)));
  }
  pollfd p{fd, POLLOUT, 0};
  if (poll(&p, 1, left_ms()) <= 0) return fail(Timeout("connect {}:{} timed out", host, port));
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return fail(Unavailable("connect {}:{}: {}", host, port, strerror(err)));
  if (send(fd, word.data(), word.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(word.size())) {
    return fail(Unavailable("send to {}:{}: {}", host, port, strerror(errno)));
  }
  std::string out;
  char buf[4096];
  while (true) {
    p = {fd, POLLIN, 0};
    int n = poll(&p, 1, left_ms());
    if (n <= 0) return fail(Timeout("{} from {}:{} timed out", word, host, port));
    ssize_t r = recv(fd, buf, sizeof buf, 0);
    if (r == 0) break;
    if (r < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return fail(Unavailable("recv from {}:{}: {}", host, port, strerror(errno)));
    }
    out.append(buf, r);
  }
  close(fd);
  return out;
}

Result<std::string> ZooKeeperMode(const std::string& host, int port) {
  JF_ASSIGN_OR_RETURN(std::string out, FourLetterWord(host, port, "srvr"));
  auto pos = out.find("Mode: ");
  if (pos == std::string::npos) {
    auto nl = out.find('\n');
    return Unavailable("ZooKeeper {}:{} does not serve: {}", host, port,
                       out.substr(0, nl == std::string::npos ? out.size() : nl));
  }
  auto end = out.find('\n', pos);
  return out.substr(pos + 6, end == std::string::npos ? std::string::npos : end - pos - 6);
}

}  // namespace jf
