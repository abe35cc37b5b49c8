#include "client/leader.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <zookeeper.h>

#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "client/flink_rest.h"
#include "client/http.h"

namespace jf {
namespace {

// ---- Java serialization (java.io.ObjectStreamConstants) ----
constexpr uint16_t kStreamMagic = 0xACED;
constexpr uint16_t kStreamVersion = 5;
constexpr uint8_t kTcNull = 0x70;
constexpr uint8_t kTcObject = 0x73;
constexpr uint8_t kTcClassDesc = 0x72;
constexpr uint8_t kTcBlockData = 0x77;
constexpr uint8_t kTcBlockDataLong = 0x7A;
constexpr uint8_t kTcEndBlockData = 0x78;
constexpr uint8_t kScSerializable = 0x02;
constexpr uint8_t kScWriteMethod = 0x01;
constexpr uint8_t kScExternalizable = 0x04;

// A bounds-checked big-endian reader over untrusted bytes; every read reports running short.
class ByteReader {
 public:
  explicit ByteReader(const std::string& bytes) : data_(bytes) {}

  bool AtEnd() const { return pos_ >= data_.size(); }
  size_t pos() const { return pos_; }

  bool U8(uint8_t* out) {
    if (data_.size() - pos_ < 1) return false;
    *out = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }
  bool Peek(uint8_t* out) const {
    if (pos_ >= data_.size()) return false;
    *out = static_cast<uint8_t>(data_[pos_]);
    return true;
  }
  bool U16(uint16_t* out) {
    uint64_t v;
    if (!Uint(2, &v)) return false;
    *out = static_cast<uint16_t>(v);
    return true;
  }
  bool U32(uint32_t* out) {
    uint64_t v;
    if (!Uint(4, &v)) return false;
    *out = static_cast<uint32_t>(v);
    return true;
  }
  bool U64(uint64_t* out) { return Uint(8, out); }
  bool Bytes(size_t n, std::string* out) {
    if (data_.size() - pos_ < n) return false;
    out->assign(data_, pos_, n);
    pos_ += n;
    return true;
  }
  bool Skip(size_t n) {
    if (data_.size() - pos_ < n) return false;
    pos_ += n;
    return true;
  }

 private:
  bool Uint(size_t n, uint64_t* out) {
    if (data_.size() - pos_ < n) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
    pos_ += n;
    *out = v;
    return true;
  }

  const std::string& data_;
  size_t pos_ = 0;
};

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Java's "modified UTF-8" (DataOutput.writeUTF): UTF-16 code units, each in 1-3 bytes, NUL as
// C0 80, supplementary characters as two 3-byte surrogates. Returns standard UTF-8, or nullopt
// on a malformed sequence. An unpaired surrogate becomes U+FFFD.
std::optional<std::string> DecodeModifiedUtf8(const std::string& in) {
  std::vector<uint16_t> units;
  for (size_t i = 0; i < in.size();) {
    const auto b0 = static_cast<uint8_t>(in[i]);
    auto cont = [&](size_t k) -> int {
      if (i + k >= in.size()) return -1;
      const auto b = static_cast<uint8_t>(in[i + k]);
      return (b & 0xC0) == 0x80 ? (b & 0x3F) : -1;
    };
    if (b0 < 0x80) {
      units.push_back(b0);
      i += 1;
    } else if ((b0 & 0xE0) == 0xC0) {
      const int c1 = cont(1);
      if (c1 < 0) return std::nullopt;
      units.push_back(static_cast<uint16_t>(((b0 & 0x1F) << 6) | c1));
      i += 2;
    } else if ((b0 & 0xF0) == 0xE0) {
      const int c1 = cont(1), c2 = c1 < 0 ? -1 : cont(2);
      if (c1 < 0 || c2 < 0) return std::nullopt;
      units.push_back(static_cast<uint16_t>(((b0 & 0x0F) << 12) | (c1 << 6) | c2));
      i += 3;
    } else {
      return std::nullopt;
    }
  }
  std::string out;
  for (size_t i = 0; i < units.size(); ++i) {
    const uint16_t u = units[i];
    if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units.size() && units[i + 1] >= 0xDC00 &&
        units[i + 1] <= 0xDFFF) {
      AppendUtf8(0x10000 + ((u - 0xD800) << 10) + (units[i + 1] - 0xDC00), &out);
      ++i;
    } else if (u >= 0xD800 && u <= 0xDFFF) {
      AppendUtf8(0xFFFD, &out);
    } else {
      AppendUtf8(u, &out);
    }
  }
  return out;
}

// Reads a writeUTF-style string (2-byte length, then modified UTF-8).
bool ReadJavaUtf(ByteReader& r, std::string* out) {
  uint16_t len;
  std::string raw;
  if (!r.U16(&len) || !r.Bytes(len, &raw)) return false;
  auto decoded = DecodeModifiedUtf8(raw);
  if (!decoded) return false;
  *out = std::move(*decoded);
  return true;
}

size_t PrimitiveSize(char typecode) {
  switch (typecode) {
    case 'B':
    case 'Z':
      return 1;
    case 'C':
    case 'S':
      return 2;
    case 'I':
    case 'F':
      return 4;
    case 'J':
    case 'D':
      return 8;
    default:
      return 0;  // 'L' / '[' (object fields) or garbage
  }
}

std::string FormatUuid(uint64_t msb, uint64_t lsb) {
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", msb >> 32, (msb >> 16) & 0xFFFF,
                     msb & 0xFFFF, lsb >> 48, lsb & 0xFFFFFFFFFFFFULL);
}

