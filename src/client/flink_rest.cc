#include "client/flink_rest.h"

#include <cctype>
#include <string_view>
#include <utility>

namespace jf {
namespace {

using nlohmann::json;

constexpr size_t kMaxErrorChars = 400;

std::string Truncate(std::string s, size_t n) {
  if (s.size() > n) {
    s.resize(n);
    s += "...";
  }
  return s;
}

// The last "Caused by: " line of a Java stack trace, without that prefix; "" if none.
std::string RootCause(const std::string& trace) {
  constexpr std::string_view kCausedBy = "Caused by: ";
  auto at = trace.rfind(kCausedBy);
  if (at == std::string::npos || (at > 0 && trace[at - 1] != '\n')) return "";
  std::string line = trace.substr(at + kCausedBy.size());
  return line.substr(0, line.find('\n'));
}

// Flink's error bodies are {"errors": ["message", "<stack trace>", ...]}. Returns the first
// line of the first error, followed by the root cause of the stack trace when there is one
// (a bare "Internal server error." says nothing of a jar Flink could not open), or a prefix of
// the raw body when it is not of that shape.
std::string FlinkErrorText(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    auto it = j.find("errors");
    if (it != j.end() && it->is_array() && !it->empty() && (*it)[0].is_string()) {
      std::string first = (*it)[0].get<std::string>();
      // The first entry is sometimes a whole stack trace; its first line says what happened.
      std::string line = first.substr(0, first.find('\n'));
      std::string cause = RootCause(first);
      if (cause.empty() && it->size() > 1 && (*it)[1].is_string()) {
        cause = RootCause((*it)[1].get<std::string>());
      }
      if (!cause.empty() && cause != line) line += " (caused by: " + cause + ")";
      return Truncate(line, kMaxErrorChars);
    }
  }
  return Truncate(body, kMaxErrorChars);
}

// Percent-encodes one path segment so an id can never alter the URL's structure.
std::string EncodeSegment(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

Result<json> ParseObjectOrArray(const std::string& body, const char* what) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Internal("{}: the answer is not JSON: {}", what, Truncate(body, 200));
  }
  if (!j.is_object() && !j.is_array()) {
    return Internal("{}: expected a JSON object or array, got: {}", what, Truncate(body, 200));
  }
  return j;
}

// Field access that never throws: returns a Status on a missing or mistyped required field.
Status RequireString(const json& obj, const char* key, std::string* out, const char* what) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) {
    return Internal("{}: missing or non-string field \"{}\"", what, key);
  }
  *out = it->get<std::string>();
  return Status::Ok();
}

Status RequireInt(const json& obj, const char* key, int* out, const char* what) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number_integer()) {
    return Internal("{}: missing or non-integer field \"{}\"", what, key);
  }
  *out = it->get<int>();
  return Status::Ok();
}

std::string OptString(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int OptInt(const json& obj, const char* key, int dflt = 0) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_number_integer() ? it->get<int>() : dflt;
}

int64_t OptInt64(const json& obj, const char* key, int64_t dflt) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_number_integer() ? it->get<int64_t>() : dflt;
}

// Runs `f` and turns any nlohmann::json exception into kInternal. The typed accessors above do
// not throw, but this keeps a parser bug from ever escaping as an exception.
template <typename T, typename F>
Result<T> Guarded(const char* what, F&& f) {
  try {
    return f();
  } catch (const json::exception& e) {
    return Internal("{}: unexpected JSON: {}", what, e.what());
  }
}

// Adds the request's URL to a parse error so that a bad answer can be traced to its endpoint.
template <typename T>
Result<T> WithUrl(Result<T> r, const std::string& url) {
  if (r.ok()) return r;
  return r.status().WithContext(url);
}

}  // namespace

int VertexStatus::RunningTasks() const {
  auto it = tasks.find("RUNNING");
  return it == tasks.end() ? 0 : it->second;
}

bool IsAllRunning(const JobStatus& job) {
  if (job.state != "RUNNING" || job.vertices.empty()) return false;
  for (const VertexStatus& v : job.vertices) {
    if (v.parallelism <= 0 || v.RunningTasks() != v.parallelism) return false;
  }
  return true;
}

