#include "report/store_server.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <httplib.h>
#include <netdb.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "common/xml.h"

namespace jf {

namespace fs = std::filesystem;

namespace {

constexpr size_t kWorkers = 8;
constexpr size_t kChunk = 64 * 1024;
constexpr int kMaxRunDepth = 4;
constexpr const char* kTextPlain = "text/plain; charset=utf-8";
constexpr const char* kTextHtml = "text/html; charset=utf-8";

// Closes a descriptor when it goes.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      if (fd_ >= 0) close(fd_);
      fd_ = o.release();
    }
    return *this;
  }
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// Percent-encodes everything but RFC 3986's unreserved characters.
std::string EncodeSegment(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

// "/files/<a>/<b>" for a path relative to the store ("" or "." for the root: "/files/").
std::string FilesUrl(const fs::path& rel, bool dir) {
  std::string url = "/files/";
  bool first = true;
  for (const auto& c : rel) {
    if (c.empty() || c == ".") continue;
    if (!first) url += '/';
    url += EncodeSegment(c.string());
    first = false;
  }
  if (dir && !first) url += '/';
  return url;
}

// A decoded path segment the server would serve (see the header's comment).
bool SegmentServable(std::string_view seg) {
  if (seg.empty() || seg == "." || seg == "..") return false;
  for (unsigned char c : seg) {
    if (c == '/' || c == '\\' || c == '%' || c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes once; nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string FormatSize(uintmax_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = -1;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  return fmt::format("{:.1f} {}", v, units[u]);
}

std::string FormatMtime(time_t t) {
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// YYYYMMDDTHHMMSS[.fraction], as StoreTimestamp writes it.
bool IsStoreTimestamp(std::string_view s) {
  if (s.size() < 15 || s[8] != 'T' || !AllDigits(s.substr(0, 8)) || !AllDigits(s.substr(9, 6)))
    return false;
  if (s.size() == 15) return true;
  return s[15] == '.' && s.size() <= 25 && AllDigits(s.substr(16));
}

// "2026-11-25 10:15:00.123" from "20261125T101500.123".
std::string FormatStoreTime(std::string_view s) {
  if (!IsStoreTimestamp(s)) return std::string(s);
  return fmt::format("{}-{}-{} {}:{}:{}{}", s.substr(0, 4), s.substr(4, 2), s.substr(6, 2),
                     s.substr(9, 2), s.substr(11, 2), s.substr(13, 2), s.substr(15));
}

const char* VerdictClass(RunVerdict v) {
  switch (v) {
    case RunVerdict::kValid:
      return "valid";
    case RunVerdict::kInvalid:
      return "invalid";
    default:
      return "unknown";
  }
}

// Jepsen's web UI colours rows by verdict: green, red, and (here) orange for unknown.
constexpr const char* kStyle =
    "body{font-family:sans-serif;margin:1.5em;color:#222}"
    "table{border-collapse:collapse}"
    "th,td{padding:.3em .8em;text-align:left;border-bottom:1px solid #ccc}"
    "th{background:#eee}"
    "tr.valid{background:#ADF6B0}tr.invalid{background:#F6AEAD}tr.unknown{background:#F9D29D}"
    "td.size{text-align:right;font-family:monospace}"
    "a{color:#036}.note{color:#777}";

std::string Page(const std::string& title, const std::string& body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title>"
      "<style>{}</style></head>\n<body>\n{}</body></html>\n",
      XmlEscape(title), kStyle, body);
}

void SetError(httplib::Response& res, int status, const std::string& msg) {
  res.status = status;
  res.set_content(msg + "\n", kTextPlain);
}

// Opens the canonical `rel` below the store root by walking its components with O_NOFOLLOW:
// a component that became a symlink after ResolveStorePath looked fails instead of escaping.
Result<Fd> OpenBelow(int root_fd, const fs::path& rel) {
  std::vector<std::string> parts;
  for (const auto& c : rel) {
    if (c.empty() || c == ".") continue;
    parts.push_back(c.string());
  }
  if (parts.empty()) {
    Fd fd(openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) return NotFound("cannot open the store: {}", strerror(errno));
    return fd;
  }
  Fd dir;
  int at = root_fd;
  for (size_t i = 0; i < parts.size(); ++i) {
    bool last = i + 1 == parts.size();
    int flags = last ? (O_RDONLY | O_NONBLOCK) : (O_PATH | O_DIRECTORY);
    Fd next(openat(at, parts[i].c_str(), flags | O_NOFOLLOW | O_CLOEXEC));
    if (next.get() < 0) return NotFound("cannot open {}: {}", rel.string(), strerror(errno));
    dir = std::move(next);
    at = dir.get();
  }
  return dir;
}

struct Entry {
  std::string name;
  bool dir = false;
  bool link = false;     // a symlink inside the store
  bool servable = true;  // has a link (the name passes SegmentServable, the target is inside)
  std::string note;      // why not
  uintmax_t size = 0;
  time_t mtime = 0;
};

std::vector<Entry> ReadDir(int dir_fd, const fs::path& root, const fs::path& rel) {
  std::vector<Entry> entries;
  int fd = dup(dir_fd);
  if (fd < 0) return entries;
  DIR* d = fdopendir(fd);
  if (d == nullptr) {
    close(fd);
    return entries;
  }
  while (dirent* de = readdir(d)) {
    std::string name = de->d_name;
    if (name == "." || name == "..") continue;
    Entry e;
    e.name = name;
    struct stat st {};
    if (fstatat(dirfd(d), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      std::error_code ec;
      fs::path target = fs::canonical(root / rel / name, ec);
      if (ec) {
        e.servable = false;
        e.note = "broken symlink";
      } else if (!PathWithin(root, target)) {
        e.servable = false;
        e.note = "symlink out of the store: not served";
      } else {
        e.link = true;
        if (fstatat(dirfd(d), name.c_str(), &st, 0) != 0) {
          e.servable = false;
          e.note = "broken symlink";
        }
      }
    }
    e.dir = S_ISDIR(st.st_mode);
    if (e.servable && !e.dir && !S_ISREG(st.st_mode)) {
      e.servable = false;
      e.note = "not a regular file";
    }
    e.size = S_ISREG(st.st_mode) ? static_cast<uintmax_t>(st.st_size) : 0;
    e.mtime = st.st_mtime;
    if (e.servable && !SegmentServable(name)) {
      e.servable = false;
      e.note = "name not served";
    }
    entries.push_back(std::move(e));
  }
  closedir(d);
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.name < b.name; });
  return entries;
}

std::string ListingPage(const fs::path& rel, const std::vector<Entry>& entries) {
  std::string crumbs = "<a href=\"/\">runs</a> &middot; <a href=\"/files/\">store</a>";
  fs::path acc;
  for (const auto& c : rel) {
    if (c.empty() || c == ".") continue;
    acc /= c;
    crumbs += fmt::format(" / <a href=\"{}\">{}</a>", XmlEscape(FilesUrl(acc, true)),
                          XmlEscape(c.string()));
  }
  std::string title = rel.empty() || rel == "." ? "store" : "store/" + rel.generic_string();
  std::string body = fmt::format("<h1>{}</h1>\n<p>{}</p>\n<table>\n", XmlEscape(title), crumbs);
  body += "<tr><th>name</th><th>size</th><th>modified</th></tr>\n";
  if (!(rel.empty() || rel == ".")) {
    body += fmt::format("<tr><td><a href=\"{}\">../</a></td><td></td><td></td></tr>\n",
                        XmlEscape(FilesUrl(rel.parent_path(), true)));
  }
  for (const auto& e : entries) {
    std::string shown = e.name + (e.dir ? "/" : "");
    std::string cell;
    if (e.servable) {
      cell = fmt::format("<a href=\"{}\">{}</a>", XmlEscape(FilesUrl(rel / e.name, e.dir)),
                         XmlEscape(shown));
      if (e.link) cell += " <span class=\"note\">(symlink)</span>";
    } else {
      cell =
          fmt::format("{} <span class=\"note\">({})</span>", XmlEscape(shown), XmlEscape(e.note));
    }
    std::string size = e.dir || !e.servable ? ""
                                            : fmt::format("<span title=\"{} bytes\">{}</span>",
                                                          e.size, FormatSize(e.size));
    body += fmt::format("<tr><td>{}</td><td class=\"size\">{}</td><td>{}</td></tr>\n", cell, size,
                        FormatMtime(e.mtime));
  }
  body += "</table>\n";
  return Page(title, body);
}

struct Summary {
  std::string name;
  uintmax_t size = 0;
};

// test-all-*.txt and test-all-*.json at the store's root, newest first.
std::vector<Summary> ListSummaries(const fs::path& root) {
  std::vector<Summary> out;
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    std::error_code e2;
    if (it->is_symlink(e2) || !it->is_regular_file(e2)) continue;
    if (!name.starts_with("test-all-") || !SegmentServable(name)) continue;
    if (!name.ends_with(".txt") && !name.ends_with(".json")) continue;
    out.push_back({name, it->file_size(e2)});
  }
  std::sort(out.begin(), out.end(),
            [](const Summary& a, const Summary& b) { return a.name > b.name; });
  return out;
}

std::string IndexPage(const fs::path& root) {
  std::vector<StoreRun> runs = ListStoreRuns(root);
  std::string body = fmt::format(
      "<h1>jepsen-flink store</h1>\n<p>{} &middot; {} run(s), newest first &middot; "
      "<a href=\"/files/\">all files</a></p>\n",
      XmlEscape(root.string()), runs.size());
  body +=
      "<table>\n<tr><th>test</th><th>time</th><th>verdict</th><th>report</th>"
      "<th>results</th><th>log</th><th>files</th></tr>\n";
  for (const auto& r : runs) {
    fs::path rel(r.rel);
    auto file_link = [&](bool present, const char* name) {
      if (!present) return std::string();
      return fmt::format("<a href=\"{}\">{}</a>", XmlEscape(FilesUrl(rel / name, false)), name);
    };
    body += fmt::format(
        "<tr class=\"{0}\"><td>{1}</td><td><a href=\"{2}\">{3}</a></td><td>{0}</td><td>{4}</td>"
        "<td>{5}</td><td>{6}</td><td><a href=\"{2}\">files</a></td></tr>\n",
        VerdictClass(r.verdict), XmlEscape(r.test), XmlEscape(FilesUrl(rel, true)),
        XmlEscape(FormatStoreTime(r.time)), file_link(r.has_report, "report.html"),
        file_link(r.has_results, "results.json"), file_link(r.has_log, "jepsen.log"));
  }
  body += "</table>\n";
  std::vector<Summary> summaries = ListSummaries(root);
  if (!summaries.empty()) {
    body += "<h2>test-all summaries</h2>\n<table>\n<tr><th>file</th><th>size</th></tr>\n";
    for (const auto& s : summaries) {
      body += fmt::format("<tr><td><a href=\"{}\">{}</a></td><td class=\"size\">{}</td></tr>\n",
                          XmlEscape(FilesUrl(fs::path(s.name), false)), XmlEscape(s.name),
                          FormatSize(s.size));
    }
    body += "</table>\n";
  }
  return Page("jepsen-flink store", body);
}

// Why binding host:port failed, found by trying the same bind once more ourselves.
Status BindFailure(const std::string& host, int port) {
  std::string h = host;
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  int rc = getaddrinfo(h.empty() ? nullptr : h.c_str(), service.c_str(), &hints, &res);
  if (rc != 0) return InvalidArgument("cannot listen on {}:{}: {}", host, port, gai_strerror(rc));
  int err = 0;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    Fd s(socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (s.get() < 0) {
      err = errno;
      continue;
    }
    int yes = 1;
    setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (bind(s.get(), ai->ai_addr, ai->ai_addrlen) == 0 && listen(s.get(), 1) == 0) {
      err = 0;
      continue;
    }
    err = errno;
    if (err == EADDRINUSE) break;
  }
  freeaddrinfo(res);
  if (err == EADDRINUSE) return Unavailable("port {} on {} is already in use", port, host);
  if (err != 0) return Unavailable("cannot listen on {}:{}: {}", host, port, strerror(err));
  return Unavailable("cannot listen on {}:{}", host, port);
}

}  // namespace

struct StoreServer::Http : httplib::Server {
  // Closes the listening socket if listen_after_bind() never took it over (httplib's own
  // destructor leaves it open).
  void CloseListener() {
    socket_t s = svr_sock_.exchange(INVALID_SOCKET);
    if (s != INVALID_SOCKET) close(s);
  }
};

StoreServer::StoreServer() = default;

StoreServer::~StoreServer() {
  Stop();
  if (http_) http_->CloseListener();
  if (root_fd_ >= 0) close(root_fd_);
}

Result<std::unique_ptr<StoreServer>> StoreServer::Bind(const StoreServerOptions& opts) {
  fs::path dir = opts.store_dir.empty() ? fs::path(".") : fs::path(opts.store_dir);
  std::error_code ec;
  fs::file_status st = fs::status(dir, ec);
  if (!fs::exists(st))
    return NotFound("store directory {} does not exist (--store DIR names it)", dir.string());
  if (!fs::is_directory(st)) return InvalidArgument("store {} is not a directory", dir.string());
  if (opts.port < 0 || opts.port > 65535)
    return InvalidArgument("port {} is not in 0-65535", opts.port);

  std::unique_ptr<StoreServer> s(new StoreServer());
  s->root_ = fs::canonical(dir, ec);
  if (ec) return Internal("cannot resolve the store directory {}: {}", dir.string(), ec.message());
  s->root_fd_ = open(s->root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (s->root_fd_ < 0)
    return Internal("cannot open the store directory {}: {}", s->root_.string(), strerror(errno));

  s->http_ = std::make_unique<Http>();
  // httplib sets SO_REUSEPORT by default, which would let a second server share a port
  // silently; SO_REUSEADDR alone still allows a restart over TIME_WAIT connections.
  s->http_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  s->http_->new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
  s->Route();

  int port = -1;
  if (opts.port == 0) {
    port = s->http_->bind_to_any_port(opts.host);
  } else if (s->http_->bind_to_port(opts.host, opts.port)) {
    port = opts.port;
  }
  if (port <= 0) return BindFailure(opts.host, opts.port);
  s->port_ = port;
  bool v6 = opts.host.find(':') != std::string::npos && opts.host.front() != '[';
  s->url_ = fmt::format("http://{}{}{}:{}/", v6 ? "[" : "",
                        opts.host.empty() ? "0.0.0.0" : opts.host, v6 ? "]" : "", port);
  return s;
}

Status StoreServer::Serve() {
  serving_ = true;
  if (stop_requested_) {
    serving_ = false;
    return Status::Ok();
  }
  bool ok = http_->listen_after_bind();
  serving_ = false;
  if (!ok && !stop_requested_) return Internal("the server at {} stopped accepting", url_);
  return Status::Ok();
}

void StoreServer::Stop() {
  stop_requested_ = true;
  if (!http_) return;
  // Serve() may be between its check and httplib's loop: wait until that loop runs (or ended).
  while (serving_ && !http_->is_running()) std::this_thread::yield();
  http_->stop();
}

void StoreServer::Route() {
  http_->set_default_headers({{"X-Content-Type-Options", "nosniff"},
                              {"Cache-Control", "no-cache"},
                              {"Referrer-Policy", "no-referrer"}});
  http_->set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (req.method == "GET" || req.method == "HEAD")
      return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("Allow", "GET, HEAD");
    SetError(res, 405, "only GET and HEAD");
    return httplib::Server::HandlerResponse::Handled;
  });
  http_->set_logger([](const httplib::Request& req, const httplib::Response& res) {
    spdlog::debug("serve: {} {} {}", req.method, req.target, res.status);
  });
  // One handler for every path: it looks at the raw target, not at httplib's decoded path.
  http_->Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
    std::string_view target = req.target;
    if (size_t q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
    if (target.find('\\') != std::string_view::npos ||
        target.find('\0') != std::string_view::npos) {
      SetError(res, 403, "refused");
      return;
    }
    if (target == "/") {
      res.set_content(IndexPage(root_), kTextHtml);
      return;
    }
    if (target == "/files") {
      res.set_redirect("/files/", 301);
      return;
    }
    if (!target.starts_with("/files/")) {
      SetError(res, 404, "not found");
      return;
    }
    auto path = ResolveStorePath(root_, target.substr(7));
    if (!path.ok()) {
      bool refused = path.status().code() == StatusCode::kInvalidArgument;
      SetError(res, refused ? 403 : 404, refused ? "refused" : "not found");
      return;
    }
    fs::path rel = path->lexically_relative(root_);
    auto fd = OpenBelow(root_fd_, rel);
    if (!fd.ok()) {
      SetError(res, 404, "not found");
      return;
    }
    struct stat st {};
    if (fstat(fd->get(), &st) != 0) {
      SetError(res, 404, "not found");
      return;
    }
    if (S_ISDIR(st.st_mode)) {
      res.set_content(ListingPage(rel, ReadDir(fd->get(), root_, rel)), kTextHtml);
      return;
    }
    if (!S_ISREG(st.st_mode)) {
      SetError(res, 403, "refused: not a regular file");
      return;
    }
    // Back to blocking reads (O_NONBLOCK only kept a FIFO from blocking the open).
    fcntl(fd->get(), F_SETFL, fcntl(fd->get(), F_GETFL) & ~O_NONBLOCK);
    std::string type = ContentTypeForName(rel.filename().string());
    if (type.empty()) {
      char head[1024];
      ssize_t n = pread(fd->get(), head, sizeof head, 0);
      bool binary = n > 0 && std::memchr(head, '\0', static_cast<size_t>(n)) != nullptr;
      type = binary ? "application/octet-stream" : kTextPlain;
    }
    size_t size = static_cast<size_t>(st.st_size);
    if (size == 0) {
      res.set_content("", type);
      return;
    }
    auto file = std::make_shared<Fd>(fd->release());
    res.set_content_provider(
        size, type, [file](size_t offset, size_t length, httplib::DataSink& sink) {
          char buf[kChunk];
          ssize_t n;
          do {
            n = pread(file->get(), buf, std::min(length, sizeof buf), static_cast<off_t>(offset));
          } while (n < 0 && errno == EINTR);
          // A file that shrank or cannot be read ends the response (the connection closes).
          if (n <= 0) return false;
          return sink.write(buf, static_cast<size_t>(n));
        });
  });
}

