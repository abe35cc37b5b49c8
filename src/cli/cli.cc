#include "cli/cli.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include <memory>

#include "cli/check_output_cmd.h"
#include "cli/cluster_cmd.h"
#include "cli/prepare_cmd.h"
#include "cli/serve_cmd.h"
#include "cli/test_all_cmd.h"
#include "cli/test_cmd.h"
#include "core/run.h"

namespace jf {

int RunCli(int argc, char** argv) {
  // Logs go to stderr from the first line: stdout carries only data (status JSON, leaks) and the
  // verdict, also for errors logged before a run's own logger exists.
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "jepsen-flink", std::make_shared<spdlog::sinks::stderr_color_sink_mt>()));
  CLI::App app{"jepsen-flink: fault-injection tests for Apache Flink's distributed coordination"};
  app.require_subcommand(1);
  int exit_code = 0;
  AddClusterCommand(app, &exit_code);
  AddTestCommand(app, &exit_code);
  AddTestAllCommand(app, &exit_code);
  AddDistCommand(app, &exit_code);
  AddAnalyzeCommand(app, &exit_code);
  AddCheckOutputCommand(app, &exit_code);
  AddPrepareNodesCommand(app, &exit_code);
  AddServeCommand(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitBadArguments;
  }
  return exit_code;
}

}  // namespace jf
