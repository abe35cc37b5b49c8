#include "cli/prepare_cmd.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>
#include <mutex>

#include "cli/test_cmd.h"
#include "control/ssh_remote.h"
#include "core/run.h"
#include "core/test_options.h"
#include "os/debian.h"

namespace jf {

void AddPrepareNodesCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<TestOptions>();
  auto check_only = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "prepare-nodes",
      "Install what runs need on SSH nodes (Java 17, iptables, iproute2, runit, ...; apt, one "
      "install at a time per host) and report per node; `test` does this before every SSH run");
  AddSshOptions(cmd, opts.get());
  cmd->add_flag("--check-only", *check_only, "Only check; list what is missing (exit 255 if any)");
  cmd->callback([opts, check_only, exit_code] {
    Status s = opts->ValidateNodes();
    if (s.ok() && !opts->UsesSsh()) s = InvalidArgument("give --nodes or --nodes-file");
    if (!s.ok()) {
      fmt::print(stderr, "{}\n", s.message());
      *exit_code = kExitBadArguments;
      return;
    }
    std::vector<std::unique_ptr<SshRemote>> remotes;
    std::vector<NodeHandle> nodes;
    for (const auto& host : opts->nodes) {
      remotes.push_back(std::make_unique<SshRemote>(host, opts->SshOptionsFor(host)));
      nodes.push_back({host, host, remotes.back().get()});
    }
    DebianPrepOptions prep{.install = !*check_only};
    std::mutex mu;
    Status all = ForEachNode(nodes, [&](const NodeHandle& n) -> Status {
      auto r = PrepareDebianNode(*n.remote, prep);
      std::lock_guard<std::mutex> lock(mu);
      if (!r.ok()) {
        fmt::print("{}: {}\n", n.name, r.status().message());
        return r.status();
      }
      fmt::print("{}: ready ({}); {}; {} ({:.1f} s)\n", n.name, r->os,
                 r->installed.empty() ? "nothing installed"
                                      : fmt::format("installed {}", fmt::join(r->installed, " ")),
                 r->java_version, r->elapsed.count() / 1000.0);
      return Status::Ok();
    });
    *exit_code = all.ok() ? 0 : kExitInternalError;
  });
}

}  // namespace jf