// ---- ZooKeeper C client plumbing ----

void ZkLogToSpdlog(const char* message) {
  std::string_view m = message != nullptr ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == '\r')) m.remove_suffix(1);
  spdlog::debug("zookeeper client: {}", m);
}

// The C client logs to stderr by default, and loudly (every failed connect during a partition).
// Its level is process-wide; messages tied to a handle go to ZkLogToSpdlog instead of stderr.
void QuietZooKeeperLogging() {
  static std::once_flag once;
  std::call_once(once, [] { zoo_set_debug_level(ZOO_LOG_LEVEL_WARN); });
}

void ZkWatcher(zhandle_t* /*zh*/, int type, int state, const char* path, void* /*ctx*/) {
  if (type == ZOO_SESSION_EVENT) {
    spdlog::debug("zookeeper session state {}", state);
  }
}

// Shared between a ZkLeaderLookup::GetData call and the C client's completion thread, which may
// outlive the call (the caller gives up at its deadline); hence reference-counted.
struct GetCall {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  int rc = 0;
  std::string data;
};

void OnGetCompleted(int rc, const char* value, int value_len, const struct Stat* /*stat*/,
                    const void* data) {
  auto* holder = static_cast<std::shared_ptr<GetCall>*>(const_cast<void*>(data));
  std::shared_ptr<GetCall> call = std::move(*holder);
  delete holder;
  {
    std::lock_guard<std::mutex> lock(call->mu);
    call->rc = rc;
    if (rc == ZOK && value != nullptr && value_len > 0) {
      call->data.assign(value, static_cast<size_t>(value_len));
    }
    call->done = true;
  }
  call->cv.notify_all();
}

// Flink's ZooKeeperUtils.generateZookeeperPath: trim '/' from each part, drop empty ones, join.
std::string JoinZkPath(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) {
    while (!p.empty() && p.front() == '/') p.remove_prefix(1);
    while (!p.empty() && p.back() == '/') p.remove_suffix(1);
    if (p.empty()) continue;
    out += '/';
    out += p;
  }
  return out.empty() ? "/" : out;
}

std::string StripTrailingSlashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

