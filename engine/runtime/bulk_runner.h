// BulkRunner: the server's background worker for bulk operations.
//
// POST /v1/bulk-operations stores an operation and hands its id here; one
// thread works the queued operations in order (runtime/bulk_operations.h).
// Start() first queues every operation still "running" in the store (the
// server was stopped or killed during it), so an operation always ends.
// Stop() lets the current page finish and leaves the rest for the next start.
#ifndef STEADFAST_RUNTIME_BULK_RUNNER_H_
#define STEADFAST_RUNTIME_BULK_RUNNER_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "runtime/bulk_operations.h"
#include "steadfast/logger.h"

namespace steadfast {

class BulkRunner {
 public:
  // operations, store and logger must outlive the runner.
  BulkRunner(BulkOperations& operations, Store& store, Logger& logger)
      : operations_(operations), store_(store), logger_(logger) {}
  ~BulkRunner() { Stop(); }
  BulkRunner(const BulkRunner&) = delete;
  BulkRunner& operator=(const BulkRunner&) = delete;

  // Queues the unfinished operations and starts the thread.
  Status Start();
  // Queues an operation Create()d since.
  void Submit(const std::string& id);
  // Returns after the page in progress; idempotent.
  void Stop();

  BulkOperations& operations() { return operations_; }

 private:
  void Loop();

  BulkOperations& operations_;
  Store& store_;
  Logger& logger_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;  // GUARDED_BY(mu_)
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_BULK_RUNNER_H_
