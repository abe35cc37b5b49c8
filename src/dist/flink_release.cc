#include "dist/flink_release.h"

namespace jf {

const std::vector<FlinkRelease>& KnownFlinkReleases() {
  static const std::vector<FlinkRelease> kReleases = {
      {"2.2.1",
       FlinkLine::k2,
       {"apache_flink-2.2.1-cp311-cp311-manylinux_2_5_x86_64.manylinux1_x86_64.manylinux_2_17_"
        "x86_64.manylinux2014_x86_64.whl",
        "a7e0e06e6e2a788b1e0c4f6225efe6a9bdcb6463db77080b99620c36c076cbab"},
       {"apache_flink_libraries-2.2.1-py2.py3-none-any.whl",
        "74dc5546fbd9add8fbcdf1222a237e09491f9b80296241aef8676ec56f8e686e"}},
      {"1.20.5",
       FlinkLine::k1_20,
       {"apache_flink-1.20.5-cp311-cp311-manylinux_2_5_x86_64.manylinux1_x86_64.manylinux_2_17_"
        "x86_64.manylinux2014_x86_64.whl",
        "6e8ec098a7c06ea34d01fd540e81d44703a90e3bda74052dcbcbb7db5253c10f"},
       {"apache_flink_libraries-1.20.5.tar.gz",
        "e6aee62ea1a1fe7b32e28894ad079f3f1a50a372a4caac3df52405267f4228c8"}},
  };
  return kReleases;
}

Result<FlinkRelease> FindFlinkRelease(const std::string& version) {
  std::string known;
  for (const auto& r : KnownFlinkReleases()) {
    if (r.version == version) return r;
    known += (known.empty() ? "" : ", ") + r.version;
  }
  return InvalidArgument("unknown --flink-version '{}': known releases are {}", version, known);
}

std::string JobFlavour(FlinkLine line) { return line == FlinkLine::k2 ? "flink2" : "flink1.20"; }

}  // namespace jf
