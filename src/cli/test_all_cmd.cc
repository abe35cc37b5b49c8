#include "cli/test_all_cmd.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cli/test_cmd.h"
#include "core/matrix.h"
#include "core/run.h"
#include "core/test_options.h"
#include "dist/flink_dist.h"
#include "dist/flink_release.h"
#include "dist/flink_tarball.h"
#include "report/junit.h"
#include "store/store.h"

namespace fs = std::filesystem;

namespace jf {
namespace {

struct TestAllArgs {
  TestOptions opts;
  int iterations = 1;
  std::vector<std::string> only;
  std::string summary;  // --summary FILE, "" if none
  std::string junit;    // --junit FILE, "" if none
};

Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Internal("cannot write {}", path);
  return Status::Ok();
}

std::string Names(const std::vector<MatrixEntry>& entries) {
  std::string out;
  for (const auto& e : entries) out += (out.empty() ? "" : ", ") + e.name;
  return out;
}

// Runs the matrix; returns its exit code.
int RunTestAll(const TestAllArgs& args) {
  if (args.iterations < 1) {
    fmt::print(stderr, "--iterations must be at least 1\n");
    return kExitBadArguments;
  }
  // The options every entry shares are checked once up front (with the default mode and
  // schedules), so a bad --time-limit is refused before anything runs.
  TestOptions checked = args.opts;
  Status valid = checked.Validate();
  if (valid.ok() && !args.junit.empty()) valid = CheckJunitPath(args.junit);
  if (!valid.ok()) {
    fmt::print(stderr, "{}\n", valid.message());
    return kExitBadArguments;
  }
  // The matrix follows the distribution's line; a --tarball is fetched here once (later runs
  // find it cached), so a bad one is refused before anything runs.
  Result<FlinkTarball> tarball = NotFound("no --tarball");
  Result<FlinkRelease> release = FindFlinkRelease(checked.flink_version);
  if (!checked.tarball.empty()) {
    tarball = EnsureFlinkTarball(checked.tarball,
                                 checked.cache_dir.empty() ? DefaultCacheDir() : checked.cache_dir);
    Status s = tarball.ok() ? checked.CheckDistributionVersion(tarball->version) : tarball.status();
    if (!s.ok()) {
      fmt::print(stderr, "{}\n", s.message());
      return s.code() == StatusCode::kInvalidArgument ? kExitBadArguments : kExitInternalError;
    }
    release = FlinkRelease{.version = tarball->version, .line = tarball->line};
  }
  if (!release.ok()) {
    fmt::print(stderr, "{}\n", release.status().message());
    return kExitBadArguments;
  }
  const std::vector<MatrixEntry> all = OriginalMatrix(MatrixFlinkLine(release->line));
  const std::vector<MatrixEntry> entries = FilterMatrix(all, args.only);
  if (entries.empty()) {
    fmt::print(stderr, "test-all: --only matched no test; the tests are: {}\n", Names(all));
    return kExitBadArguments;
  }

  const auto started = std::chrono::system_clock::now();
  const auto t0 = std::chrono::steady_clock::now();
  const std::string stamp = StoreTimestamp(started);
  fmt::print("test-all: {} test(s) x {} iteration(s), Flink {}: {}\n", entries.size(),
             args.iterations, release->version, Names(entries));
  std::fflush(stdout);

  MatrixRun m = RunMatrix(
      entries, args.opts, args.iterations, [](const TestOptions& o) { return RunTests(o); },
      [](const std::string& line) {
        fmt::print("\n{}\n", line);
        std::fflush(stdout);
      });
  const double total_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const std::string table = RenderSummaryTable(m.results, m.planned);
  nlohmann::json summary = SummaryJson(m.results, m.planned);
  summary["started"] = stamp;
  summary["flink-version"] = release->version;
  if (tarball.ok()) summary["tarball"] = {{"uri", tarball->uri}, {"sha256", tarball->sha256}};
  summary["iterations"] = args.iterations;
  summary["only"] = args.only;
  summary["interrupted"] = m.interrupted;
  summary["total_s"] = total_s;

  std::error_code ec;
  const fs::path store = fs::absolute(args.opts.store_dir, ec);
  fs::create_directories(store, ec);
  const std::string base = (store / ("test-all-" + stamp)).string();
  std::vector<std::string> written;
  for (const auto& [path, text] :
       {std::pair{base + ".txt", table}, std::pair{base + ".json", summary.dump(2) + "\n"},
        std::pair{args.summary, summary.dump(2) + "\n"}}) {
    if (path.empty()) continue;
    if (Status s = WriteFile(path, text); !s.ok()) {
      fmt::print(stderr, "test-all: {}\n", s.message());
    } else {
      written.push_back(path);
    }
  }

  int exit_code = MatrixExitCode(m.results, m.planned);
  if (!args.junit.empty()) {
    JunitSuite suite{.name = "jepsen-flink test-all",
                     .started = started,
                     .results = m.results,
                     .skipped_reason = "not run: the matrix was interrupted",
                     .iterations = args.iterations};
    // The runs left out, in the order RunMatrix takes them (iteration-major).
    for (std::size_t k = m.results.size(); k < m.planned; ++k) {
      const std::string& name = entries[k % entries.size()].name;
      suite.skipped.push_back(
          args.iterations > 1 ? fmt::format("{} #{}", name, k / entries.size() + 1) : name);
    }
    if (Status s = WriteJunitXml(args.junit, suite); !s.ok()) {
      fmt::print(stderr, "test-all: {}\n", s.message());
      if (exit_code == kExitValid) exit_code = kExitInternalError;
    } else {
      written.push_back(args.junit);
    }
  }

  if (m.interrupted) fmt::print("\ntest-all: interrupted; the matrix stopped after that run\n");
  fmt::print("\n{}", table);
  fmt::print("test-all: {:.0f} s in total; summary: {}\n", total_s, fmt::join(written, ", "));
  std::fflush(stdout);
  return exit_code;
}

}  // namespace

void AddTestAllCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<TestAllArgs>();
  CLI::App* cmd = app.add_subcommand(
      "test-all",
      "Run the original jepsen.flink matrix (its run-tests.sh): yarn-session and per-job (Flink "
      "1.x) or application (2.x) mode on YARN, each x {kill-task-managers, kill-job-managers, "
      "fail-name-node-during-recovery}; standalone-session x kill-job-managers, with and without "
      "cancel-jobs. One `test` run per entry; prints a summary table and writes it to "
      "<store>/test-all-<time>.{txt,json}. Exit 0 all valid, 1 any invalid, 2 otherwise");
  AddRunOptions(cmd, &args->opts);
  cmd->add_option("--iterations", args->iterations, "How many times to run the whole matrix")
      ->capture_default_str();
  cmd->add_option("--only", args->only,
                  "Run only the tests whose name contains SUBSTR (repeatable; e.g. standalone, "
                  "yarn-session, kill-job-managers, cancel-jobs)");
  cmd->add_option("--summary", args->summary, "Also write the JSON summary to this file");
  cmd->add_option("--junit", args->junit,
                  "Also write JUnit XML to this file: a test case per entry and iteration "
                  "(invalid: failure; unknown, refused or broken: error; left out by an "
                  "interruption: skipped), for CI systems");
  cmd->callback([args, exit_code] { *exit_code = RunTestAll(*args); });
}

}  // namespace jf
