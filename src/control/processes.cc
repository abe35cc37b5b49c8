#include "control/processes.h"

#include <sstream>

namespace jf {
namespace {

// The argv element and the signal come in the environment (JF_MATCH, JF_SIGNAL; 0 = only list),
// not as arguments: otherwise this script and its helpers would match themselves.
constexpr const char* kScript = R"SH(for d in /proc/[0-9]*; do
  p=${d#/proc/}
  grep -q '^State:.*Z' "$d/status" 2>/dev/null && continue
  if tr '\0' '\n' < "$d/cmdline" 2>/dev/null |
     { while IFS= read -r a; do [ "$a" = "$JF_MATCH" ] && exit 0; done; exit 1; }; then
    if [ "$JF_SIGNAL" != 0 ]; then kill -"$JF_SIGNAL" "$p" 2>/dev/null || continue; fi
    echo "$p"
  fi
done; exit 0)SH";

Result<std::vector<int>> Run(Remote& remote, const std::string& arg, int signal) {
  ExecOptions o;
  o.env = {{"JF_MATCH", arg}, {"JF_SIGNAL", std::to_string(signal)}};
  JF_ASSIGN_OR_RETURN(auto r, ExecShell(remote, kScript, {}, o));
  std::vector<int> pids;
  std::istringstream in(r.out);
  int pid;
  while (in >> pid) pids.push_back(pid);
  return pids;
}

}  // namespace

Result<std::vector<int>> FindProcesses(Remote& remote, const std::string& arg) {
  return Run(remote, arg, 0);
}

Result<std::vector<int>> SignalProcesses(Remote& remote, const std::string& arg, int signal) {
  if (signal <= 0) return InvalidArgument("signal {} is not a signal", signal);
  return Run(remote, arg, signal);
}

}  // namespace jf
