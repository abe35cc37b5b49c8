// Nemesis: Jepsen's protocol for injecting faults. Invoke() performs one scheduled fault op and
// returns what it did (the completion's value: targets with their PIDs); Observe() reports what
// happened since (e.g. a supervised process came back); Heal() undoes every fault still active
// and must be safe to call at any time, more than once.
//
// Thread-safety: a Nemesis is driven by one thread (the core's nemesis loop).
#ifndef JF_NEMESIS_NEMESIS_H_
#define JF_NEMESIS_NEMESIS_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace jf {

struct NemesisResult {
  nlohmann::json value;  // what was done, for the history
  std::optional<std::string> error;
  bool hit = false;  // the fault reached at least one target
};

// Something the nemesis saw happen, recorded as a nemesis op of its own.
struct NemesisEvent {
  std::string f;  // e.g. "process-started"
  nlohmann::json value;
};

class Nemesis {
 public:
  virtual ~Nemesis() = default;
  // Performs `f` with the schedule's arguments (e.g. {"role": "taskmanager"}).
  virtual NemesisResult Invoke(const std::string& f, const nlohmann::json& args) = 0;
  // Whether this nemesis performs `f`.
  virtual bool Handles(const std::string& f) const = 0;
  virtual std::vector<NemesisEvent> Observe() = 0;
  virtual Status Heal() = 0;
};

// Routes each op to the first nemesis that handles it; observes and heals them all.
class CompositeNemesis : public Nemesis {
 public:
  void Add(std::unique_ptr<Nemesis> n) { parts_.push_back(std::move(n)); }
  NemesisResult Invoke(const std::string& f, const nlohmann::json& args) override;
  bool Handles(const std::string& f) const override;
  std::vector<NemesisEvent> Observe() override;
  Status Heal() override;

 private:
  std::vector<std::unique_ptr<Nemesis>> parts_;
};

}  // namespace jf

#endif  // JF_NEMESIS_NEMESIS_H_
