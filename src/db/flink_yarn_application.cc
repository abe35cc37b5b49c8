// yarn-application: the job's main() runs in the JobManager, one application per job.
#include "db/flink_yarn.h"

namespace jf {

std::vector<std::string> FlinkYarnApplicationDb::ClientArgv(const DeployContext& ctx,
                                                            const JobLaunch* job,
                                                            const std::string& jar_on_node) const {
  // 2.x folded run-application into `run` with an application target.
  bool one_x = ctx.flink_version.rfind("1.", 0) == 0;
  std::vector<std::string> argv = {std::string(kFlinkHome) + "/bin/flink",
                                   one_x ? "run-application" : "run", "-t", "yarn-application",
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

Result<LaunchedJob> FlinkYarnApplicationDb::LaunchJob(DeployContext& ctx, const JobLaunch& job) {
  if (!application_id_.empty()) {
    return FailedPrecondition("yarn-application runs one job per test (its own application)");
  }
  JF_RETURN_IF_ERROR(DeployWithClient(ctx, &job));
  return AwaitJob(ctx);
}

}  // namespace jf
