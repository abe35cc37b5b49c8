// Progress: the live status of one `jepsen-flink test` run on stderr (--progress). It shows the
// run's phase with its elapsed and, for a bounded phase, remaining time, the faults in effect,
// the job's state as the last poll saw it and the last recovery the harness measured.
//
//   in place (stderr a terminal): one status line, redrawn every second with "\r" and ESC[K and
//     cleared around every log line, so that log lines and the status line never interleave (the
//     console sink of the run's logger goes through ConsoleSink);
//   plain (stderr a pipe or file): a line `progress: ...` every 10 s and at each phase change.
//
// Progress lines are a view of the terminal only: they never go to jepsen.log, which holds every
// event they summarize and stays the same however the run was started.
//
// The parts:
//   ProgressState / RenderProgressLine: a snapshot and its one-line text (pure);
//   ProgressTracker: folds the run's events (phases, nemesis ops, polls) into a state (pure: the
//     caller passes the times; not thread-safe);
//   Progress: a tracker behind a mutex, the terminal output and the ticker thread.
//
// Thread-safety: Progress's methods may be called from any thread (the driver, which sets phases
// and reports nemesis ops, and the client thread, which reports polls) concurrently. Its ticker
// thread (TTY and plain modes) is started by the constructor and stopped by Stop() or the
// destructor, whichever comes first (so on every exit path of a run, exceptions and SIGINT's
// wind-down included); Stop() wakes it and joins it, so it returns at once. No exception escapes
// it, and no call of Progress throws: the status line never breaks a run. A
// ConsoleSink may outlive its Progress: it then passes log lines through unchanged.
#ifndef JF_CORE_PROGRESS_H_
#define JF_CORE_PROGRESS_H_

#include <spdlog/sinks/sink.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace jf {

// The phases of a run, in the order Run::Execute goes through them (core/run.cc).
enum class ProgressPhase {
  kSettingUp,      // the nodes, then every Db (HDFS, ZooKeeper, YARN, Flink)
  kSubmitting,     // the jobs
  kWaitingForJob,  // until the job first runs with all its tasks (at most the grace period)
  kFaults,         // the fault phase (--time-limit)
  kRecoveryWait,   // the healthy window, at most 1.1 x the grace period after the last fault
  kStopping,       // what Flink knows, the jobs stopped with a savepoint, their output fetched
  kTearingDown,    // heal, the Dbs torn down, logs collected, the local cluster removed
  kChecking,       // the checkers, results.json, the verdict
};

// "fault phase", "recovery wait", ...
const char* ProgressPhaseName(ProgressPhase phase);

struct ProgressState {
  ProgressPhase phase = ProgressPhase::kSettingUp;
  double phase_elapsed_s = 0;
  std::optional<double> phase_limit_s;  // a bounded phase's length (it may end earlier)
  double run_elapsed_s = 0;
  std::vector<std::string> active_faults;  // windowed faults begun and not yet healed
  int kills = 0;                           // kills (instantaneous faults) that hit
  std::optional<std::string> last_kill;    // the last one, shown for a while after it
  double last_kill_ago_s = 0;
  bool polling = false;                   // the client has begun polling the job
  std::optional<std::string> job_state;   // the last poll's view; nullopt: unknown
  std::optional<double> last_recovery_s;  // the last recovery measured live
  bool interrupted = false;               // SIGINT/SIGTERM: the run is winding down
};

// How long a kill stays in the line after it hit.
inline constexpr double kShowLastKillSeconds = 10;

// The status line for `state`. width > 0: the in-place line, at most width - 1 columns (the
// last column of a terminal wraps on some terminals), cut with "..." when longer; width <= 0:
// the plain line, "progress: " first, never cut. Remaining time is never negative. No escape
// sequences and no newline: the caller draws it.
std::string RenderProgressLine(const ProgressState& state, int width);

// A windowed fault's name in the line: its family and the gist of its arguments
// ("partition-majorities-ring", "pause-jobmanager", "loss-30%", "delay-200ms").
std::string FaultLabel(const std::string& family, const nlohmann::json& args);

// Folds a run's events into a ProgressState. Pure (every time is the caller's); not
// thread-safe. The live recovery follows the harness's own measure (checker/recovery.h): from a
// kill that hit, or from the heal of a windowed fault, to the first poll that sees the job
// running with all its tasks again, counted only when a poll saw it not running in between (a
// fault the job rode out is no recovery).
class ProgressTracker {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ProgressTracker(Clock::time_point start) : start_(start), phase_start_(start) {}

