// Subprocess: runs a program on this machine with an argument vector (never through a shell
// unless the caller asks for `sh -c` itself), feeds its stdin, captures or redirects its output,
// and enforces a timeout by killing its whole process group.
//
// Thread-safety: Run() may be called from any number of threads at once; each call owns its
// child. It never throws; failures to start are returned as a Status.
#ifndef JF_CONTROL_SUBPROCESS_H_
#define JF_CONTROL_SUBPROCESS_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace jf {

struct ExecOptions {
  // Bytes written to the child's stdin (then closed). Ignored if stdin_file is set.
  std::string stdin_data;
  // A local file streamed to the child's stdin.
  std::string stdin_file;
  // If set, stdout goes to this local file (truncated) instead of being captured.
  std::string stdout_file;
  // Variables set on top of the harness's environment.
  std::map<std::string, std::string> env;
  std::string cwd;
  std::chrono::milliseconds timeout{std::chrono::seconds(120)};
};

struct ExecResult {
  int exit_code = -1;    // valid when term_signal == 0 and !timed_out
  int term_signal = 0;   // the signal that ended the child, if any
  bool timed_out = false;
  std::string out;
  std::string err;
  std::chrono::milliseconds elapsed{0};

  bool ok() const { return !timed_out && term_signal == 0 && exit_code == 0; }
  // "exit 3: <last line of stderr>" and the like, for error messages.
  std::string Describe() const;
};

// Runs argv[0] (looked up in PATH) to completion. Returns an error Status only when the child
// could not be started; a non-zero exit, a signal or a timeout are reported in ExecResult.
Result<ExecResult> RunProcess(const std::vector<std::string>& argv, const ExecOptions& opts = {});

// Runs and turns anything but exit 0 into an error Status that names the command.
Result<ExecResult> RunChecked(const std::vector<std::string>& argv, const ExecOptions& opts = {});

// Quotes one word for a POSIX shell (single quotes, with embedded quotes escaped).
std::string ShellQuote(const std::string& word);
std::string ShellJoin(const std::vector<std::string>& argv);

}  // namespace jf

#endif  // JF_CONTROL_SUBPROCESS_H_
