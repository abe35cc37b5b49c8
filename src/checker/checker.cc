#include "checker/checker.h"

namespace jf {

const char* ValidityName(Validity v) {
  switch (v) {
    case Validity::kValid: return "true";
    case Validity::kInvalid: return "false";
    case Validity::kUnknown: return "unknown";
  }
  return "unknown";
}

Validity Combine(Validity a, Validity b) {
  if (a == Validity::kInvalid || b == Validity::kInvalid) return Validity::kInvalid;
  if (a == Validity::kUnknown || b == Validity::kUnknown) return Validity::kUnknown;
  return Validity::kValid;
}

nlohmann::json ValidityJson(Validity v) {
  return v == Validity::kValid     ? nlohmann::json(true)
         : v == Validity::kInvalid ? nlohmann::json(false)
                                   : nlohmann::json("unknown");
}

nlohmann::json CheckResultToJson(const CheckResult& r) {
  nlohmann::json j;
  j["valid?"] = ValidityJson(r.valid);
  j["anomalies"] = nlohmann::json::array();
  for (const auto& a : r.anomalies) {
    j["anomalies"].push_back(
        {{"time_s", a.time / 1e9}, {"op_index", a.op_index}, {"what", a.what}});
  }
  j["details"] = r.details;
  return j;
}

}  // namespace jf
