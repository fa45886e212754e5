// PgPool: the store's connections to one PostgreSQL database.
//
// Lease() hands out an idle connection, or opens one while fewer than
// max_connections exist, or waits for one to come back. A leased connection
// goes back to the pool when its lease ends, unless libpq saw it break (then
// it is closed, and the next lease opens a fresh one: a restarted or
// failed-over server is reconnected to without anyone asking) or it was
// left inside a transaction (a bug: closed rather than reused).
#ifndef STEADFAST_STORE_POSTGRES_PG_POOL_H_
#define STEADFAST_STORE_POSTGRES_PG_POOL_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "steadfast/status.h"
#include "store/postgres/pg_connection.h"

namespace steadfast {

class PgPool;

class PgLease {
 public:
  PgLease(PgPool* pool, std::unique_ptr<PgConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
  PgLease(PgLease&&) noexcept = default;
  PgLease& operator=(PgLease&&) = delete;
  PgLease(const PgLease&) = delete;
  PgLease& operator=(const PgLease&) = delete;
  ~PgLease();

  PgConnection& operator*() const { return *conn_; }
  PgConnection* operator->() const { return conn_.get(); }

 private:
  PgPool* pool_;
  std::unique_ptr<PgConnection> conn_;
};

class PgPool {
 public:
  // max_connections >= 1. Opens nothing yet.
  PgPool(PgConnectionOptions options, int max_connections);
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // A connection, opened if need be (Unavailable when the server cannot be
  // reached: the caller's operation fails and may be retried).
  Result<PgLease> Lease();
  const PgConnectionOptions& options() const { return options_; }
  int max_connections() const { return max_connections_; }

 private:
  friend class PgLease;
  void GiveBack(std::unique_ptr<PgConnection> conn);

  const PgConnectionOptions options_;
  const int max_connections_;
  std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // GUARDED_BY(mu_)
  int open_ = 0;                                     // GUARDED_BY(mu_): idle + leased
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_POOL_H_
