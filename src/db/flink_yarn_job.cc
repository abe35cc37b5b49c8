// yarn-job: Flink 1.x's per-job mode, the original's :flink-yarn-job (`flink run -m yarn-cluster`).
#include "db/flink_yarn.h"

namespace jf {

std::vector<std::string> FlinkYarnJobDb::ClientArgv(const DeployContext& ctx, const JobLaunch* job,
                                                    const std::string& jar_on_node) const {
  std::vector<std::string> argv = {std::string(kFlinkHome) + "/bin/flink",
                                   "run",
                                   "-t",
                                   "yarn-per-job",
                                   "--detached",
                                   "-Dyarn.application.name=jepsen-flink-" + ctx.run_id};
  if (job) {
    argv.push_back(fmt::format("-Dparallelism.default={}", job->parallelism));
    if (!job->entry_class.empty()) {
      argv.push_back("-c");
      argv.push_back(job->entry_class);
    }
    argv.push_back(jar_on_node);
    argv.insert(argv.end(), job->args.begin(), job->args.end());
  }
  return argv;
}

Result<LaunchedJob> FlinkYarnJobDb::LaunchJob(DeployContext& ctx, const JobLaunch& job) {
  if (!application_id_.empty()) {
    return FailedPrecondition("yarn-job runs one job per test (its own application)");
  }
  JF_RETURN_IF_ERROR(DeployWithClient(ctx, &job));
  return AwaitJob(ctx);
}

}  // namespace jf