bool IsLoopbackHost(const std::string& host) {
  std::string h = host;
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) return false;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(h.c_str(), nullptr, &hints, &res) != 0) return false;
  bool any = false, all = true;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    bool loop = false;
    if (ai->ai_family == AF_INET) {
      auto* a = reinterpret_cast<const sockaddr_in*>(ai->ai_addr);
      loop = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
    } else if (ai->ai_family == AF_INET6) {
      const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(ai->ai_addr)->sin6_addr;
      loop = IN6_IS_ADDR_LOOPBACK(&a) || (IN6_IS_ADDR_V4MAPPED(&a) && a.s6_addr[12] == 127);
    }
    any = true;
    all = all && loop;
  }
  freeaddrinfo(res);
  return any && all;
}

bool PathWithin(const fs::path& root, const fs::path& p) {
  auto pi = p.begin();
  for (auto ri = root.begin(); ri != root.end(); ++ri, ++pi) {
    if (ri->empty() && std::next(ri) == root.end()) break;  // root given with a trailing '/'
    if (pi == p.end() || *ri != *pi) return false;
  }
  return true;
}

Result<fs::path> ResolveStorePath(const fs::path& root, std::string_view encoded) {
  fs::path p = root;
  size_t start = 0;
  bool first = true;
  while (start <= encoded.size()) {
    size_t slash = encoded.find('/', start);
    bool last = slash == std::string_view::npos;
    std::string_view raw = encoded.substr(start, last ? std::string_view::npos : slash - start);
    if (raw.empty()) {
      // Only a trailing '/' (a directory) may leave an empty segment; "/files/" is the root.
      if (last && (!first || encoded.empty())) break;
      return InvalidArgument("empty path segment");
    }
    auto seg = PercentDecode(raw);
    if (!seg) return InvalidArgument("malformed percent escape");
    if (!SegmentServable(*seg)) return InvalidArgument("path segment refused");
    p /= *seg;
    first = false;
    if (last) break;
    start = slash + 1;
  }
  std::error_code ec;
  fs::path c = fs::canonical(p, ec);
  if (ec) {
    if (ec == std::errc::too_many_symbolic_link_levels || ec == std::errc::permission_denied)
      return InvalidArgument("refused: {}", ec.message());
    return NotFound("no such file");
  }
  if (!PathWithin(root, c)) return InvalidArgument("outside the store");
  return c;
}

