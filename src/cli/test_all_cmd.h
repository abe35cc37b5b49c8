// `jepsen-flink test-all`: the original jepsen.flink matrix (core/matrix.h) as one command. Runs
// every entry (or those --only picks) --iterations times, one `test` run each, then prints a
// summary table and writes it, with a JSON summary, to <store>/test-all-<timestamp>.{txt,json}.
//
// Exit code: 0 all runs valid, 1 any invalid, 2 otherwise (unknown, errors, interrupted), 254 bad
// arguments before anything ran. Not thread-safe; meant for the single CLI thread.
#ifndef JF_CLI_TEST_ALL_CMD_H_
#define JF_CLI_TEST_ALL_CMD_H_

#include <CLI/CLI.hpp>

namespace jf {

// Adds `test-all` to `app`; when it runs, *exit_code receives the matrix's exit code.
// `exit_code` must outlive app.parse().
void AddTestAllCommand(CLI::App& app, int* exit_code);

}  // namespace jf

#endif  // JF_CLI_TEST_ALL_CMD_H_
