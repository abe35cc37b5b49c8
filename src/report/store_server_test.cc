#include "report/store_server.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <thread>

#include "common/temp_dir.h"

namespace jf {
namespace {

namespace fs = std::filesystem;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSecret = "JF-SECRET-0f3a9c1d";
constexpr const char* kRunA = "standalone-a/20261125T101500.123";  // valid
constexpr const char* kRunB = "standalone-b/20261126T090000.000";  // invalid, newest
constexpr const char* kRunC = "standalone-a/20261124T080000.000";  // unknown, oldest

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string raw;
};

// Sends exactly `target` (no client-side normalisation, unlike curl or a browser) and reads
// until the server closes.
RawResponse Fetch(int port, const std::string& method, const std::string& target) {
  RawResponse r;
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{5, 0};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(s);
    return r;
  }
  std::string req =
      method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  (void)!send(s, req.data(), req.size(), MSG_NOSIGNAL);
  char buf[65536];
  for (ssize_t n; (n = recv(s, buf, sizeof buf, 0)) > 0;) r.raw.append(buf, static_cast<size_t>(n));
  close(s);
  size_t end = r.raw.find("\r\n\r\n");
  if (end == std::string::npos) return r;
  std::string head = r.raw.substr(0, end);
  r.body = r.raw.substr(end + 4);
  size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  if (status_line.size() > 12) r.status = std::stoi(status_line.substr(9, 3));
  for (size_t pos = line_end; pos != std::string::npos && pos < head.size();) {
    size_t next = head.find("\r\n", pos + 2);
    std::string line =
        head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
    if (size_t colon = line.find(':'); colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      size_t v = line.find_first_not_of(' ', colon + 1);
      r.headers[name] = v == std::string::npos ? "" : line.substr(v);
    }
    pos = next;
  }
  return r;
}

// A store with three runs (valid, invalid, unknown), latest links, summaries, node logs, a
// symlink pointing out of the store, and a sibling directory <store>2 holding the secret.
class StoreServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = tmp_.path() / "store";
    sibling_ = tmp_.path() / "store2";
    Write(sibling_ / "secret.txt", kSecret);
    Write(tmp_.path() / "outside.txt", kSecret);

    fs::path a = store_ / kRunA;
    Write(a / "results.json", R"({"valid?": true, "availability": {"valid?": true}})");
    Write(a / "jepsen.log", "INFO run started\nINFO valid\n");
    Write(a / "history.jsonl", "{\"index\":0,\"type\":\"invoke\"}\n");
    Write(a / "report.html", "<html><body>report of a</body></html>");
    Write(a / "n1/flink/config.yaml", "jobmanager.rpc.address: n1\n");
    Write(a / "n1/flink/gc.log.0.current", "[0.001s] GC pause\n");
    Write(a / "blob.bin", std::string("\x7f"
                                      "ELF\0\0\1",
                                      7));
    big_.resize(3 * 1024 * 1024 + 17);
    for (size_t i = 0; i < big_.size(); ++i) big_[i] = static_cast<char>('a' + i % 23);
    Write(a / "n1/flink/flink-taskexecutor.log", big_);
    fs::path b = store_ / kRunB;
    Write(b / "results.json", R"({"valid?": false})");
    Write(b / "jepsen.log", "INFO invalid\n");
    fs::path c = store_ / kRunC;
    Write(c / "results.json", R"({"valid?": "unknown"})");
    fs::create_directory_symlink("20261125T101500.123", store_ / "standalone-a/latest");
    fs::create_directory_symlink("standalone-b/20261126T090000.000", store_ / "latest");
    Write(store_ / "test-all-20261126T100000.txt", "summary\n");
    Write(store_ / "test-all-20261126T100000.json", "{}\n");
    // Out of the store: relative to the sibling directory, absolute to a file, and to /etc.
    fs::create_directory_symlink("../store2", store_ / "escape");
    fs::create_symlink(sibling_ / "secret.txt", store_ / "escape-file");
    fs::create_symlink(tmp_.path() / "outside.txt", a / "outside-link.txt");
    fs::create_directory_symlink("/etc", store_ / "etc");
    // Inside the store: fine.
    fs::create_symlink("jepsen.log", a / "log-link.txt");

    auto srv = StoreServer::Bind({.store_dir = store_.string(), .host = "127.0.0.1", .port = 0});
    ASSERT_TRUE(srv.ok()) << srv.status().message();
    server_ = std::move(*srv);
    thread_ = std::thread([this] { serve_status_ = server_->Serve(); });
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
    EXPECT_TRUE(serve_status_.ok()) << serve_status_.message();
    // Nothing any test fetched ever held the secret.
    for (const auto& raw : seen_) EXPECT_THAT(raw, Not(HasSubstr(kSecret)));
  }

  RawResponse Get(const std::string& target, const std::string& method = "GET") {
    RawResponse r = Fetch(server_->port(), method, target);
    seen_.push_back(r.raw);
    return r;
  }

  TempDir tmp_{"jf-serve"};
  fs::path store_, sibling_;
  std::string big_;
  std::unique_ptr<StoreServer> server_;
  std::thread thread_;
  Status serve_status_;
  std::vector<std::string> seen_;
};

