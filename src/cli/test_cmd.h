// `jepsen-flink test` and `jepsen-flink dist`: subcommand registration.
#ifndef JF_CLI_TEST_CMD_H_
#define JF_CLI_TEST_CMD_H_

#include <CLI/CLI.hpp>

#include "core/test_options.h"

namespace jf {

// Adds `test` to `app`; when it runs, *exit_code receives Jepsen's exit code.
void AddTestCommand(CLI::App& app, int* exit_code);

// The run options `test` and `test-all` share (everything but the deployment mode, the
// schedules, --test-spec, --test-count and --leave-db-running), bound to *opts, which must
// outlive cmd's parsing and callbacks.
void AddRunOptions(CLI::App* cmd, TestOptions* opts);

// The SSH node options (--nodes, --nodes-file, --username, --ssh-*, --[no-]strict-host-key-
// checking), part of AddRunOptions and of `prepare-nodes`.
void AddSshOptions(CLI::App* cmd, TestOptions* opts);

// Adds `dist fetch` and `dist list`.
void AddDistCommand(CLI::App& app, int* exit_code);
// `analyze RUN_DIR...`: re-checks stored runs.
void AddAnalyzeCommand(CLI::App& app, int* exit_code);

}  // namespace jf

#endif  // JF_CLI_TEST_CMD_H_
