// A VFS shim that writes a commit's WAL frames with a few large writes
// instead of two per frame.
//
// SQLite appends each WAL frame as two writes (its 24-byte header, then the
// page), so a commit of 8 pages is 16 pwrite calls before its fsync; on a
// virtual machine each costs ~8 us, more than the fsync's share of a lone
// checkpoint (docs/PERFORMANCE.md, "Where the time goes"). This shim wraps a
// base VFS and, for write-ahead-log files only, gathers writes that continue
// one another in a buffer and hands them to the base VFS (in writes of up to
// 64 KiB) when SQLite syncs the WAL, reads it, asks its size, truncates or
// closes it, or the buffer reaches 1 MiB. Every other file and call goes
// straight through.
//
// Safe only when every commit syncs the WAL (synchronous=FULL): SQLite
// publishes a commit to readers (the wal-index) after its sync, so a frame
// a reader may look for has always left the buffer. At NORMAL a commit is
// published without a sync, so the store uses the shim only at FULL. And
// only on a WAL file with power-safe overwrite (the unix VFS's default):
// without it SQLite pads each commit to a sector boundary and writes the
// end of the padding after the sync, published with the commit (the
// simulation's disk promises nothing and found it); there the shim passes
// every write straight through. A
// process that dies loses at most a buffer of a commit that never synced:
// a commit that was not acknowledged and that recovery would drop anyway.
#ifndef STEADFAST_STORE_SQLITE_COALESCING_VFS_H_
#define STEADFAST_STORE_SQLITE_COALESCING_VFS_H_

#include <cstdint>
#include <string>

#include "steadfast/status.h"

namespace steadfast {

// The name of the shim over base_vfs ("" = SQLite's default VFS),
// registering it (not as the default) on first use. Thread-safe.
Result<std::string> CoalescingVfsName(const std::string& base_vfs);

// Counts since the process started, over every shim (tests, PERFORMANCE.md).
struct CoalescingVfsCounts {
  int64_t wal_writes = 0;   // writes SQLite asked for on WAL files
  int64_t base_writes = 0;  // writes handed to the base VFS for them
};
CoalescingVfsCounts CoalescingVfsCountsSoFar();

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_COALESCING_VFS_H_
