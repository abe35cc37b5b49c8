#include "client/leader.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
// The synchronous C API (zoo_create, ...) is declared only for the multi-threaded library,
// which is the one linked.
#ifndef THREADED
#define THREADED
#endif
#include <gtest/gtest.h>
#include <zookeeper.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "client/fake_http_server.h"

namespace jf {
namespace {

using testutil::FakeHttpServer;
using testutil::FakeRequest;
using testutil::FakeResponse;

// Bytes written by Java 17 exactly as Flink's ZooKeeperUtils.writeLeaderInformationToZooKeeper
// writes them, with this single-file program (`java Gen.java ADDRESS UUID`):
//
//   var baos = new java.io.ByteArrayOutputStream();
//   var oos = new java.io.ObjectOutputStream(baos);
//   oos.writeUTF(args[0]);
//   oos.writeObject(java.util.UUID.fromString(args[1]));
//   oos.close();  // then print baos.toByteArray()
//
// with ADDRESS http://10.77.7.11:8081 and UUID 0b3e5f7a-1c2d-4e8f-9a0b-c1d2e3f40516.
const unsigned char kLeaderBytes[] = {
    0xac, 0xed, 0x00, 0x05, 0x77, 0x18, 0x00, 0x16, 0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f, 0x31,
    0x30, 0x2e, 0x37, 0x37, 0x2e, 0x37, 0x2e, 0x31, 0x31, 0x3a, 0x38, 0x30, 0x38, 0x31, 0x73, 0x72,
    0x00, 0x0e, 0x6a, 0x61, 0x76, 0x61, 0x2e, 0x75, 0x74, 0x69, 0x6c, 0x2e, 0x55, 0x55, 0x49, 0x44,
    0xbc, 0x99, 0x03, 0xf7, 0x98, 0x6d, 0x85, 0x2f, 0x02, 0x00, 0x02, 0x4a, 0x00, 0x0c, 0x6c, 0x65,
    0x61, 0x73, 0x74, 0x53, 0x69, 0x67, 0x42, 0x69, 0x74, 0x73, 0x4a, 0x00, 0x0b, 0x6d, 0x6f, 0x73,
    0x74, 0x53, 0x69, 0x67, 0x42, 0x69, 0x74, 0x73, 0x78, 0x70, 0x9a, 0x0b, 0xc1, 0xd2, 0xe3, 0xf4,
    0x05, 0x16, 0x0b, 0x3e, 0x5f, 0x7a, 0x1c, 0x2d, 0x4e, 0x8f,
};

// Same program, ADDRESS "http://flink-\u00fc\u4e2d\U0001F600:8081" (two-byte, three-byte and a
// supplementary character, which modified UTF-8 writes as two 3-byte surrogates) and UUID
// 00000000-0000-0001-ffff-ffffffffffff.
const unsigned char kUnicodeLeaderBytes[] = {
    0xac, 0xed, 0x00, 0x05, 0x77, 0x1f, 0x00, 0x1d, 0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f,
    0x66, 0x6c, 0x69, 0x6e, 0x6b, 0x2d, 0xc3, 0xbc, 0xe4, 0xb8, 0xad, 0xed, 0xa0, 0xbd, 0xed,
    0xb8, 0x80, 0x3a, 0x38, 0x30, 0x38, 0x31, 0x73, 0x72, 0x00, 0x0e, 0x6a, 0x61, 0x76, 0x61,
    0x2e, 0x75, 0x74, 0x69, 0x6c, 0x2e, 0x55, 0x55, 0x49, 0x44, 0xbc, 0x99, 0x03, 0xf7, 0x98,
    0x6d, 0x85, 0x2f, 0x02, 0x00, 0x02, 0x4a, 0x00, 0x0c, 0x6c, 0x65, 0x61, 0x73, 0x74, 0x53,
    0x69, 0x67, 0x42, 0x69, 0x74, 0x73, 0x4a, 0x00, 0x0b, 0x6d, 0x6f, 0x73, 0x74, 0x53, 0x69,
    0x67, 0x42, 0x69, 0x74, 0x73, 0x78, 0x70, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
};

// Same idea with a 1512-character address ("http://" + 1500 letters a..z repeating + ":8081") and
// UUID 12345678-9abc-def0-1234-56789abcdef0: ObjectOutputStream splits the writeUTF bytes over two
// TC_BLOCKDATALONG records (its block buffer is 1024 bytes). Hex, to keep the file short.
const char kLongLeaderHex[] =
    "aced00057a0000040005e8687474703a2f2f6162636465666768696a6b6c6d6e6f707172737475767778797a6162"
    "636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f70717273747576"
    "7778797a6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f70"
    "7172737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a"
    "6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a61626364"
    "65666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778"
    "797a6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f707172"
    "737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c"
    "6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a616263646566"
    "6768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a"
    "6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f7071727374"
    "75767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e"
    "6f707172737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768"
    "696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a6162"
    "636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f70717273747576"
    "7778797a6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f70"
    "7172737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a"
    "6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a61626364"
    "65666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778"
    "797a6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f707172"
    "737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c"
    "6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a616263646566"
    "6768696a6b6c6d6e6f707172737475767778797a617a000001ea62636465666768696a6b6c6d6e6f707172737475"
    "767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f"
    "707172737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a616263646566676869"
    "6a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a616263"
    "6465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f7071727374757677"
    "78797a6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f7071"
    "72737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b"
    "6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465"
    "666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f70717273747576777879"
    "7a6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f70717273"
    "7475767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d"
    "6e6f7071723a383038317372000e6a6176612e7574696c2e55554944bc9903f7986d852f0200024a000c6c656173"
    "74536967426974734a000b6d6f7374536967426974737870123456789abcdef0123456789abcdef0";

std::string FromArray(const unsigned char* data, size_t n) {
  return std::string(reinterpret_cast<const char*>(data), n);
}

std::string FromHex(const char* hex) {
  std::string out;
  for (size_t i = 0; hex[i] != '\0' && hex[i + 1] != '\0'; i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex + i, 2), nullptr, 16));
  }
  return out;
}

