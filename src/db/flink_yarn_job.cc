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
  if (job) AppendJob(argv, *job, jar_on_node);
  return argv;
}

}  // namespace jf
