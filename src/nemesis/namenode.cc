#include "nemesis/namenode.h"

namespace jf {

NemesisResult NameNodeNemesis::Invoke(const std::string& f, const nlohmann::json& args) {
  NemesisResult r;
  if (!hdfs_) {
    r.error = "no HDFS in this run";
    r.value = {{"no-target", true}};
    return r;
  }
  const std::string node = HdfsDb::NameNodeHost(*ctx_).name;
  if (f == "fail-name-node-start") {
    down_ = true;  // before stopping: a half-done stop is undone by Heal()
    auto before = hdfs_->Processes(HdfsDb::NameNodeHost(*ctx_), "namenode");
    Status s = hdfs_->StopNameNode(*ctx_);
    nlohmann::json pids = nlohmann::json::array();
    if (before.ok()) {
      for (const auto& p : *before) pids.push_back(p.pid);
    }
    r.value = {{"node", node}, {"stopped", pids}, {"how", "runit: held down"}};
    r.hit = s.ok();
    if (!s.ok()) r.error = s.message();
    return r;
  }
  Status s = hdfs_->StartNameNode(*ctx_);
  if (s.ok()) s = hdfs_->AwaitReady(*ctx_);
  down_ = !s.ok();
  r.value = {{"node", node}, {"started", s.ok()}};
  r.hit = s.ok();
  if (!s.ok()) r.error = s.message();
  return r;
}

Status NameNodeNemesis::Heal() {
  if (!hdfs_ || !down_) return Status::Ok();
  Status s = hdfs_->StartNameNode(*ctx_);
  if (s.ok()) down_ = false;
  return s;
}

}  // namespace jf