TEST_F(StoreServerTest, IndexListsRunsNewestFirstColouredByVerdict) {
  RawResponse r = Get("/");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.headers["content-type"], HasSubstr("text/html"));
  const std::string& body = r.body;
  size_t b = body.find("<tr class=\"invalid\"><td>standalone-b</td>");
  size_t a = body.find("<tr class=\"valid\"><td>standalone-a</td>");
  size_t c = body.find("<tr class=\"unknown\"><td>standalone-a</td>");
  ASSERT_NE(b, std::string::npos) << body;
  ASSERT_NE(a, std::string::npos) << body;
  ASSERT_NE(c, std::string::npos) << body;
  EXPECT_LT(b, a);
  EXPECT_LT(a, c);
  EXPECT_THAT(body, HasSubstr("tr.valid{background:#ADF6B0}"));
  EXPECT_THAT(body, HasSubstr("tr.invalid{background:#F6AEAD}"));
  EXPECT_THAT(body, HasSubstr("tr.unknown{background:#F9D29D}"));
  EXPECT_THAT(body, HasSubstr("2026-11-25 10:15:00.123"));
  EXPECT_THAT(body, HasSubstr("href=\"/files/standalone-a/20261125T101500.123/\""));
  EXPECT_THAT(body, HasSubstr("href=\"/files/standalone-a/20261125T101500.123/report.html\""));
  EXPECT_THAT(body, Not(HasSubstr("20261126T090000.000/report.html")));  // b has none
  EXPECT_THAT(body, HasSubstr("href=\"/files/standalone-b/20261126T090000.000/jepsen.log\""));
  // The latest links are not runs of their own.
  EXPECT_THAT(body, Not(HasSubstr("latest")));
  EXPECT_EQ(ListStoreRuns(server_->root()).size(), 3u);
  // test-all summaries, newest first by name.
  EXPECT_THAT(body, HasSubstr("href=\"/files/test-all-20261126T100000.txt\""));
  EXPECT_THAT(body, HasSubstr("href=\"/files/test-all-20261126T100000.json\""));
}

