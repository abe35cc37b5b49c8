#include "net/grudge.h"

#include <fmt/format.h>

namespace jf {

Grudge CompleteGrudge(const Components& components) {
  Grudge g;
  for (size_t i = 0; i < components.size(); ++i) {
    for (const auto& a : components[i]) {
      auto& drops = g[a];
      for (size_t j = 0; j < components.size(); ++j) {
        if (i == j) continue;
        drops.insert(components[j].begin(), components[j].end());
      }
    }
  }
  return g;
}

Components Bisect(const std::vector<std::string>& nodes) {
  size_t half = nodes.size() / 2;
  return {std::vector<std::string>(nodes.begin(), nodes.begin() + half),
          std::vector<std::string>(nodes.begin() + half, nodes.end())};
}

std::vector<std::string> Shuffled(std::vector<std::string> nodes, Rng& rng) {
  // Fisher-Yates with the portable Uniform, so a seed gives the same order everywhere.
  for (size_t i = nodes.size(); i > 1; --i) {
    size_t j = static_cast<size_t>(Uniform(rng, 0, static_cast<double>(i)));
    std::swap(nodes[i - 1], nodes[std::min(j, i - 1)]);
  }
  return nodes;
}

Grudge RandomHalves(const std::vector<std::string>& nodes, Rng& rng) {
  return CompleteGrudge(Bisect(Shuffled(nodes, rng)));
}

Grudge Isolate(const std::vector<std::string>& nodes, const std::string& node) {
  std::vector<std::string> rest;
  for (const auto& n : nodes) {
    if (n != node) rest.push_back(n);
  }
  return CompleteGrudge({{node}, rest});
}

Grudge CutOff(const std::string& node, const std::vector<std::string>& others) {
  Grudge g;
  for (const auto& o : others) {
    if (o == node) continue;
    g[node].insert(o);
    g[o].insert(node);
  }
  return g;
}

Grudge MajoritiesRing(const std::vector<std::string>& nodes, Rng& rng) {
  auto ring = Shuffled(nodes, rng);
  size_t n = ring.size(), m = n / 2 + 1;
  std::set<std::string> all(nodes.begin(), nodes.end());
  Grudge g;
  for (size_t i = 0; i < n; ++i) {
    // The window of m consecutive ring nodes starting at i; its middle node sees exactly it.
    std::set<std::string> window;
    for (size_t k = 0; k < m; ++k) window.insert(ring[(i + k) % n]);
    const std::string& middle = ring[(i + m / 2) % n];
    for (const auto& a : all) {
      if (!window.count(a)) g[middle].insert(a);
    }
    g[middle];  // a node that sees everyone still has an (empty) entry
  }
  return g;
}

Grudge Bridge(const std::vector<std::string>& nodes, Rng& rng) {
  auto order = Shuffled(nodes, rng);
  if (order.size() < 3) return CompleteGrudge(Bisect(order));
  size_t mid = order.size() / 2;
  std::vector<std::string> left(order.begin(), order.begin() + mid);
  std::vector<std::string> right(order.begin() + mid + 1, order.end());
  return CompleteGrudge({left, right});  // the bridge node order[mid] is in neither: it sees all
}

std::set<std::string> Sees(const Grudge& g, const std::vector<std::string>& nodes,
                           const std::string& node) {
  std::set<std::string> sees(nodes.begin(), nodes.end());
  auto it = g.find(node);
  if (it != g.end()) {
    for (const auto& d : it->second) sees.erase(d);
  }
  return sees;
}

std::string DescribeGrudge(const Grudge& g) {
  std::string out;
  for (const auto& [node, drops] : g) {
    if (drops.empty()) continue;
    out += (out.empty() ? "" : "; ") + node + " drops " + fmt::format("{}", fmt::join(drops, ","));
  }
  return out.empty() ? "fully connected" : out;
}

}  // namespace jf
