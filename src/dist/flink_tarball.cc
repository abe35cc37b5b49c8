#include "dist/flink_tarball.h"

#include <curl/curl.h>
#include <fmt/ranges.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "control/subprocess.h"
#include "dist/flink_dist.h"

namespace fs = std::filesystem;

namespace jf {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kCompleteMarker = ".jf-complete";
constexpr const char* kTarballsDir = "flink-tarballs";
constexpr const char* kShapeHint =
    "give file:///absolute/path/flink-<v>-bin-scala_2.12.tgz or an http(s):// URL of one";

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The parts of a URI that --tarball looks at. `authority` may hold user:password@.
struct UriParts {
  std::string scheme;     // lower-cased
  std::string authority;  // between "://" and the path
  std::string path;       // up to any ?query or #fragment, still percent-encoded
};

std::optional<UriParts> SplitUri(const std::string& uri) {
  const size_t sep = uri.find("://");
  if (sep == std::string::npos || sep == 0) return std::nullopt;
  UriParts p;
  p.scheme = Lower(uri.substr(0, sep));
  for (char c : p.scheme) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return std::nullopt;
    }
  }
  const size_t start = sep + 3;
  const size_t end = std::min(uri.find_first_of("/?#", start), uri.size());
  p.authority = uri.substr(start, end - start);
  const size_t path_end = std::min(uri.find_first_of("?#", end), uri.size());
  p.path = uri.substr(end, path_end - end);
  return p;
}

// The host (and port) of an authority, without any userinfo.
std::string HostOf(const std::string& authority) {
  const size_t at = authority.rfind('@');
  return at == std::string::npos ? authority : authority.substr(at + 1);
}

// The password of user:password@, if any.
std::string PasswordOf(const std::string& uri) {
  auto p = SplitUri(uri);
  if (!p) return "";
  const size_t at = p->authority.rfind('@');
  const size_t colon = p->authority.find(':');
  if (at == std::string::npos || colon == std::string::npos || colon > at) return "";
  return p->authority.substr(colon + 1, at - colon - 1);
}

// Percent-decodes a URI path; nullopt for a malformed escape or an encoded NUL.
std::optional<std::string> PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      return std::nullopt;
    }
    const char c = static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
    if (c == '\0') return std::nullopt;
    out += c;
    i += 2;
  }
  return out;
}

// Text from elsewhere (libcurl, tar) with the URI's password, should it appear, masked.
std::string Scrub(std::string text, const std::string& password) {
  if (password.empty()) return text;
  for (size_t pos; (pos = text.find(password)) != std::string::npos;) {
    text.replace(pos, password.size(), "***");
  }
  return text;
}

// Removes a file or directory tree when it goes out of scope (temporary names).
class RemoveOnExit {
 public:
  explicit RemoveOnExit(fs::path p) : path_(std::move(p)) {}
  ~RemoveOnExit() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  RemoveOnExit(const RemoveOnExit&) = delete;
  RemoveOnExit& operator=(const RemoveOnExit&) = delete;

 private:
  fs::path path_;
};

// A name no other call (in any process) uses: the PID and a per-process counter.
std::string UniqueSuffix() {
  static std::atomic<int> counter{0};
  return fmt::format("{}-{}", getpid(), counter++);
}

// Temporary names (".tmp-<sha>-<pid>-<n>", ".download-<pid>-<n>.part") of processes that are gone.
void RemoveStaleTemporaries(const fs::path& root) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    const std::string name = e.path().filename().string();
    std::string rest;
    if (name.rfind(".download-", 0) == 0) {
      rest = name.substr(strlen(".download-"));
    } else if (name.rfind(".tmp-", 0) == 0) {
      const size_t dash = name.find('-', strlen(".tmp-"));
      if (dash == std::string::npos) continue;
      rest = name.substr(dash + 1);
    } else {
      continue;
    }
    const long pid = std::strtol(rest.c_str(), nullptr, 10);
    if (pid <= 0 || (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)) {
      std::error_code rm;
      fs::remove_all(e.path(), rm);
    }
  }
}

