// DelayLine: the schedule of jf-delayer (src/net/delayer), the user-space NFQUEUE delayer. It
// decides when each held packet is released; it does no I/O and reads no clock (times are passed
// in), so it is tested on its own.
//
// A packet that arrives at t is due at t + delay + a uniform jitter in [0, jitter], but never
// before a packet that arrived earlier: the release times are kept non-decreasing, so a delay
// never reorders a flow (with jitter, packets that arrive close together bunch up behind the
// slowest one). At most `capacity` packets are held; a packet that arrives when the line is full
// is not held (Push returns false, the caller passes it at once) and is counted in overflowed().
//
// Thread-safety: none; one thread owns a DelayLine.
#ifndef JF_NET_DELAY_LINE_H_
#define JF_NET_DELAY_LINE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <vector>

namespace jf {

class DelayLine {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  struct Options {
    std::chrono::microseconds delay{0};   // >= 0
    std::chrono::microseconds jitter{0};  // >= 0; uniform in [0, jitter] on top of delay
    size_t capacity = 20000;              // > 0
    uint64_t seed = 1;                    // of the jitter
  };

  explicit DelayLine(const Options& options);

  // Holds packet `id`, which arrived at `now`. Returns false (and holds nothing) if `capacity`
  // packets are held already.
  bool Push(uint32_t id, TimePoint now);

  // When the oldest held packet is due; nullopt if none is held.
  std::optional<TimePoint> NextRelease() const;

  // Appends to `out` the ids of the packets due at `now` (release time <= now), oldest first,
  // and stops holding them. Returns how many it appended.
  size_t PopDue(TimePoint now, std::vector<uint32_t>* out);

  // Appends every held id, oldest first, regardless of its time (shutting down).
  size_t PopAll(std::vector<uint32_t>* out);

  size_t size() const { return held_.size(); }
  // Whether every id pushed so far was greater than the one pushed before it. The kernel numbers
  // a queue's packets in order, which lets jf-delayer release a run of them with one batch
  // verdict ("accept every id <= last"); if this ever turns false it must use single verdicts.
  bool ids_increasing() const { return ids_increasing_; }
  uint64_t held_total() const { return held_total_; }  // packets ever held
  uint64_t overflowed() const { return overflowed_; }  // packets refused because it was full
  uint64_t released() const { return released_; }      // packets popped

 private:
  struct Held {
    uint32_t id;
    TimePoint release;
  };

  Options options_;
  std::mt19937_64 rng_;
  std::uniform_int_distribution<int64_t> jitter_us_;
  std::deque<Held> held_;
  TimePoint last_release_{};  // release time of the newest held packet (or the last popped)
  std::optional<uint32_t> last_id_;
  bool ids_increasing_ = true;
  uint64_t held_total_ = 0;
  uint64_t overflowed_ = 0;
  uint64_t released_ = 0;
};

}  // namespace jf

#endif  // JF_NET_DELAY_LINE_H_