std::string LeaderBytes() { return FromArray(kLeaderBytes, sizeof(kLeaderBytes)); }

TEST(ParseLeaderInformationTest, ParsesBytesWrittenByJava) {
  auto info = ParseLeaderInformation(LeaderBytes());
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->address, "http://10.77.7.11:8081");
  EXPECT_EQ(info->session_id, "0b3e5f7a-1c2d-4e8f-9a0b-c1d2e3f40516");
}

TEST(ParseLeaderInformationTest, DecodesModifiedUtf8) {
  auto info = ParseLeaderInformation(FromArray(kUnicodeLeaderBytes, sizeof(kUnicodeLeaderBytes)));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->address, "http://flink-\u00fc\u4e2d\U0001F600:8081");
  EXPECT_EQ(info->session_id, "00000000-0000-0001-ffff-ffffffffffff");
}

TEST(ParseLeaderInformationTest, JoinsAddressSplitOverBlockRecords) {
  auto info = ParseLeaderInformation(FromHex(kLongLeaderHex));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  std::string expected = "http://";
  for (int i = 0; i < 1500; ++i) expected += static_cast<char>('a' + i % 26);
  expected += ":8081";
  EXPECT_EQ(info->address, expected);
  EXPECT_EQ(info->session_id, "12345678-9abc-def0-1234-56789abcdef0");
}

TEST(ParseLeaderInformationTest, EmptyDataMeansNoLeader) {
  auto info = ParseLeaderInformation("");
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().code(), StatusCode::kUnavailable);
}

TEST(ParseLeaderInformationTest, EveryTruncationIsAnError) {
  for (const std::string& full :
       {LeaderBytes(), FromArray(kUnicodeLeaderBytes, sizeof(kUnicodeLeaderBytes)),
        FromHex(kLongLeaderHex)}) {
    for (size_t n = 1; n < full.size(); ++n) {
      auto info = ParseLeaderInformation(full.substr(0, n));
      ASSERT_FALSE(info.ok()) << "prefix of " << n << " bytes parsed";
      EXPECT_EQ(info.status().code(), StatusCode::kInternal);
    }
  }
}