Result<std::string> Sha256Of(const std::string& path) {
  ExecOptions o;
  o.timeout = std::chrono::minutes(10);
  JF_ASSIGN_OR_RETURN(auto r, RunChecked({"sha256sum", "-b", "--", path}, o));
  std::string sum = r.out.substr(0, std::min<size_t>(64, r.out.size()));
  if (sum.size() != 64 ||
      !std::all_of(sum.begin(), sum.end(), [](unsigned char c) { return std::isxdigit(c) != 0; })) {
    return Internal("sha256sum {}: unexpected output", path);
  }
  return Lower(sum);
}

// --- http(s) ---------------------------------------------------------------------------------

CURLcode CurlGlobalInit() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return code;
}

struct DownloadProgress {
  const std::string* shown = nullptr;
  std::chrono::milliseconds interval{0};
  Clock::time_point last_log;
};

size_t WriteToFile(char* data, size_t size, size_t nmemb, void* user) {
  return std::fwrite(data, 1, size * nmemb, static_cast<FILE*>(user));
}

int LogProgress(void* user, curl_off_t dl_total, curl_off_t dl_now, curl_off_t, curl_off_t) {
  auto* p = static_cast<DownloadProgress*>(user);
  const auto now = Clock::now();
  if (now - p->last_log < p->interval) return 0;
  p->last_log = now;
  constexpr double kMiB = 1024.0 * 1024.0;
  if (dl_total > 0) {
    spdlog::info("Downloading {}: {:.0f} of {:.0f} MiB ({:.0f}%)", *p->shown, dl_now / kMiB,
                 dl_total / kMiB, 100.0 * static_cast<double>(dl_now) / dl_total);
  } else {
    spdlog::info("Downloading {}: {:.0f} MiB", *p->shown, dl_now / kMiB);
  }
  return 0;
}

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

// Downloads `uri` into the file `dest` (created). `shown` is the masked URI, the only form that
// is logged or put in a message.
Status Download(const std::string& uri, const std::string& shown, const fs::path& dest,
                const TarballFetchOptions& fetch) {
  if (CURLcode c = CurlGlobalInit(); c != CURLE_OK) {
    return Internal("libcurl initialization failed: {}", curl_easy_strerror(c));
  }
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy) return Internal("--tarball {}: curl_easy_init failed", shown);
  std::unique_ptr<FILE, FileCloser> out(std::fopen(dest.c_str(), "wb"));
  if (!out) return Internal("cannot create {}: {}", dest.string(), std::strerror(errno));
  CURL* h = easy.get();
  DownloadProgress progress{
      .shown = &shown, .interval = fetch.progress_interval, .last_log = Clock::now()};
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, uri.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  // Mirrors redirect; libcurl sends the credentials to the URI's own host only.
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(fetch.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(fetch.total_timeout.count()));
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, fetch.low_speed_bytes);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(fetch.low_speed_time.count()));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteToFile);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, out.get());
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &LogProgress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &progress);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  spdlog::info("Downloading {}", shown);
  const auto t0 = Clock::now();
  const CURLcode code = curl_easy_perform(h);
  const bool flushed = std::fflush(out.get()) == 0;
  const std::string detail =
      Scrub(errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code), PasswordOf(uri));
  switch (code) {
    case CURLE_OK:
      break;
    case CURLE_HTTP_RETURNED_ERROR: {
      long status = 0;
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
      if (status >= 500) {
        return Unavailable(
            "--tarball {}: the server answered HTTP {}; try again later or use "
            "another mirror",
            shown, status);
      }
      return InvalidArgument("--tarball {}: the server answered HTTP {}; check the URL{}", shown,
                             status,
                             status == 401 || status == 403 ? " and its user:password@" : "");
    }
    case CURLE_OPERATION_TIMEDOUT:
      return Timeout(
          "--tarball {}: the download did not finish ({}; bounds: connect {} s, all "
          "{} s, at least {} B/s over {} s); check the network, or download it "
          "yourself and give a file:// URI",
          shown, detail, fetch.connect_timeout.count() / 1000, fetch.total_timeout.count() / 1000,
          fetch.low_speed_bytes, fetch.low_speed_time.count());
    case CURLE_WRITE_ERROR:
      return Internal("--tarball {}: cannot write the download to {} (disk full?)", shown,
                      dest.string());
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return InvalidArgument("--tarball {}: not a URL libcurl takes ({}); {}", shown, detail,
                             kShapeHint);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return Unavailable(
          "--tarball {}: cannot connect ({}); check the host name, the network "
          "and http_proxy/https_proxy",
          shown, detail);
    default:
      return Unavailable("--tarball {}: the download failed ({}); check the URL and the network",
                         shown, detail);
  }
  if (!flushed) {
    return Internal("--tarball {}: cannot write the download to {}: {}", shown, dest.string(),
                    std::strerror(errno));
  }
  curl_off_t bytes = 0;
  curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &bytes);
  spdlog::info("Downloaded {}: {:.1f} MiB in {:.1f} s", shown, bytes / (1024.0 * 1024.0),
               std::chrono::duration<double>(Clock::now() - t0).count());
  return Status::Ok();
}

