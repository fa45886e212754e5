// Write transaction and savepoint guards on cached BEGIN/COMMIT statements.
#include "store/sqlite/transaction.h"

#include <string>

namespace steadfast {
namespace {

Status RunCached(Connection& conn, const std::string& sql) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(sql));
  return stmt->Run();
}

const std::string kBegin = "BEGIN IMMEDIATE";
const std::string kCommit = "COMMIT";
const std::string kRollback = "ROLLBACK";
const std::string kSavepoint = "SAVEPOINT sf_request";
const std::string kRelease = "RELEASE sf_request";
const std::string kRollbackTo = "ROLLBACK TO sf_request";

}  // namespace

Result<WriteTransaction> WriteTransaction::Begin(Connection& conn) {
  SF_RETURN_IF_ERROR(RunCached(conn, kBegin));
  return WriteTransaction(&conn);
}

WriteTransaction::~WriteTransaction() { Rollback(); }

Status WriteTransaction::Commit() {
  if (conn_ == nullptr) return Status::Internal("commit of a finished transaction");
  Status s = RunCached(*conn_, kCommit);
  if (!s.ok()) {
    // COMMIT can fail and leave the transaction open (e.g. busy); never
    // leave it dangling for the next batch to inherit.
    Rollback();
    return s;
  }
  conn_ = nullptr;
  return s;
}

void WriteTransaction::Rollback() {
  if (conn_ == nullptr) return;
  // After some errors (IOERR, FULL, NOMEM) SQLite has already rolled back;
  // a second ROLLBACK would only fail with "no transaction is active".
  if (conn_->InTransaction()) (void)RunCached(*conn_, kRollback);
  conn_ = nullptr;
}

Result<Savepoint> Savepoint::Begin(Connection& conn) {
  SF_RETURN_IF_ERROR(RunCached(conn, kSavepoint));
  return Savepoint(&conn);
}

Savepoint::~Savepoint() { (void)Rollback(); }

Status Savepoint::Release() {
  if (conn_ == nullptr) return Status::Internal("release of a finished savepoint");
  Connection* conn = conn_;
  conn_ = nullptr;
  return RunCached(*conn, kRelease);
}

Status Savepoint::Rollback() {
  if (conn_ == nullptr) return Status::Ok();
  Connection* conn = conn_;
  conn_ = nullptr;
  if (!conn->InTransaction()) {
    return Status::Internal("the transaction was rolled back by SQLite before the savepoint could be");
  }
  SF_RETURN_IF_ERROR(RunCached(*conn, kRollbackTo));
  return RunCached(*conn, kRelease);
}

}  // namespace steadfast