Result<JobStatus> ParseJobStatus(const std::string& body) {
  constexpr const char* kWhat = "job details";
  JF_ASSIGN_OR_RETURN(json j, ParseObjectOrArray(body, kWhat));
  return Guarded<JobStatus>(kWhat, [&]() -> Result<JobStatus> {
    if (!j.is_object()) return Internal("{}: expected a JSON object", kWhat);
    JobStatus job;
    JF_RETURN_IF_ERROR(RequireString(j, "state", &job.state, kWhat));
    job.jid = OptString(j, "jid");
    job.name = OptString(j, "name");
    auto vit = j.find("vertices");
    if (vit != j.end()) {
      if (!vit->is_array()) return Internal("{}: \"vertices\" is not an array", kWhat);
      for (const json& vj : *vit) {
        if (!vj.is_object()) return Internal("{}: a vertex is not an object", kWhat);
        VertexStatus v;
        v.id = OptString(vj, "id");
        v.name = OptString(vj, "name");
        v.status = OptString(vj, "status");
        JF_RETURN_IF_ERROR(RequireInt(vj, "parallelism", &v.parallelism, kWhat));
        auto tit = vj.find("tasks");
        if (tit != vj.end() && tit->is_object()) {
          for (auto it = tit->begin(); it != tit->end(); ++it) {
            if (it.value().is_number_integer()) v.tasks[it.key()] = it.value().get<int>();
          }
        }
        job.vertices.push_back(std::move(v));
      }
    }
    job.all_tasks_running = IsAllRunning(job);
    job.raw = std::move(j);
    return job;
  });
}

Result<std::vector<JobSummary>> ParseJobsOverview(const std::string& body) {
  constexpr const char* kWhat = "jobs overview";
  JF_ASSIGN_OR_RETURN(json j, ParseObjectOrArray(body, kWhat));
  return Guarded<std::vector<JobSummary>>(kWhat, [&]() -> Result<std::vector<JobSummary>> {
    if (!j.is_object()) return Internal("{}: expected a JSON object", kWhat);
    auto it = j.find("jobs");
    if (it == j.end() || !it->is_array()) return Internal("{}: missing \"jobs\" array", kWhat);
    std::vector<JobSummary> jobs;
    for (const json& row : *it) {
      if (!row.is_object()) return Internal("{}: a row is not an object", kWhat);
      JobSummary s;
      JF_RETURN_IF_ERROR(RequireString(row, "jid", &s.jid, kWhat));
      JF_RETURN_IF_ERROR(RequireString(row, "state", &s.state, kWhat));
      s.name = OptString(row, "name");
      s.start_time_ms = OptInt64(row, "start-time", -1);
      jobs.push_back(std::move(s));
    }
    return jobs;
  });
}

Result<ClusterOverview> ParseClusterOverview(const std::string& body) {
  constexpr const char* kWhat = "cluster overview";
  JF_ASSIGN_OR_RETURN(json j, ParseObjectOrArray(body, kWhat));
  return Guarded<ClusterOverview>(kWhat, [&]() -> Result<ClusterOverview> {
    if (!j.is_object()) return Internal("{}: expected a JSON object", kWhat);
    ClusterOverview o;
    JF_RETURN_IF_ERROR(RequireInt(j, "taskmanagers", &o.taskmanagers, kWhat));
    o.slots_total = OptInt(j, "slots-total");
    o.slots_available = OptInt(j, "slots-available");
    o.jobs_running = OptInt(j, "jobs-running");
    o.flink_version = OptString(j, "flink-version");
    o.flink_commit = OptString(j, "flink-commit");
    o.raw = std::move(j);
    return o;
  });
}

