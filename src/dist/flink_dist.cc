#include "dist/flink_dist.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>
#include <fstream>

#include "control/subprocess.h"

namespace fs = std::filesystem;

namespace jf {
namespace {

constexpr const char* kBinScripts[] = {"config.sh", "jobmanager.sh", "taskmanager.sh", "flink",
                                       "flink-console.sh", "bash-java-utils.sh"};

Result<std::string> Sha256(const std::string& path) {
  JF_ASSIGN_OR_RETURN(auto r, RunChecked({"sha256sum", path}));
  return r.out.substr(0, 64);
}

// Finds the directory under `root` that holds `child` (at most 3 levels down).
std::optional<fs::path> FindDirWith(const fs::path& root, const std::string& child,
                                    const std::function<bool(const fs::path&)>& accept) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    if (it.depth() > 3) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory() && it->path().filename() == child && accept(it->path())) {
      return it->path().parent_path();
    }
  }
  return std::nullopt;
}

bool HasFlinkDistJar(const fs::path& lib) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(lib, ec)) {
    auto n = e.path().filename().string();
    if (n.rfind("flink-dist", 0) == 0 && n.ends_with(".jar")) return true;
  }
  return false;
}

Status CopyTree(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
  if (ec) return Internal("copy {} -> {}: {}", from.string(), to.string(), ec.message());
  return Status::Ok();
}

Status Unpack(const fs::path& archive, const fs::path& dest) {
  std::error_code ec;
  fs::create_directories(dest, ec);
  std::vector<std::string> argv;
  if (archive.extension() == ".whl") {
    argv = {"python3", "-m", "zipfile", "-e", archive.string(), dest.string()};
  } else {
    argv = {"tar", "-xzf", archive.string(), "-C", dest.string()};
  }
  ExecOptions o;
  o.timeout = std::chrono::minutes(10);
  auto r = RunChecked(argv, o);
  return r.ok() ? Status::Ok() : r.status();
}

Status Download(const std::string& package, const std::string& version, const PinnedFile& pin,
                bool wheel, const fs::path& dir) {
  fs::path file = dir / pin.filename;
  std::error_code ec;
  if (fs::exists(file, ec)) {
    auto sum = Sha256(file.string());
    if (sum.ok() && *sum == pin.sha256) return Status::Ok();
    spdlog::warn("{} has the wrong sha256; downloading it again", file.string());
    fs::remove(file, ec);
  }
  fs::create_directories(dir, ec);
  std::vector<std::string> argv = {"python3", "-m", "pip", "download", "--quiet", "--no-deps",
                                   "--dest", dir.string()};
  if (wheel) {
    argv.insert(argv.end(), {"--only-binary=:all:", "--platform", "manylinux2014_x86_64",
                             "--python-version", "3.11"});
  }
  argv.push_back(package + "==" + version);
  spdlog::info("Downloading {} {} from PyPI (pip download)", package, version);
  ExecOptions o;
  o.timeout = std::chrono::minutes(15);
  auto r = RunProcess(argv, o);
  if (!r.ok()) return r.status();
  if (!r->ok()) {
    return Unavailable("pip download {}=={} failed: {}", package, version, r->Describe());
  }
  if (!fs::exists(file)) {
    return Internal("pip download {}=={} did not produce the pinned file {}", package, version,
                    pin.filename);
  }
  JF_ASSIGN_OR_RETURN(std::string sum, Sha256(file.string()));
  if (sum != pin.sha256) {
    return Internal("{}: sha256 {} does not match the pinned {}", file.string(), sum, pin.sha256);
  }
  return Status::Ok();
}

}  // namespace

std::string DefaultCacheDir() {
  if (const char* c = getenv("JEPSEN_FLINK_CACHE"); c && *c) return c;
  return std::string(JF_SOURCE_ROOT) + "/.cache";
}

std::string FlinkHomeFor(const std::string& cache_dir, const std::string& version) {
  return cache_dir + "/flink/flink-" + version;
}

