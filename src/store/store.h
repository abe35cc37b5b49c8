// Store: one run's directory, store/<test-name>/<YYYYMMDDTHHMMSS.mmm>/, as Jepsen lays it out:
// jepsen.log, history.jsonl, results.json, test.json, what the run asked Flink (configuration,
// version, exceptions), and every node's logs in a folder per node. store/latest and
// store/<test-name>/latest point at the newest run.
//
// Thread-safety: WriteJson/WriteText/CollectLogs may be called from several threads for
// different files or nodes.
#ifndef JF_STORE_STORE_H_
#define JF_STORE_STORE_H_

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "db/db.h"

namespace jf {

// "20261125T101500.123" (local time, milliseconds).
std::string StoreTimestamp(std::chrono::system_clock::time_point t);

class Store {
 public:
  // Creates <base>/<test_name>/<timestamp>/ and points the latest links at it.
  static Result<Store> Create(const std::string& base, const std::string& test_name,
                              std::chrono::system_clock::time_point start);

  const std::string& dir() const { return dir_; }
  const std::string& timestamp() const { return timestamp_; }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  Status WriteJson(const std::string& name, const nlohmann::json& j) const;
  Status WriteText(const std::string& name, const std::string& text) const;

  // Copies each path from the node into <dir>/<node>/<local> (tar over Remote::Exec). Missing
  // paths are skipped with a note; the first real error is returned after trying all.
  Status CollectLogs(const NodeHandle& node, const std::vector<LogPath>& paths) const;

 private:
  Store(std::string dir, std::string ts) : dir_(std::move(dir)), timestamp_(std::move(ts)) {}
  std::string dir_;
  std::string timestamp_;
};

}  // namespace jf

#endif  // JF_STORE_STORE_H_
