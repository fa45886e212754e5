// RunPgPipeline: many statements in one round trip and one transaction.
//
// libpq's pipeline mode sends every statement without waiting for an
// answer, then one Sync. With no BEGIN, the server runs the statements up
// to the Sync as one transaction and commits it at the Sync; the first
// statement that fails ends it: the server skips the rest and rolls back
// everything since the previous Sync. So a statement that must stop the
// transaction raises an error (a check, pg_migration_v2.cc) rather than
// answering something the client would have to judge in between.
//
// Statements are prepared once per connection as Query() prepares them
// (before the pipeline starts: preparing waits for an answer).
#ifndef STEADFAST_STORE_POSTGRES_PG_PIPELINE_H_
#define STEADFAST_STORE_POSTGRES_PG_PIPELINE_H_

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "steadfast/status.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_param.h"
#include "store/postgres/pg_result.h"

namespace steadfast {

struct PgStatement {
  const std::string* sql = nullptr;  // outlives the pipeline (the SQL texts are constants)
  std::vector<PgParam> params;
};

struct PgPipelineOutcome {
  // One per statement, in order: its rows, its error, or Aborted for a
  // statement the server skipped after an earlier one failed.
  std::vector<Result<PgResult>> results;
  int failed = -1;  // the index of the statement that failed, -1 if none did
  // The SQLSTATE the server gave that statement's failure; "" when libpq
  // lost the connection without one. A failure the server reported for a
  // statement proves the transaction did not commit (it commits only at
  // the Sync, after every statement succeeded); a connection lost without
  // one leaves that unknown.
  std::string failed_sqlstate;
  // How the transaction ended: Ok = committed (only when failed == -1).
  // Unavailable when the connection broke after the Sync was sent: the
  // commit may or may not have happened.
  Status ended;
};

// Runs statements as one transaction on conn (idle, not in a transaction).
// before_sync runs after every statement was handed to libpq and before
// the Sync that commits (crash points). A non-ok result means nothing ran:
// a statement could not be prepared or sent (Unavailable for a broken
// connection). A connection left in a state it cannot be reused in is
// abandoned (PgConnection::Abandon).
Result<PgPipelineOutcome> RunPgPipeline(PgConnection& conn, std::span<const PgStatement> statements,
                                        const std::function<void()>& before_sync);

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_PIPELINE_H_
