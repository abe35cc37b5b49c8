// The jepsen-flink command line: `test`, `cluster up|down|status|leaks`, `dist fetch|list`.
// Exit codes follow Jepsen: 0 valid, 1 invalid, 2 unknown, 254 bad arguments, 255 internal error.
#ifndef JF_CLI_CLI_H_
#define JF_CLI_CLI_H_

namespace jf {

int RunCli(int argc, char** argv);

}  // namespace jf

#endif  // JF_CLI_CLI_H_
