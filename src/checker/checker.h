// Checker: Jepsen's protocol for judging a history. A checker reads ops only; it touches no node
// and no clock, so the same history always gets the same result (`analyze` relies on this).
//
// Thread-safety: Check() is const and may run concurrently with other checkers.
#ifndef JF_CHECKER_CHECKER_H_
#define JF_CHECKER_CHECKER_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "history/op.h"

namespace jf {

enum class Validity { kValid, kInvalid, kUnknown };

const char* ValidityName(Validity v);  // "true", "false", "unknown" as Jepsen prints :valid?
// results.json's "valid?": true, false or "unknown".
nlohmann::json ValidityJson(Validity v);

// Jepsen's merge: false beats unknown beats true.
Validity Combine(Validity a, Validity b);

struct Anomaly {
  int64_t time = 0;       // ns since the start of the history
  int64_t op_index = -1;  // the op that showed it, or -1
  std::string what;       // e.g. "Job is not running."
};

struct CheckResult {
  Validity valid = Validity::kValid;
  std::vector<Anomaly> anomalies;
  nlohmann::json details = nlohmann::json::object();
};

nlohmann::json CheckResultToJson(const CheckResult& r);

// What the checkers need to know about the test, beyond the history.
struct CheckOptions {
  int healthy_threshold = 5;               // in units of kHealthyPollUnit
  double recovery_grace_period_s = 180;    // seconds
  double cancellation_grace_period_s = 10;
  // The run was cut short (interrupted, or the harness broke): rules about how a run ends (a job
  // was seen, it is healthy at the end) do not apply, since the history has no end; what it shows
  // before the cut still counts.
  bool truncated = false;
};

class Checker {
 public:
  virtual ~Checker() = default;
  virtual std::string name() const = 0;
  virtual CheckResult Check(const CheckOptions& opts, const std::vector<Op>& history) const = 0;
};

}  // namespace jf

#endif  // JF_CHECKER_CHECKER_H_
