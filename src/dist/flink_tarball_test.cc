#include "dist/flink_tarball.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "client/fake_http_server.h"
#include "control/subprocess.h"
#include "dist/flink_dist.h"

namespace fs = std::filesystem;
using testing::HasSubstr;
using testing::Not;

namespace jf {
namespace {

// --- the URI ---------------------------------------------------------------------------------

TEST(FlinkTarballUriTest, TakesFileAndHttpTarballs) {
  for (const char* uri : {"file:///opt/dist/flink-2.2.1-bin-scala_2.12.tgz",
                          "file://localhost/opt/flink-1.20.5-bin-scala_2.12.tar.gz",
                          "FILE:///opt/flink.TGZ", "file:///opt/my%20dists/flink.tar",
                          "http://mirror.example/flink/flink-2.2.1/flink-2.2.1-bin-scala_2.12.tgz",
                          "https://ci:s3cret@repo.example:8443/flink.tar.gz?token=1#x"}) {
    Status s = ValidateFlinkTarballUri(uri);
    EXPECT_TRUE(s.ok()) << uri << ": " << s.message();
  }
}

TEST(FlinkTarballUriTest, RefusesOtherShapesWithAReason) {
  struct Case {
    const char* uri;
    const char* reason;
  };
  for (const Case& c :
       {Case{"", "empty URI"}, Case{"/opt/flink-2.2.1.tgz", "not a URI"},
        Case{"flink-2.2.1.tgz", "not a URI"},
        Case{"ftp://mirror.example/flink-2.2.1.tgz", "scheme 'ftp'"},
        Case{"s3://bucket/flink-2.2.1.tgz", "scheme 's3'"},
        Case{"file://otherhost/opt/flink.tgz", "host 'otherhost'"},
        Case{"file://opt/flink.tgz", "host 'opt'"}, Case{"http:///flink.tgz", "no host"},
        Case{"https://u:p@/flink.tgz", "no host"},
        Case{"https://mirror.example/flink-2.2.1.zip", "must end in .tgz"},
        Case{"https://mirror.example/flink.tgz/", "must end in .tgz"},
        Case{"https://mirror.example/download?f=flink.tgz", "must end in .tgz"},
        Case{"file:///opt/flink 2.tgz", "no spaces"},
        Case{"file:///opt/bad%zzflink.tgz", "%-escape"}}) {
    Status s = ValidateFlinkTarballUri(c.uri);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.uri;
    EXPECT_THAT(s.message(), HasSubstr(c.reason)) << c.uri;
    EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
  }
}

TEST(FlinkTarballUriTest, MasksThePasswordOnly) {
  EXPECT_EQ(MaskUriPassword("https://ci:s3cret@repo.example/flink.tgz"),
            "https://ci:***@repo.example/flink.tgz");
  EXPECT_EQ(MaskUriPassword("http://ci:p%40ss:w@repo.example:80/a.tgz?x=1"),
            "http://ci:***@repo.example:80/a.tgz?x=1");
  EXPECT_EQ(MaskUriPassword("https://ci:@repo.example/f.tgz"), "https://ci:***@repo.example/f.tgz");
  // No password, or an '@' outside the authority: unchanged.
  for (const char* same : {"https://ci@repo.example/flink.tgz", "https://repo.example/flink.tgz",
                           "https://repo.example/a@b:c.tgz", "file:///opt/a:b@c.tgz"}) {
    EXPECT_EQ(MaskUriPassword(same), same);
  }
  // Not even a URI: still masked in the refusal.
  EXPECT_EQ(MaskUriPassword("ci:s3cret@repo.example/f.tgz"), "ci:***@repo.example/f.tgz");
  for (const char* uri : {"ci:s3cret@repo.example/f.tgz", "ftp://ci:s3cret@h/f.tgz",
                          "https://ci:s3cret@h/f.zip", "file://ci:s3cret@h/f.tgz"}) {
    Status s = ValidateFlinkTarballUri(uri);
    EXPECT_FALSE(s.ok()) << uri;
    EXPECT_THAT(s.message(), Not(HasSubstr("s3cret"))) << s.message();
  }
}

// --- versions and lines ----------------------------------------------------------------------

TEST(FlinkTarballVersionTest, FromDistJarNames) {
  EXPECT_EQ(*FlinkVersionFromDistJar("flink-dist-2.2.1.jar"), "2.2.1");
  EXPECT_EQ(*FlinkVersionFromDistJar("flink-dist-1.20.5.jar"), "1.20.5");
  EXPECT_EQ(*FlinkVersionFromDistJar("flink-dist-2.3-SNAPSHOT.jar"), "2.3-SNAPSHOT");
  EXPECT_EQ(*FlinkVersionFromDistJar("flink-dist-2.0.0-rc1.jar"), "2.0.0-rc1");
  // Before 1.15 the jar carried the Scala version.
  EXPECT_EQ(*FlinkVersionFromDistJar("flink-dist_2.12-1.14.6.jar"), "1.14.6");
  EXPECT_EQ(*FlinkVersionFromDistJar("flink-dist_2.11-1.9.3.jar"), "1.9.3");
  for (const char* bad :
       {"flink-dist.jar", "flink-dist-.jar", "flink-dist-2.jar", "flink-dist-scala.jar",
        "flink-dist_2.12.jar", "flink-dist-2.2.1.zip", "flink-dists-2.2.1.jar",
        "flink-dist-2.2.1-.jar", "flink-dist-2..1.jar", "flink-table-2.2.1.jar"}) {
    auto v = FlinkVersionFromDistJar(bad);
    EXPECT_FALSE(v.ok()) << bad << " gave " << (v.ok() ? *v : "");
  }
}

TEST(FlinkTarballVersionTest, LinesOfTheTestJob) {
  for (const char* v : {"2.0.0", "2.1.1", "2.2.1", "2.3-SNAPSHOT"}) {
    EXPECT_EQ(*FlinkLineForVersion(v), FlinkLine::k2) << v;
  }
  for (const char* v : {"1.20.0", "1.20.5", "1.20-SNAPSHOT"}) {
    EXPECT_EQ(*FlinkLineForVersion(v), FlinkLine::k1_20) << v;
  }
  for (const char* v : {"1.19.1", "1.2.0", "1.200.0", "3.0.0", "1.14.6"}) {
    auto line = FlinkLineForVersion(v);
    EXPECT_EQ(line.status().code(), StatusCode::kInvalidArgument) << v;
    EXPECT_THAT(line.status().message(), HasSubstr("2.x and 1.20.x")) << v;
  }
}

// --- fetching and laying out -----------------------------------------------------------------

// A temporary directory with a fake Flink distribution (official layout, tiny files) and a cache.
class FlinkTarballTest : public testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            fmt::format("jf_tarball_test_{}_{}", getpid(),
                        testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    cache_ = root_ / "cache";
    fs::create_directories(cache_);
  }
  void TearDown() override { fs::remove_all(root_); }

