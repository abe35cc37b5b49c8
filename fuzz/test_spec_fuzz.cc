// libFuzzer target: a test spec (TOML) from the first byte to the last, through ParseTestSpec and
// ApplyTestSpec onto default options, as `test --test-spec FILE` takes it. Every input must give
// a value or an InvalidArgument (exit 254), never another error, a crash, a hang or a sanitizer
// report.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/test_options.h"
#include "core/test_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto spec = jf::ParseTestSpec(text, "fuzz.toml");
  if (!spec.ok()) {
    if (spec.status().code() != jf::StatusCode::kInvalidArgument) __builtin_trap();
    return 0;
  }
  jf::TestOptions opts;
  jf::Status applied = jf::ApplyTestSpec(*spec, opts);
  if (!applied.ok() && applied.code() != jf::StatusCode::kInvalidArgument) __builtin_trap();
  return 0;
}
