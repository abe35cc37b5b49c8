// yarn-session: bin/yarn-session.sh --detached deploys the session; jobs come over REST.
#include <spdlog/spdlog.h>

#include "db/flink_yarn.h"

namespace jf {

std::vector<std::string> FlinkYarnSessionDb::ClientArgv(const DeployContext& ctx, const JobLaunch*,
                                                        const std::string&) const {
  return {std::string(kFlinkHome) + "/bin/yarn-session.sh", "--detached",
          "-Dyarn.application.name=jepsen-flink-" + ctx.run_id};
}

Status FlinkYarnSessionDb::Setup(DeployContext& ctx) {
  JF_RETURN_IF_ERROR(FlinkYarnDb::Setup(ctx));
  JF_RETURN_IF_ERROR(DeployWithClient(ctx, nullptr));
  spdlog::info("Flink session on YARN is up: application {}", application_id_);
  return Status::Ok();
}

}  // namespace jf
