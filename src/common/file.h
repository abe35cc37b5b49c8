// Whole-file writes that a concurrent reader never sees half done. Thread-safe for different
// paths.
#ifndef JF_COMMON_FILE_H_
#define JF_COMMON_FILE_H_

#include <string>
#include <string_view>

#include "common/status.h"

namespace jf {

// Writes `content` to `path` through `path`.tmp and a rename, so a reader sees the old file or the
// new one. Internal (naming the file) if it cannot be written; the .tmp file is then removed.
Status WriteFileAtomic(const std::string& path, std::string_view content);

}  // namespace jf

#endif  // JF_COMMON_FILE_H_
