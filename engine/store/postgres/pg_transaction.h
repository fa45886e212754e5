// PgTransaction: BEGIN ... COMMIT on a PgConnection, rolled back unless
// committed.
//
// As SQLite's WriteTransaction (store/sqlite/transaction.h): the destructor
// rolls back, so an early return can never leave a transaction open on a
// connection that goes back to a pool; a COMMIT that did not commit is an
// error, never silence. PostgreSQL answers COMMIT of a transaction that
// already failed with "ROLLBACK" and no error: that is reported as Aborted.
#ifndef STEADFAST_STORE_POSTGRES_PG_TRANSACTION_H_
#define STEADFAST_STORE_POSTGRES_PG_TRANSACTION_H_

#include "steadfast/status.h"
#include "store/postgres/pg_connection.h"

namespace steadfast {

enum class PgIsolation { kReadCommitted, kRepeatableRead, kSerializable };

class PgTransaction {
 public:
  // BEGIN ISOLATION LEVEL ... on conn, which must outlive the guard.
  static Result<PgTransaction> Begin(PgConnection& conn, PgIsolation isolation = PgIsolation::kReadCommitted);
  PgTransaction(PgTransaction&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  PgTransaction& operator=(PgTransaction&&) = delete;
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  ~PgTransaction();

  // COMMIT. A serialization failure at commit (SERIALIZABLE) is Busy, a
  // lost connection Unavailable (whether the commit happened is then
  // unknown: the caller must find out, not assume), a transaction that had
  // already failed Aborted.
  Status Commit();
  // ROLLBACK now; errors are ignored (a broken connection has no
  // transaction left to roll back).
  void Rollback();

 private:
  explicit PgTransaction(PgConnection* conn) : conn_(conn) {}
  PgConnection* conn_;  // null once committed or rolled back
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_TRANSACTION_H_