Status CheckFlinkLayout(const std::string& home) {
  fs::path h(home);
  std::error_code ec;
  for (const char* d : {"bin", "conf", "lib", "opt", "plugins"}) {
    if (!fs::is_directory(h / d, ec)) return FailedPrecondition("{}: no {}/ directory", home, d);
  }
  for (const char* s : kBinScripts) {
    fs::path p = h / "bin" / s;
    if (!fs::exists(p, ec)) return FailedPrecondition("{}: bin/{} is missing", home, s);
    if (access(p.c_str(), X_OK) != 0) return FailedPrecondition("{}: bin/{} is not executable", home, s);
  }
  if (!fs::exists(h / "bin" / "bash-java-utils.jar", ec)) {
    return FailedPrecondition("{}: bin/bash-java-utils.jar is missing", home);
  }
  int dist_jars = 0;
  for (const auto& e : fs::directory_iterator(h / "lib", ec)) {
    auto n = e.path().filename().string();
    if (n.rfind("flink-dist", 0) == 0 && n.ends_with(".jar")) ++dist_jars;
  }
  if (dist_jars != 1) {
    return FailedPrecondition("{}: lib/ holds {} flink-dist*.jar files; exactly one is required",
                              home, dist_jars);
  }
  for (const char* c : {"config.yaml", "flink-conf.yaml"}) {
    if (fs::exists(h / "conf" / c, ec)) {
      return FailedPrecondition("{}: conf/{} is shipped configuration; the harness writes its own",
                                home, c);
    }
  }
  return Status::Ok();
}

Status LayOutFlink(const std::string& wheel_root, const std::string& libraries_root,
                   const std::string& dest) {
  auto bin_parent = FindDirWith(wheel_root, "bin", [](const fs::path& p) {
    return fs::exists(p / "jobmanager.sh");
  });
  if (!bin_parent) return FailedPrecondition("{}: no bin/jobmanager.sh in the apache-flink wheel", wheel_root);
  auto lib_parent = FindDirWith(libraries_root, "lib", HasFlinkDistJar);
  if (!lib_parent) {
    return FailedPrecondition("{}: no lib/flink-dist*.jar in apache-flink-libraries", libraries_root);
  }
  fs::path d(dest);
  JF_RETURN_IF_ERROR(CopyTree(*bin_parent / "bin", d / "bin"));
  JF_RETURN_IF_ERROR(CopyTree(*bin_parent / "conf", d / "conf"));
  for (const char* sub : {"lib", "opt", "plugins"}) {
    std::error_code ec;
    if (fs::is_directory(*lib_parent / sub, ec)) {
      JF_RETURN_IF_ERROR(CopyTree(*lib_parent / sub, d / sub));
    } else {
      fs::create_directories(d / sub, ec);
    }
  }
  std::error_code ec;
  if (fs::is_directory(*lib_parent / "bin", ec)) {
    JF_RETURN_IF_ERROR(CopyTree(*lib_parent / "bin", d / "bin"));
  }
  // Wheels do not keep the exec bits of bin/.
  for (const auto& e : fs::directory_iterator(d / "bin", ec)) {
    if (e.path().extension() != ".jar" && e.path().extension() != ".bat") {
      fs::permissions(e.path(), fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                      fs::perm_options::add, ec);
    }
  }
  for (const char* c : {"config.yaml", "flink-conf.yaml"}) fs::remove(d / "conf" / c, ec);
  return CheckFlinkLayout(dest);
}

Result<std::string> EnsureFlink(const FlinkRelease& release, const std::string& cache_dir) {
  std::string home = FlinkHomeFor(cache_dir, release.version);
  std::error_code ec;
  if (fs::exists(fs::path(home) / ".jf-complete", ec) && CheckFlinkLayout(home).ok()) return home;
  fs::path dl = fs::path(cache_dir) / "downloads" / ("flink-" + release.version);
  JF_RETURN_IF_ERROR(Download("apache-flink", release.version, release.wheel, true, dl));
  JF_RETURN_IF_ERROR(Download("apache-flink-libraries", release.version, release.libraries,
                              release.libraries.filename.ends_with(".whl"), dl));
  fs::path tmp = fs::path(cache_dir) / "flink" / fmt::format(".tmp-{}-{}", release.version, getpid());
  fs::remove_all(tmp, ec);
  spdlog::info("Laying out Flink {} in {}", release.version, home);
  JF_RETURN_IF_ERROR(Unpack(dl / release.wheel.filename, tmp / "wheel"));
  JF_RETURN_IF_ERROR(Unpack(dl / release.libraries.filename, tmp / "libraries"));
  Status s = LayOutFlink((tmp / "wheel").string(), (tmp / "libraries").string(),
                         (tmp / "home").string());
  if (s.ok()) {
    std::ofstream(tmp / "home" / ".jf-complete") << release.version << "\n";
    fs::remove_all(home, ec);
    fs::rename(tmp / "home", home, ec);
    if (ec) s = Internal("rename to {}: {}", home, ec.message());
  }
  fs::remove_all(tmp, ec);
  if (!s.ok()) return s;
  return home;
}

