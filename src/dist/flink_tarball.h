// Flink distributions given by URI (`--tarball`, as the original jepsen.flink took them): a
// file://, http:// or https:// URI of a .tgz, .tar.gz or .tar laid out as Apache ships its binary
// distributions (one top-level directory, flink-<v>/, holding bin/, conf/, lib/, opt/, plugins/).
//
// EnsureFlinkTarball fetches the archive (libcurl for http(s), read in place for file://), caches
// it by the sha256 of its bytes under <cache>/flink-tarballs/<sha256>/<top dir>/ (re-used when
// present), detects the Flink version from lib/flink-dist*.jar and the line the test job is built
// for, removes the shipped configuration file (the harness writes exactly one per node) and checks
// the layout (CheckFlinkLayout).
//
// Secrets: a URI may carry user:password@ (HTTP basic authentication). Only MaskUriPassword's form
// of it ever reaches a log line, an error message or a returned field.
//
// Errors: a URI of the wrong shape, a missing file, an HTTP 4xx, an archive that is not a Flink
// distribution (not one top-level directory, no flink-dist jar, an incomplete layout) or a version
// of a line the test job is not built for are kInvalidArgument (exit 254), each one line naming the
// (masked) URI and the fix; a network failure is kUnavailable or kTimeout; a local I/O failure
// kInternal.
//
// Thread-safety: every function may be called from any number of threads and processes at once.
// Each fetch downloads and unpacks into its own temporary names and renames the result into place,
// so a partial download or extraction never leaves a half-filled cache directory; the loser of two
// concurrent renames uses the winner's copy. Leftovers of a killed process (its temporary names
// carry its PID) are removed by the next call.
#ifndef JF_DIST_FLINK_TARBALL_H_
#define JF_DIST_FLINK_TARBALL_H_

#include <chrono>
#include <string>

#include "common/status.h"
#include "dist/flink_release.h"

namespace jf {

// A laid-out distribution from a tarball.
struct FlinkTarball {
  std::string uri;      // masked (MaskUriPassword): safe to log and to store
  std::string sha256;   // of the archive's bytes, lowercase hex
  std::string home;     // <cache>/flink-tarballs/<sha256>/<top dir>, checked by CheckFlinkLayout
  std::string version;  // from lib/flink-dist*-<v>.jar, e.g. "2.2.1"
  FlinkLine line = FlinkLine::k2;
};

// Bounds of an http(s) download. The defaults suit a ~500 MB distribution from a mirror.
struct TarballFetchOptions {
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds total_timeout{std::chrono::minutes(30)};
  // The download is abandoned when it moves fewer than low_speed_bytes per second for
  // low_speed_time (a stalled server, long before total_timeout).
  long low_speed_bytes = 1024;
  std::chrono::seconds low_speed_time{60};
  // How often progress is logged (spdlog, info) while a download runs.
  std::chrono::milliseconds progress_interval{std::chrono::seconds(10)};
};

// OK if `uri` has the shape --tarball takes: scheme file, http or https (any case); file URIs
// with an absolute path and no host but localhost (file:///path or file://localhost/path);
// http(s) URIs with a host; a path ending in .tgz, .tar.gz or .tar (before any ?query or
// #fragment). Else kInvalidArgument with a one-line reason (the URI masked). Touches nothing.
Status ValidateFlinkTarballUri(const std::string& uri);

// `uri` with the password of its user:password@ part replaced by "***"
// ("https://ci:***@repo.example/flink-2.2.1-bin-scala_2.12.tgz"); unchanged if it has none.
std::string MaskUriPassword(const std::string& uri);

// The Flink version a lib/ jar name carries: "flink-dist-2.2.1.jar" (1.15 and later) or
// "flink-dist_2.12-1.14.6.jar" (older, with the Scala version) give "2.2.1" and "1.14.6".
// kInvalidArgument if the name is not a flink-dist jar with a version.
Result<std::string> FlinkVersionFromDistJar(const std::string& filename);

// The line the test job is built for that runs `version`: 2.x is FlinkLine::k2, 1.20.x is
// FlinkLine::k1_20; any other version is kInvalidArgument saying which lines there are.
Result<FlinkLine> FlinkLineForVersion(const std::string& version);

// Fetches and lays out the distribution at `uri` (see the top of this file) and returns it.
// `cache_dir` is the harness's cache (DefaultCacheDir()). A cached copy of the same bytes is used
// without unpacking again; an http(s) URI fetched before by this process is not downloaded again.
// Progress is logged.
Result<FlinkTarball> EnsureFlinkTarball(const std::string& uri, const std::string& cache_dir,
                                        const TarballFetchOptions& fetch = {});

}  // namespace jf

#endif  // JF_DIST_FLINK_TARBALL_H_
