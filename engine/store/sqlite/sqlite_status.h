// Mapping of SQLite result codes to Steadfast Status values.
//
// Every SQLite failure leaves the store as a Status whose code tells the
// caller what to do (retry, free disk, restore a backup) and whose message
// names the database file and SQLite's own explanation, for the operator's
// log. A failure of the store is never the fault of whoever asked for the
// read or write, so once the store is open SQLite errors map only to the
// server-side codes (Busy, ResourceExhausted, Unavailable, Corruption,
// Internal): the HTTP API answers those with a stable code and a plain
// message, and a path or a piece of SQL cannot reach a client through a code
// that passes its message on (InvalidArgument, Conflict, FailedPrecondition).
// Nothing here throws.
#ifndef STEADFAST_STORE_SQLITE_SQLITE_STATUS_H_
#define STEADFAST_STORE_SQLITE_SQLITE_STATUS_H_

#include <string_view>

#include "steadfast/status.h"

namespace steadfast {

// The Status for a failed SQLite call on an open store.
//   rc      the (extended) result code; must not be SQLITE_OK/ROW/DONE
//   what    what the store was doing ("begin transaction", "insert ...")
//   detail  sqlite3_errmsg() text captured with the code (may be empty)
//   path    the database file
// Mapping (docs/store.md): FULL, NOMEM -> ResourceExhausted; BUSY/LOCKED ->
// Busy; CORRUPT/NOTADB -> Corruption; IOERR, CANTOPEN/PERM/READONLY/AUTH ->
// Unavailable; anything else (CONSTRAINT, TOOBIG, RANGE, MISMATCH, ...) ->
// Internal.
Status SqliteStatus(int rc, std::string_view what, std::string_view detail, std::string_view path);

// The same for opening the file, where the operator is the caller: a file
// that cannot be opened or written (CANTOPEN/PERM/READONLY/AUTH) is
// FailedPrecondition, to be fixed before starting.
Status SqliteOpenStatus(int rc, std::string_view detail, std::string_view path);

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_SQLITE_STATUS_H_