// --- the unpacked distribution ----------------------------------------------------------------

struct Detected {
  std::string version;
  FlinkLine line;
};

// The version and line of the distribution at `home` (`top` is its directory name, for messages).
Result<Detected> DetectFlink(const fs::path& home, const std::string& top,
                             const std::string& shown) {
  std::vector<std::string> jars;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(home / "lib", ec)) {
    const std::string n = e.path().filename().string();
    if (n.rfind("flink-dist", 0) == 0 && n.ends_with(".jar")) jars.push_back(n);
  }
  std::sort(jars.begin(), jars.end());
  if (jars.empty()) {
    return InvalidArgument(
        "--tarball {}: {}/lib/ has no flink-dist jar, so this is not a Flink "
        "binary distribution; give Apache's flink-<v>-bin-scala_2.12.tgz",
        shown, top);
  }
  if (jars.size() > 1) {
    return InvalidArgument(
        "--tarball {}: {}/lib/ holds {} flink-dist jars ({}); a Flink "
        "distribution has exactly one",
        shown, top, jars.size(), fmt::join(jars, ", "));
  }
  auto version = FlinkVersionFromDistJar(jars[0]);
  if (!version.ok()) {
    return InvalidArgument("--tarball {}: cannot tell the Flink version from {}/lib/{}", shown, top,
                           jars[0]);
  }
  auto line = FlinkLineForVersion(*version);
  if (!line.ok()) {
    return InvalidArgument("--tarball {}: {}/lib/{}: {}", shown, top, jars[0],
                           line.status().message());
  }
  return Detected{*version, *line};
}

// A complete cached copy in `dir` (<cache>/flink-tarballs/<sha256>): its marker names the top
// directory, which must still hold a checked layout.
Result<FlinkTarball> ReadCached(const fs::path& dir, const std::string& sha256,
                                const std::string& shown) {
  std::ifstream in(dir / kCompleteMarker);
  if (!in) return NotFound("no completion marker");
  const nlohmann::json marker = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!marker.is_object() || !marker.contains("top-dir") || !marker["top-dir"].is_string()) {
    return Internal("a malformed completion marker");
  }
  const std::string top = marker["top-dir"].get<std::string>();
  const fs::path home = dir / top;
  JF_ASSIGN_OR_RETURN(Detected detected, DetectFlink(home, top, shown));
  JF_RETURN_IF_ERROR(CheckFlinkLayout(home.string()));
  return FlinkTarball{.uri = shown,
                      .sha256 = sha256,
                      .home = home.string(),
                      .version = detected.version,
                      .line = detected.line};
}