Result<std::vector<TaskManagerInfo>> ParseTaskManagers(const std::string& body) {
  constexpr const char* kWhat = "task managers";
  JF_ASSIGN_OR_RETURN(json j, ParseObjectOrArray(body, kWhat));
  return Guarded<std::vector<TaskManagerInfo>>(
      kWhat, [&]() -> Result<std::vector<TaskManagerInfo>> {
        if (!j.is_object()) return Internal("{}: expected a JSON object", kWhat);
        auto it = j.find("taskmanagers");
        if (it == j.end() || !it->is_array()) {
          return Internal("{}: missing \"taskmanagers\" array", kWhat);
        }
        std::vector<TaskManagerInfo> tms;
        for (const json& row : *it) {
          if (!row.is_object()) return Internal("{}: a row is not an object", kWhat);
          TaskManagerInfo tm;
          JF_RETURN_IF_ERROR(RequireString(row, "id", &tm.id, kWhat));
          tm.path = OptString(row, "path");
          tm.slots_number = OptInt(row, "slotsNumber");
          tm.free_slots = OptInt(row, "freeSlots");
          tm.raw = row;
          tms.push_back(std::move(tm));
        }
        return tms;
      });
}

Result<std::map<std::string, std::string>> ParseKeyValueList(const std::string& body) {
  constexpr const char* kWhat = "configuration";
  JF_ASSIGN_OR_RETURN(json j, ParseObjectOrArray(body, kWhat));
  using Map = std::map<std::string, std::string>;
  return Guarded<Map>(kWhat, [&]() -> Result<Map> {
    if (!j.is_array()) return Internal("{}: expected a JSON array", kWhat);
    Map out;
    for (const json& row : j) {
      if (!row.is_object()) return Internal("{}: an entry is not an object", kWhat);
      std::string key;
      JF_RETURN_IF_ERROR(RequireString(row, "key", &key, kWhat));
      auto vit = row.find("value");
      if (vit == row.end() || vit->is_null()) {
        out[key] = "";
      } else if (vit->is_string()) {
        out[key] = vit->get<std::string>();
      } else {
        out[key] = vit->dump();  // be lenient: a number or boolean as its JSON text
      }
    }
    return out;
  });
}

Result<std::string> ParseJarUploadResponse(const std::string& body) {
  constexpr const char* kWhat = "jar upload";
  JF_ASSIGN_OR_RETURN(json j, ParseObjectOrArray(body, kWhat));
  return Guarded<std::string>(kWhat, [&]() -> Result<std::string> {
    if (!j.is_object()) return Internal("{}: expected a JSON object", kWhat);
    std::string status = OptString(j, "status");
    if (status != "success") {
      return Internal("{}: status is \"{}\", not \"success\": {}", kWhat, status,
                      Truncate(body, 200));
    }
    std::string filename;
    JF_RETURN_IF_ERROR(RequireString(j, "filename", &filename, kWhat));
    std::string id = filename.substr(filename.find_last_of('/') + 1);
    if (id.empty()) return Internal("{}: no jar id in filename \"{}\"", kWhat, filename);
    return id;
  });
}

Result<std::string> ParseRunJarResponse(const std::string& body) {
  constexpr const char* kWhat = "jar run";
  JF_ASSIGN_OR_RETURN(json j, ParseObjectOrArray(body, kWhat));
  return Guarded<std::string>(kWhat, [&]() -> Result<std::string> {
    if (!j.is_object()) return Internal("{}: expected a JSON object", kWhat);
    std::string id;
    JF_RETURN_IF_ERROR(RequireString(j, "jobid", &id, kWhat));
    if (id.empty()) return Internal("{}: empty job id", kWhat);
    return id;
  });
}

Result<json> ParseJsonBody(const std::string& body) { return ParseObjectOrArray(body, "response"); }