Result<LeaderInfo> ParseLeaderInformation(const std::string& bytes) {
  if (bytes.empty()) return Unavailable("no leader information published (empty node)");
  ByteReader r(bytes);
  auto malformed = [&](const char* what) {
    return Internal("malformed leader information ({} at byte {} of {})", what, r.pos(),
                    bytes.size());
  };
  uint16_t magic, version;
  if (!r.U16(&magic) || !r.U16(&version)) return malformed("truncated stream header");
  if (magic != kStreamMagic || version != kStreamVersion) {
    return malformed("not a Java serialization stream");
  }

  // writeUTF output sits in block-data records (one for short addresses; the stream may split
  // longer ones), so gather every leading record first.
  std::string block;
  uint8_t tag;
  while (r.Peek(&tag) && (tag == kTcBlockData || tag == kTcBlockDataLong)) {
    r.Skip(1);
    uint32_t len = 0;
    if (tag == kTcBlockData) {
      uint8_t l8;
      if (!r.U8(&l8)) return malformed("truncated block header");
      len = l8;
    } else if (!r.U32(&len)) {
      return malformed("truncated block header");
    }
    std::string chunk;
    if (!r.Bytes(len, &chunk)) return malformed("truncated block data");
    block += chunk;
  }
  LeaderInfo info;
  {
    ByteReader br(block);
    if (!ReadJavaUtf(br, &info.address)) return malformed("bad or truncated leader address");
  }

  // writeObject(UUID): TC_OBJECT, a class descriptor for java.util.UUID, then the field values.
  if (!r.U8(&tag)) return malformed("truncated before the session id");
  if (tag == kTcNull) return malformed("null session id");
  if (tag != kTcObject) return malformed("session id is not an object");
  if (!r.U8(&tag) || tag != kTcClassDesc) return malformed("expected a class descriptor");
  std::string class_name;
  if (!ReadJavaUtf(r, &class_name)) return malformed("bad class name");
  if (class_name != "java.util.UUID") {
    return Internal("malformed leader information (session id is a {}, not a java.util.UUID)",
                    class_name);
  }
  uint8_t flags;
  uint16_t field_count;
  if (!r.Skip(8) /* serialVersionUID */ || !r.U8(&flags) || !r.U16(&field_count)) {
    return malformed("truncated class descriptor");
  }
  if ((flags & kScSerializable) == 0 || (flags & (kScWriteMethod | kScExternalizable)) != 0) {
    return malformed("unexpected class descriptor flags");
  }
  struct Field {
    char type;
    std::string name;
  };
  std::vector<Field> fields;
  for (uint16_t i = 0; i < field_count; ++i) {
    uint8_t type;
    Field f;
    if (!r.U8(&type) || !ReadJavaUtf(r, &f.name)) return malformed("truncated field descriptor");
    f.type = static_cast<char>(type);
    // java.util.UUID has only the two long fields; an object field would need a full
    // deserializer, so anything else is refused.
    if (PrimitiveSize(f.type) == 0) return malformed("unexpected non-primitive field");
    fields.push_back(std::move(f));
  }
  if (!r.U8(&tag) || tag != kTcEndBlockData) return malformed("unexpected class annotation");
  if (!r.U8(&tag) || tag != kTcNull) return malformed("unexpected superclass descriptor");

  // Field values follow in descriptor order (the stream sorts primitive fields by name, so
  // leastSigBits comes before mostSigBits); match them by name rather than by position.
  std::optional<uint64_t> msb, lsb;
  for (const Field& f : fields) {
    const size_t n = PrimitiveSize(f.type);
    if (f.type == 'J') {
      uint64_t v;
      if (!r.U64(&v)) return malformed("truncated session id");
      if (f.name == "mostSigBits") msb = v;
      if (f.name == "leastSigBits") lsb = v;
    } else if (!r.Skip(n)) {
      return malformed("truncated session id");
    }
  }
  if (!msb || !lsb) return malformed("session id lacks mostSigBits/leastSigBits");
  info.session_id = FormatUuid(*msb, *lsb);
  return info;
}

std::string RestLeaderPath(const std::string& root, const std::string& cluster_id) {
  return JoinZkPath({root, cluster_id, "leader", "rest_server", "connection_info"});
}

// ---- ZkLeaderLookup ----

ZkLeaderLookup::ZkLeaderLookup(std::string quorum, std::chrono::milliseconds session_timeout,
                               std::chrono::milliseconds op_timeout)
    : quorum_(std::move(quorum)), session_timeout_(session_timeout), op_timeout_(op_timeout) {}

ZkLeaderLookup::~ZkLeaderLookup() {
  std::lock_guard<std::mutex> lock(mu_);
  CloseLocked();
}

