// `jepsen-flink prepare-nodes`: makes SSH nodes ready for runs (os/debian.h) without running a
// test, and says what each node got. `test` does the same before every run over SSH.
#ifndef JF_CLI_PREPARE_CMD_H_
#define JF_CLI_PREPARE_CMD_H_

#include <CLI/CLI.hpp>

namespace jf {

// Adds `prepare-nodes` to `app`; *exit_code gets 0 (every node ready), 254 (bad arguments) or 255.
void AddPrepareNodesCommand(CLI::App& app, int* exit_code);

}  // namespace jf

#endif  // JF_CLI_PREPARE_CMD_H_
