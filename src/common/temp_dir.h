// TempDir: a private directory for one unit test, removed with everything in it when the object
// goes. For tests only (the harness's own temporary files have owners of their own).
//
// Thread-safety: path() may be read from any thread; construction and destruction are not
// concurrent with use.
#ifndef JF_COMMON_TEMP_DIR_H_
#define JF_COMMON_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace jf {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "jf-test") {
    std::string templ = (std::filesystem::temp_directory_path() / (prefix + ".XXXXXX")).string();
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace jf

#endif  // JF_COMMON_TEMP_DIR_H_
