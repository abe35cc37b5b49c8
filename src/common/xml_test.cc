#include "common/xml.h"

#include <gtest/gtest.h>

namespace jf {
namespace {

TEST(XmlEscapeTest, EscapesMarkupAndBothQuotes) {
  EXPECT_EQ(XmlEscape(R"(<a href="x">Tom's & Jerry's</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; Jerry&#39;s&lt;/a&gt;");
}

TEST(XmlEscapeTest, ReplacesCharactersXmlForbidsAndKeepsUtf8) {
  EXPECT_EQ(XmlEscape("a\x1b[31mb"), "a\xEF\xBF\xBD[31mb");
  EXPECT_EQ(XmlEscape(std::string("x\0y", 3)), "x\xEF\xBF\xBDy");
  EXPECT_EQ(XmlEscape("tab\tnl\ncr\r"), "tab\tnl\ncr\r");
  EXPECT_EQ(XmlEscape("ヽ('ー`)ノ"), "ヽ(&#39;ー`)ノ");
}

}  // namespace
}  // namespace jf
