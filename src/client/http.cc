#include "client/http.h"

#include <curl/curl.h>
#include <sys/stat.h>

#include <algorithm>
#include <memory>
#include <mutex>

namespace jf {
namespace http {
namespace {

// curl_global_init is not thread-safe and must run before any other libcurl call; do it once
// for the process. Its result is kept so that every later call can report a failure.
CURLcode GlobalInit() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return code;
}

size_t AppendToString(char* data, size_t size, size_t nmemb, void* user) {
  static_cast<std::string*>(user)->append(data, size * nmemb);
  return size * nmemb;
}

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct MimeDeleter {
  void operator()(curl_mime* m) const { curl_mime_free(m); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;
using MimePtr = std::unique_ptr<curl_mime, MimeDeleter>;

// Adds a header line; returns false if libcurl could not allocate.
bool AddHeader(SlistPtr& list, const char* line) {
  curl_slist* grown = curl_slist_append(list.get(), line);
  if (grown == nullptr) return false;
  list.release();  // NOLINT: ownership moves into `grown`, which heads the same list
  list.reset(grown);
  return true;
}

// A configured easy handle plus what must outlive the transfer.
struct Request {
  EasyPtr easy;
  SlistPtr headers;
  MimePtr mime;
  std::string body;  // the response body is written here (see Perform)
};

Result<Request> NewRequest(const std::string& method, const std::string& url,
                           std::chrono::milliseconds timeout) {
  if (CURLcode c = GlobalInit(); c != CURLE_OK) {
    return Internal("libcurl initialization failed: {}", curl_easy_strerror(c));
  }
  Request r;
  r.easy.reset(curl_easy_init());
  if (!r.easy) return Internal("{} {}: curl_easy_init failed", method, url);
  CURL* h = r.easy.get();
  const long total_ms = std::max<long>(1, static_cast<long>(timeout.count()));
  const long connect_ms = std::min<long>(total_ms, kHttpConnectTimeout.count());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, total_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
  // Signals cannot be used for timeouts in a multi-threaded program.
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &AppendToString);
  // Without this, libcurl waits up to 1 s for a "100 Continue" before sending a large body.
  if (!AddHeader(r.headers, "Expect:") || !AddHeader(r.headers, "Accept: application/json")) {
    return Internal("{} {}: out of memory building headers", method, url);
  }
  return r;
}

Result<HttpResponse> Perform(Request& r, const std::string& method, const std::string& url) {
  CURL* h = r.easy.get();
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, r.headers.get());
  // Set here, not in NewRequest: the Request has been moved since, and so has its body.
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  const CURLcode code = curl_easy_perform(h);
  const std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code);
  switch (code) {
    case CURLE_OK: {
      HttpResponse resp;
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
      resp.body = std::move(r.body);
      return resp;
    }
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return InvalidArgument("{} {}: bad URL: {}", method, url, detail);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
      return Unavailable("{} {}: cannot connect: {}", method, url, detail);
    case CURLE_OPERATION_TIMEDOUT: {
      // libcurl reports a connect timeout with the same code; a zero connect time tells it apart,
      // and matters: then the request was certainly never sent.
      curl_off_t connect_us = 0;
      curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
      if (connect_us == 0) {
        return Unavailable("{} {}: cannot connect: {}", method, url, detail);
      }
      return Timeout("{} {}: no answer in time: {}", method, url, detail);
    }
    case CURLE_READ_ERROR:
      return Internal("{} {}: cannot read the request body: {}", method, url, detail);
    default:
      return Unavailable("{} {}: connection lost: {}", method, url, detail);
  }
}

}  // namespace

Result<HttpResponse> Get(const std::string& url, std::chrono::milliseconds timeout) {
  JF_ASSIGN_OR_RETURN(Request r, NewRequest("GET", url, timeout));
  curl_easy_setopt(r.easy.get(), CURLOPT_HTTPGET, 1L);
  return Perform(r, "GET", url);
}

namespace {

// POST, or another method with a JSON body (PUT).
Result<HttpResponse> SendJson(const char* method, const std::string& url,
                              const std::string& json_body, std::chrono::milliseconds timeout) {
  JF_ASSIGN_OR_RETURN(Request r, NewRequest(method, url, timeout));
  if (!AddHeader(r.headers, "Content-Type: application/json")) {
    return Internal("{} {}: out of memory building headers", method, url);
  }
  CURL* h = r.easy.get();
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  if (std::string(method) != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
  // The body is not copied by libcurl; json_body outlives Perform.
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, json_body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json_body.size()));
  return Perform(r, method, url);
}

}  // namespace

Result<HttpResponse> Post(const std::string& url, const std::string& json_body,
                          std::chrono::milliseconds timeout) {
  return SendJson("POST", url, json_body, timeout);
}

Result<HttpResponse> Put(const std::string& url, const std::string& json_body,
                         std::chrono::milliseconds timeout) {
  return SendJson("PUT", url, json_body, timeout);
}

Result<HttpResponse> PostMultipartFile(const std::string& url, const std::string& field,
                                       const std::string& file_path,
                                       const std::string& content_type,
                                       std::chrono::milliseconds timeout) {
  struct stat st;
  if (::stat(file_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return NotFound("POST {}: no regular file to upload at {}", url, file_path);
  }
  JF_ASSIGN_OR_RETURN(Request r, NewRequest("POST", url, timeout));
  CURL* h = r.easy.get();
  r.mime.reset(curl_mime_init(h));
  curl_mimepart* part = r.mime ? curl_mime_addpart(r.mime.get()) : nullptr;
  if (part == nullptr) return Internal("POST {}: cannot build the multipart body", url);
  // curl_mime_filedata also sets the part's filename to the path's basename.
  if (curl_mime_name(part, field.c_str()) != CURLE_OK ||
      curl_mime_filedata(part, file_path.c_str()) != CURLE_OK ||
      curl_mime_type(part, content_type.c_str()) != CURLE_OK) {
    return Internal("POST {}: cannot build the multipart body for {}", url, file_path);
  }
  curl_easy_setopt(h, CURLOPT_MIMEPOST, r.mime.get());
  return Perform(r, "POST", url);
}

Result<HttpResponse> Patch(const std::string& url, std::chrono::milliseconds timeout) {
  JF_ASSIGN_OR_RETURN(Request r, NewRequest("PATCH", url, timeout));
  curl_easy_setopt(r.easy.get(), CURLOPT_CUSTOMREQUEST, "PATCH");
  return Perform(r, "PATCH", url);
}

}  // namespace http
}  // namespace jf
