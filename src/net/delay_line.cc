#include "net/delay_line.h"

#include <algorithm>

namespace jf {

DelayLine::DelayLine(const Options& options)
    : options_(options),
      rng_(options.seed),
      jitter_us_(0, std::max<int64_t>(0, options.jitter.count())) {
  options_.capacity = std::max<size_t>(1, options_.capacity);
}

bool DelayLine::Push(uint32_t id, TimePoint now) {
  if (held_.size() >= options_.capacity) {
    ++overflowed_;
    return false;
  }
  if (last_id_ && id <= *last_id_) ids_increasing_ = false;
  last_id_ = id;
  auto jitter = options_.jitter.count() > 0 ? std::chrono::microseconds(jitter_us_(rng_))
                                            : std::chrono::microseconds(0);
  // Never before the packet ahead of it: no reordering.
  TimePoint release = std::max(now + options_.delay + jitter, last_release_);
  last_release_ = release;
  held_.push_back({id, release});
  ++held_total_;
  return true;
}

std::optional<DelayLine::TimePoint> DelayLine::NextRelease() const {
  if (held_.empty()) return std::nullopt;
  return held_.front().release;
}

size_t DelayLine::PopDue(TimePoint now, std::vector<uint32_t>* out) {
  size_t n = 0;
  while (!held_.empty() && held_.front().release <= now) {
    out->push_back(held_.front().id);
    held_.pop_front();
    ++n;
  }
  released_ += n;
  return n;
}

size_t DelayLine::PopAll(std::vector<uint32_t>* out) {
  size_t n = held_.size();
  for (const auto& h : held_) out->push_back(h.id);
  held_.clear();
  released_ += n;
  return n;
}

}  // namespace jf
