#include "core/progress.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <utility>

namespace jf {
namespace {

constexpr auto kPlainEvery = std::chrono::seconds(10);
constexpr const char* kClearLine = "\r\x1b[K";

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::string MinutesSeconds(double s) {
  auto total = static_cast<int64_t>(std::max(0.0, s));
  if (total >= 3600) {
    return fmt::format("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60);
  }
  return fmt::format("{}:{:02}", total / 60, total % 60);
}

// Columns of a UTF-8 string, taken as one per code point (the line is ASCII but for what Flink
// or a fault's arguments might carry).
size_t Columns(const std::string& s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// The first `columns` code points of s.
std::string Prefix(const std::string& s, size_t columns) {
  size_t seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((s[i] & 0xC0) != 0x80 && seen++ == columns) return s.substr(0, i);
  }
  return s;
}

bool EndsWith(const std::string& s, const char* tail) {
  std::string t(tail);
  return s.size() > t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
}

}  // namespace

const char* ProgressPhaseName(ProgressPhase phase) {
  switch (phase) {
    case ProgressPhase::kSettingUp:
      return "setting up";
    case ProgressPhase::kSubmitting:
      return "submitting";
    case ProgressPhase::kWaitingForJob:
      return "waiting for the job";
    case ProgressPhase::kFaults:
      return "fault phase";
    case ProgressPhase::kRecoveryWait:
      return "recovery wait";
    case ProgressPhase::kStopping:
      return "stopping";
    case ProgressPhase::kTearingDown:
      return "tearing down";
    case ProgressPhase::kChecking:
      return "checking";
  }
  return "?";
}

std::string RenderProgressLine(const ProgressState& s, int width) {
  std::vector<std::string> parts;
  std::string phase = ProgressPhaseName(s.phase);
  double elapsed = std::floor(std::max(0.0, s.phase_elapsed_s));
  if (s.phase_limit_s) {
    double limit = std::max(0.0, *s.phase_limit_s);
    double left = std::ceil(std::max(0.0, limit - std::max(0.0, s.phase_elapsed_s)));
    phase += fmt::format(" {:.0f}/{:.0f} s ({:.0f} s left)", elapsed, std::round(limit), left);
  } else {
    phase += fmt::format(" {:.0f} s", elapsed);
  }
  if (s.interrupted) phase += " (interrupted)";
  parts.push_back(phase);
  bool faulting = s.phase == ProgressPhase::kFaults || s.phase == ProgressPhase::kRecoveryWait;
  if (faulting || !s.active_faults.empty()) {
    std::string active;
    for (const auto& f : s.active_faults) active += (active.empty() ? "" : ", ") + f;
    parts.push_back("active: " + (active.empty() ? std::string("none") : active));
  }
  if (s.kills > 0) {
    std::string kills = fmt::format("{} kill{}", s.kills, s.kills == 1 ? "" : "s");
    if (s.last_kill && s.last_kill_ago_s < kShowLastKillSeconds) {
      kills += fmt::format(" (last {} {:.0f} s ago)", *s.last_kill,
                           std::floor(std::max(0.0, s.last_kill_ago_s)));
    }
    parts.push_back(kills);
  }
  if (s.polling) parts.push_back("job " + s.job_state.value_or("unknown"));
  if (s.last_recovery_s) parts.push_back(fmt::format("last recovery {:.1f} s", *s.last_recovery_s));
  parts.push_back(MinutesSeconds(s.run_elapsed_s) + " total");

  std::string line;
  for (const auto& p : parts) line += (line.empty() ? "" : " | ") + p;
  if (width <= 0) return "progress: " + line;
  size_t max = static_cast<size_t>(width) - 1;
  if (Columns(line) <= max) return line;
  if (max < 4) return Prefix(line, max);
  return Prefix(line, max - 3) + "...";
}

std::string FaultLabel(const std::string& family, const nlohmann::json& args) {
  if (!args.is_object()) return family;
  auto str = [&](const char* key) -> std::string {
    auto it = args.find(key);
    return it != args.end() && it->is_string() ? it->get<std::string>() : "";
  };
  auto num = [&](const char* key) -> std::optional<double> {
    auto it = args.find(key);
    if (it == args.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
  };
  if (std::string shape = str("shape"); !shape.empty()) return family + "-" + shape;
  if (std::string role = str("role"); !role.empty()) {
    std::string targeting = str("targeting");
    return family + "-" + role + (targeting.empty() || targeting == "one" ? "" : "-" + targeting);
  }
  if (auto p = num("p")) return fmt::format("{}-{:.0f}%", family, *p * 100);
  if (auto ms = num("ms")) return fmt::format("{}-{:.0f}ms", family, *ms);
  if (auto kbit = num("kbit")) return fmt::format("{}-{:.0f}kbit", family, *kbit);
  return family;
}

void ProgressTracker::SetPhase(ProgressPhase phase, Clock::time_point now,
                               std::optional<Clock::time_point> deadline) {
  phase_ = phase;
  phase_start_ = now;
  deadline_ = deadline;
}

void ProgressTracker::FaultHappened(std::optional<Clock::time_point> from) {
  pending_ = Pending{.from = from, .down = false};
}

void ProgressTracker::OnNemesisOp(const std::string& f, const nlohmann::json& args, bool hit,
                                  Clock::time_point now) {
  if (EndsWith(f, "-start")) {
    if (!hit) return;
    std::string family = f.substr(0, f.size() - 6);
    active_[family] = FaultLabel(family, args);
    FaultHappened(std::nullopt);  // measured from its heal
  } else if (EndsWith(f, "-stop")) {
    if (active_.erase(f.substr(0, f.size() - 5)) == 0) return;
    if (!pending_) pending_ = Pending{};
    pending_->from = now;
  } else if (f == "kill" || f.rfind("kill-", 0) == 0) {
    if (!hit) return;
    ++kills_;
    last_kill_ = FaultLabel(f, args);
    last_kill_at_ = now;
    FaultHappened(now);
  }
}

void ProgressTracker::OnHeal(Clock::time_point now) {
  if (active_.empty()) return;
  active_.clear();
  if (pending_ && !pending_->from) pending_->from = now;
}

void ProgressTracker::OnPoll(bool answered, bool running, const std::string& state,
                             Clock::time_point now) {
  polling_ = true;
  if (!answered) {
    job_state_.reset();
  } else if (running) {
    job_state_ = "RUNNING";
  } else {
    // Flink says RUNNING as soon as one task runs; the harness's "running" wants all of them.
    job_state_ = state.empty() ? "?" : state;
    if (state.find("RUNNING") != std::string::npos) *job_state_ += " (not all tasks)";
  }
  if (!pending_) return;
  if (!answered || !running) {
    pending_->down = true;
  } else if (pending_->from && pending_->down) {
    last_recovery_s_ = std::max(0.0, Seconds(now - *pending_->from));
    pending_.reset();
  }
}

ProgressState ProgressTracker::Snapshot(Clock::time_point now) const {
  ProgressState s;
  s.phase = phase_;
  s.phase_elapsed_s = std::max(0.0, Seconds(now - phase_start_));
  if (deadline_) s.phase_limit_s = std::max(0.0, Seconds(*deadline_ - phase_start_));
  s.run_elapsed_s = std::max(0.0, Seconds(now - start_));
  for (const auto& [_, label] : active_) s.active_faults.push_back(label);
  s.kills = kills_;
  s.last_kill = last_kill_;
  s.last_kill_ago_s = std::max(0.0, Seconds(now - last_kill_at_));
  s.polling = polling_;
  s.job_state = job_state_;
  s.last_recovery_s = last_recovery_s_;
  s.interrupted = interrupted_;
  return s;
}

Result<ProgressMode> ParseProgressMode(const std::string& option, bool stderr_is_terminal) {
  if (option == "auto") return stderr_is_terminal ? ProgressMode::kTty : ProgressMode::kPlain;
  if (option == "tty") return ProgressMode::kTty;
  if (option == "plain") return ProgressMode::kPlain;
  if (option == "off") return ProgressMode::kOff;
  return InvalidArgument("--progress must be auto, tty, plain or off, got '{}'", option);
}

bool StderrIsTerminal() {
  const char* term = std::getenv("TERM");
  return isatty(STDERR_FILENO) == 1 && !(term && std::string(term) == "dumb");
}

// The output side: what is on the terminal, under one mutex that every console log line and
// every draw takes, so they never interleave. Outlives its Progress when a sink still holds it;
// once detached it draws nothing more.
class ProgressTerminal {
 public:
  ProgressTerminal(ProgressMode mode, std::FILE* out) : mode_(mode), out_(out) {}

  // Shows the snapshot numbered seq (an older one than already shown is dropped): in place, or
  // as a plain line when `plain`.
  void Show(const ProgressState& state, bool plain, uint64_t seq) {
    std::lock_guard<std::mutex> lock(mu_);
    if (detached_ || seq < last_seq_) return;
    last_seq_ = seq;
    if (mode_ == ProgressMode::kPlain) {
      if (!plain) return;
      std::string text = RenderProgressLine(state, 0) + "\n";
      std::fwrite(text.data(), 1, text.size(), out_);
    } else {
      line_ = RenderProgressLine(state, Width());
      std::string text = "\r" + line_ + "\x1b[K";
      std::fwrite(text.data(), 1, text.size(), out_);
    }
    std::fflush(out_);
  }

  // A log line: the status line is cleared before it and drawn again after it.
  void AroundLog(const std::function<void()>& write) {
    std::lock_guard<std::mutex> lock(mu_);
    bool shown = !detached_ && !line_.empty();
    if (shown) std::fputs(kClearLine, out_);
    write();
    if (shown) {
      std::string text = "\r" + line_ + "\x1b[K";
      std::fwrite(text.data(), 1, text.size(), out_);
      std::fflush(out_);
    }
  }

  // Clears the status line; nothing is drawn after this.
  void Detach() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!detached_ && !line_.empty()) {
      std::fputs(kClearLine, out_);
      std::fflush(out_);
    }
    line_.clear();
    detached_ = true;
  }

