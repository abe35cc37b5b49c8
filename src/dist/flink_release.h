// The Flink releases jepsen-flink knows, as an explicit table. Each release is the official
// binary distribution as PyPI carries it: the `apache-flink` wheel (bin/, conf/) and the
// `apache-flink-libraries` package of the same version (lib/, opt/, plugins/, bin/*.jar), both
// pinned by sha256.
#ifndef JF_DIST_FLINK_RELEASE_H_
#define JF_DIST_FLINK_RELEASE_H_

#include <string>
#include <vector>

#include "common/status.h"

namespace jf {

enum class FlinkLine { k1_20, k2 };

struct PinnedFile {
  std::string filename;
  std::string sha256;
};

struct FlinkRelease {
  std::string version;  // exact release number, e.g. "2.2.1"
  FlinkLine line;
  PinnedFile wheel;      // apache-flink, manylinux2014_x86_64, cp311 (only bin/ and conf/ are used)
  PinnedFile libraries;  // apache-flink-libraries: sdist before 2.2.0, wheel from 2.2.0
};

inline constexpr const char* kDefaultFlinkVersion = "2.2.1";

const std::vector<FlinkRelease>& KnownFlinkReleases();

// InvalidArgument naming the known versions if `version` is not one of them.
Result<FlinkRelease> FindFlinkRelease(const std::string& version);

// "flink2" or "flink1.20": which build of the test job runs on this line.
std::string JobFlavour(FlinkLine line);

}  // namespace jf

#endif  // JF_DIST_FLINK_RELEASE_H_
