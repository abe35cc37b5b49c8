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
  if (job) AppendJob(argv, *job, jar_on_node);
  return argv;
}

}  // namespace jf
