// Connection pool of the PostgreSQL store (store/postgres/pg_pool.h).
#include "store/postgres/pg_pool.h"

#include <utility>

namespace steadfast {

PgLease::~PgLease() {
  if (conn_ != nullptr && pool_ != nullptr) pool_->GiveBack(std::move(conn_));
}

PgPool::PgPool(PgConnectionOptions options, int max_connections)
    : options_(std::move(options)), max_connections_(max_connections < 1 ? 1 : max_connections) {}

Result<PgLease> PgPool::Lease() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    returned_.wait(lock, [this] { return !idle_.empty() || open_ < max_connections_; });
    if (!idle_.empty()) {
      std::unique_ptr<PgConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      return PgLease(this, std::move(conn));
    }
    ++open_;  // reserved while connecting, outside the lock
  }
  Result<std::unique_ptr<PgConnection>> opened = PgConnection::Open(options_);
  if (!opened.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    --open_;
    returned_.notify_one();
    return opened.status();
  }
  return PgLease(this, std::move(opened).value());
}

void PgPool::GiveBack(std::unique_ptr<PgConnection> conn) {
  const bool reusable = conn->healthy() && !conn->InTransaction();
  if (!reusable) conn.reset();  // closed outside the lock
  std::lock_guard<std::mutex> lock(mu_);
  if (reusable) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  returned_.notify_one();
}

}  // namespace steadfast
