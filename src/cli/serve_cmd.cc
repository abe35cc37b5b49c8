#include "cli/serve_cmd.h"

#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>

#include "core/run.h"
#include "core/test_options.h"
#include "report/store_server.h"

namespace jf {

namespace {

int RunServe(const StoreServerOptions& opts) {
  // SIGINT and SIGTERM are blocked before any thread starts (httplib's workers inherit the
  // mask) and taken by one watcher thread, which stops the server.
  sigset_t stop_signals, old_mask;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);

  int rc = kExitValid;
  auto server = StoreServer::Bind(opts);
  if (!server.ok()) {
    fmt::print(stderr, "serve: {}\n", server.status().message());
    rc =
        server.status().code() == StatusCode::kUnavailable ? kExitInternalError : kExitBadArguments;
  } else {
    StoreServer& srv = **server;
    if (!IsLoopbackHost(opts.host)) {
      fmt::print(stderr,
                 "serve: warning: {} is not a loopback address: the store ({}) is exposed to "
                 "everyone who can reach this machine on port {}\n",
                 opts.host.empty() ? "every interface" : opts.host, srv.root().string(),
                 srv.port());
    }
    fmt::print("serving {} at {} (Ctrl-C stops)\n", srv.root().string(), srv.url());
    std::fflush(stdout);

    std::atomic<bool> done{false};
    std::thread watcher([&] {
      const timespec tick{0, 200 * 1000 * 1000};
      while (!done) {
        int sig = sigtimedwait(&stop_signals, nullptr, &tick);
        if (sig == SIGINT || sig == SIGTERM) {
          fmt::print(stderr, "serve: {}, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
          srv.Stop();
          return;
        }
      }
    });
    Status s = srv.Serve();
    done = true;
    watcher.join();
    if (!s.ok()) {
      fmt::print(stderr, "serve: {}\n", s.message());
      rc = kExitInternalError;
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  return rc;
}

}  // namespace

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<StoreServerOptions>();
  opts->store_dir = TestOptions{}.store_dir;  // where `test` writes by default
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Browse the store over HTTP, like Jepsen's `lein run serve`: every run newest first with "
      "its verdict, its report and every file (read-only; GET and HEAD; loopback by default)");
  cmd->add_option("--store", opts->store_dir, "Store directory")->capture_default_str();
  cmd->add_option("--host", opts->host,
                  "Address to listen on; anything but a loopback address exposes the store")
      ->capture_default_str();
  cmd->add_option("--port", opts->port, "TCP port (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  cmd->callback([opts, exit_code] { *exit_code = RunServe(*opts); });
}

}  // namespace jf