  static void Write(const fs::path& p, const std::string& text = "x") {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }

  // root_/src/<top>/ laid out as an official flink-<version>-bin tarball unpacks.
  fs::path MakeDistribution(const std::string& top, const std::string& dist_jar) {
    fs::path home = root_ / "src" / top;
    for (const char* s : {"config.sh", "jobmanager.sh", "taskmanager.sh", "flink",
                          "flink-console.sh", "bash-java-utils.sh"}) {
      Write(home / "bin" / s, "#!/bin/sh\n");
      fs::permissions(home / "bin" / s, fs::perms::owner_all | fs::perms::group_read |
                                            fs::perms::group_exec | fs::perms::others_read |
                                            fs::perms::others_exec);
    }
    Write(home / "bin/bash-java-utils.jar");
    Write(home / "conf/config.yaml", "jobmanager.rpc.address: localhost\n");
    Write(home / "conf/log4j.properties");
    Write(home / "lib" / dist_jar);
    Write(home / "lib/log4j-api-2.24.3.jar");
    Write(home / "opt/flink-python-2.1.0.jar");
    Write(home / "plugins/README.txt");
    return home;
  }

  // Packs root_/src/<entries...> into root_/<name> with tar (gzip for .tgz/.tar.gz).
  fs::path Pack(const std::string& name, const std::vector<std::string>& entries) {
    fs::path out = root_ / name;
    std::vector<std::string> argv = {"tar",        "-c", "-f",
                                     out.string(), "-C", (root_ / "src").string()};
    if (!name.ends_with(".tar")) argv.insert(argv.begin() + 1, "-z");
    argv.insert(argv.end(), entries.begin(), entries.end());
    auto r = RunChecked(argv);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return out;
  }

  static std::string FileUri(const fs::path& p) { return "file://" + p.string(); }

  static std::string Sha256(const fs::path& p) {
    return RunChecked({"sha256sum", p.string()})->out.substr(0, 64);
  }

