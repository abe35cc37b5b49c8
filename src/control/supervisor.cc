#include "control/supervisor.h"

#include <thread>

#include "control/daemon.h"

namespace jf {
namespace {

std::string Dir(const std::string& name) { return std::string(kServiceRoot) + "/" + name; }

}  // namespace

std::string RenderRunScript(const ServiceSpec& spec) {
  std::string s = "#!/bin/sh\n# Written by jepsen-flink; runsv restarts this when it exits.\n";
  s += "exec >> " + ShellQuote(spec.log_file) + " 2>&1 < /dev/null\n";
  s += "echo \"$(date '+%F %T') jepsen-flink: starting " + spec.name + "\"\nexec env";
  for (const auto& [k, v] : spec.env) s += " " + ShellQuote(k + "=" + v);
  for (const auto& a : spec.argv) s += " " + ShellQuote(a);
  return s + "\n";
}

std::string RenderFinishScript(const ServiceSpec& spec) {
  // $1: exit code of ./run (-1 if signalled), $2: signal number or exit status byte.
  return fmt::format(
      "#!/bin/sh\necho \"$(date '+%F %T') jepsen-flink: {} exited ($1 $2); restarting in {} ms\" "
      ">> {}\nsleep {:.3f}\n",
      spec.name, spec.restart_delay.count(), ShellQuote(spec.log_file),
      spec.restart_delay.count() / 1000.0);
}

Status StartService(Remote& remote, const ServiceSpec& spec) {
  std::string dir = Dir(spec.name);
  auto r = ExecShell(remote,
                     "set -e; rm -rf \"$1\"; mkdir -p \"$1\" \"$(dirname \"$4\")\"; "
                     "printf '%s' \"$2\" > \"$1/run\"; printf '%s' \"$3\" > \"$1/finish\"; "
                     "chmod +x \"$1/run\" \"$1/finish\"",
                     {dir, RenderRunScript(spec), RenderFinishScript(spec), spec.log_file});
  if (!r.ok()) return r.status().WithContext("installing service " + spec.name);
  DaemonSpec runsv{.name = "runsv " + spec.name,
                   .argv = {"runsv", dir},
                   .log_file = dir + "/runsv.log",
                   .pid_file = dir + "/runsv.pid"};
  auto pid = StartDaemon(remote, runsv);
  return pid.ok() ? Status::Ok() : pid.status();
}

Result<int> ServicePid(Remote& remote, const std::string& name) {
  // supervise/pid holds the current process's PID, empty while it is down or restarting.
  auto r = ExecShell(remote,
                     "p=$(cat \"$1/supervise/pid\" 2>/dev/null); "
                     "[ -n \"$p\" ] && kill -0 \"$p\" 2>/dev/null && echo \"$p\"; exit 0",
                     {Dir(name)});
  if (!r.ok()) return r.status();
  return ParsePid(r->out);
}

int ServiceExits(Remote& remote, const ServiceSpec& spec) {
  auto r = ExecShell(remote, "grep -c -F \"jepsen-flink: $1 exited\" \"$2\" || true",
                     {spec.name, spec.log_file});
  return r.ok() ? ParsePid(r->out) : 0;
}

Status StopService(Remote& remote, const std::string& name, std::chrono::milliseconds grace) {
  std::string dir = Dir(name);
  int secs = std::max<int>(1, static_cast<int>(grace.count() / 1000));
  // `sv force-stop` sends TERM and KILLs after -w seconds; `sv exit` then ends runsv.
  auto r = ExecShell(remote,
                     "[ -d \"$1/supervise\" ] || exit 0; "
                     "sv -w \"$2\" force-stop \"$1\" > /dev/null 2>&1; sv exit \"$1\" > /dev/null 2>&1; "
                     "exit 0",
                     {dir, std::to_string(secs)},
                     ExecOptions{.timeout = grace + std::chrono::seconds(15)});
  if (!r.ok()) return r.status();
  return StopDaemon(remote, dir + "/runsv.pid", std::chrono::seconds(3));
}

Status DownService(Remote& remote, const std::string& name, std::chrono::milliseconds grace) {
  std::string dir = Dir(name);
  int secs = std::max<int>(1, static_cast<int>(grace.count() / 1000));
  // `sv down` makes runsv want the service down: TERM + CONT now, and no restart when it exits.
  // force-stop is down plus a wait of -w seconds and a KILL if the process is still there.
  auto r = ExecShell(remote,
                     "[ -d \"$1/supervise\" ] || { echo jf-not-installed; exit 0; }; "
                     "sv -w \"$2\" force-stop \"$1\" 2>&1; exit 0",
                     {dir, std::to_string(secs)},
                     ExecOptions{.timeout = grace + std::chrono::seconds(15)});
  if (!r.ok()) return r.status();
  if (r->out.find("jf-not-installed") != std::string::npos) {
    return FailedPrecondition("service {} is not installed on {}", name, remote.node());
  }
  // After a KILL the process may take a moment to be reaped.
  for (int i = 0; i < 50; ++i) {
    auto pid = ServicePid(remote, name);
    if (!pid.ok()) return pid.status();
    if (*pid == 0) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Internal("service {} on {} is still running after `sv force-stop`: {}", name,
                  remote.node(), r->out);
}

Status UpService(Remote& remote, const std::string& name) {
  // `sv up` fails (unable to open supervise/ok) when no runsv watches the directory.
  auto r = ExecShell(remote, "sv up \"$1\" 2>&1; echo \"jf-exit=$?\"", {Dir(name)});
  if (!r.ok()) return r.status();
  if (r->out.find("jf-exit=0") == std::string::npos) {
    return FailedPrecondition("cannot bring service {} on {} up (does its runsv run?): {}", name,
                              remote.node(), r->out);
  }
  return Status::Ok();
}

}  // namespace jf
