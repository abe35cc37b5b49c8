#include "cli/cli.h"

#include <CLI/CLI.hpp>

namespace jf {

int RunCli(int argc, char** argv) {
  CLI::App app{"jepsen-flink: fault-injection tests for Apache Flink"};
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 254;
  }
  return 0;
}

}  // namespace jf
