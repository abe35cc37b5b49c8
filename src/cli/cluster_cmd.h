// `jepsen-flink cluster up|down|status|leaks`: the local namespace cluster from the command line.
//
// Each subcommand runs from its CLI11 callback and stores the process exit code in *exit_code:
// 0 success, 1 `leaks` found leaks, 254 invalid arguments, 255 any other failure (with one line
// on stderr). Not thread-safe; meant for the single CLI thread.
#ifndef JF_CLI_CLUSTER_CMD_H_
#define JF_CLI_CLUSTER_CMD_H_

#include <CLI/CLI.hpp>

namespace jf {

// Adds the `cluster` subcommand to `app`. `exit_code` must outlive app.parse().
void AddClusterCommand(CLI::App& app, int* exit_code);

}  // namespace jf

#endif  // JF_CLI_CLUSTER_CMD_H_
