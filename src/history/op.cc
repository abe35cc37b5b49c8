#include "history/op.h"

#include <limits>

namespace jf {

const char* OpTypeName(OpType t) {
  switch (t) {
    case OpType::kInvoke:
      return "invoke";
    case OpType::kOk:
      return "ok";
    case OpType::kFail:
      return "fail";
    case OpType::kInfo:
      return "info";
  }
  return "?";
}

Result<OpType> ParseOpType(const std::string& s) {
  if (s == "invoke") return OpType::kInvoke;
  if (s == "ok") return OpType::kOk;
  if (s == "fail") return OpType::kFail;
  if (s == "info") return OpType::kInfo;
  return InvalidArgument("unknown op type '{}'", s);
}

nlohmann::json OpToJson(const Op& op) {
  nlohmann::json j;
  j["index"] = op.index;
  j["time"] = op.time;
  j["type"] = OpTypeName(op.type);
  if (op.process == kNemesisProcess) {
    j["process"] = "nemesis";
  } else {
    j["process"] = op.process;
  }
  j["f"] = op.f;
  j["value"] = op.value;
  if (op.error) j["error"] = *op.error;
  if (op.ext.is_object()) {
    for (const auto& [k, v] : op.ext.items()) {
      if (!j.contains(k)) j[k] = v;
    }
  }
  return j;
}

namespace {

// An integer field: a JSON integer that fits int64_t. nlohmann converts a float (or an unsigned
// beyond int64_t) without a check, and a float out of range is undefined behaviour (found by
// fuzz/history_fuzz.cc).
Result<int64_t> Int64Field(const nlohmann::json& j, const char* key) {
  const auto& v = j.at(key);
  if (v.is_number_unsigned() &&
      v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return InvalidArgument("op field {} is out of range: {}", key, v.dump());
  }
  if (!v.is_number_integer())
    return InvalidArgument("op field {} is not an integer: {}", key, v.dump());
  return v.get<int64_t>();
}

}  // namespace

Result<Op> OpFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return InvalidArgument("op is not a JSON object");
  Op op;
  try {
    JF_ASSIGN_OR_RETURN(op.index, Int64Field(j, "index"));
    JF_ASSIGN_OR_RETURN(op.time, Int64Field(j, "time"));
    JF_ASSIGN_OR_RETURN(op.type, ParseOpType(j.at("type").get<std::string>()));
    const auto& p = j.at("process");
    if (p.is_string()) {
      if (p.get<std::string>() != "nemesis") return InvalidArgument("unknown process {}", p.dump());
      op.process = kNemesisProcess;
    } else {
      JF_ASSIGN_OR_RETURN(op.process, Int64Field(j, "process"));
    }
    op.f = j.at("f").get<std::string>();
    if (j.contains("value")) op.value = j["value"];
    if (j.contains("error") && !j["error"].is_null()) op.error = j["error"].get<std::string>();
    for (const auto& [k, v] : j.items()) {
      if (k != "index" && k != "time" && k != "type" && k != "process" && k != "f" &&
          k != "value" && k != "error") {
        op.ext[k] = v;
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument("malformed op {}: {}", j.dump(), e.what());
  }
  return op;
}

}  // namespace jf
