// JUnit XML for CI systems: one <testcase> per run of `jepsen-flink test` (per --test-count
// iteration) or per matrix entry and iteration of `test-all`, in the shape Jenkins, GitLab and
// GitHub's test reporters read (the Ant JUnit schema: testsuites > testsuite > testcase with
// failure, error, skipped and system-out).
//
// A valid run passes; an invalid one is a <failure> (the checkers found an anomaly); an unknown
// verdict, refused options or a broken run is an <error> (the harness could not tell); runs an
// interruption left out are <skipped>. The message is the verdict line; the body lists the
// result's reasons (MatrixResult::reasons, from the run's results.json: the checkers' anomalies,
// the output checker's counts, the run's error). Pure apart from writing the file; thread-safe.
#ifndef JF_REPORT_JUNIT_H_
#define JF_REPORT_JUNIT_H_

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/matrix.h"

namespace jf {

struct JunitSuite {
  std::string name;                               // e.g. "jepsen-flink test-all"
  std::chrono::system_clock::time_point started;  // the suite's timestamp attribute
  std::vector<MatrixResult> results;              // in the order they ran
  std::vector<std::string> skipped;               // names of planned runs that did not run
  std::string skipped_reason = "not run";         // their <skipped> message
  int iterations = 1;                             // > 1: testcase names end in " #N"
  std::string classname;                          // "" derives it from each name (below)
};

// The document. A testcase's name is the result's name (" #N" with several iterations); its
// classname is suite.classname or else "jepsen-flink." plus the name's part before the first '/'
// (the deployment mode in test-all's names), so reporters group by mode; its time is
// results.json's timings.total_s.
std::string RenderJunitXml(const JunitSuite& suite);

// A --junit FILE that can be written: its directory exists and it is not itself a directory
// (InvalidArgument naming the problem otherwise), checked before a run starts.
Status CheckJunitPath(const std::string& path);

// Writes RenderJunitXml to `path` through a temporary file and a rename, so a reader never sees
// half a file.
Status WriteJunitXml(const std::string& path, const JunitSuite& suite);

}  // namespace jf

#endif  // JF_REPORT_JUNIT_H_
