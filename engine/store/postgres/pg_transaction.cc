// BEGIN/COMMIT/ROLLBACK guard.
#include "store/postgres/pg_transaction.h"

#include <fmt/format.h>

namespace steadfast {
namespace {

const char* BeginSql(PgIsolation isolation) {
  switch (isolation) {
    case PgIsolation::kRepeatableRead: return "BEGIN ISOLATION LEVEL REPEATABLE READ";
    case PgIsolation::kSerializable: return "BEGIN ISOLATION LEVEL SERIALIZABLE";
    case PgIsolation::kReadCommitted: break;
  }
  return "BEGIN ISOLATION LEVEL READ COMMITTED";
}

}  // namespace

Result<PgTransaction> PgTransaction::Begin(PgConnection& conn, PgIsolation isolation) {
  if (conn.InTransaction()) {
    return Status::Internal(fmt::format("begin on {}: a transaction is already open", conn.redacted_url()));
  }
  SF_RETURN_IF_ERROR(conn.Exec(BeginSql(isolation)).status());
  return PgTransaction(&conn);
}

PgTransaction::~PgTransaction() { Rollback(); }

Status PgTransaction::Commit() {
  if (conn_ == nullptr) return Status::Internal("commit of a transaction already finished");
  PgConnection* conn = conn_;
  conn_ = nullptr;
  Result<PgResult> res = conn->Exec("COMMIT");
  if (!res.ok()) {
    // A failed COMMIT ends the transaction; make sure of it should the
    // server somehow still be inside one.
    if (conn->healthy() && conn->InTransaction()) (void)conn->Exec("ROLLBACK");
    return res.status();
  }
  if (res->command_tag() != "COMMIT") {
    return Status::Aborted(fmt::format("commit on {}: the transaction had failed and was rolled back ({})",
                                       conn->redacted_url(), res->command_tag()));
  }
  return Status::Ok();
}

void PgTransaction::Rollback() {
  if (conn_ == nullptr) return;
  PgConnection* conn = conn_;
  conn_ = nullptr;
  if (conn->healthy() && conn->InTransaction()) (void)conn->Exec("ROLLBACK");
}

}  // namespace steadfast
