// `jepsen-flink serve`: browses the store over HTTP (report/store_server.h), like Jepsen's
// `lein run serve`, until SIGINT or SIGTERM.
#ifndef JF_CLI_SERVE_CMD_H_
#define JF_CLI_SERVE_CMD_H_

#include <CLI/CLI.hpp>

namespace jf {

// Adds `serve` to `app`; *exit_code gets 0 (stopped by a signal), 254 (bad arguments, no store
// directory) or 255 (the port is in use, the address cannot be bound, the server failed).
void AddServeCommand(CLI::App& app, int* exit_code);

}  // namespace jf

#endif  // JF_CLI_SERVE_CMD_H_
