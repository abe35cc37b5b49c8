// Text made safe for XML and HTML documents (Hadoop's *-site.xml, JUnit XML, report.html).
// Pure functions; thread-safe.
#ifndef JF_COMMON_XML_H_
#define JF_COMMON_XML_H_

#include <string>
#include <string_view>

namespace jf {

// `s` as XML character data or an attribute value (either quote): & < > " ' become entities;
// characters XML 1.0 does not allow (C0 controls other than tab, newline and carriage return,
// e.g. a terminal's ESC in a log line) become U+FFFD. Other bytes, UTF-8 included, are kept.
std::string XmlEscape(std::string_view s);

}  // namespace jf

#endif  // JF_COMMON_XML_H_
