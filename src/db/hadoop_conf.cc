#include "db/hadoop_conf.h"

#include <fmt/format.h>

#include "common/xml.h"

namespace jf {

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
