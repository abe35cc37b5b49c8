// TestSpec: the original's test spec (`--test-spec FILE`), in TOML: what to deploy, which jobs to
// run and the Flink configuration of one test, so that a deployment and its tuning can be named,
// shared and replayed. Example (specs/standalone-session.toml):
//
//   deployment-mode = "standalone-session"      # or yarn-session, yarn-application, yarn-job
//   dbs = ["zookeeper", "flink-standalone-session"]  # optional; must agree with the mode
//   [flink-config]
//   "execution.checkpointing.incremental" = "true"
//   [[jobs]]                                     # optional; default: the harness's test job
//   jar = "test-job"                             # "test-job" = the harness's own, or a path
//   main-class = "io.jepsenflink.job.TestJob"
//   args = ["--rate", "200"]
//
// A spec fills what the command line left open; where both say something and they differ, the
// run is refused (InvalidArgument, exit 254): a spec is a claim about what ran.
//
// Thread-safety: plain values and pure functions.
#ifndef JF_CORE_TEST_SPEC_H_
#define JF_CORE_TEST_SPEC_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/test_options.h"

namespace jf {

struct TestSpec {
  std::string origin;           // the file it came from, for messages
  std::string deployment_mode;  // empty if the spec does not say
  std::vector<std::string> dbs;
  std::map<std::string, std::string> flink_config;
  std::vector<JobSpec> jobs;
};

// Parses TOML text; InvalidArgument naming the file, the key and what is wrong (unknown keys are
// refused too: a misspelt key would otherwise be ignored).
Result<TestSpec> ParseTestSpec(const std::string& toml_text, const std::string& origin);
Result<TestSpec> LoadTestSpec(const std::string& path);

// The deployment modes the harness knows, and the Flink db each one deploys.
const std::vector<std::string>& KnownDeploymentModes();
// The dbs a mode deploys, in order (e.g. zookeeper, flink-standalone-session).
std::vector<std::string> DbsForMode(const std::string& mode);

// Merges `spec` into `opts` (before opts.Validate()): the mode, the Flink configuration (as
// --flink-config arguments) and the jobs. InvalidArgument if the spec disagrees with what the
// command line gave, or its dbs do not match its mode.
Status ApplyTestSpec(const TestSpec& spec, TestOptions& opts);

}  // namespace jf

#endif  // JF_CORE_TEST_SPEC_H_