  // Names in <cache>/flink-tarballs, so that tests see what a fetch left behind.
  std::vector<std::string> CacheEntries() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(cache_ / "flink-tarballs", ec)) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  static std::string ReadFile(const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  fs::path root_;
  fs::path cache_;
};

TEST_F(FlinkTarballTest, FileTarballIsLaidOutUnderItsSha256) {
  MakeDistribution("flink-2.1.0", "flink-dist-2.1.0.jar");
  const fs::path tgz = Pack("flink-2.1.0-bin-scala_2.12.tgz", {"flink-2.1.0"});
  auto t = EnsureFlinkTarball(FileUri(tgz), cache_.string());
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->version, "2.1.0");
  EXPECT_EQ(t->line, FlinkLine::k2);
  EXPECT_EQ(t->sha256, Sha256(tgz));
  EXPECT_EQ(t->uri, FileUri(tgz));
  EXPECT_EQ(t->home, (cache_ / "flink-tarballs" / t->sha256 / "flink-2.1.0").string());
  // The shipped configuration is gone (the harness writes its own); the rest is there.
  EXPECT_FALSE(fs::exists(fs::path(t->home) / "conf/config.yaml"));
  EXPECT_TRUE(fs::exists(fs::path(t->home) / "conf/log4j.properties"));
  EXPECT_TRUE(CheckFlinkLayout(t->home).ok());
  EXPECT_EQ(access((fs::path(t->home) / "bin/jobmanager.sh").c_str(), X_OK), 0);
  // Nothing but the finished directory is left in the cache.
  EXPECT_THAT(CacheEntries(), testing::ElementsAre(t->sha256));
}

TEST_F(FlinkTarballTest, SameBytesReuseTheCachedCopy) {
  MakeDistribution("flink-1.20.3", "flink-dist-1.20.3.jar");
  const fs::path tgz = Pack("flink-1.20.3-bin-scala_2.12.tgz", {"flink-1.20.3"});
  auto first = EnsureFlinkTarball(FileUri(tgz), cache_.string());
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->line, FlinkLine::k1_20);
  // A mark in the cached home survives: the second fetch does not unpack again.
  Write(fs::path(first->home) / "lib/.mark");
  // The same bytes under another name (and file://localhost/) are the same distribution.
  const fs::path copy = root_ / "renamed.tar.gz";
  fs::copy_file(tgz, copy);
  auto second = EnsureFlinkTarball("file://localhost" + copy.string(), cache_.string());
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second->home, first->home);
  EXPECT_EQ(second->sha256, first->sha256);
  EXPECT_TRUE(fs::exists(fs::path(first->home) / "lib/.mark"));
  EXPECT_THAT(CacheEntries(), testing::ElementsAre(first->sha256));
  // A damaged cached copy is unpacked again.
  fs::remove(fs::path(first->home) / "bin/taskmanager.sh");
  auto third = EnsureFlinkTarball(FileUri(tgz), cache_.string());
  ASSERT_TRUE(third.ok()) << third.status().message();
  EXPECT_TRUE(fs::exists(fs::path(third->home) / "bin/taskmanager.sh"));
  EXPECT_FALSE(fs::exists(fs::path(third->home) / "lib/.mark"));
}

TEST_F(FlinkTarballTest, PlainTarAndOldDistJarNames) {
  MakeDistribution("flink-2.0.0", "flink-dist_2.12-2.0.0.jar");
  const fs::path tar = Pack("flink-2.0.0.tar", {"flink-2.0.0"});
  auto t = EnsureFlinkTarball(FileUri(tar), cache_.string());
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->version, "2.0.0");
}

TEST_F(FlinkTarballTest, TwoTopDirectoriesAreRefused) {
  MakeDistribution("flink-2.1.0", "flink-dist-2.1.0.jar");
  MakeDistribution("flink-2.1.0-extra", "flink-dist-2.1.0.jar");
  const fs::path tgz = Pack("two.tgz", {"flink-2.1.0", "flink-2.1.0-extra"});
  auto t = EnsureFlinkTarball(FileUri(tgz), cache_.string());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("2 entries at its top"));
  EXPECT_THAT(t.status().message(), HasSubstr("exactly one directory"));
  EXPECT_THAT(t.status().message(), HasSubstr(FileUri(tgz)));
  // Nothing half-filled is left.
  EXPECT_TRUE(CacheEntries().empty()) << CacheEntries()[0];
}

