#include "history/op.h"

namespace jf {

const char* OpTypeName(OpType t) {
  switch (t) {
    case OpType::kInvoke: return "invoke";
    case OpType::kOk: return "ok";
    case OpType::kFail: return "fail";
    case OpType::kInfo: return "info";
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

Result<Op> OpFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return InvalidArgument("op is not a JSON object");
  Op op;
  try {
    op.index = j.at("index").get<int64_t>();
    op.time = j.at("time").get<int64_t>();
    JF_ASSIGN_OR_RETURN(op.type, ParseOpType(j.at("type").get<std::string>()));
    const auto& p = j.at("process");
    if (p.is_string()) {
      if (p.get<std::string>() != "nemesis") return InvalidArgument("unknown process {}", p.dump());
      op.process = kNemesisProcess;
    } else {
      op.process = p.get<int64_t>();
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
