// Finding the leading Flink JobManager's REST endpoint.
//
// With ZooKeeper HA, the leading REST server publishes its address in ZooKeeper at
//   /<high-availability.zookeeper.path.root>/<high-availability.cluster-id>/leader/rest_server/connection_info
// (default root "/flink"; standalone clusters default the cluster id to "/default"). Slashes are
// normalized the way Flink's ZooKeeperUtils.generateZookeeperPath does: each part trimmed of
// '/', empty parts dropped, joined with '/'. The node's data is Java serialization: an
// ObjectOutputStream that did writeUTF(address) then writeObject(java.util.UUID session id); the
// address is a REST base URL such as "http://10.77.7.11:8081".
//
// - ParseLeaderInformation decodes those bytes (pure, never crashes on any input).
// - ZkLeaderLookup reads the node with the ZooKeeper C client (libzookeeper-mt).
// - LeaderFinder asks ZooKeeper first and falls back to probing each JobManager's REST URL.
//
// Thread-safety: ParseLeaderInformation and RestLeaderPath are pure. ZkLeaderLookup may be used
// from any number of threads (calls are serialized by an internal mutex). LeaderFinder is
// immutable after construction; Find() is as thread-safe as the ZooKeeper source given to it
// (ZooKeeperSource() below is).
#ifndef JF_CLIENT_LEADER_H_
#define JF_CLIENT_LEADER_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"

typedef struct _zhandle zhandle_t;  // from <zookeeper.h>; kept out of this header

namespace jf {

struct LeaderInfo {
  std::string address;     // as published, e.g. "http://10.77.7.11:8081"
  std::string session_id;  // the leader session UUID, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
};

// Decodes the connection_info node's data. Empty data (Flink writes none while the leadership is
// revoked) is kUnavailable; anything malformed or truncated is kInternal.
Result<LeaderInfo> ParseLeaderInformation(const std::string& bytes);

// "/flink" + "/default" -> "/flink/default/leader/rest_server/connection_info".
std::string RestLeaderPath(const std::string& root, const std::string& cluster_id);

// `url` ("http://n1:8081/x") with its host replaced by hosts[host] if there is one. Pure.
std::string MapUrlHost(const std::string& url, const std::map<std::string, std::string>& hosts);

class ZkLeaderLookup {
 public:
  // `quorum` is a ZooKeeper connect string ("10.77.7.11:2181,10.77.7.12:2181"). Nothing is
  // contacted until the first call. `session_timeout` is the ZooKeeper session timeout asked
  // for; `op_timeout` bounds each call (waiting for a connection plus the read).
  explicit ZkLeaderLookup(std::string quorum,
                          std::chrono::milliseconds session_timeout = std::chrono::seconds(10),
                          std::chrono::milliseconds op_timeout = std::chrono::seconds(5));
  ~ZkLeaderLookup();
  ZkLeaderLookup(const ZkLeaderLookup&) = delete;
  ZkLeaderLookup& operator=(const ZkLeaderLookup&) = delete;

  // Reads and parses RestLeaderPath(root, cluster_id). kUnavailable when ZooKeeper cannot be
  // reached in time, the node does not exist, or it holds no leader (e.g. during an election).
  Result<LeaderInfo> RestLeader(const std::string& root, const std::string& cluster_id);

  // The raw data of the node at `path` (empty if the node has none). kUnavailable when ZooKeeper
  // cannot be reached in time or the node does not exist.
  Result<std::string> GetData(const std::string& path);

 private:
  // Requires mu_. Makes sure there is a handle whose session is usable and waits until it is
  // connected or `deadline` passes. A handle is replaced by a new one when its session expired,
  // or when it has not been connected for longer than the session timeout: by then the server
  // has expired the session anyway, and an old handle can be refused forever by a ZooKeeper
  // whose data was wiped (the client has seen a newer zxid than the server has). Starting over
  // is always safe here: a lookup holds no watches and no ephemeral nodes.
  Status EnsureConnectedLocked(std::chrono::steady_clock::time_point deadline);
  void CloseLocked();

  const std::string quorum_;
  const std::chrono::milliseconds session_timeout_;
  const std::chrono::milliseconds op_timeout_;
  std::mutex mu_;
  zhandle_t* zh_ = nullptr;  // guarded by mu_
  // When zh_ was created or last seen connected; guarded by mu_.
  std::chrono::steady_clock::time_point last_connected_;
};

// Where to send REST requests, and how that was decided.
struct LeaderChoice {
  std::string rest_url;    // base URL without a trailing '/'
  std::string source;      // "zookeeper" or "fallback"
  std::string session_id;  // the leader session id when found through ZooKeeper, else ""
};

class LeaderFinder {
 public:
  // Returns the leader as published (e.g. by ZkLeaderLookup::RestLeader).
  using LeaderSource = std::function<Result<LeaderInfo>()>;

  // A LeaderSource reading the REST leader of (root, cluster_id) through `zk`.
  static LeaderSource ZooKeeperSource(std::shared_ptr<ZkLeaderLookup> zk, std::string root,
                                      std::string cluster_id);

  // `source` with the host of the published address replaced through `hosts` (host -> address),
  // for leaders that publish a host name the harness cannot resolve (a JobManager on YARN
  // publishes its NodeManager's host name, e.g. n1, which only the nodes' /etc/hosts know).
  static LeaderSource MapHosts(LeaderSource source, std::map<std::string, std::string> hosts);

  // `zookeeper` may be empty (no HA, or no quorum known): then only the fallback is used.
  // `jm_rest_urls` are the JobManagers' REST base URLs, tried in order. `probe_timeout` bounds
  // each GET /overview.
  LeaderFinder(LeaderSource zookeeper, std::vector<std::string> jm_rest_urls,
               std::chrono::milliseconds probe_timeout = std::chrono::seconds(3));

  // 1. ZooKeeper: if the published REST URL answers GET /overview with 200, use it
  //    ("zookeeper"). It is probed because a dead leader's ephemeral node outlives it until its
  //    ZooKeeper session times out.
  // 2. Otherwise the first of `jm_rest_urls` answering GET /overview with 200 ("fallback"): with
  //    HA, any JobManager's REST endpoint serves requests (non-leaders forward to the leader).
  // kUnavailable, listing every attempt, when none answers (a 503 during an election counts as
  // not answering).
  Result<LeaderChoice> Find() const;

 private:
  LeaderSource zookeeper_;
  std::vector<std::string> jm_rest_urls_;
  std::chrono::milliseconds probe_timeout_;
};

}  // namespace jf

#endif  // JF_CLIENT_LEADER_H_
