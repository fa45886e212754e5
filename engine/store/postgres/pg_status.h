// Mapping of PostgreSQL errors (SQLSTATE) to Steadfast Status values.
//
// As with SQLite (store/sqlite/sqlite_status.h), the code tells the caller
// what to do and the message is for the operator's log: what the store was
// doing, the server's own message, and the database with its password
// redacted. Mapping (docs/store.md, "PostgreSQL"):
//   40001 serialization_failure, 40P01 deadlock_detected -> Busy: the
//       transaction was rolled back because of a concurrent one; run it
//       again (the runtime already retries Busy as transient,
//       runtime/transition_commit.cc). Not Conflict: the store's Conflict
//       means "your precondition failed", which a retry does not fix.
//   class 08 (connection exception), 57P01 admin_shutdown, 57P02
//       crash_shutdown, 57P03 cannot_connect_now, or no SQLSTATE on a
//       connection libpq reports bad -> Unavailable (reconnect, retry).
//   23505 unique_violation -> AlreadyExists.
//   57014 query_canceled (statement_timeout) -> DeadlineExceeded.
//   class 53 (insufficient resources: disk full, out of memory, too many
//       connections) -> ResourceExhausted.
//   class SF (the engine's own, raised by the checkpoint functions of
//       schema version 2 when a precondition fails: pg_migration_v2.cc)
//       -> SF404 NotFound, SF409 Conflict, SF410 LeaseLost, SF412 and
//       SF303 AlreadyExists, with the function's message alone (it is the
//       message the interactive commit gives).
//   anything else -> Internal with the server's message.
#ifndef STEADFAST_STORE_POSTGRES_PG_STATUS_H_
#define STEADFAST_STORE_POSTGRES_PG_STATUS_H_

#include <string_view>

#include "steadfast/status.h"

namespace steadfast {

// The Status for a failed statement.
//   sqlstate        the five-character SQLSTATE, or "" when libpq gave none
//                   (the connection broke before the server answered)
//   connection_bad  PQstatus() was CONNECTION_BAD after the failure
//   what            what the store was doing ("begin", "insert task", ...)
//   detail          the server's (or libpq's) message
//   database        the connection string, already redacted
Status PgStatus(std::string_view sqlstate, bool connection_bad, std::string_view what, std::string_view detail,
                std::string_view database);

// True for the engine's own precondition SQLSTATEs (class SF).
bool IsPgPreconditionSqlState(std::string_view sqlstate);
// True for the Status codes PgStatus gives a failed precondition (class SF,
// and AlreadyExists for a unique violation): a write's own answer, not
// trouble of the connection or the server.
bool IsPgPreconditionStatus(const Status& status);
// True for the SQLSTATEs above that mean "run the transaction again".
bool IsPgRetryableSqlState(std::string_view sqlstate);
// True for the SQLSTATEs above that mean "the connection is gone".
bool IsPgConnectionSqlState(std::string_view sqlstate);

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_STATUS_H_