// The cached copy in `dir`, or nullopt (then `dir` is gone: a damaged copy is removed so that it
// is unpacked again).
std::optional<FlinkTarball> LoadCached(const fs::path& dir, const std::string& sha256,
                                       const std::string& shown) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return std::nullopt;
  auto cached = ReadCached(dir, sha256, shown);
  if (cached.ok()) return *cached;
  spdlog::warn("The cached copy of {} in {} is damaged ({}); unpacking it again", shown,
               dir.string(), cached.status().message());
  fs::remove_all(dir, ec);
  return std::nullopt;
}

// Unpacks `archive` into a temporary directory next to `dir`, checks and prepares it, and renames
// it to `dir`.
Result<FlinkTarball> Unpack(const std::string& archive, const fs::path& dir,
                            const std::string& sha256, const std::string& shown,
                            const std::string& password) {
  const fs::path tmp =
      dir.parent_path() / fmt::format(".tmp-{}-{}", sha256.substr(0, 12), UniqueSuffix());
  RemoveOnExit remove_tmp(tmp);
  std::error_code ec;
  fs::create_directories(tmp, ec);
  if (ec) return Internal("cannot create {}: {}", tmp.string(), ec.message());
  spdlog::info("Unpacking {} (sha256 {}) into {}", shown, sha256, dir.string());
  ExecOptions o;
  o.timeout = std::chrono::minutes(10);
  // tar recognizes gzip by content; the owner recorded in the archive is not kept.
  JF_ASSIGN_OR_RETURN(
      auto r, RunProcess({"tar", "-x", "--no-same-owner", "-f", archive, "-C", tmp.string()}, o));
  if (!r.ok()) {
    const std::string why = Scrub(r.Describe(), password);
    if (r.err.find("No space left") != std::string::npos) {
      return Internal("--tarball {}: unpacking into {} failed: {}", shown, tmp.string(), why);
    }
    return InvalidArgument(
        "--tarball {}: tar cannot unpack it ({}); give a .tgz, .tar.gz or "
        ".tar of a Flink binary distribution",
        shown, why);
  }
  std::vector<std::string> tops;
  for (const auto& e : fs::directory_iterator(tmp, ec))
    tops.push_back(e.path().filename().string());
  std::sort(tops.begin(), tops.end());
  if (tops.size() != 1 || !fs::is_directory(fs::symlink_status(tmp / tops[0], ec))) {
    const std::string what =
        tops.size() == 1 ? "one file, not a directory," : fmt::format("{} entries", tops.size());
    if (tops.size() > 5) {
      tops.resize(5);
      tops.push_back("...");
    }
    return InvalidArgument(
        "--tarball {}: the archive holds {} at its top ({}); a Flink "
        "distribution holds exactly one directory there, flink-<v>/",
        shown, what, fmt::join(tops, ", "));
  }
  const std::string top = tops[0];
  const fs::path home = tmp / top;
  JF_ASSIGN_OR_RETURN(Detected detected, DetectFlink(home, top, shown));
  // The harness writes exactly one configuration file per node.
  for (const char* c : {"config.yaml", "flink-conf.yaml"}) fs::remove(home / "conf" / c, ec);
  if (Status s = CheckFlinkLayout(home.string()); !s.ok()) {
    return InvalidArgument(
        "--tarball {}: not a complete Flink binary distribution ({}); give "
        "Apache's flink-<v>-bin-scala_2.12.tgz",
        shown, s.message());
  }
  {
    std::ofstream marker(tmp / kCompleteMarker);
    marker << nlohmann::json{{"top-dir", top},
                             {"version", detected.version},
                             {"sha256", sha256},
                             {"uri", shown}}
                  .dump(2)
           << "\n";
    if (!marker) return Internal("cannot write {}", (tmp / kCompleteMarker).string());
  }
  fs::rename(tmp, dir, ec);
  if (ec) {
    // Another process unpacked the same bytes first: use its copy.
    if (auto theirs = LoadCached(dir, sha256, shown)) return *theirs;
    return Internal("cannot rename {} to {}: {}", tmp.string(), dir.string(), ec.message());
  }
  return FlinkTarball{.uri = shown,
                      .sha256 = sha256,
                      .home = (dir / top).string(),
                      .version = detected.version,
                      .line = detected.line};
}

