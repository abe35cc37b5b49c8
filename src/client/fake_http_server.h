// FakeHttpServer: a tiny HTTP/1.1 server for unit tests, on 127.0.0.1 and an ephemeral port.
//
// One thread accepts connections one at a time, reads one request (headers plus a
// Content-Length body), records it, answers with what the handler returns and closes the
// connection. Everything is bounded: accept polls so the destructor can stop the thread, reads
// time out after 5 s, and requests larger than 64 MiB are dropped. Test-only; header-only so
// that it adds nothing to jf_core.
//
// Thread-safety: the handler runs on the server thread; requests() may be read from any thread.
#ifndef JF_CLIENT_FAKE_HTTP_SERVER_H_
#define JF_CLIENT_FAKE_HTTP_SERVER_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace jf {
namespace testutil {

struct FakeRequest {
  std::string method;
  std::string target;                          // path and query, e.g. "/jobs/abc?mode=cancel"
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct FakeResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json; charset=UTF-8";
  // Sleep this long before answering (to provoke client timeouts). Keep it short: the server
  // thread is busy meanwhile and the destructor waits for it.
  std::chrono::milliseconds delay{0};
};

class FakeHttpServer {
 public:
  using Handler = std::function<FakeResponse(const FakeRequest&)>;

  explicit FakeHttpServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) ||
        ::listen(listen_fd_, 16)) {
      return;  // port() stays 0; the test's requests then fail visibly
    }
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }

  ~FakeHttpServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }

  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<FakeRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  static constexpr size_t kMaxRequest = 64u << 20;

  void Loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      timeval tv{5, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
      FakeRequest req;
      if (ReadRequest(fd, &req)) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          requests_.push_back(req);
        }
        FakeResponse resp = handler_(req);
        if (resp.delay.count() > 0) std::this_thread::sleep_for(resp.delay);
        std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " X\r\n" +
                          "Content-Type: " + resp.content_type + "\r\n" +
                          "Content-Length: " + std::to_string(resp.body.size()) + "\r\n" +
                          "Connection: close\r\n\r\n" + resp.body;
        size_t sent = 0;
        while (sent < out.size()) {
          ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
          if (n <= 0) break;
          sent += static_cast<size_t>(n);
        }
      }
      ::close(fd);
    }
  }

  static bool ReadRequest(int fd, FakeRequest* req) {
    std::string buf;
    char chunk[65536];
    size_t header_end = std::string::npos;
    while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0 || buf.size() > kMaxRequest) return false;
      buf.append(chunk, static_cast<size_t>(n));
    }
    const std::string head = buf.substr(0, header_end);
    size_t line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    size_t sp1 = request_line.find(' ');
    size_t sp2 = request_line.find(' ', sp1 + 1);
    if (sp1 == std::string::npos || sp2 == std::string::npos) return false;
    req->method = request_line.substr(0, sp1);
    req->target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      std::string line = head.substr(pos, e - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        req->headers[name] = value;
      }
      pos = e + 2;
    }
    size_t content_length = 0;
    if (auto it = req->headers.find("content-length"); it != req->headers.end()) {
      content_length = std::strtoul(it->second.c_str(), nullptr, 10);
    }
    if (content_length > kMaxRequest) return false;
    req->body = buf.substr(header_end + 4);
    while (req->body.size() < content_length) {
      ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0) return false;
      req->body.append(chunk, static_cast<size_t>(n));
    }
    return true;
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<FakeRequest> requests_;
};

}  // namespace testutil
// A 127.0.0.1 port that nothing listens on (bound once, then released).
inline int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace jf

#endif  // JF_CLIENT_FAKE_HTTP_SERVER_H_
