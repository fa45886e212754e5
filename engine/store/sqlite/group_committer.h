// GroupCommitter: group commit by the callers themselves.
//
// Callers Submit() a write as a function of the write connection and block
// until it is durable. There is no writer thread: the first caller to find
// the committer idle becomes the leader. It takes everything queued (up to
// max_batch), opens one IMMEDIATE transaction, runs each request inside its
// own savepoint (a failing request rolls back only its savepoint), commits
// once, and only then completes every caller of the batch. Requests that
// queued meanwhile form the next batch: the leader hands leadership to the
// oldest of their callers, who is waiting anyway. One fsync carries a whole
// batch, nothing is acknowledged before its COMMIT returned, and a lone
// request commits on its caller's thread without any thread hand-off (two
// context switches per checkpoint saved, measured in docs/PERFORMANCE.md).
// If BEGIN or COMMIT fails, or a request's error takes the transaction down
// with it, every request of the batch receives that error.
//
// Crash points "store.before_commit" and "store.after_commit" bracket the
// COMMIT for fault-injection tests (engine/core/crash_point.h); a batch
// carrying plugin checkpoint writes also passes "store.before_plugin_commit"
// and "store.after_plugin_commit".
#ifndef STEADFAST_STORE_SQLITE_GROUP_COMMITTER_H_
#define STEADFAST_STORE_SQLITE_GROUP_COMMITTER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "steadfast/status.h"
#include "store/sqlite/connection.h"

namespace steadfast {

// One queued write, type-erased for the queue. Lives on its caller's stack
// until the caller is woken with kDone.
class PendingWrite {
 public:
  virtual ~PendingWrite() = default;
  // Runs the write on the leader's thread inside the request's savepoint.
  // A non-ok result rolls the savepoint back.
  virtual Status Execute(Connection& conn) = 0;
  // Records the caller's result: its own when the batch committed
  // (batch_status ok), else batch_status. Called exactly once.
  virtual void Finish(const Status& batch_status) = 0;
  // Whether the write carries plugin checkpoint writes (crash points only).
  bool carries_plugin_writes = false;

 private:
  friend class GroupCommitter;
  enum class Turn { kQueued, kDone, kLead };
  // Wakes the waiting caller. The write may be destroyed as soon as the
  // lock is released, so nothing touches it after that.
  void Wake(Turn turn);
  // Blocks until woken; returns kDone or kLead.
  Turn AwaitTurn();

  std::mutex mu_;
  std::condition_variable cv_;
  Turn turn_ = Turn::kQueued;  // GUARDED_BY(mu_)
};

// Counters since the committer started; read without locking.
struct GroupCommitCounters {
  int64_t transactions = 0;         // COMMITs attempted (one per batch)
  int64_t requests = 0;             // requests carried by those transactions
  int64_t failed_transactions = 0;  // batches that failed as a whole
  int64_t largest_batch = 0;        // most requests in one transaction
  int64_t pages_written = 0;        // database pages those transactions wrote (WAL frames)
};

class GroupCommitter {
 public:
  // conn must outlive the committer; from now on only the current leader
  // uses its statement cache. max_batch >= 1.
  GroupCommitter(Connection* conn, int max_batch);
  // Stops taking requests and waits until everything already queued has
  // been committed.
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues fn (Result<T>(Connection&)) and blocks until its batch committed
  // or failed. Thread-safe. Unavailable once the committer is shutting down.
  template <class T, class Fn>
  Result<T> Submit(Fn fn, bool carries_plugin_writes = false);

  GroupCommitCounters Counters() const;

  // Called by the leader after each committed transaction with the number
  // of requests it carried (metrics). Empty = none. Thread-safe.
  void SetBatchObserver(std::function<void(int64_t requests)> observer);

  // Runs at the start of every transaction, before its requests (a shard
  // applying what the home file owes it: shard_redo.h); its error fails the
  // batch. Set before the first Submit.
  void SetBeforeBatch(std::function<Status(Connection&)> before_batch) { before_batch_ = std::move(before_batch); }

 private:
  template <class T, class Fn>
  class TypedWrite;

  // Queues write and returns once it is finished, leading batches while
  // it is this caller's turn. False when shutting down (nothing queued).
  bool Process(PendingWrite* write);
  // Commits batches until own is among the committed, then hands
  // leadership to the oldest waiting caller (or goes idle).
  void Lead(PendingWrite* own);
  void CommitBatch(const std::vector<PendingWrite*>& batch);
  // The pages the connection wrote to the WAL since the last call (SQLite
  // counts them per connection), and resets the count. Only by the thread
  // that uses the connection: the leader, or the constructor.
  int64_t TakePagesWritten();

  Connection* const conn_;
  const size_t max_batch_;

  std::mutex mu_;
  std::condition_variable idle_;          // signalled when leadership ends with nothing queued
  std::deque<PendingWrite*> queue_;       // GUARDED_BY(mu_)
  bool leading_ = false;                  // GUARDED_BY(mu_): some caller is the leader
  bool stopping_ = false;                 // GUARDED_BY(mu_)

  std::atomic<int64_t> transactions_{0};
  std::atomic<int64_t> requests_{0};
  std::atomic<int64_t> failed_transactions_{0};
  std::atomic<int64_t> largest_batch_{0};
  std::atomic<int64_t> pages_written_{0};

  std::mutex observer_mu_;  // taken once per batch, never with mu_
  std::function<void(int64_t)> batch_observer_;  // GUARDED_BY(observer_mu_)
  std::function<Status(Connection&)> before_batch_;  // set before use, then read by leaders only
};

template <class T, class Fn>
class GroupCommitter::TypedWrite final : public PendingWrite {
 public:
  explicit TypedWrite(Fn fn) : fn_(std::move(fn)) {}
  Result<T> TakeResult() { return std::move(*result_); }

  Status Execute(Connection& conn) override {
    result_.emplace(fn_(conn));
    return result_->status();
  }
  void Finish(const Status& batch_status) override {
    if (!batch_status.ok()) {
      result_.emplace(batch_status);
    } else if (!result_.has_value()) {
      result_.emplace(Status::Internal("write finished without running"));
    }
  }

 private:
  Fn fn_;
  std::optional<Result<T>> result_;
};

template <class T, class Fn>
Result<T> GroupCommitter::Submit(Fn fn, bool carries_plugin_writes) {
  TypedWrite<T, Fn> write(std::move(fn));
  write.carries_plugin_writes = carries_plugin_writes;
  if (!Process(&write)) return Status::Unavailable("store is closing");
  return write.TakeResult();
}

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_GROUP_COMMITTER_H_
