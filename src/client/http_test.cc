#include "client/http.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "client/fake_http_server.h"

namespace jf {
namespace {

using std::chrono::milliseconds;
using testutil::FakeHttpServer;
using testutil::FakeRequest;
using testutil::FakeResponse;

constexpr milliseconds kTimeout{5000};

FakeResponse Echo(const FakeRequest& req) {
  if (req.target == "/missing") return {404, R"({"errors":["Not found: /missing"]})"};
  if (req.target == "/electing") {
    return {503, R"({"errors":["Service temporarily unavailable due to an ongoing leader )"
                 R"(election. Please refresh."]})"};
  }
  return {200, "{\"method\":\"" + req.method + "\",\"target\":\"" + req.target + "\"}"};
}

TEST(HttpTest, GetReturnsStatusAndBody) {
  FakeHttpServer server(&Echo);
  auto resp = http::Get(server.url() + "/overview", kTimeout);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->body, R"({"method":"GET","target":"/overview"})");
}

TEST(HttpTest, ErrorStatusesAreResponsesNotErrors) {
  FakeHttpServer server(&Echo);
  auto missing = http::Get(server.url() + "/missing", kTimeout);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  auto electing = http::Get(server.url() + "/electing", kTimeout);
  ASSERT_TRUE(electing.ok());
  EXPECT_EQ(electing->status, 503);
  EXPECT_NE(electing->body.find("leader election"), std::string::npos);
}

TEST(HttpTest, PostSendsJson) {
  FakeHttpServer server(&Echo);
  const std::string body(5000, 'x');  // large enough that curl would otherwise send Expect
  auto resp = http::Post(server.url() + "/jars/abc/run", "{\"a\":\"" + body + "\"}", kTimeout);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status, 200);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/jars/abc/run");
  EXPECT_EQ(reqs[0].headers["content-type"], "application/json");
  EXPECT_EQ(reqs[0].headers.count("expect"), 0u);
  EXPECT_EQ(reqs[0].body, "{\"a\":\"" + body + "\"}");
}

TEST(HttpTest, PostMultipartFileSendsOnePart) {
  FakeHttpServer server(&Echo);
  const auto dir =
      std::filesystem::temp_directory_path() / ("jf_http_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto jar = dir / "job.jar";
  std::string content = "PK\x03\x04";
  content += std::string("binary\0data", 11);
  { std::ofstream(jar, std::ios::binary) << content; }

  auto resp = http::PostMultipartFile(server.url() + "/jars/upload", "jarfile", jar.string(),
                                      "application/x-java-archive", kTimeout);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].headers["content-type"].rfind("multipart/form-data; boundary=", 0), 0u);
  const std::string& b = reqs[0].body;
  EXPECT_NE(b.find("Content-Disposition: form-data; name=\"jarfile\"; filename=\"job.jar\""),
            std::string::npos)
      << b;
  EXPECT_NE(b.find("Content-Type: application/x-java-archive"), std::string::npos);
  EXPECT_NE(b.find(content), std::string::npos);
}

TEST(HttpTest, MissingUploadFileIsNotFound) {
  auto resp = http::PostMultipartFile("http://127.0.0.1:1/jars/upload", "jarfile",
                                      "/nonexistent/x.jar", "application/x-java-archive", kTimeout);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kNotFound);
}

TEST(HttpTest, PatchSendsPatch) {
  FakeHttpServer server([](const FakeRequest&) { return FakeResponse{202, "{}"}; });
  auto resp = http::Patch(server.url() + "/jobs/abc?mode=cancel", kTimeout);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status, 202);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "PATCH");
  EXPECT_EQ(reqs[0].target, "/jobs/abc?mode=cancel");
}

TEST(HttpTest, RefusedConnectionIsUnavailableAndNamesTheUrl) {
  const std::string url = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/overview";
  auto resp = http::Get(url, kTimeout);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(resp.status().message().find(url), std::string::npos);
}

TEST(HttpTest, SlowAnswerIsTimeout) {
  FakeHttpServer server([](const FakeRequest&) {
    FakeResponse r{200, "{}"};
    r.delay = milliseconds(1200);
    return r;
  });
  const auto start = std::chrono::steady_clock::now();
  auto resp = http::Get(server.url() + "/slow", milliseconds(300));
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1100));
}

TEST(HttpTest, BadUrlIsInvalidArgument) {
  auto resp = http::Get("nope://x", kTimeout);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kInvalidArgument);
}

TEST(HttpTest, ConcurrentCallsFromManyThreads) {
  FakeHttpServer server(&Echo);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto r = http::Get(server.url() + "/t" + std::to_string(t), kTimeout);
        if (r.ok() && r->status == 200) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 40);
}

}  // namespace
}  // namespace jf
