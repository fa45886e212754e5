// RAII guards for a write transaction and for a savepoint inside it.
//
// Both roll back in their destructor unless explicitly finished, so an early
// return on any error path can never leave half a change in place (the
// DuckDB StorageCommitState habit). Commit failures are reported, never
// swallowed: a commit that did not return OK was not acknowledged to anyone.
#ifndef STEADFAST_STORE_SQLITE_TRANSACTION_H_
#define STEADFAST_STORE_SQLITE_TRANSACTION_H_

#include "steadfast/status.h"
#include "store/sqlite/connection.h"

namespace steadfast {

// BEGIN IMMEDIATE ... COMMIT. IMMEDIATE takes the write lock up front, so a
// second process waits (busy timeout) at BEGIN instead of failing halfway
// through with a lock upgrade it cannot get.
class WriteTransaction {
 public:
  // Begins on conn, which must outlive the guard. Busy if another process
  // holds the write lock past the busy timeout.
  static Result<WriteTransaction> Begin(Connection& conn);
  WriteTransaction(WriteTransaction&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  WriteTransaction& operator=(WriteTransaction&&) = delete;
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  ~WriteTransaction();

  // COMMIT. On failure the transaction is rolled back (if SQLite has not
  // already done so) and the error returned.
  Status Commit();
  // ROLLBACK now; a no-op if SQLite already rolled back on its own.
  void Rollback();

 private:
  explicit WriteTransaction(Connection* conn) : conn_(conn) {}
  Connection* conn_;  // null once committed or rolled back
};

// SAVEPOINT sf_request: isolates one request of a batch, so its failure
// undoes only its own writes.
class Savepoint {
 public:
  static Result<Savepoint> Begin(Connection& conn);
  Savepoint(Savepoint&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  Savepoint& operator=(Savepoint&&) = delete;
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  ~Savepoint();

  // Keeps the request's writes (RELEASE).
  Status Release();
  // Undoes the request's writes (ROLLBACK TO + RELEASE). An error means
  // the enclosing transaction can no longer be trusted.
  Status Rollback();

 private:
  explicit Savepoint(Connection* conn) : conn_(conn) {}
  Connection* conn_;  // null once released or rolled back
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_TRANSACTION_H_
