// Leader-follower group commit: one transaction per batch, savepoint per request.
#include "store/sqlite/group_committer.h"

#include <sqlite3.h>

#include "core/crash_point.h"
#include "store/sqlite/transaction.h"

namespace steadfast {

void PendingWrite::Wake(Turn turn) {
  std::lock_guard<std::mutex> lock(mu_);
  turn_ = turn;
  cv_.notify_one();
}

PendingWrite::Turn PendingWrite::AwaitTurn() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return turn_ != Turn::kQueued; });
  return turn_;
}

GroupCommitter::GroupCommitter(Connection* conn, int max_batch)
    : conn_(conn), max_batch_(static_cast<size_t>(max_batch < 1 ? 1 : max_batch)) {
  TakePagesWritten();  // what the connection wrote before (migrations) is not the batches'
}

GroupCommitter::~GroupCommitter() {
  std::unique_lock<std::mutex> lock(mu_);
  stopping_ = true;
  // Everything queued has a caller that leads or will be handed the lead.
  idle_.wait(lock, [this] { return !leading_ && queue_.empty(); });
}

GroupCommitCounters GroupCommitter::Counters() const {
  GroupCommitCounters c;
  c.transactions = transactions_.load(std::memory_order_relaxed);
  c.requests = requests_.load(std::memory_order_relaxed);
  c.failed_transactions = failed_transactions_.load(std::memory_order_relaxed);
  c.largest_batch = largest_batch_.load(std::memory_order_relaxed);
  c.pages_written = pages_written_.load(std::memory_order_relaxed);
  return c;
}

bool GroupCommitter::Process(PendingWrite* write) {
  bool lead = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
    queue_.push_back(write);
    if (!leading_) leading_ = lead = true;
  }
  // Not the leader: wait for the current one to commit this write, or to
  // hand over the lead with this write at the head of the queue.
  if (!lead && write->AwaitTurn() == PendingWrite::Turn::kDone) return true;
  Lead(write);
  return true;
}

void GroupCommitter::Lead(PendingWrite* own) {
  std::vector<PendingWrite*> batch;
  batch.reserve(max_batch_);
  while (true) {
    {
      // No waiting for a batch to fill: whatever queued while the last
      // commit was syncing forms the next batch, so a lone request commits
      // at once and a busy store batches by itself.
      std::lock_guard<std::mutex> lock(mu_);
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    CommitBatch(batch);
    bool own_done = false;
    for (PendingWrite* w : batch) {
      if (w == own) own_done = true;
      else w->Wake(PendingWrite::Turn::kDone);
    }
    batch.clear();
    if (!own_done) continue;  // more than max_batch were ahead of it

    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.empty()) {
      leading_ = false;
      idle_.notify_all();
    } else {
      queue_.front()->Wake(PendingWrite::Turn::kLead);
    }
    return;
  }
}

void GroupCommitter::CommitBatch(const std::vector<PendingWrite*>& batch) {
  const auto n = static_cast<int64_t>(batch.size());
  transactions_.fetch_add(1, std::memory_order_relaxed);
  requests_.fetch_add(n, std::memory_order_relaxed);
  if (n > largest_batch_.load(std::memory_order_relaxed)) largest_batch_.store(n, std::memory_order_relaxed);

  Status batch_status = [&]() -> Status {
    SF_ASSIGN_OR_RETURN(WriteTransaction txn, WriteTransaction::Begin(*conn_));
    if (before_batch_) SF_RETURN_IF_ERROR(before_batch_(*conn_));
    for (PendingWrite* write : batch) {
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
    bool plugin_writes = false;
    for (const PendingWrite* write : batch) plugin_writes = plugin_writes || write->carries_plugin_writes;
    CrashPoint("store.before_commit");
    if (plugin_writes) CrashPoint("store.before_plugin_commit");
    SF_RETURN_IF_ERROR(txn.Commit());
    CrashPoint("store.after_commit");
    if (plugin_writes) CrashPoint("store.after_plugin_commit");
    return Status::Ok();
  }();

  if (!batch_status.ok()) failed_transactions_.fetch_add(1, std::memory_order_relaxed);
  // Pages per checkpoint is what a storage layout costs (PERFORMANCE.md).
  pages_written_.fetch_add(TakePagesWritten(), std::memory_order_relaxed);
  for (PendingWrite* write : batch) write->Finish(batch_status);
  if (batch_status.ok()) {
    std::lock_guard<std::mutex> lock(observer_mu_);
    if (batch_observer_) batch_observer_(n);
  }
}

int64_t GroupCommitter::TakePagesWritten() {
  int pages = 0;
  int unused_highwater = 0;
  if (sqlite3_db_status(conn_->raw(), SQLITE_DBSTATUS_CACHE_WRITE, &pages, &unused_highwater, 1) != SQLITE_OK) return 0;
  return pages;
}

void GroupCommitter::SetBatchObserver(std::function<void(int64_t requests)> observer) {
  std::lock_guard<std::mutex> lock(observer_mu_);
  batch_observer_ = std::move(observer);
}

}  // namespace steadfast
