// GroupCommitter: the single writer thread and its request queue.
//
// Callers Submit() a write as a function of the write connection and block
// until it is durable. The writer thread takes everything queued (up to
// max_batch), opens one IMMEDIATE transaction, runs each request inside its
// own savepoint (a failing request rolls back only its savepoint), commits
// once, and only then completes every caller: one fsync carries the whole
// batch, and nothing is acknowledged before its COMMIT returned. If BEGIN or
// COMMIT fails, or a request's error takes the transaction down with it,
// every request of the batch receives that error.
//
// Crash points "store.before_commit" and "store.after_commit" bracket the
// COMMIT for fault-injection tests (engine/core/crash_point.h).
#ifndef STEADFAST_STORE_SQLITE_GROUP_COMMITTER_H_
#define STEADFAST_STORE_SQLITE_GROUP_COMMITTER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "steadfast/status.h"
#include "store/sqlite/connection.h"

namespace steadfast {

// One queued write, type-erased for the queue.
class PendingWrite {
 public:
  virtual ~PendingWrite() = default;
  // Runs the write on the writer thread inside the request's savepoint. A
  // non-ok result rolls the savepoint back.
  virtual Status Execute(Connection& conn) = 0;
  // Completes the caller: with its own result when the batch committed
  // (batch_status ok), else with batch_status. Called exactly once.
  virtual void Finish(const Status& batch_status) = 0;
};

// Counters since the committer started; read without locking.
struct GroupCommitCounters {
  int64_t transactions = 0;         // COMMITs attempted (one per batch)
  int64_t requests = 0;             // requests carried by those transactions
  int64_t failed_transactions = 0;  // batches that failed as a whole
  int64_t largest_batch = 0;        // most requests in one transaction
};

class GroupCommitter {
 public:
  // conn must outlive the committer; from now on only the writer thread
  // uses its statement cache. max_batch >= 1.
  GroupCommitter(Connection* conn, int max_batch);
  // Stops taking requests, lets the writer finish everything already
  // queued, and joins it.
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues fn (Result<T>(Connection&)) and blocks until its batch committed
  // or failed. Thread-safe. Unavailable once the committer is shutting down.
  template <class T, class Fn>
  Result<T> Submit(Fn fn);

  GroupCommitCounters Counters() const;

 private:
  template <class T, class Fn>
  class TypedWrite;

  // False when shutting down (the request was not queued).
  bool Enqueue(std::unique_ptr<PendingWrite> write);
  void Run();
  void CommitBatch(std::vector<std::unique_ptr<PendingWrite>>& batch);

  Connection* const conn_;
  const size_t max_batch_;

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<PendingWrite>> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                            // GUARDED_BY(mu_)

  std::atomic<int64_t> transactions_{0};
  std::atomic<int64_t> requests_{0};
  std::atomic<int64_t> failed_transactions_{0};
  std::atomic<int64_t> largest_batch_{0};

  std::thread writer_;  // last: starts after everything above is ready
};

template <class T, class Fn>
class GroupCommitter::TypedWrite final : public PendingWrite {
 public:
  explicit TypedWrite(Fn fn) : fn_(std::move(fn)) {}
  std::future<Result<T>> future() { return promise_.get_future(); }

  Status Execute(Connection& conn) override {
    result_.emplace(fn_(conn));
    return result_->status();
  }
  void Finish(const Status& batch_status) override {
    if (batch_status.ok() && result_.has_value()) {
      promise_.set_value(std::move(*result_));
    } else if (!batch_status.ok()) {
      promise_.set_value(batch_status);
    } else {
      promise_.set_value(Status::Internal("write finished without running"));
    }
  }

 private:
  Fn fn_;
  std::promise<Result<T>> promise_;
  std::optional<Result<T>> result_;
};

template <class T, class Fn>
Result<T> GroupCommitter::Submit(Fn fn) {
  auto write = std::make_unique<TypedWrite<T, Fn>>(std::move(fn));
  std::future<Result<T>> done = write->future();
  if (!Enqueue(std::move(write))) return Status::Unavailable("store is closing");
  return done.get();
}

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_GROUP_COMMITTER_H_