TEST(ParseLeaderInformationTest, GarbageIsAnError) {
  for (const std::string& junk :
       {std::string("hello"), std::string("{\"address\":\"http://x\"}"), std::string("\xac\xed"),
        std::string("\xac\xed\x00\x05", 4), std::string("\xac\xed\x00\x05\x77\xff", 6),
        std::string("\xac\xed\x00\x05\x77\x02\x00\x00\x70", 9),
        std::string("\xac\xed\x00\x06\x77\x02\x00\x00", 8), std::string(1000, '\0')}) {
    EXPECT_FALSE(ParseLeaderInformation(junk).ok()) << junk;
  }
  std::mt19937 rng(42);
  for (int i = 0; i < 2000; ++i) {
    std::string junk(rng() % 200, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    if (i % 2 == 0 && junk.size() >= 4) junk.replace(0, 4, "\xac\xed\x00\x05");
    EXPECT_FALSE(ParseLeaderInformation(junk).ok());
  }
}

TEST(ParseLeaderInformationTest, CorruptedBytesNeverCrash) {
  // Flip every byte of a real blob in turn: the result may or may not parse (a changed address
  // letter is still an address), but it must come back as a value.
  const std::string good = LeaderBytes();
  for (size_t i = 0; i < good.size(); ++i) {
    for (unsigned char x : {0x01, 0x80, 0xff}) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ x);
      (void)ParseLeaderInformation(bad);
    }
  }
}

TEST(ParseLeaderInformationTest, RejectsAnotherClass) {
  std::string bytes = LeaderBytes();
  size_t at = bytes.find("java.util.UUID");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 13] = 'X';  // java.util.UUIX
  auto info = ParseLeaderInformation(bytes);
  ASSERT_FALSE(info.ok());
  EXPECT_NE(info.status().message().find("java.util.UUIX"), std::string::npos);
}

TEST(RestLeaderPathTest, NormalizesSlashesLikeFlink) {
  EXPECT_EQ(RestLeaderPath("/flink", "/default"),
            "/flink/default/leader/rest_server/connection_info");
  EXPECT_EQ(RestLeaderPath("/flink/", "jepsen"),
            "/flink/jepsen/leader/rest_server/connection_info");
  EXPECT_EQ(RestLeaderPath("flink", "//a/b//"), "/flink/a/b/leader/rest_server/connection_info");
  EXPECT_EQ(RestLeaderPath("/", ""), "/leader/rest_server/connection_info");
}

TEST(ZkLeaderLookupTest, UnreachableQuorumIsUnavailableInTime) {
  ZkLeaderLookup zk("127.0.0.1:" + std::to_string(ClosedPort()), std::chrono::seconds(4),
                    std::chrono::milliseconds(500));
  const auto start = std::chrono::steady_clock::now();
  auto leader = zk.RestLeader("/flink", "/default");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(leader.ok());
  EXPECT_EQ(leader.status().code(), StatusCode::kUnavailable);
  EXPECT_LT(elapsed, std::chrono::seconds(3));
  // A second call on the same object behaves the same (no stuck state).
  EXPECT_EQ(zk.RestLeader("/flink", "/default").status().code(), StatusCode::kUnavailable);
}

TEST(ZkLeaderLookupTest, RejectsBadPath) {
  ZkLeaderLookup zk("127.0.0.1:1");
  EXPECT_EQ(zk.GetData("relative").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(zk.GetData("/trailing/").status().code(), StatusCode::kInvalidArgument);
}

FakeResponse OverviewOk(const FakeRequest&) {
  return {200, R"({"taskmanagers":2,"slots-total":4,"slots-available":4,"jobs-running":0,)"
               R"("jobs-finished":0,"jobs-cancelled":0,"jobs-failed":0,"flink-version":"1.20.0",)"
               R"("flink-commit":"b1fe7b4"})"};
}

// kLeaderBytes with another address (shorter than 254 bytes, so it still fits the one 1-byte
// block-data record): the stream layout stays exactly as Java wrote it.
std::string WithAddress(const std::string& address) {
  const std::string java = LeaderBytes();
  const size_t old_len = static_cast<uint8_t>(java[6]) << 8 | static_cast<uint8_t>(java[7]);
  std::string out = java.substr(0, 4);
  out += '\x77';
  out += static_cast<char>(address.size() + 2);
  out += static_cast<char>(address.size() >> 8);
  out += static_cast<char>(address.size() & 0xFF);
  out += address;
  out += java.substr(8 + old_len);
  return out;
}

TEST(ParseLeaderInformationTest, ParsesRewrittenAddress) {
  auto info = ParseLeaderInformation(WithAddress("http://127.0.0.1:4242"));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->address, "http://127.0.0.1:4242");
  EXPECT_EQ(info->session_id, "0b3e5f7a-1c2d-4e8f-9a0b-c1d2e3f40516");
}

