// `jepsen-flink test` and `jepsen-flink dist`: subcommand registration.
#ifndef JF_CLI_TEST_CMD_H_
#define JF_CLI_TEST_CMD_H_

#include <CLI/CLI.hpp>

namespace jf {

// Adds `test` to `app`; when it runs, *exit_code receives Jepsen's exit code.
void AddTestCommand(CLI::App& app, int* exit_code);

// Adds `dist fetch` and `dist list`.
void AddDistCommand(CLI::App& app, int* exit_code);
// `analyze RUN_DIR...`: re-checks stored runs.
void AddAnalyzeCommand(CLI::App& app, int* exit_code);

}  // namespace jf

#endif  // JF_CLI_TEST_CMD_H_