  // A new phase from `now`; deadline: when it ends at the latest (nullopt: unbounded).
  void SetPhase(ProgressPhase phase, Clock::time_point now,
                std::optional<Clock::time_point> deadline = std::nullopt);
  // The current phase's deadline moved (the recovery wait's, when a process came back late).
  void SetDeadline(Clock::time_point deadline) { deadline_ = deadline; }
  // A nemesis op's completion: f as scheduled ("kill-task-managers", "partition-start",
  // "partition-stop", ...), its scheduled args, and whether it reached a target.
  void OnNemesisOp(const std::string& f, const nlohmann::json& args, bool hit,
                   Clock::time_point now);
  // Every fault undone (Nemesis::Heal at the end of the fault phase, or at tear-down).
  void OnHeal(Clock::time_point now);
  // A poll's completion. answered: Flink answered (an ok op); running: every job runs with all
  // its tasks; state: the jobs' states as shown in the log ("RUNNING (all tasks)", "RESTARTING").
  void OnPoll(bool answered, bool running, const std::string& state, Clock::time_point now);
  void SetInterrupted() { interrupted_ = true; }

  ProgressPhase phase() const { return phase_; }
  ProgressState Snapshot(Clock::time_point now) const;

 private:
  void FaultHappened(std::optional<Clock::time_point> from);

  Clock::time_point start_;
  ProgressPhase phase_ = ProgressPhase::kSettingUp;
  Clock::time_point phase_start_;
  std::optional<Clock::time_point> deadline_;
  std::map<std::string, std::string> active_;  // family -> label
  int kills_ = 0;
  std::optional<std::string> last_kill_;
  Clock::time_point last_kill_at_;
  bool polling_ = false;
  std::optional<std::string> job_state_;
  // The fault whose recovery is awaited: since when (nullopt while its window is still open) and
  // whether a poll saw the job down after it.
  struct Pending {
    std::optional<Clock::time_point> from;
    bool down = false;
  };
  std::optional<Pending> pending_;
  std::optional<double> last_recovery_s_;
  bool interrupted_ = false;
};

enum class ProgressMode { kOff, kPlain, kTty };

// --progress: "auto" (in place if stderr_is_terminal, else plain), "tty", "plain" or "off".
// InvalidArgument for anything else.
Result<ProgressMode> ParseProgressMode(const std::string& option, bool stderr_is_terminal);
// Whether stderr is a terminal that takes "\r" and ESC[K (a TTY, and TERM is not "dumb").
bool StderrIsTerminal();

class ProgressTerminal;  // the output side, shared with the console sinks (progress.cc)

class Progress {
 public:
  using Clock = std::chrono::steady_clock;

  // Writes to `out` (stderr in a run); the ticker wakes every `tick` (in place: a redraw; plain:
  // a line when 10 s have passed since the last). kOff: every method does nothing.
  explicit Progress(ProgressMode mode, std::FILE* out = stderr,
                    std::chrono::milliseconds tick = std::chrono::seconds(1));
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // The run's console sink, wrapped so that log lines and the status line never interleave (the
  // line is cleared before each log line the inner sink shows and drawn again after it). Off:
  // `inner` itself.
  std::shared_ptr<spdlog::sinks::sink> ConsoleSink(std::shared_ptr<spdlog::sinks::sink> inner);

  // The events, as ProgressTracker takes them, at the current time.
  void SetPhase(ProgressPhase phase, std::optional<Clock::time_point> deadline = std::nullopt);
  void SetDeadline(Clock::time_point deadline);
  void OnNemesisOp(const std::string& f, const nlohmann::json& args, bool hit);
  void OnHeal();
  void OnPoll(bool answered, bool running, const std::string& state);
  void SetInterrupted();

  // Stops the ticker and clears the status line, so what follows (the verdict) starts on a clean
  // line. Idempotent; later events are ignored.
  void Stop();

 private:
  void Tick();
  // Applies `event` to the tracker and shows the result at once (a phase change: in place, or a
  // plain line in plain mode).
  template <typename F>
  void Update(F event, bool show_now);

  const ProgressMode mode_;
  const std::chrono::milliseconds tick_;
  std::shared_ptr<ProgressTerminal> terminal_;
  std::mutex mu_;  // guards tracker_, stopped_, next_plain_, seq_
  std::condition_variable wake_;
  ProgressTracker tracker_;
  bool stopped_ = false;
  Clock::time_point next_plain_;
  uint64_t seq_ = 0;  // of the snapshots handed to the terminal, which drops older ones
  std::thread ticker_;
};

}  // namespace jf

#endif  // JF_CORE_PROGRESS_H_
