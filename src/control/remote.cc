#include "control/remote.h"

namespace jf {

Result<ExecResult> ExecChecked(Remote& remote, const std::vector<std::string>& argv,
                               const ExecOptions& opts) {
  JF_ASSIGN_OR_RETURN(ExecResult r, remote.Exec(argv, opts));
  if (!r.ok()) {
    return Status(r.timed_out ? StatusCode::kTimeout : StatusCode::kInternal,
                  fmt::format("on {}: `{}` failed: {}", remote.node(), ShellJoin(argv),
                              r.Describe()));
  }
  return r;
}

Result<ExecResult> ExecShell(Remote& remote, const std::string& script,
                             const std::vector<std::string>& args, const ExecOptions& opts) {
  std::vector<std::string> argv = {"sh", "-c", script, "sh"};
  argv.insert(argv.end(), args.begin(), args.end());
  return ExecChecked(remote, argv, opts);
}

}  // namespace jf
