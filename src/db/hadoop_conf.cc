#include "db/hadoop_conf.h"

#include <fmt/format.h>

namespace jf {
namespace {

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string RenderHadoopSiteXml(
    const std::vector<std::pair<std::string, std::string>>& properties) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- Written by jepsen-flink. -->\n"
      "<configuration>\n";
  for (const auto& [k, v] : properties) {
    xml += fmt::format("  <property><name>{}</name><value>{}</value></property>\n", XmlEscape(k),
                       XmlEscape(v));
  }
  return xml + "</configuration>\n";
}

}  // namespace jf