void ZkLeaderLookup::CloseLocked() {
  if (zh_ != nullptr) {
    // Completions still pending are called with ZCLOSING, which frees their GetCall holders.
    zookeeper_close(zh_);
    zh_ = nullptr;
  }
}

Status ZkLeaderLookup::EnsureConnectedLocked(std::chrono::steady_clock::time_point deadline) {
  QuietZooKeeperLogging();
  if (zh_ != nullptr && is_unrecoverable(zh_) == ZINVALIDSTATE) {
    spdlog::debug("zookeeper session to {} expired; reconnecting", quorum_);
    CloseLocked();
  }
  if (zh_ != nullptr && zoo_state(zh_) != ZOO_CONNECTED_STATE &&
      std::chrono::steady_clock::now() - last_connected_ > session_timeout_) {
    spdlog::debug("zookeeper client for {} disconnected for over {} ms; starting a new session",
                  quorum_, session_timeout_.count());
    CloseLocked();
  }
  if (zh_ == nullptr) {
    if (quorum_.empty()) return InvalidArgument("no ZooKeeper quorum given");
    errno = 0;
    zh_ = zookeeper_init2(quorum_.c_str(), &ZkWatcher, static_cast<int>(session_timeout_.count()),
                          nullptr, nullptr, 0, &ZkLogToSpdlog);
    if (zh_ == nullptr) {
      return Unavailable("cannot create a ZooKeeper client for {}: {}", quorum_,
                         errno != 0 ? std::strerror(errno) : "unknown error");
    }
    last_connected_ = std::chrono::steady_clock::now();
  }
  // The C client connects (and reconnects) on its own thread; poll its state rather than wire a
  // watcher to a condition variable, since lookups are rare and short.
  while (true) {
    const int state = zoo_state(zh_);
    if (state == ZOO_CONNECTED_STATE || state == ZOO_READONLY_STATE) {
      last_connected_ = std::chrono::steady_clock::now();
      return Status::Ok();
    }
    if (state == ZOO_EXPIRED_SESSION_STATE || state == ZOO_AUTH_FAILED_STATE) {
      CloseLocked();  // the next call starts a new session
      return Unavailable("ZooKeeper session to {} {}", quorum_,
                         state == ZOO_AUTH_FAILED_STATE ? "failed authentication" : "expired");
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Unavailable("cannot connect to ZooKeeper at {} within {} ms", quorum_,
                         op_timeout_.count());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Result<std::string> ZkLeaderLookup::GetData(const std::string& path) {
  if (path.empty() || path.front() != '/' || (path.size() > 1 && path.back() == '/')) {
    return InvalidArgument("bad ZooKeeper path \"{}\"", path);
  }
  std::lock_guard<std::mutex> lock(mu_);
  const auto deadline = std::chrono::steady_clock::now() + op_timeout_;
  JF_RETURN_IF_ERROR(EnsureConnectedLocked(deadline));

  auto call = std::make_shared<GetCall>();
  auto* holder = new std::shared_ptr<GetCall>(call);
  const int rc = zoo_aget(zh_, path.c_str(), /*watch=*/0, &OnGetCompleted, holder);
  if (rc != ZOK) {
    // ZBADARGUMENTS and ZINVALIDSTATE are returned before the completion is registered, so the
    // holder is still ours. After other errors it may or may not be registered: leak it (a few
    // bytes, in a case that needs an allocation failure) rather than risk a double free.
    if (rc == ZBADARGUMENTS || rc == ZINVALIDSTATE) delete holder;
    if (rc == ZINVALIDSTATE) CloseLocked();
    return Unavailable("ZooKeeper read of {} at {} failed: {}", path, quorum_, zerror(rc));
  }
  std::unique_lock<std::mutex> call_lock(call->mu);
  if (!call->cv.wait_until(call_lock, deadline, [&] { return call->done; })) {
    return Unavailable("ZooKeeper read of {} at {} got no answer within {} ms", path, quorum_,
                       op_timeout_.count());
  }
  switch (call->rc) {
    case ZOK:
      return std::move(call->data);
    case ZNONODE:
      return Unavailable("ZooKeeper node {} does not exist (at {})", path, quorum_);
    default:
      return Unavailable("ZooKeeper read of {} at {} failed: {}", path, quorum_, zerror(call->rc));
  }
}

Result<LeaderInfo> ZkLeaderLookup::RestLeader(const std::string& root,
                                              const std::string& cluster_id) {
  const std::string path = RestLeaderPath(root, cluster_id);
  JF_ASSIGN_OR_RETURN(std::string data, GetData(path));
  Result<LeaderInfo> info = ParseLeaderInformation(data);
  if (!info.ok()) return info.status().WithContext("ZooKeeper node " + path);
  return info;
}

// ---- LeaderFinder ----

LeaderFinder::LeaderSource LeaderFinder::ZooKeeperSource(std::shared_ptr<ZkLeaderLookup> zk,
                                                         std::string root, std::string cluster_id) {
  return [zk = std::move(zk), root = std::move(root), cluster_id = std::move(cluster_id)]() {
    return zk->RestLeader(root, cluster_id);
  };
}

LeaderFinder::LeaderSource LeaderFinder::MapHosts(LeaderSource source,
                                                 std::map<std::string, std::string> hosts) {
  return [source = std::move(source), hosts = std::move(hosts)]() -> Result<LeaderInfo> {
    JF_ASSIGN_OR_RETURN(LeaderInfo info, source());
    info.address = MapUrlHost(info.address, hosts);
    return info;
  };
}

std::string MapUrlHost(const std::string& url, const std::map<std::string, std::string>& hosts) {
  auto start = url.find("://");
  if (start == std::string::npos) return url;
  start += 3;
  auto end = url.find_first_of(":/", start);
  if (end == std::string::npos) end = url.size();
  auto it = hosts.find(url.substr(start, end - start));
  if (it == hosts.end()) return url;
  return url.substr(0, start) + it->second + url.substr(end);
}

LeaderFinder::LeaderFinder(LeaderSource zookeeper, std::vector<std::string> jm_rest_urls,
                           std::chrono::milliseconds probe_timeout)
    : zookeeper_(std::move(zookeeper)),
      jm_rest_urls_(std::move(jm_rest_urls)),
      probe_timeout_(probe_timeout) {}

Result<LeaderChoice> LeaderFinder::Find() const {
  auto probe = [this](const std::string& url) -> Status {
    const std::string target = url + "/overview";
    JF_ASSIGN_OR_RETURN(HttpResponse resp, http::Get(target, probe_timeout_));
    if (resp.status != 200) {
      Status s = CheckHttpStatus(resp, "GET " + target);
      return s.ok() ? Unavailable("GET {}: HTTP {}", target, resp.status) : s;
    }
    return Status::Ok();
  };

  std::vector<std::string> attempts;
  std::string zookeeper_url;  // already probed; not probed again from the list
  if (zookeeper_) {
    Result<LeaderInfo> leader = zookeeper_();
    if (leader.ok()) {
      const std::string url = StripTrailingSlashes(leader->address);
      zookeeper_url = url;
      Status s = probe(url);
      if (s.ok()) return LeaderChoice{url, "zookeeper", leader->session_id};
      attempts.push_back("zookeeper leader " + url + ": " + s.message());
    } else {
      attempts.push_back("zookeeper: " + leader.status().message());
    }
    spdlog::debug("leader lookup through ZooKeeper failed ({}); trying the JobManagers",
                  attempts.back());
  }
  for (const std::string& raw_url : jm_rest_urls_) {
    const std::string url = StripTrailingSlashes(raw_url);
    if (url == zookeeper_url) continue;
    Status s = probe(url);
    if (s.ok()) return LeaderChoice{url, "fallback", ""};
    attempts.push_back(url + ": " + s.message());
  }
  if (attempts.empty()) return InvalidArgument("no ZooKeeper and no JobManager URL to look at");
  std::string all;
  for (const std::string& a : attempts) {
    if (!all.empty()) all += "; ";
    all += a;
  }
  return Unavailable("no JobManager REST endpoint is serving: {}", all);
}

}  // namespace jf