TEST_F(StoreServerTest, ServesFilesWithContentTypes) {
  std::string run = std::string("/files/") + kRunA;
  struct Case {
    std::string path, type;
  };
  for (const Case& c :
       {Case{"/results.json", "application/json"}, Case{"/jepsen.log", "text/plain; charset=utf-8"},
        Case{"/history.jsonl", "text/plain; charset=utf-8"},
        Case{"/n1/flink/config.yaml", "text/plain; charset=utf-8"},
        Case{"/n1/flink/gc.log.0.current", "text/plain; charset=utf-8"},
        Case{"/report.html", "text/html; charset=utf-8"},
        Case{"/blob.bin", "application/octet-stream"},
        Case{"/log-link.txt", "text/plain; charset=utf-8"}}) {
    RawResponse r = Get(run + c.path);
    EXPECT_EQ(r.status, 200) << c.path;
    EXPECT_EQ(r.headers["content-type"], c.type) << c.path;
    EXPECT_EQ(r.headers["x-content-type-options"], "nosniff");
  }
  EXPECT_EQ(Get(run + "/results.json").body,
            R"({"valid?": true, "availability": {"valid?": true}})");
  EXPECT_EQ(Get(run + "/log-link.txt").body, "INFO run started\nINFO valid\n");
  // Through the latest links (symlinks inside the store).
  EXPECT_EQ(Get("/files/standalone-a/latest/jepsen.log").body, "INFO run started\nINFO valid\n");
  EXPECT_EQ(Get("/files/latest/results.json").body, R"({"valid?": false})");
  EXPECT_EQ(Get("/files/test-all-20261126T100000.txt").body, "summary\n");
  // Percent-encoded ordinary characters are fine.
  EXPECT_EQ(Get("/files/standalone-a/%6catest/jepsen%2Elog").status, 200);
}

TEST_F(StoreServerTest, StreamsBigFilesAndAnswersHead) {
  std::string path = std::string("/files/") + kRunA + "/n1/flink/flink-taskexecutor.log";
  RawResponse r = Get(path);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-length"], std::to_string(big_.size()));
  EXPECT_EQ(r.body.size(), big_.size());
  EXPECT_TRUE(r.body == big_);
  RawResponse h = Get(path, "HEAD");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.headers["content-length"], std::to_string(big_.size()));
  EXPECT_EQ(h.body, "");
  EXPECT_EQ(Get("/", "HEAD").body, "");
}

TEST_F(StoreServerTest, ListsDirectoriesSortedWithSizes) {
  RawResponse r = Get(std::string("/files/") + kRunA + "/");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.headers["content-type"], HasSubstr("text/html"));
  const std::string& body = r.body;
  std::vector<std::string> in_order = {">blob.bin<",     ">history.jsonl<", ">jepsen.log<",
                                       ">log-link.txt<", ">n1/<",           ">outside-link.txt ",
                                       ">report.html<",  ">results.json<"};
  size_t last = 0;
  for (const auto& name : in_order) {
    size_t at = body.find(name);
    ASSERT_NE(at, std::string::npos) << name << "\n" << body;
    EXPECT_GT(at, last) << name;
    last = at;
  }
  EXPECT_THAT(body, HasSubstr("title=\"28 bytes\">28 B<"));  // jepsen.log
  EXPECT_THAT(body, HasSubstr("symlink out of the store: not served"));
  EXPECT_THAT(body, Not(HasSubstr("href=\"/files/standalone-a/20261125T101500.123/outside-link")));
  EXPECT_THAT(body, HasSubstr("href=\"/files/standalone-a/\">../</a>"));
  RawResponse big = Get(std::string("/files/") + kRunA + "/n1/flink/");
  EXPECT_THAT(big.body, HasSubstr(">3.0 MiB<"));
  // The root, a directory without its trailing '/', and /files itself.
  RawResponse root = Get("/files/");
  EXPECT_EQ(root.status, 200);
  EXPECT_THAT(root.body, HasSubstr("href=\"/files/standalone-a/\""));
  EXPECT_THAT(root.body, HasSubstr("href=\"/files/latest/\""));
  EXPECT_THAT(root.body, Not(HasSubstr("href=\"/files/escape")));
  EXPECT_THAT(root.body, Not(HasSubstr("href=\"/files/etc")));
  EXPECT_EQ(Get("/files/standalone-a").status, 200);
  RawResponse redirect = Get("/files");
  EXPECT_EQ(redirect.status, 301);
  EXPECT_EQ(redirect.headers["location"], "/files/");
}

