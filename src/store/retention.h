// Retention: what a store may hold. Before a run, CheckFreeDisk makes sure the file system under
// the store has room for a run's history, logs and job output (a run that fills the disk half
// way loses its history); after a run, PruneRuns keeps only the newest runs of each test.
//
// Only directories that are ours are ever removed: a run directory is a directory (not a
// symlink) named like a store timestamp (YYYYMMDDTHHMMSS.mmm) that holds a test.json or a
// history.jsonl, one level below a test directory of the store.
//
// Thread-safety: the functions only read and remove files; call them from one thread per store.
#ifndef JF_STORE_RETENTION_H_
#define JF_STORE_RETENTION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace jf {

// Bytes available to us on the file system that `path` is (or would be created) on: the nearest
// existing ancestor is asked. NotFound if no ancestor exists (a relative path is taken from the
// working directory).
Result<uint64_t> FreeBytes(const std::string& path);

// FailedPrecondition ("only 312 MiB free on the file system of store/ (/dev/sda1 ...), 1024 MiB
// needed: free some space, prune old runs (--keep-runs) or lower --min-free-disk-mb") when fewer
// than `min_bytes` are free under `store_dir`. 0 disables the check.
Status CheckFreeDisk(const std::string& store_dir, uint64_t min_bytes);

// Removes the run directories of each test below `store_dir` that are older than its `keep`
// newest (by name, which is the start time), never `keep_dir` (the run just made) and nothing
// that is not a run directory. `keep` 0 keeps everything. Returns the directories removed; an
// error only if one could not be removed (the others are still tried).
Result<std::vector<std::string>> PruneRuns(const std::string& store_dir, int keep,
                                           const std::string& keep_dir = "");

}  // namespace jf

#endif  // JF_STORE_RETENTION_H_
