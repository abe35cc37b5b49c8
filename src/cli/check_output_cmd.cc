#include "cli/check_output_cmd.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "checker/output.h"
#include "common/status.h"
#include "core/run.h"

namespace jf {

void AddCheckOutputCommand(CLI::App& app, int* exit_code) {
  struct Args {
    std::string out_dir;
    std::string commit_log_dir;
    std::string alert_dir;
    std::string json_file;
    OutputCheckOptions opts;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "check-output",
      "Check the test job's FileSink output for exactly-once against its source commit logs: "
      "no committed record lost, none duplicated, each key in order (see checker/output.h)");
  // Directories are checked by CheckOutput (a missing one is exit 254 either way).
  cmd->add_option("OUT", args->out_dir,
                  "The FileSink output directory; or a stored run (store/latest) or its job/ "
                  "directory, whose output/, commits/, alerts/ and test.json's splits are used")
      ->required();
  cmd->add_option("--commit-log-dir", args->commit_log_dir,
                  "The job's --commit-log-dir (source-*.log); required unless OUT is a stored "
                  "run or job directory");
  cmd->add_option("--alert-dir", args->alert_dir,
                  "The job's --alert-dir (alerts-*.log); every alert is a violation");
  CLI::Option* splits =
      cmd->add_option("--splits", args->opts.splits, "The job's --splits")->capture_default_str();
  CLI::Option* keys = cmd->add_option("--keys-per-split", args->opts.keys_per_split,
                                      "The job's --keys-per-split")
                          ->capture_default_str();
  cmd->add_option("--threads", args->opts.threads, "Scanning threads (0: one per core)")
      ->capture_default_str();
  cmd->add_option("--json", args->json_file, "Also write the result as JSON to FILE");
  cmd->callback([args, exit_code, splits, keys] {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (args->commit_log_dir.empty()) {
      // A stored run (its job/ directory) or a job directory: the layout the run leaves.
      fs::path run, job = args->out_dir;
      if (fs::is_directory(job / "job" / "commits", ec)) {
        run = job;
        job = job / "job";
      } else if (fs::is_directory(job / "commits", ec)) {
        run = job.parent_path();
      } else {
        fmt::print(stderr, "check-output: --commit-log-dir is required unless OUT is a stored run "
                           "(store/latest) or its job/ directory\n");
        *exit_code = kExitBadArguments;
        return;
      }
      args->out_dir = (job / "output").string();
      args->commit_log_dir = (job / "commits").string();
      if (args->alert_dir.empty() && fs::is_directory(job / "alerts", ec)) {
        args->alert_dir = (job / "alerts").string();
      }
      std::ifstream in(run / "test.json");
      nlohmann::json test = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
      if (test.is_object()) {
        if (splits->count() == 0) args->opts.splits = test.value("job-splits", args->opts.splits);
        if (keys->count() == 0) {
          args->opts.keys_per_split = test.value("job-keys-per-split", args->opts.keys_per_split);
        }
      }
      fmt::print("output {}\ncommit logs {}\n", args->out_dir, args->commit_log_dir);
    }
    auto r = CheckOutput(args->out_dir, args->commit_log_dir, args->alert_dir, args->opts);
    if (!r.ok()) {
      fmt::print(stderr, "check-output: {}\n", r.status().message());
      *exit_code = r.status().code() == StatusCode::kInvalidArgument ? kExitBadArguments
                                                                     : kExitInternalError;
      return;
    }
    fmt::print("{}", FormatOutputCheckSummary(*r));
    if (!args->json_file.empty()) {
      std::ofstream out(args->json_file);
      out << OutputCheckResultToJson(*r).dump(2) << "\n";
      if (!out) {
        fmt::print(stderr, "check-output: cannot write {}\n", args->json_file);
        *exit_code = kExitInternalError;
        return;
      }
    }
    switch (r->valid) {
      case Validity::kValid:
        fmt::print("{}\n", kVerdictValid);
        *exit_code = kExitValid;
        break;
      case Validity::kInvalid:
        fmt::print("{}\n", kVerdictInvalid);
        *exit_code = kExitInvalid;
        break;
      case Validity::kUnknown:
        fmt::print("{}\n", kVerdictUnknown);
        *exit_code = kExitUnknown;
        break;
    }
  });
}

}  // namespace jf