TEST_F(StoreServerTest, RefusesEveryTraversal) {
  std::string abs_secret = (sibling_ / "secret.txt").string();
  std::vector<std::string> attempts = {
      "/files/../store2/secret.txt",
      "/files/../../../../etc/passwd",
      "/files/standalone-a/../../store2/secret.txt",
      "/files/./../store2/secret.txt",
      "/files/%2e%2e/store2/secret.txt",
      "/files/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
      "/files/.%2e/store2/secret.txt",
      "/files/%252e%252e/store2/secret.txt",
      "/files/%25252e%25252e/store2/secret.txt",
      "/files/..%2fstore2%2fsecret.txt",
      "/files/%2e%2e%2fstore2%2fsecret.txt",
      "/files/standalone-a%2f..%2f..%2fstore2%2fsecret.txt",
      "/files//etc/passwd",
      "/files/%2fetc%2fpasswd",
      "/files/%2Fetc%2Fpasswd",
      "/files/" + abs_secret,
      "/files/%2f" + abs_secret.substr(1),
      "/files/..\\store2\\secret.txt",
      "/files/%5c..%5cstore2%5csecret.txt",
      "/files/..%5cstore2%5csecret.txt",
      "/files/secret%00.txt",
      "/files/%00/../store2/secret.txt",
      "/files/%c0%ae%c0%ae/store2/secret.txt",
      "/files/%",
      "/files/%2",
      "/files/%zz",
      "/files/escape/secret.txt",
      "/files/escape/",
      "/files/escape",
      "/files/escape-file",
      "/files/etc/passwd",
      "/files/etc/",
      std::string("/files/") + kRunA + "/outside-link.txt",
      "/files/../store2/secret.txt?x=1",
      "/../store2/secret.txt",
      "/%2e%2e/store2/secret.txt",
      "/files/../../../../../../../../../../etc/passwd",
      "http://127.0.0.1/files/../store2/secret.txt",
      "/files/latest/../../store2/secret.txt",
      "/files/latest/%2e%2e/%2e%2e/store2/secret.txt",
  };
  for (const auto& target : attempts) {
    RawResponse r = Get(target);
    EXPECT_THAT(r.status, AnyOf(400, 403, 404)) << target;
    EXPECT_THAT(r.raw, Not(HasSubstr(kSecret))) << target;
    EXPECT_THAT(r.raw, Not(HasSubstr("root:x:0:0"))) << target;
  }
  // The secret is really there, one directory up: the refusals are not an accident of setup.
  std::ifstream in(sibling_ / "secret.txt");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, kSecret);
}

TEST_F(StoreServerTest, OnlyGetAndHead) {
  for (const char* m : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    RawResponse r = Get("/files/latest/results.json", m);
    EXPECT_EQ(r.status, 405) << m;
    EXPECT_EQ(r.headers["allow"], "GET, HEAD") << m;
  }
  EXPECT_THAT(Get("/files/latest/results.json", "TRACE").status, AnyOf(400, 405));
  EXPECT_EQ(Get("/nothing-here").status, 404);
  EXPECT_EQ(Get("/files/standalone-a/no-such-file").status, 404);
}

