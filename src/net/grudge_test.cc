#include "net/grudge.h"

#include <gtest/gtest.h>

namespace jf {
namespace {

const std::vector<std::string> kFive = {"n1", "n2", "n3", "n4", "n5"};
const std::vector<std::string> kThree = {"n1", "n2", "n3"};

bool Symmetric(const Grudge& g) {
  for (const auto& [a, drops] : g) {
    for (const auto& b : drops) {
      auto it = g.find(b);
      if (it == g.end() || !it->second.count(a)) return false;
    }
  }
  return true;
}

TEST(GrudgeTest, RandomHalvesAreSymmetricDisjointAndCoverEveryone) {
  for (uint64_t seed = 1; seed < 40; ++seed) {
    Rng rng(seed);
    for (const auto& nodes : {kThree, kFive}) {
      auto g = RandomHalves(nodes, rng);
      EXPECT_TRUE(Symmetric(g));
      for (const auto& n : nodes) {
        auto sees = Sees(g, nodes, n);
        EXPECT_TRUE(sees.count(n));
        EXPECT_EQ(sees.size() + g[n].size(), nodes.size());  // sees and drops partition nodes
        EXPECT_FALSE(g[n].count(n));
      }
      // Exactly two components, the smaller has floor(n/2) nodes.
      std::set<std::set<std::string>> comps;
      for (const auto& n : nodes) comps.insert(Sees(g, nodes, n));
      EXPECT_EQ(comps.size(), 2u);
      EXPECT_EQ(std::min(comps.begin()->size(), comps.rbegin()->size()), nodes.size() / 2);
    }
  }
}

TEST(GrudgeTest, SameSeedSamePartition) {
  Rng a(99), b(99);
  EXPECT_EQ(RandomHalves(kFive, a), RandomHalves(kFive, b));
}

TEST(GrudgeTest, IsolateCutsOneNodeFromAllOthers) {
  auto g = Isolate(kFive, "n3");
  EXPECT_TRUE(Symmetric(g));
  EXPECT_EQ(Sees(g, kFive, "n3"), std::set<std::string>{"n3"});
  EXPECT_EQ(Sees(g, kFive, "n1").size(), 4u);
}

TEST(GrudgeTest, CutOffOnlyCutsTheNamedPeers) {
  auto g = CutOff("n3", {"n1", "n2"});
  EXPECT_TRUE(Symmetric(g));
  EXPECT_EQ(Sees(g, kFive, "n3"), (std::set<std::string>{"n3", "n4", "n5"}));
  EXPECT_EQ(Sees(g, kFive, "n4").size(), 5u);
}

TEST(GrudgeTest, MajoritiesRingEveryNodeSeesADifferentMajority) {
  for (uint64_t seed = 1; seed < 40; ++seed) {
    for (const auto& nodes : {kThree, kFive, std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g"}}) {
      Rng rng(seed);
      auto g = MajoritiesRing(nodes, rng);
      std::set<std::set<std::string>> seen;
      for (const auto& n : nodes) {
        auto sees = Sees(g, nodes, n);
        EXPECT_TRUE(sees.count(n));
        EXPECT_EQ(sees.size(), nodes.size() / 2 + 1) << n;
        seen.insert(sees);
      }
      EXPECT_EQ(seen.size(), nodes.size());
    }
  }
}

TEST(GrudgeTest, BridgeNodeSeesBothSidesWhichCannotTalk) {
  for (uint64_t seed = 1; seed < 40; ++seed) {
    Rng rng(seed);
    auto g = Bridge(kFive, rng);
    EXPECT_TRUE(Symmetric(g));
    int bridges = 0;
    for (const auto& n : kFive) {
      if (Sees(g, kFive, n).size() == kFive.size()) {
        ++bridges;
      } else {
        EXPECT_EQ(Sees(g, kFive, n).size(), 3u);  // its side (2) plus the bridge
      }
    }
    EXPECT_EQ(bridges, 1);
  }
}

}  // namespace
}  // namespace jf