Result<std::string> ZooKeeperLibDir(const std::string& cache_dir) {
  fs::path dir = fs::path(cache_dir) / "zookeeper" / "lib";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    auto n = e.path().filename().string();
    if (n.rfind("zookeeper-3", 0) == 0 && n.ends_with(".jar")) return dir.string();
  }
  return FailedPrecondition("no ZooKeeper jars in {}; run the set-up command (./setup.sh)",
                            dir.string());
}

Result<std::string> HadoopLibDir(const std::string& cache_dir) {
  fs::path dir = fs::path(cache_dir) / "hadoop" / "lib";
  bool common = false, hdfs = false;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    auto n = e.path().filename().string();
    if (!n.ends_with(".jar")) continue;
    common = common || n.starts_with("hadoop-common-3");
    hdfs = hdfs || n.starts_with("hadoop-hdfs-3");
  }
  if (common && hdfs) return dir.string();
  return NotFound("no Hadoop jars (hadoop-common, hadoop-hdfs) in {}; run the set-up command "
                  "(./setup.sh)",
                  dir.string());
}

Result<std::string> TestJobJar(FlinkLine line) {
  fs::path jar = fs::path(JF_SOURCE_ROOT) / "job" / "target" /
                 ("jepsen-flink-job-" + JobFlavour(line) + ".jar");
  if (!fs::exists(jar)) {
    return FailedPrecondition("test job {} is missing; run the set-up command (./setup.sh)",
                              jar.string());
  }
  return jar.string();
}

Result<std::string> FindJava17Home() {
  std::string home = "/usr/lib/jvm/java-17-openjdk-amd64";
  if (const char* e = getenv("JEPSEN_FLINK_JAVA_HOME"); e && *e) home = e;
  auto r = RunProcess({home + "/bin/java", "-version"});
  if (!r.ok() || !r->ok()) {
    return FailedPrecondition("no Java 17 at {} (install openjdk-17-jdk-headless or set "
                              "JEPSEN_FLINK_JAVA_HOME)", home);
  }
  if (r->err.find("version \"17") == std::string::npos) {
    return FailedPrecondition("{} is not Java 17: Flink needs Java 17 here", home);
  }
  return home;
}

Result<std::set<std::string>> FlinkConfigKeys(const std::string& home,
                                              const std::string& java_home) {
  fs::path cache = fs::path(home) / ".jf-config-keys.txt";
  std::error_code ec;
  if (!fs::exists(cache, ec)) {
    std::string tool = std::string(JF_SOURCE_ROOT) + "/src/dist/ListFlinkConfigKeys.java";
    fs::path tmp = cache;
    tmp += fmt::format(".{}", getpid());
    ExecOptions o;
    o.stdout_file = tmp.string();
    o.timeout = std::chrono::minutes(3);
    auto r = RunChecked({java_home + "/bin/java", "-cp", home + "/lib/*", tool, home + "/lib"}, o);
    if (!r.ok()) return r.status().WithContext("listing Flink's configuration keys");
    fs::rename(tmp, cache, ec);
  }
  std::ifstream in(cache);
  std::set<std::string> keys;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) keys.insert(line);
  }
  if (keys.size() < 100) {
    fs::remove(cache, ec);
    return Internal("only {} Flink configuration keys found in {}", keys.size(), home);
  }
  return keys;
}

bool IsKnownFlinkKey(const std::set<std::string>& known, const std::string& key) {
  if (known.count(key)) return true;
  // Keys Flink reads as maps under a prefix, and options of plugins (not on lib/'s classpath).
  static const char* kMapPrefixes[] = {"metrics.reporter.", "flink.hadoop.",
                                       "containerized.master.env.",
                                       "containerized.taskmanager.env.", "s3."};
  for (const char* p : kMapPrefixes) {
    if (key.rfind(p, 0) == 0 && key.size() > strlen(p)) return true;
  }
  return false;
}

}  // namespace jf
