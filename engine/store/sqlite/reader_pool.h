// ReaderPool: read-only connections handed to calling threads.
//
// Reads never go through the writer queue: each read leases a connection of
// its own (opening one when none is idle), so a thread reading never waits
// for a batch to sync, and WAL gives each statement a consistent snapshot of
// the last commit. Up to max_idle connections are kept open with their
// statement caches warm; extra ones are closed when returned.
#ifndef STEADFAST_STORE_SQLITE_READER_POOL_H_
#define STEADFAST_STORE_SQLITE_READER_POOL_H_

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "steadfast/status.h"
#include "store/sqlite/connection.h"

namespace steadfast {

class ReaderPool {
 public:
  ReaderPool(ConnectionOptions options, size_t max_idle);
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  // A connection on loan; returned to the pool on destruction.
  class Lease {
   public:
    Lease(ReaderPool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (conn_ != nullptr) pool_->Release(std::move(conn_));
    }
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }

   private:
    ReaderPool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // An idle connection, or a newly opened one. Thread-safe.
  Result<Lease> Acquire();

 private:
  void Release(std::unique_ptr<Connection> conn);

  const ConnectionOptions options_;
  const size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;  // GUARDED_BY(mu_)
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_READER_POOL_H_
