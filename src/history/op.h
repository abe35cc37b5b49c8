// Op: one entry of a test's history, with Jepsen's fields. A client operation is an `invoke`
// followed by its completion (`ok`: it happened, `fail`: it definitely did not, `info`: unknown,
// e.g. a timeout). Nemesis operations are `info` pairs with process "nemesis".
//
// Ops are plain values; thread-safety is that of the containing object.
#ifndef JF_HISTORY_OP_H_
#define JF_HISTORY_OP_H_

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace jf {

enum class OpType { kInvoke, kOk, kFail, kInfo };

const char* OpTypeName(OpType t);
Result<OpType> ParseOpType(const std::string& s);

// The process of nemesis operations; client processes are integers >= 0.
inline constexpr int64_t kNemesisProcess = -1;

struct Op {
  int64_t index = -1;  // dense position in the history, assigned by the History
  int64_t time = 0;    // nanoseconds since the test started (monotonic), assigned by the History
  OpType type = OpType::kInvoke;
  int64_t process = 0;  // kNemesisProcess for the nemesis
  std::string f;
  nlohmann::json value;  // null when absent
  std::optional<std::string> error;
  // Further fields, as Jepsen ops carry extra keys (e.g. what Flink reported with a poll).
  nlohmann::json ext;

  bool is_client() const { return process != kNemesisProcess; }
};

// Jepsen's JSON shape: {"index","time","type","process","f","value","error"?}; process is the
// string "nemesis" for the nemesis.
nlohmann::json OpToJson(const Op& op);
Result<Op> OpFromJson(const nlohmann::json& j);

}  // namespace jf

#endif  // JF_HISTORY_OP_H_
