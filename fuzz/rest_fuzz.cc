// libFuzzer target: every parser of Flink REST answers (client/flink_rest.h) on the same body: a
// JobManager that answers garbage, half a body or the wrong shape must give an error value,
// never a crash (the first byte picks nothing; every parser sees every input).
#include <cstddef>
#include <cstdint>
#include <string>

#include "client/flink_rest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  (void)jf::ParseJobStatus(body);
  (void)jf::ParseJobsOverview(body);
  (void)jf::ParseClusterOverview(body);
  (void)jf::ParseTaskManagers(body);
  (void)jf::ParseKeyValueList(body);
  (void)jf::ParseJarUploadResponse(body);
  (void)jf::ParseRunJarResponse(body);
  (void)jf::ParseSavepointState(body);
  (void)jf::ParseJsonBody(body);
  if (auto job = jf::ParseJobStatus(body); job.ok()) (void)jf::IsAllRunning(*job);
  return 0;
}