 private:
  // The terminal's columns, asked every time (it may be resized); COLUMNS, else 80, when it
  // does not say.
  int Width() const {
    winsize ws{};
    if (ioctl(fileno(out_), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    if (const char* c = std::getenv("COLUMNS")) {
      int n = std::atoi(c);
      if (n > 0) return n;
    }
    return 80;
  }

  std::mutex mu_;
  const ProgressMode mode_;
  std::FILE* const out_;
  std::string line_;  // the status line on the terminal now; empty: none
  bool detached_ = false;
  uint64_t last_seq_ = 0;
};

namespace {

// The run's console sink, behind the terminal's mutex.
class ProgressConsoleSink : public spdlog::sinks::sink {
 public:
  ProgressConsoleSink(std::shared_ptr<spdlog::sinks::sink> inner,
                      std::shared_ptr<ProgressTerminal> terminal)
      : inner_(std::move(inner)), terminal_(std::move(terminal)) {}

  void log(const spdlog::details::log_msg& msg) override {
    if (!inner_->should_log(msg.level)) return;  // the line stays as it is
    terminal_->AroundLog([&] { inner_->log(msg); });
  }
  void flush() override { inner_->flush(); }
  void set_pattern(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter(std::unique_ptr<spdlog::formatter> f) override {
    inner_->set_formatter(std::move(f));
  }

 private:
  std::shared_ptr<spdlog::sinks::sink> inner_;
  std::shared_ptr<ProgressTerminal> terminal_;
};

}  // namespace

Progress::Progress(ProgressMode mode, std::FILE* out, std::chrono::milliseconds tick)
    : mode_(mode),
      tick_(tick),
      terminal_(std::make_shared<ProgressTerminal>(mode, out)),
      tracker_(Clock::now()),
      next_plain_(Clock::now() + kPlainEvery) {
  if (mode_ == ProgressMode::kOff) {
    stopped_ = true;
    return;
  }
  ticker_ = std::thread([this] { Tick(); });
}

Progress::~Progress() { Stop(); }

std::shared_ptr<spdlog::sinks::sink> Progress::ConsoleSink(
    std::shared_ptr<spdlog::sinks::sink> inner) {
  if (mode_ == ProgressMode::kOff) return inner;
  return std::make_shared<ProgressConsoleSink>(std::move(inner), terminal_);
}

void Progress::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  terminal_->Detach();
}

void Progress::Tick() {
  try {
    std::unique_lock<std::mutex> lock(mu_);
    // The first line is drawn by the first SetPhase; the ticker redraws from a tick on.
    while (!wake_.wait_for(lock, tick_, [this] { return stopped_; })) {
      auto now = Clock::now();
      bool plain_due = mode_ == ProgressMode::kPlain && now >= next_plain_;
      if (plain_due) next_plain_ = now + kPlainEvery;
      if (mode_ == ProgressMode::kTty || plain_due) {
        ProgressState state = tracker_.Snapshot(now);
        uint64_t seq = ++seq_;
        lock.unlock();
        terminal_->Show(state, plain_due, seq);
        lock.lock();
      }
    }
  } catch (const std::exception& e) {
    // Nothing escapes the thread; the run goes on without its status line.
    terminal_->Detach();
    std::fprintf(stderr, "progress: the status line stopped: %s\n", e.what());
  } catch (...) {
    terminal_->Detach();
  }
}

// The status line never breaks a run: a failure to show it is dropped here.
template <typename F>
void Progress::Update(F event, bool show_now) {
  try {
    ProgressState state;
    uint64_t seq = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) return;
      auto now = Clock::now();
      event(now);
      if (!show_now) return;
      state = tracker_.Snapshot(now);
      seq = ++seq_;
      next_plain_ = now + kPlainEvery;
    }
    terminal_->Show(state, /*plain=*/true, seq);
  } catch (...) {
  }
}

void Progress::SetPhase(ProgressPhase phase, std::optional<Clock::time_point> deadline) {
  Update([&](Clock::time_point now) { tracker_.SetPhase(phase, now, deadline); }, true);
}

void Progress::SetDeadline(Clock::time_point deadline) {
  Update([&](Clock::time_point) { tracker_.SetDeadline(deadline); }, false);
}

void Progress::OnNemesisOp(const std::string& f, const nlohmann::json& args, bool hit) {
  Update([&](Clock::time_point now) { tracker_.OnNemesisOp(f, args, hit, now); }, false);
}

void Progress::OnHeal() {
  Update([&](Clock::time_point now) { tracker_.OnHeal(now); }, false);
}

void Progress::OnPoll(bool answered, bool running, const std::string& state) {
  Update([&](Clock::time_point now) { tracker_.OnPoll(answered, running, state, now); }, false);
}

void Progress::SetInterrupted() {
  Update([&](Clock::time_point) { tracker_.SetInterrupted(); }, false);
}

}  // namespace jf