// Against a real ZooKeeper server, only when JF_TEST_ZK_QUORUM names one (e.g. a local
// standalone server on 127.0.0.1): writes the Java bytes where Flink would and reads them back.
TEST(ZkLeaderLookupTest, ReadsLeaderFromRealZooKeeper) {
  const char* quorum = std::getenv("JF_TEST_ZK_QUORUM");
  if (quorum == nullptr || *quorum == '\0') GTEST_SKIP() << "JF_TEST_ZK_QUORUM not set";

  zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
  watcher_fn ignore = [](zhandle_t*, int, int, const char*, void*) {};
  zhandle_t* writer = zookeeper_init(quorum, ignore, 10000, nullptr, nullptr, 0);
  ASSERT_NE(writer, nullptr);
  for (int i = 0; i < 500 && zoo_state(writer) != ZOO_CONNECTED_STATE; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(zoo_state(writer), ZOO_CONNECTED_STATE);
  const std::string cluster = "jf-test-" + std::to_string(::getpid());
  const std::string path = RestLeaderPath("/flink", cluster);
  std::vector<std::string> created;
  for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    const std::string prefix = slash == std::string::npos ? path : path.substr(0, slash);
    const bool leaf = slash == std::string::npos;
    const std::string data = leaf ? LeaderBytes() : "";
    int rc =
        zoo_create(writer, prefix.c_str(), leaf ? data.data() : nullptr,
                   leaf ? static_cast<int>(data.size()) : -1, &ZOO_OPEN_ACL_UNSAFE, 0, nullptr, 0);
    ASSERT_TRUE(rc == ZOK || rc == ZNODEEXISTS) << prefix << ": " << zerror(rc);
    if (rc == ZOK) created.push_back(prefix);
    if (leaf) break;
  }

  ZkLeaderLookup zk(quorum, std::chrono::seconds(10), std::chrono::seconds(5));
  auto leader = zk.RestLeader("/flink", cluster);
  ASSERT_TRUE(leader.ok()) << leader.status().ToString();
  EXPECT_EQ(leader->address, "http://10.77.7.11:8081");
  EXPECT_EQ(leader->session_id, "0b3e5f7a-1c2d-4e8f-9a0b-c1d2e3f40516");

  // End to end: the published address is a (fake) JobManager that serves, so LeaderFinder
  // takes it from ZooKeeper.
  FakeHttpServer jm(&OverviewOk);
  ASSERT_EQ(zoo_set(writer, path.c_str(), WithAddress(jm.url()).data(),
                    static_cast<int>(WithAddress(jm.url()).size()), -1),
            ZOK);
  auto shared = std::make_shared<ZkLeaderLookup>(quorum);
  LeaderFinder finder(LeaderFinder::ZooKeeperSource(shared, "/flink/", cluster), {});
  auto choice = finder.Find();
  ASSERT_TRUE(choice.ok()) << choice.status().ToString();
  EXPECT_EQ(choice->rest_url, jm.url());
  EXPECT_EQ(choice->source, "zookeeper");
  EXPECT_EQ(choice->session_id, "0b3e5f7a-1c2d-4e8f-9a0b-c1d2e3f40516");

  // Flink empties the node when leadership is revoked: that is "no leader", not an error.
  ASSERT_EQ(zoo_set(writer, path.c_str(), nullptr, -1, -1), ZOK);
  EXPECT_EQ(zk.RestLeader("/flink", cluster).status().code(), StatusCode::kUnavailable);
  // A cluster id with no node at all.
  EXPECT_EQ(zk.RestLeader("/flink", cluster + "-absent").status().code(), StatusCode::kUnavailable);

  for (auto it = created.rbegin(); it != created.rend(); ++it) {
    EXPECT_EQ(zoo_delete(writer, it->c_str(), -1), ZOK) << *it;
  }
  zookeeper_close(writer);
}

