// Leasing and returning reader connections.
#include "store/sqlite/reader_pool.h"

#include <utility>

namespace steadfast {

ReaderPool::ReaderPool(ConnectionOptions options, size_t max_idle)
    : options_(std::move(options)), max_idle_(max_idle) {}

Result<ReaderPool::Lease> ReaderPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
  }
  // Opened outside the lock: opening touches the file system.
  SF_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(options_));
  return Lease(this, std::move(conn));
}

void ReaderPool::Release(std::unique_ptr<Connection> conn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < max_idle_) {
      idle_.push_back(std::move(conn));
      return;
    }
  }
  // conn closes here, outside the lock.
}

}  // namespace steadfast
