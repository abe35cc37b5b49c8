// libFuzzer target: history.jsonl as `analyze` reads it (ParseHistory, the reader of
// ReadHistory), including torn last lines. An input gives ops or an error, never a crash; every op
// read back serializes (OpToJson) and reads again to the same JSON.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "history/history.h"
#include "history/op.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  auto ops = jf::ParseHistory(in, "fuzz.jsonl");
  if (!ops.ok()) return 0;
  for (const auto& op : *ops) {
    nlohmann::json j = jf::OpToJson(op);
    auto again = jf::OpFromJson(j);
    if (!again.ok() || jf::OpToJson(*again) != j) __builtin_trap();
  }
  return 0;
}
