// NameNodeNemesis: the original's NameNode fault. "fail-name-node-start" stops HDFS's NameNode and
// keeps it down (runit does not bring it back); "fail-name-node-stop" starts it again on its
// metadata and waits until it serves; Heal() starts it if it is still down.
//
// Thread-safety: driven by one thread.
#ifndef JF_NEMESIS_NAMENODE_H_
#define JF_NEMESIS_NAMENODE_H_

#include "db/db.h"
#include "db/hdfs.h"
#include "nemesis/nemesis.h"

namespace jf {

class NameNodeNemesis : public Nemesis {
 public:
  // `hdfs` may be null (HDFS not deployed): the ops then fail with the reason.
  NameNodeNemesis(HdfsDb* hdfs, const DeployContext* ctx) : hdfs_(hdfs), ctx_(ctx) {}

  NemesisResult Invoke(const std::string& f, const nlohmann::json& args) override;
  bool Handles(const std::string& f) const override {
    return f == "fail-name-node-start" || f == "fail-name-node-stop";
  }
  std::vector<NemesisEvent> Observe() override { return {}; }
  Status Heal() override;

 private:
  HdfsDb* hdfs_;
  const DeployContext* ctx_;
  bool down_ = false;
};

}  // namespace jf

#endif  // JF_NEMESIS_NAMENODE_H_