std::string BuildRunJarBody(const std::string& entry_class, const std::vector<std::string>& args,
                            std::optional<int> parallelism) {
  json j = json::object();
  if (!entry_class.empty()) j["entryClass"] = entry_class;  // else the jar's manifest names it
  j["programArgsList"] = args;
  if (parallelism.has_value()) j["parallelism"] = *parallelism;
  // Invalid UTF-8 in an argument is replaced rather than thrown on.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Status CheckHttpStatus(const HttpResponse& resp, const std::string& what) {
  const long s = resp.status;
  if (s >= 200 && s < 300) return Status::Ok();
  const std::string err = FlinkErrorText(resp.body);
  if (s == 404) return NotFound("{}: HTTP 404: {}", what, err);
  if (s == 503) {
    return Unavailable("{}: HTTP 503 (leader election in progress?): {}", what, err);
  }
  if (s == 502 || s == 504) return Unavailable("{}: HTTP {}: {}", what, s, err);
  if (s >= 400 && s < 500) return InvalidArgument("{}: HTTP {}: {}", what, s, err);
  return Internal("{}: HTTP {}: {}", what, s, err);
}

FlinkRest::FlinkRest(std::string base_url, std::chrono::milliseconds timeout,
                     std::chrono::milliseconds upload_timeout)
    : base_url_(std::move(base_url)), timeout_(timeout), upload_timeout_(upload_timeout) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

Result<HttpResponse> FlinkRest::GetChecked(const std::string& path) const {
  const std::string url = base_url_ + path;
  JF_ASSIGN_OR_RETURN(HttpResponse resp, http::Get(url, timeout_));
  JF_RETURN_IF_ERROR(CheckHttpStatus(resp, "GET " + url));
  return resp;
}

Result<JobStatus> FlinkRest::GetJob(const std::string& job_id) const {
  const std::string path = "/jobs/" + EncodeSegment(job_id);
  JF_ASSIGN_OR_RETURN(HttpResponse resp, GetChecked(path));
  return WithUrl(ParseJobStatus(resp.body), base_url_ + path);
}

Result<std::vector<JobSummary>> FlinkRest::ListJobs() const {
  JF_ASSIGN_OR_RETURN(HttpResponse resp, GetChecked("/jobs/overview"));
  return WithUrl(ParseJobsOverview(resp.body), base_url_ + "/jobs/overview");
}

Result<ClusterOverview> FlinkRest::Overview() const {
  JF_ASSIGN_OR_RETURN(HttpResponse resp, GetChecked("/overview"));
  return WithUrl(ParseClusterOverview(resp.body), base_url_ + "/overview");
}

Result<nlohmann::json> FlinkRest::Config() const {
  JF_ASSIGN_OR_RETURN(HttpResponse resp, GetChecked("/config"));
  return WithUrl(ParseJsonBody(resp.body), base_url_ + "/config");
}

Result<std::map<std::string, std::string>> FlinkRest::JobManagerConfig() const {
  JF_ASSIGN_OR_RETURN(HttpResponse resp, GetChecked("/jobmanager/config"));
  return WithUrl(ParseKeyValueList(resp.body), base_url_ + "/jobmanager/config");
}

Result<std::vector<TaskManagerInfo>> FlinkRest::TaskManagers() const {
  JF_ASSIGN_OR_RETURN(HttpResponse resp, GetChecked("/taskmanagers"));
  return WithUrl(ParseTaskManagers(resp.body), base_url_ + "/taskmanagers");
}

Result<nlohmann::json> FlinkRest::JobExceptions(const std::string& job_id) const {
  const std::string path = "/jobs/" + EncodeSegment(job_id) + "/exceptions";
  JF_ASSIGN_OR_RETURN(HttpResponse resp, GetChecked(path));
  return WithUrl(ParseJsonBody(resp.body), base_url_ + path);
}

Result<nlohmann::json> FlinkRest::JobCheckpoints(const std::string& job_id) const {
  const std::string path = "/jobs/" + EncodeSegment(job_id) + "/checkpoints";
  JF_ASSIGN_OR_RETURN(HttpResponse resp, GetChecked(path));
  return WithUrl(ParseJsonBody(resp.body), base_url_ + path);
}

Result<nlohmann::json> FlinkRest::JobCheckpointConfig(const std::string& job_id) const {
  const std::string path = "/jobs/" + EncodeSegment(job_id) + "/checkpoints/config";
  JF_ASSIGN_OR_RETURN(HttpResponse resp, GetChecked(path));
  return WithUrl(ParseJsonBody(resp.body), base_url_ + path);
}

