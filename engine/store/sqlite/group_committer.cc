// The writer loop: drain, one transaction per batch, savepoint per request.
#include "store/sqlite/group_committer.h"

#include "core/crash_point.h"
#include "store/sqlite/transaction.h"

namespace steadfast {

GroupCommitter::GroupCommitter(Connection* conn, int max_batch)
    : conn_(conn), max_batch_(static_cast<size_t>(max_batch < 1 ? 1 : max_batch)), writer_([this] { Run(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

bool GroupCommitter::Enqueue(std::unique_ptr<PendingWrite> write) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
    queue_.push_back(std::move(write));
  }
  wake_.notify_one();
  return true;
}

GroupCommitCounters GroupCommitter::Counters() const {
  GroupCommitCounters c;
  c.transactions = transactions_.load(std::memory_order_relaxed);
  c.requests = requests_.load(std::memory_order_relaxed);
  c.failed_transactions = failed_transactions_.load(std::memory_order_relaxed);
  c.largest_batch = largest_batch_.load(std::memory_order_relaxed);
  return c;
}

void GroupCommitter::Run() {
  std::vector<std::unique_ptr<PendingWrite>> batch;
  batch.reserve(max_batch_);
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      // Drained and told to stop: everything queued has been answered.
      if (queue_.empty()) return;
      // No waiting for a batch to fill: whatever queued while the last
      // commit was syncing forms the next batch, so a lone request commits
      // at once and a busy store batches by itself.
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitBatch(batch);
    batch.clear();
  }
}

void GroupCommitter::CommitBatch(std::vector<std::unique_ptr<PendingWrite>>& batch) {
  const auto n = static_cast<int64_t>(batch.size());
  transactions_.fetch_add(1, std::memory_order_relaxed);
  requests_.fetch_add(n, std::memory_order_relaxed);
  if (n > largest_batch_.load(std::memory_order_relaxed)) largest_batch_.store(n, std::memory_order_relaxed);

  Status batch_status = [&]() -> Status {
    SF_ASSIGN_OR_RETURN(WriteTransaction txn, WriteTransaction::Begin(*conn_));
    for (auto& write : batch) {
      SF_ASSIGN_OR_RETURN(Savepoint savepoint, Savepoint::Begin(*conn_));
      Status s = write->Execute(*conn_);
      if (s.ok()) {
        SF_RETURN_IF_ERROR(savepoint.Release());
        continue;
      }
      // A precondition failure (conflict, lease lost, ...) undoes only this
      // request. Some SQLite errors (IOERR, FULL, NOMEM) may roll back the
      // whole transaction; then the other requests' writes are gone too and
      // the batch fails with this error.
      if (!conn_->InTransaction()) return s;
      SF_RETURN_IF_ERROR(savepoint.Rollback());
    }
    CrashPoint("store.before_commit");
    SF_RETURN_IF_ERROR(txn.Commit());
    CrashPoint("store.after_commit");
    return Status::Ok();
  }();

  if (!batch_status.ok()) failed_transactions_.fetch_add(1, std::memory_order_relaxed);
  for (auto& write : batch) write->Finish(batch_status);
}

}  // namespace steadfast