// Distributions this process fetched over http(s), by URI and cache directory, so that the runs of
// one test-all download once.
std::mutex g_memo_mu;
std::map<std::string, FlinkTarball>& Memo() {
  static auto* memo = new std::map<std::string, FlinkTarball>();
  return *memo;
}

}  // namespace

std::string MaskUriPassword(const std::string& uri) {
  const size_t sep = uri.find("://");
  const size_t start = sep == std::string::npos ? 0 : sep + 3;
  const size_t end = std::min(uri.find_first_of("/?#", start), uri.size());
  const std::string authority = uri.substr(start, end - start);
  const size_t at = authority.rfind('@');
  const size_t colon = authority.find(':');
  if (at == std::string::npos || colon == std::string::npos || colon > at) return uri;
  return uri.substr(0, start) + authority.substr(0, colon + 1) + "***" + authority.substr(at) +
         uri.substr(end);
}

Status ValidateFlinkTarballUri(const std::string& uri) {
  const std::string shown = MaskUriPassword(uri);
  if (uri.empty()) return InvalidArgument("--tarball: empty URI; {}", kShapeHint);
  if (std::any_of(uri.begin(), uri.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; })) {
    return InvalidArgument(
        "--tarball '{}': a URI holds no spaces or control characters "
        "(percent-encode them, e.g. %20)",
        shown);
  }
  auto parts = SplitUri(uri);
  if (!parts) return InvalidArgument("--tarball {}: not a URI; {}", shown, kShapeHint);
  if (parts->scheme == "file") {
    if (!parts->authority.empty() && Lower(parts->authority) != "localhost") {
      return InvalidArgument(
          "--tarball {}: a file URI names a file on this machine, "
          "file:///absolute/path (host '{}' is not supported); for another "
          "machine use http(s)://",
          shown, HostOf(parts->authority));
    }
    if (parts->path.empty() || parts->path[0] != '/') {
      return InvalidArgument("--tarball {}: a file URI needs an absolute path, file:///path",
                             shown);
    }
    if (!PercentDecode(parts->path)) {
      return InvalidArgument("--tarball {}: a malformed %-escape in the path", shown);
    }
  } else if (parts->scheme == "http" || parts->scheme == "https") {
    if (HostOf(parts->authority).empty()) {
      return InvalidArgument("--tarball {}: no host in the URL; {}", shown, kShapeHint);
    }
  } else {
    return InvalidArgument(
        "--tarball {}: the scheme '{}' is not supported; use file://, http:// "
        "or https://",
        shown, parts->scheme);
  }
  const std::string path = Lower(parts->path);
  if (!path.ends_with(".tgz") && !path.ends_with(".tar.gz") && !path.ends_with(".tar")) {
    return InvalidArgument(
        "--tarball {}: not a tarball: the path must end in .tgz, .tar.gz or "
        ".tar (Apache ships flink-<v>-bin-scala_2.12.tgz)",
        shown);
  }
  return Status::Ok();
}