std::string ContentTypeForName(const std::string& name) {
  std::string ext = fs::path(name).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".html" || ext == ".htm") return kTextHtml;
  if (ext == ".json") return "application/json";
  for (const char* t :
       {".jsonl", ".log", ".txt", ".yaml", ".yml", ".out", ".err", ".cfg", ".conf",   ".properties",
        ".toml",  ".ini", ".csv", ".tsv",  ".md",  ".edn", ".xml", ".sh",  ".stdout", ".stderr"}) {
    if (ext == t) return kTextPlain;
  }
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".js") return "text/javascript; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".gif") return "image/gif";
  if (ext == ".gz" || ext == ".tgz") return "application/gzip";
  if (ext == ".zip") return "application/zip";
  if (ext == ".tar") return "application/x-tar";
  if (ext == ".jar") return "application/java-archive";
  return "";
}

RunVerdict ReadRunVerdict(const fs::path& results_json) {
  std::ifstream in(results_json);
  if (!in) return RunVerdict::kUnknown;
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return RunVerdict::kUnknown;
  auto it = j.find("valid?");
  if (it == j.end() || !it->is_boolean()) return RunVerdict::kUnknown;
  return it->get<bool>() ? RunVerdict::kValid : RunVerdict::kInvalid;
}

namespace {

void ScanRuns(const fs::path& root, const fs::path& rel, int depth, std::vector<StoreRun>& out) {
  std::error_code ec;
  for (fs::directory_iterator it(root / rel, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code e2;
    if (it->is_symlink(e2) || !it->is_directory(e2)) continue;
    std::string name = it->path().filename().string();
    if (IsStoreTimestamp(name)) {
      StoreRun r;
      r.test = rel.empty() ? root.filename().string() : rel.generic_string();
      r.time = name;
      r.rel = (rel / name).generic_string();
      fs::path dir = it->path();
      r.has_results = fs::is_regular_file(dir / "results.json", e2);
      r.verdict = r.has_results ? ReadRunVerdict(dir / "results.json") : RunVerdict::kUnknown;
      r.has_report = fs::is_regular_file(dir / "report.html", e2);
      r.has_log = fs::is_regular_file(dir / "jepsen.log", e2);
      out.push_back(std::move(r));
    } else if (depth < kMaxRunDepth) {
      ScanRuns(root, rel / name, depth + 1, out);
    }
  }
}

}  // namespace

std::vector<StoreRun> ListStoreRuns(const fs::path& root) {
  std::vector<StoreRun> runs;
  ScanRuns(root, fs::path(), 1, runs);
  std::sort(runs.begin(), runs.end(), [](const StoreRun& a, const StoreRun& b) {
    if (a.time != b.time) return a.time > b.time;
    return a.test < b.test;
  });
  return runs;
}

}  // namespace jf
