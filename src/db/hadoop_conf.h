// Hadoop's configuration files as the harness writes them for HdfsDb and YarnDb: a *-site.xml is
// a list of <property> name/value pairs. Pure.
#ifndef JF_DB_HADOOP_CONF_H_
#define JF_DB_HADOOP_CONF_H_

#include <string>
#include <utility>
#include <vector>

namespace jf {

// A *-site.xml with `properties` in order, names and values XML-escaped.
std::string RenderHadoopSiteXml(const std::vector<std::pair<std::string, std::string>>& properties);

}  // namespace jf

#endif  // JF_DB_HADOOP_CONF_H_
