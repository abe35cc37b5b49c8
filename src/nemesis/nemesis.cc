#include "nemesis/nemesis.h"

namespace jf {

NemesisResult CompositeNemesis::Invoke(const std::string& f, const nlohmann::json& args) {
  for (auto& p : parts_) {
    if (p->Handles(f)) return p->Invoke(f, args);
  }
  NemesisResult r;
  r.error = "no nemesis performs " + f;
  return r;
}

bool CompositeNemesis::Handles(const std::string& f) const {
  for (const auto& p : parts_) {
    if (p->Handles(f)) return true;
  }
  return false;
}

std::vector<NemesisEvent> CompositeNemesis::Observe() {
  std::vector<NemesisEvent> all;
  for (auto& p : parts_) {
    auto e = p->Observe();
    all.insert(all.end(), e.begin(), e.end());
  }
  return all;
}

Status CompositeNemesis::Heal() {
  Status first;
  for (auto& p : parts_) {
    Status s = p->Heal();
    if (first.ok() && !s.ok()) first = s;
  }
  return first;
}

}  // namespace jf