Result<std::string> FlinkVersionFromDistJar(const std::string& filename) {
  constexpr std::string_view kPrefix = "flink-dist";
  constexpr std::string_view kSuffix = ".jar";
  auto bad = [&] { return InvalidArgument("'{}' is not a flink-dist-<version>.jar", filename); };
  if (!filename.starts_with(kPrefix) || !filename.ends_with(kSuffix)) return bad();
  std::string rest =
      filename.substr(kPrefix.size(), filename.size() - kPrefix.size() - kSuffix.size());
  if (rest.starts_with("_")) {  // flink-dist_2.12-1.14.6.jar: the Scala version first
    const size_t dash = rest.find('-');
    if (dash == std::string::npos || dash == 1) return bad();
    rest = rest.substr(dash);
  }
  if (!rest.starts_with("-") || rest.size() < 2) return bad();
  const std::string version = rest.substr(1);
  // <major>.<minor>[.<patch>][-<qualifier>], e.g. 2.2.1, 1.20.5, 2.3-SNAPSHOT.
  size_t i = 0, groups = 0;
  while (true) {
    const size_t digits_start = i;
    while (i < version.size() && std::isdigit(static_cast<unsigned char>(version[i]))) ++i;
    if (i == digits_start) return bad();
    ++groups;
    if (i < version.size() && version[i] == '.' && groups < 3) {
      ++i;
      continue;
    }
    break;
  }
  if (groups < 2) return bad();
  if (i < version.size()) {
    if (version[i] != '-' || i + 1 == version.size()) return bad();
    for (size_t j = i + 1; j < version.size(); ++j) {
      const unsigned char c = static_cast<unsigned char>(version[j]);
      if (!std::isalnum(c) && c != '.' && c != '-') return bad();
    }
  }
  return version;
}

Result<FlinkLine> FlinkLineForVersion(const std::string& version) {
  if (version.starts_with("2.")) return FlinkLine::k2;
  if (version == "1.20" || version.starts_with("1.20.") || version.starts_with("1.20-")) {
    return FlinkLine::k1_20;
  }
  return InvalidArgument(
      "Flink {} is not on a line the test job is built for (2.x and 1.20.x); "
      "use a Flink 2.x or 1.20.x distribution",
      version);
}

Result<FlinkTarball> EnsureFlinkTarball(const std::string& uri, const std::string& cache_dir,
                                        const TarballFetchOptions& fetch) {
  JF_RETURN_IF_ERROR(ValidateFlinkTarballUri(uri));
  const std::string shown = MaskUriPassword(uri);
  const UriParts parts = *SplitUri(uri);
  const bool remote = parts.scheme != "file";
  const fs::path root = fs::absolute(fs::path(cache_dir) / kTarballsDir);
  const std::string memo_key = uri + "\n" + root.string();
  if (remote) {
    std::lock_guard<std::mutex> lock(g_memo_mu);
    auto it = Memo().find(memo_key);
    std::error_code ec;
    if (it != Memo().end() &&
        fs::exists(fs::path(it->second.home).parent_path() / kCompleteMarker, ec)) {
      return it->second;
    }
  }
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return Internal("cannot create {}: {}", root.string(), ec.message());
  RemoveStaleTemporaries(root);

  std::string archive;
  std::optional<RemoveOnExit> remove_download;
  if (remote) {
    const fs::path part = root / fmt::format(".download-{}.part", UniqueSuffix());
    remove_download.emplace(part);
    JF_RETURN_IF_ERROR(Download(uri, shown, part, fetch));
    archive = part.string();
  } else {
    archive = *PercentDecode(parts.path);
    if (!fs::exists(archive, ec)) {
      return InvalidArgument(
          "--tarball {}: no such file; give the absolute path of a Flink "
          "distribution tarball (file:///path/flink-<v>-bin-scala_2.12.tgz)",
          shown);
    }
    if (!fs::is_regular_file(archive, ec)) {
      return InvalidArgument("--tarball {}: not a regular file; give the tarball itself", shown);
    }
  }
  JF_ASSIGN_OR_RETURN(const std::string sha256, Sha256Of(archive));
  const fs::path dir = root / sha256;
  std::optional<FlinkTarball> t = LoadCached(dir, sha256, shown);
  if (t) {
    spdlog::info("Flink {} from {} (sha256 {}): cached in {}", t->version, shown, sha256, t->home);
  } else {
    JF_ASSIGN_OR_RETURN(t, Unpack(archive, dir, sha256, shown, PasswordOf(uri)));
    spdlog::info("Flink {} from {} (sha256 {}): unpacked into {}", t->version, shown, sha256,
                 t->home);
  }
  if (remote) {
    std::lock_guard<std::mutex> lock(g_memo_mu);
    Memo()[memo_key] = *t;
  }
  return *t;
}

}  // namespace jf