Result<std::string> FlinkRest::UploadJar(const std::string& jar_path) const {
  const std::string url = base_url_ + "/jars/upload";
  JF_ASSIGN_OR_RETURN(HttpResponse resp,
                      http::PostMultipartFile(url, "jarfile", jar_path,
                                              "application/x-java-archive", upload_timeout_));
  JF_RETURN_IF_ERROR(CheckHttpStatus(resp, "POST " + url));
  return WithUrl(ParseJarUploadResponse(resp.body), url);
}

Result<std::string> FlinkRest::RunJar(const std::string& jar_id, const std::string& entry_class,
                                      const std::vector<std::string>& args,
                                      std::optional<int> parallelism) const {
  if (jar_id.empty()) return InvalidArgument("RunJar: empty jar id");
  const std::string url = base_url_ + "/jars/" + EncodeSegment(jar_id) + "/run";
  // Running a jar executes its main() on the JobManager, which can take longer than a plain GET.
  JF_ASSIGN_OR_RETURN(
      HttpResponse resp,
      http::Post(url, BuildRunJarBody(entry_class, args, parallelism), upload_timeout_));
  JF_RETURN_IF_ERROR(CheckHttpStatus(resp, "POST " + url));
  return WithUrl(ParseRunJarResponse(resp.body), url);
}

Result<SavepointState> ParseSavepointState(const std::string& body) {
  constexpr const char* kWhat = "savepoint status";
  JF_ASSIGN_OR_RETURN(json j, ParseObjectOrArray(body, kWhat));
  return Guarded<SavepointState>(kWhat, [&]() -> Result<SavepointState> {
    if (!j.is_object() || !j.contains("status") || !j["status"].is_object()) {
      return Internal("{}: no status object", kWhat);
    }
    SavepointState st;
    st.completed = j["status"].value("id", "") == "COMPLETED";
    if (!st.completed) return st;
    const json op = j.value("operation", json::object());
    if (op.contains("location") && op["location"].is_string()) {
      st.location = op["location"].get<std::string>();
    }
    if (op.contains("failure-cause") && op["failure-cause"].is_object()) {
      std::string cause = op["failure-cause"].value("class", "");
      std::string trace = op["failure-cause"].value("stack-trace", "");
      std::string first = trace.substr(0, trace.find('\n'));
      st.failure = first.empty() ? (cause.empty() ? "failed" : cause) : first;
    }
    if (st.location.empty() && st.failure.empty()) st.failure = "completed without a location";
    return st;
  });
}

Result<std::string> FlinkRest::StopWithSavepoint(const std::string& job_id, bool drain) const {
  const std::string url = base_url_ + "/jobs/" + EncodeSegment(job_id) + "/stop";
  JF_ASSIGN_OR_RETURN(HttpResponse resp,
                      http::Post(url, json{{"drain", drain}}.dump(), timeout_));
  JF_RETURN_IF_ERROR(CheckHttpStatus(resp, "POST " + url));
  JF_ASSIGN_OR_RETURN(json j, WithUrl(ParseJsonBody(resp.body), url));
  if (!j.is_object() || !j.contains("request-id") || !j["request-id"].is_string()) {
    return Internal("POST {}: no request-id in the answer", url);
  }
  return j["request-id"].get<std::string>();
}

Result<SavepointState> FlinkRest::GetSavepointState(const std::string& job_id,
                                                    const std::string& trigger_id) const {
  const std::string path =
      "/jobs/" + EncodeSegment(job_id) + "/savepoints/" + EncodeSegment(trigger_id);
  JF_ASSIGN_OR_RETURN(HttpResponse resp, GetChecked(path));
  return WithUrl(ParseSavepointState(resp.body), base_url_ + path);
}

Status FlinkRest::CancelJob(const std::string& job_id) const {
  const std::string url = base_url_ + "/jobs/" + EncodeSegment(job_id) + "?mode=cancel";
  JF_ASSIGN_OR_RETURN(HttpResponse resp, http::Patch(url, timeout_));
  return CheckHttpStatus(resp, "PATCH " + url);
}

}  // namespace jf