TEST_F(FlinkTarballTest, RefusesWhatIsNotADistributionOfALineWeRun) {
  // A version the test job is not built for.
  MakeDistribution("flink-1.19.1", "flink-dist-1.19.1.jar");
  auto old = EnsureFlinkTarball(FileUri(Pack("old.tgz", {"flink-1.19.1"})), cache_.string());
  EXPECT_EQ(old.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(old.status().message(), HasSubstr("Flink 1.19.1 is not on a line"));
  // No flink-dist jar.
  fs::path home = MakeDistribution("flink-x", "flink-core-2.1.0.jar");
  auto no_jar = EnsureFlinkTarball(FileUri(Pack("nojar.tgz", {"flink-x"})), cache_.string());
  EXPECT_THAT(no_jar.status().message(), HasSubstr("no flink-dist jar"));
  // An incomplete layout.
  fs::remove_all(home);
  home = MakeDistribution("flink-y", "flink-dist-2.1.0.jar");
  fs::remove(home / "bin/taskmanager.sh");
  auto partial = EnsureFlinkTarball(FileUri(Pack("partial.tgz", {"flink-y"})), cache_.string());
  EXPECT_EQ(partial.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(partial.status().message(), HasSubstr("bin/taskmanager.sh is missing"));
  // Not a tar archive, and no file at all.
  Write(root_ / "garbage.tgz", "not a tarball");
  auto garbage = EnsureFlinkTarball(FileUri(root_ / "garbage.tgz"), cache_.string());
  EXPECT_EQ(garbage.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(garbage.status().message(), HasSubstr("tar cannot unpack it"));
  auto missing = EnsureFlinkTarball(FileUri(root_ / "missing.tgz"), cache_.string());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.status().message(), HasSubstr("no such file"));
  EXPECT_TRUE(CacheEntries().empty());
}

TEST_F(FlinkTarballTest, StaleTemporariesOfDeadProcessesAreRemoved) {
  // PID 2^22 + 1 is above Linux's pid_max limit, so no process has it.
  fs::create_directories(cache_ / "flink-tarballs/.tmp-0123456789ab-4194305-0/flink-2.1.0");
  Write(cache_ / "flink-tarballs/.download-4194305-3.part");
  // Ours (this process is alive) stay.
  const std::string mine = fmt::format(".download-{}-999.part", getpid());
  Write(cache_ / "flink-tarballs" / mine);
  MakeDistribution("flink-2.1.0", "flink-dist-2.1.0.jar");
  auto t = EnsureFlinkTarball(FileUri(Pack("f.tgz", {"flink-2.1.0"})), cache_.string());
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_THAT(CacheEntries(), testing::UnorderedElementsAre(mine, t->sha256));
}

// Collects what spdlog logs while it lives.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(FlinkTarballTest, HttpFetchWithCredentialsNeverShowsThePassword) {
  MakeDistribution("flink-2.1.0", "flink-dist-2.1.0.jar");
  const fs::path tgz = Pack("flink-2.1.0-bin-scala_2.12.tgz", {"flink-2.1.0"});
  const std::string bytes = ReadFile(tgz);
  testutil::FakeHttpServer server([&](const testutil::FakeRequest& req) {
    if (req.target == "/dist/flink-2.1.0-bin-scala_2.12.tgz") {
      return testutil::FakeResponse{
          .status = 200, .body = bytes, .content_type = "application/gzip"};
    }
    return testutil::FakeResponse{.status = 404, .body = "no"};
  });
  const std::string host = fmt::format("127.0.0.1:{}", server.port());
  const std::string uri = "http://ci:s3cret@" + host + "/dist/flink-2.1.0-bin-scala_2.12.tgz";
  LogCapture log;
  auto t = EnsureFlinkTarball(uri, cache_.string());
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->version, "2.1.0");
  EXPECT_EQ(t->sha256, Sha256(tgz));
  EXPECT_EQ(t->uri, "http://ci:***@" + host + "/dist/flink-2.1.0-bin-scala_2.12.tgz");
  // The credentials went to the server as basic authentication ("ci:s3cret").
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].headers["authorization"], "Basic Y2k6czNjcmV0");
  // The download is gone; the same URI again in this process is not downloaded again.
  EXPECT_THAT(CacheEntries(), testing::ElementsAre(t->sha256));
  auto again = EnsureFlinkTarball(uri, cache_.string());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->home, t->home);
  EXPECT_EQ(server.requests().size(), 1u);
  // HTTP errors name the masked URI and the fix.
  auto missing = EnsureFlinkTarball("http://ci:s3cret@" + host + "/dist/nope.tgz", cache_.string());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.status().message(), HasSubstr("HTTP 404"));
  EXPECT_THAT(missing.status().message(), HasSubstr("http://ci:***@" + host + "/dist/nope.tgz"));
  EXPECT_THAT(missing.status().message(), Not(HasSubstr("s3cret")));
  EXPECT_THAT(log.text(), HasSubstr("Downloading http://ci:***@"));
  EXPECT_THAT(log.text(), Not(HasSubstr("s3cret")));
  EXPECT_THAT(CacheEntries(), testing::ElementsAre(t->sha256));
}

TEST_F(FlinkTarballTest, HttpConnectFailureIsUnavailableAndBounded) {
  TarballFetchOptions fetch;
  fetch.connect_timeout = std::chrono::seconds(2);
  fetch.total_timeout = std::chrono::seconds(5);
  const auto t0 = std::chrono::steady_clock::now();
  auto t = EnsureFlinkTarball(fmt::format("http://127.0.0.1:{}/flink.tgz", ClosedPort()),
                              cache_.string(), fetch);
  EXPECT_EQ(t.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(t.status().message(), HasSubstr("cannot connect"));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_TRUE(CacheEntries().empty());
}

}  // namespace
}  // namespace jf
