// A minimal blocking HTTP/1.1 client over libcurl, for talking to Flink's REST endpoints.
//
// Every call opens its own connection (one CURL easy handle per call, no connection reuse), so
// a request never lands on a socket that a partition or a killed JobManager left half-dead.
// Proxies from the environment are ignored: the harness always talks to cluster nodes directly.
//
// Outcome contract:
//   - any HTTP status (2xx, 404, 503, ...) is a successful call returning HttpResponse; the caller
//     decides what a status means;
//   - no response at all is an error Status naming the URL:
//       kUnavailable: the connection could not be made (refused, unresolvable, connect timeout)
//                     -- the request was certainly not delivered; or the connection broke
//                     mid-request (message says "connection lost"; the request may have been
//                     processed);
//       kTimeout:     connected but no complete answer within the timeout -- the request may
//                     have been processed (indeterminate for a POST);
//       kInvalidArgument / kNotFound: a malformed URL, a missing file to upload.
//
// Thread-safety: every function may be called from any number of threads at once. libcurl's
// global initialization happens once, on the first call, under std::call_once.
#ifndef JF_CLIENT_HTTP_H_
#define JF_CLIENT_HTTP_H_

#include <chrono>
#include <string>

#include "common/status.h"

namespace jf {

struct HttpResponse {
  long status = 0;  // HTTP status code, e.g. 200, 404, 503
  std::string body;
};

// How long to wait for the TCP connect; a cluster node that is down or partitioned away should
// be reported quickly rather than after the whole request timeout.
inline constexpr std::chrono::milliseconds kHttpConnectTimeout{2000};

namespace http {

// `timeout` bounds the whole call (connect + request + response). The connect phase is further
// bounded by kHttpConnectTimeout.
Result<HttpResponse> Get(const std::string& url, std::chrono::milliseconds timeout);

// POSTs `json_body` with Content-Type: application/json.
Result<HttpResponse> Post(const std::string& url, const std::string& json_body,
                          std::chrono::milliseconds timeout);

// PUTs `json_body` with Content-Type: application/json (YARN's PUT /apps/{id}/state).
Result<HttpResponse> Put(const std::string& url, const std::string& json_body,
                         std::chrono::milliseconds timeout);

// POSTs multipart/form-data with a single part: form field `field` holding the file at
// `file_path` (its filename in the part is the path's basename) with `content_type`.
Result<HttpResponse> PostMultipartFile(const std::string& url, const std::string& field,
                                       const std::string& file_path,
                                       const std::string& content_type,
                                       std::chrono::milliseconds timeout);

// Sends a PATCH without a body (Flink's job cancellation: PATCH /jobs/:jobid?mode=cancel).
Result<HttpResponse> Patch(const std::string& url, std::chrono::milliseconds timeout);

}  // namespace http

}  // namespace jf

#endif  // JF_CLIENT_HTTP_H_
