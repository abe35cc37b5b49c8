// `jepsen-flink check-output OUT --commit-log-dir DIR`: the exactly-once output checker
// (checker/output.h) on its own, for output the test job's FileSink wrote.
//
// Thread-safety: registration and the command's callback run on the CLI's thread only.
#ifndef JF_CLI_CHECK_OUTPUT_CMD_H_
#define JF_CLI_CHECK_OUTPUT_CMD_H_

#include <CLI/CLI.hpp>

namespace jf {

// Adds `check-output` to `app`; when it runs, *exit_code receives Jepsen's exit code: 0 valid,
// 1 invalid, 2 unknown, 254 bad arguments (e.g. a missing directory), 255 an I/O error.
void AddCheckOutputCommand(CLI::App& app, int* exit_code);

}  // namespace jf

#endif  // JF_CLI_CHECK_OUTPUT_CMD_H_
