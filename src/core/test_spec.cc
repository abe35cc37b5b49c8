#include "core/test_spec.h"

#include <fmt/ranges.h>
#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace jf {
namespace {

const std::set<std::string>& KnownDbs() {
  static const std::set<std::string> kDbs = {"hadoop",
                                             "zookeeper",
                                             "flink-standalone-session",
                                             "flink-yarn-session",
                                             "flink-yarn-application",
                                             "flink-yarn-job"};
  return kDbs;
}

// A TOML value as a Flink configuration string (Flink's YAML takes them all as text).
Result<std::string> ConfigValue(const toml::node& v, const std::string& where) {
  if (auto s = v.value<std::string>()) return *s;
  if (v.is_boolean()) return std::string(*v.value<bool>() ? "true" : "false");
  if (v.is_integer()) return std::to_string(*v.value<int64_t>());
  if (v.is_floating_point()) return fmt::format("{}", *v.value<double>());
  return InvalidArgument("{}: a string, number or boolean is expected", where);
}

Result<std::vector<std::string>> Strings(const toml::node& v, const std::string& where) {
  const auto* arr = v.as_array();
  if (!arr) return InvalidArgument("{}: an array of strings is expected", where);
  std::vector<std::string> out;
  for (const auto& e : *arr) {
    auto s = e.value<std::string>();
    if (!s) return InvalidArgument("{}: an array of strings is expected", where);
    out.push_back(*s);
  }
  return out;
}

}  // namespace

const std::vector<std::string>& KnownDeploymentModes() {
  static const std::vector<std::string> kModes = {"standalone-session", "yarn-session",
                                                  "yarn-application", "yarn-job", "mesos-session"};
  return kModes;
}

std::vector<std::string> DbsForMode(const std::string& mode) {
  if (mode == "standalone-session") return {"zookeeper", "flink-standalone-session"};
  return {"hadoop", "zookeeper", "flink-" + mode};
}

Result<TestSpec> ParseTestSpec(const std::string& toml_text, const std::string& origin) {
  TestSpec spec;
  spec.origin = origin;
  toml::table t;
  try {
    t = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << e.source().begin;
    return InvalidArgument("{}: not valid TOML at {}: {}", origin, where.str(), e.description());
  }
  for (const auto& [key, node] : t) {
    const std::string k(key.str());
    const std::string where = origin + ": " + k;
    if (k == "deployment-mode") {
      auto s = node.value<std::string>();
      if (!s) return InvalidArgument("{}: a string is expected", where);
      spec.deployment_mode = *s;
    } else if (k == "dbs") {
      JF_ASSIGN_OR_RETURN(spec.dbs, Strings(node, where));
    } else if (k == "flink-config") {
      const auto* tbl = node.as_table();
      if (!tbl) return InvalidArgument("{}: a table of key = value is expected", where);
      for (const auto& [ck, cv] : *tbl) {
        JF_ASSIGN_OR_RETURN(spec.flink_config[std::string(ck.str())],
                            ConfigValue(cv, where + "." + std::string(ck.str())));
      }
    } else if (k == "jobs") {
      const auto* arr = node.as_array();
      if (!arr) return InvalidArgument("{}: an array of tables ([[jobs]]) is expected", where);
      for (size_t i = 0; i < arr->size(); ++i) {
        const auto* jt = (*arr)[i].as_table();
        const std::string jw = fmt::format("{}[{}]", where, i);
        if (!jt) return InvalidArgument("{}: a table is expected", jw);
        JobSpec job;
        for (const auto& [jk, jv] : *jt) {
          const std::string name(jk.str());
          if (name == "jar" || name == "main-class") {
            auto s = jv.value<std::string>();
            if (!s || s->empty()) return InvalidArgument("{}.{}: a string is expected", jw, name);
            (name == "jar" ? job.jar : job.main_class) = *s;
          } else if (name == "args") {
            JF_ASSIGN_OR_RETURN(job.args, Strings(jv, jw + ".args"));
          } else {
            return InvalidArgument("{}: unknown key '{}' (known: jar, main-class, args)", jw, name);
          }
        }
        spec.jobs.push_back(std::move(job));
      }
    } else {
      return InvalidArgument(
          "{}: unknown key '{}' (known: deployment-mode, dbs, flink-config, jobs)", origin, k);
    }
  }
  return spec;
}

Result<TestSpec> LoadTestSpec(const std::string& path) {
  std::ifstream in(path);
  if (!in) return InvalidArgument("--test-spec {}: cannot read the file", path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseTestSpec(ss.str(), path);
}

Status ApplyTestSpec(const TestSpec& spec, TestOptions& opts) {
  const std::string& o = spec.origin;
  if (!spec.deployment_mode.empty()) {
    if (opts.deployment_mode_given && opts.deployment_mode != spec.deployment_mode) {
      return InvalidArgument(
          "{} says deployment-mode = \"{}\" but the command line says "
          "--deployment-mode {}",
          o, spec.deployment_mode, opts.deployment_mode);
    }
    opts.deployment_mode = spec.deployment_mode;
  }
  if (!spec.dbs.empty()) {
    for (const auto& db : spec.dbs) {
      if (db == "kafka") {
        return InvalidArgument(
            "{}: dbs: kafka is not deployed by this build (the original's "
            "Kafka test needed an external job jar; see README)",
            o);
      }
      if (!KnownDbs().count(db)) {
        return InvalidArgument("{}: dbs: unknown '{}' (known: {})", o, db,
                               fmt::join(KnownDbs(), ", "));
      }
    }
    // The dbs are the mode's (in any order): a spec cannot ask for a mix the harness would not
    // deploy as written.
    auto want = DbsForMode(opts.deployment_mode);
    std::set<std::string> have(spec.dbs.begin(), spec.dbs.end());
    // A standalone session may also run on HDFS (the original's standalone spec did).
    if (opts.deployment_mode == "standalone-session" && have.erase("hadoop")) opts.hdfs = true;
    if (have != std::set<std::string>(want.begin(), want.end())) {
      return InvalidArgument("{}: dbs [{}] do not match deployment mode {}, which deploys [{}]", o,
                             fmt::join(spec.dbs, ", "), opts.deployment_mode,
                             fmt::join(want, ", "));
    }
  }
  // Flink configuration: the spec's keys go in as --flink-config arguments; the same key on the
  // command line with another value is a contradiction.
  std::map<std::string, std::string> given;
  for (const auto& arg : opts.flink_config) {
    auto eq = arg.find('=');
    if (eq != std::string::npos) given[arg.substr(0, eq)] = arg.substr(eq + 1);
  }
  for (const auto& [k, v] : spec.flink_config) {
    auto it = given.find(k);
    if (it != given.end()) {
      if (it->second != v) {
        return InvalidArgument("{} sets {} = {} but the command line says --flink-config {}={}", o,
                               k, v, k, it->second);
      }
      continue;
    }
    opts.flink_config.push_back(k + "=" + v);
  }
  if (!spec.jobs.empty()) opts.jobs = spec.jobs;
  opts.test_spec = spec.origin;
  return Status::Ok();
}

}  // namespace jf
