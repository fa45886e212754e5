// Mapping of SQLite result codes to Steadfast Status values.
//
// Every SQLite failure leaves the store as a Status whose code tells the
// caller what to do (retry, free disk, restore a backup) and whose message
// names the database file and SQLite's own explanation. Nothing here throws.
#ifndef STEADFAST_STORE_SQLITE_SQLITE_STATUS_H_
#define STEADFAST_STORE_SQLITE_SQLITE_STATUS_H_

#include <string_view>

#include "steadfast/status.h"

namespace steadfast {

// The Status for a failed SQLite call.
//   rc      the (extended) result code; must not be SQLITE_OK/ROW/DONE
//   what    what the store was doing ("begin transaction", "open")
//   detail  sqlite3_errmsg() text captured with the code (may be empty)
//   path    the database file
// Mapping (docs/store.md): FULL -> ResourceExhausted, BUSY/LOCKED -> Busy,
// CORRUPT/NOTADB -> Corruption, CANTOPEN/PERM/READONLY/AUTH ->
// FailedPrecondition, IOERR -> Unavailable, NOMEM -> ResourceExhausted,
// CONSTRAINT -> Conflict, TOOBIG/RANGE/MISMATCH -> InvalidArgument,
// anything else -> Internal.
Status SqliteStatus(int rc, std::string_view what, std::string_view detail, std::string_view path);

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_SQLITE_STATUS_H_