TEST(LeaderFinderTest, UsesTheZooKeeperLeaderWhenItServes) {
  FakeHttpServer jm(&OverviewOk);
  LeaderFinder finder(
      [&]() -> Result<LeaderInfo> {
        return LeaderInfo{jm.url() + "/", "0b3e5f7a-1c2d-4e8f-9a0b-c1d2e3f40516"};
      },
      {"http://127.0.0.1:" + std::to_string(ClosedPort())});
  auto choice = finder.Find();
  ASSERT_TRUE(choice.ok()) << choice.status().ToString();
  EXPECT_EQ(choice->rest_url, jm.url());
  EXPECT_EQ(choice->source, "zookeeper");
  EXPECT_EQ(choice->session_id, "0b3e5f7a-1c2d-4e8f-9a0b-c1d2e3f40516");
  ASSERT_EQ(jm.requests().size(), 1u);
  EXPECT_EQ(jm.requests()[0].target, "/overview");
}

TEST(LeaderFinderTest, FallsBackToTheFirstServingJobManager) {
  FakeHttpServer electing([](const FakeRequest&) {
    return FakeResponse{503, R"({"errors":["Service temporarily unavailable due to an ongoing )"
                             R"(leader election. Please refresh."]})"};
  });
  FakeHttpServer serving(&OverviewOk);
  LeaderFinder finder(
      []() -> Result<LeaderInfo> { return Unavailable("no quorum"); },
      {"http://127.0.0.1:" + std::to_string(ClosedPort()), electing.url(), serving.url() + "/"});
  auto choice = finder.Find();
  ASSERT_TRUE(choice.ok()) << choice.status().ToString();
  EXPECT_EQ(choice->rest_url, serving.url());
  EXPECT_EQ(choice->source, "fallback");
  EXPECT_EQ(choice->session_id, "");
  EXPECT_EQ(electing.requests().size(), 1u);
}

TEST(LeaderFinderTest, FallsBackWhenTheZooKeeperLeaderIsDead) {
  FakeHttpServer serving(&OverviewOk);
  const std::string dead = "http://127.0.0.1:" + std::to_string(ClosedPort());
  LeaderFinder finder(
      [&]() -> Result<LeaderInfo> {
        return LeaderInfo{dead, "x"};
      },
      {dead, serving.url()});
  auto choice = finder.Find();
  ASSERT_TRUE(choice.ok()) << choice.status().ToString();
  EXPECT_EQ(choice->rest_url, serving.url());
  EXPECT_EQ(choice->source, "fallback");
}

TEST(LeaderFinderTest, WithoutZooKeeperUsesTheList) {
  FakeHttpServer serving(&OverviewOk);
  LeaderFinder finder(nullptr, {serving.url()});
  auto choice = finder.Find();
  ASSERT_TRUE(choice.ok()) << choice.status().ToString();
  EXPECT_EQ(choice->source, "fallback");
}

TEST(LeaderFinderTest, NothingServingIsUnavailableAndListsAttempts) {
  const std::string dead = "http://127.0.0.1:" + std::to_string(ClosedPort());
  LeaderFinder finder([]() -> Result<LeaderInfo> { return Unavailable("zk down"); }, {dead});
  auto choice = finder.Find();
  ASSERT_FALSE(choice.ok());
  EXPECT_EQ(choice.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(choice.status().message().find("zk down"), std::string::npos);
  EXPECT_NE(choice.status().message().find(dead), std::string::npos);

  EXPECT_EQ(LeaderFinder(nullptr, {}).Find().status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jf

namespace jf {
namespace {

TEST(MapUrlHostTest, ReplacesOnlyAKnownHost) {
  std::map<std::string, std::string> hosts = {{"n1", "10.77.7.11"}, {"n2", "10.77.7.12"}};
  EXPECT_EQ(MapUrlHost("http://n1:8081", hosts), "http://10.77.7.11:8081");
  EXPECT_EQ(MapUrlHost("http://n2/x", hosts), "http://10.77.7.12/x");
  EXPECT_EQ(MapUrlHost("http://n12:8081", hosts), "http://n12:8081");
  EXPECT_EQ(MapUrlHost("http://10.77.7.13:8081", hosts), "http://10.77.7.13:8081");
  EXPECT_EQ(MapUrlHost("n1:8081", hosts), "n1:8081");
}

TEST(MapUrlHostTest, MapHostsRewritesThePublishedAddress) {
  auto source = LeaderFinder::MapHosts(
      [] { return Result<LeaderInfo>(LeaderInfo{"http://n1:8081", "s"}); }, {{"n1", "10.0.0.1"}});
  auto info = source();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->address, "http://10.0.0.1:8081");
  EXPECT_EQ(info->session_id, "s");
}

}  // namespace
}  // namespace jf
