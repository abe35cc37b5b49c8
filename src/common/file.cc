#include "common/file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace jf {

Status WriteFileAtomic(const std::string& path, std::string_view content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc | std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) {
      int err = errno;
      std::remove(tmp.c_str());
      return Internal("cannot write {}: {}", tmp, std::strerror(err));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    return Internal("cannot rename {} to {}: {}", tmp, path, std::strerror(err));
  }
  return Status::Ok();
}

}  // namespace jf
