// StoreServer: a read-only HTTP view of a store directory, like Jepsen's `lein run serve`.
//
//   GET /                 every run (store/<test>/<time>/; also nested stores such as
//                         it-store/<case>/<test>/<time>/), newest first, with its verdict from
//                         results.json "valid?" and links to its files and its report.html; then
//                         the test-all-*.txt/json summaries at the store's root.
//   GET /files/<path>     a directory listing (sorted by name, with sizes) or the file, streamed
//                         from disk in chunks with a Content-Type by extension (text/plain for
//                         logs, jsonl, yaml, ...).
//   HEAD                  the same without a body; every other method is 405.
//
// Nothing outside the store is ever read. A request path is taken raw (before httplib decodes
// it), split at '/', and every segment is percent-decoded exactly once; a segment that is empty
// (a leading or doubled '/'), "." or "..", or that decodes to anything holding '/', '\', '%'
// (double encoding), NUL or another control character is refused (403), as is a backslash
// anywhere. The remaining path is resolved with std::filesystem::canonical (every symlink,
// e.g. `latest`) and must lie inside the canonical store root, compared component by component
// (so /store2 is not inside /store): a symlink pointing out of the store is refused (403). The
// file is then opened by walking the canonical path's components from a descriptor of the
// root with O_NOFOLLOW, so a component replaced by a symlink after the check fails to open
// rather than escaping. Only regular files and directories are served.
//
// Thread-safety: Bind() and the destructor run on the owner's thread; Serve() blocks one thread
// (the requests themselves run on httplib's worker threads and only read the file system);
// Stop(), port() and url() may be called from any thread at any time, but not from a signal
// handler. The free functions are pure or only read the file system; call them from any thread.
#ifndef JF_REPORT_STORE_SERVER_H_
#define JF_REPORT_STORE_SERVER_H_

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace jf {

struct StoreServerOptions {
  std::string store_dir;
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (see StoreServer::port())
};

class StoreServer {
 public:
  // Checks the store directory and binds host:port. Errors: kNotFound (no store directory),
  // kInvalidArgument (not a directory, a bad host), kUnavailable (the port is in use, or the
  // address cannot be bound; the message names host and port).
  static Result<std::unique_ptr<StoreServer>> Bind(const StoreServerOptions& opts);

  // Stops the server; Serve() must have returned (or never been called).
  ~StoreServer();
  StoreServer(const StoreServer&) = delete;
  StoreServer& operator=(const StoreServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:8080/" ([...] around an IPv6 host).
  const std::string& url() const { return url_; }
  // The canonical store root.
  const std::filesystem::path& root() const { return root_; }

  // Serves on the calling thread until Stop(); returns at once if Stop() came first.
  Status Serve();
  // Makes Serve() return after the requests in flight. Idempotent.
  void Stop();

 private:
  struct Http;  // httplib::Server, with a way to close a listener that never served

  StoreServer();
  void Route();

  std::unique_ptr<Http> http_;
  std::filesystem::path root_;
  int root_fd_ = -1;  // O_PATH descriptor of root_, the start of every open
  int port_ = 0;
  std::string url_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> serving_{false};
};

// True if every address `host` names is a loopback address (127.0.0.0/8, ::1, "localhost").
// "", "0.0.0.0" and "::" (every interface) are not.
bool IsLoopbackHost(const std::string& host);

// Maps the still percent-encoded part of a request path after "/files/" (no query) to the
// canonical path it names inside `root` (canonical itself). kInvalidArgument: refused (see the
// file comment; also a symlink resolving outside the store); kNotFound: nothing there.
Result<std::filesystem::path> ResolveStorePath(const std::filesystem::path& root,
                                               std::string_view encoded);

// True if `p` is `root` or below it, compared component by component (both canonical).
bool PathWithin(const std::filesystem::path& root, const std::filesystem::path& p);

// The Content-Type for a file by its name; "" if the extension says nothing (the server then
// looks at the first bytes: text/plain without NUL bytes, else application/octet-stream).
std::string ContentTypeForName(const std::string& name);

enum class RunVerdict { kValid, kInvalid, kUnknown };

struct StoreRun {
  std::string test;  // the run directory's parent, relative to the store ("standalone-x")
  std::string time;  // the run directory's name, "20261125T101500.123"
  std::string rel;   // relative to the store: "<test>/<time>"
  RunVerdict verdict = RunVerdict::kUnknown;
  bool has_report = false;   // report.html
  bool has_results = false;  // results.json
  bool has_log = false;      // jepsen.log
};

// Every run below `root`, newest first (by time, then test name): directories named like a
// store timestamp (YYYYMMDDTHHMMSS[.mmm]) one to four levels down. Symlinks (the latest links)
// are not followed, run directories are not searched further.
std::vector<StoreRun> ListStoreRuns(const std::filesystem::path& root);

// results.json's "valid?": true valid, false invalid, anything else (or no file) unknown.
RunVerdict ReadRunVerdict(const std::filesystem::path& results_json);

}  // namespace jf

#endif  // JF_REPORT_STORE_SERVER_H_