TEST(ResolveStorePathTest, RefusesAndResolves) {
  TempDir tmp("jf-serve");
  fs::path store = tmp.path() / "store";
  Write(store / "t/20260101T000000.000/results.json", "{}");
  Write(tmp.path() / "store2/secret.txt", kSecret);
  fs::create_directory_symlink(tmp.path() / "store2", store / "sib");
  fs::create_directory_symlink("t", store / "in");
  fs::path root = fs::canonical(store);
  EXPECT_EQ(*ResolveStorePath(root, ""), root);
  EXPECT_EQ(*ResolveStorePath(root, "t/"), root / "t");
  EXPECT_EQ(*ResolveStorePath(root, "in/20260101T000000.000/results.json"),
            root / "t/20260101T000000.000/results.json");
  EXPECT_EQ(ResolveStorePath(root, "sib/secret.txt").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveStorePath(root, "sib").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveStorePath(root, "..").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveStorePath(root, "%2e%2e").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveStorePath(root, "%252e%252e").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveStorePath(root, "t//x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveStorePath(root, "nope").status().code(), StatusCode::kNotFound);

  EXPECT_TRUE(PathWithin("/a/store", "/a/store"));
  EXPECT_TRUE(PathWithin("/a/store", "/a/store/x/y"));
  EXPECT_FALSE(PathWithin("/a/store", "/a/store2"));
  EXPECT_FALSE(PathWithin("/a/store", "/a/store2/secret.txt"));
  EXPECT_FALSE(PathWithin("/a/store", "/a"));
  EXPECT_FALSE(PathWithin("/a/store", "/b/store"));
}

TEST(StoreServerBindTest, PortInUseIsAnError) {
  TempDir tmp("jf-serve");
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(s, 1), 0);
  socklen_t len = sizeof addr;
  getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  auto srv =
      StoreServer::Bind({.store_dir = tmp.path().string(), .host = "127.0.0.1", .port = port});
  ASSERT_FALSE(srv.ok());
  EXPECT_EQ(srv.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(srv.status().message(), fmt::format("port {} on 127.0.0.1 is already in use", port));
  close(s);

  // Nor may a second store server share a port with the first (httplib's SO_REUSEPORT is off).
  auto first =
      StoreServer::Bind({.store_dir = tmp.path().string(), .host = "127.0.0.1", .port = 0});
  ASSERT_TRUE(first.ok()) << first.status().message();
  auto second = StoreServer::Bind(
      {.store_dir = tmp.path().string(), .host = "127.0.0.1", .port = (*first)->port()});
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr(std::to_string((*first)->port())));
}

TEST(StoreServerBindTest, MissingStoreAndStopBeforeServe) {
  TempDir tmp("jf-serve");
  auto missing = StoreServer::Bind({.store_dir = (tmp.path() / "nope").string(), .port = 0});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("does not exist"));

  auto srv = StoreServer::Bind({.store_dir = tmp.path().string(), .host = "127.0.0.1", .port = 0});
  ASSERT_TRUE(srv.ok());
  EXPECT_EQ((*srv)->url(), fmt::format("http://127.0.0.1:{}/", (*srv)->port()));
  (*srv)->Stop();
  EXPECT_TRUE((*srv)->Serve().ok());  // returns at once
}

TEST(StoreServerBindTest, StopsWhileServing) {
  TempDir tmp("jf-serve");
  auto srv = StoreServer::Bind({.store_dir = tmp.path().string(), .host = "127.0.0.1", .port = 0});
  ASSERT_TRUE(srv.ok());
  std::thread t([&] { EXPECT_TRUE((*srv)->Serve().ok()); });
  EXPECT_EQ(Fetch((*srv)->port(), "GET", "/").status, 200);
  (*srv)->Stop();
  t.join();
  EXPECT_EQ(Fetch((*srv)->port(), "GET", "/").status, 0);  // nobody listens any more
}

TEST(IsLoopbackHostTest, Addresses) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("[::1]"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("::"));
  EXPECT_FALSE(IsLoopbackHost(""));
  EXPECT_FALSE(IsLoopbackHost("10.77.7.1"));
}

TEST(ReadRunVerdictTest, ValidInvalidUnknown) {
  TempDir tmp("jf-serve");
  auto verdict = [&](const std::string& text) {
    Write(tmp.path() / "results.json", text);
    return ReadRunVerdict(tmp.path() / "results.json");
  };
  EXPECT_EQ(verdict(R"({"valid?": true})"), RunVerdict::kValid);
  EXPECT_EQ(verdict(R"({"valid?": false})"), RunVerdict::kInvalid);
  EXPECT_EQ(verdict(R"({"valid?": "unknown"})"), RunVerdict::kUnknown);
  EXPECT_EQ(verdict(R"({})"), RunVerdict::kUnknown);
  EXPECT_EQ(verdict("not json"), RunVerdict::kUnknown);
  EXPECT_EQ(ReadRunVerdict(tmp.path() / "none.json"), RunVerdict::kUnknown);
}

}  // namespace
}  // namespace jf
