// The server's bulk operation worker (bulk_runner.h).
#include "runtime/bulk_runner.h"

namespace steadfast {

Status BulkRunner::Start() {
  SF_ASSIGN_OR_RETURN(std::vector<BulkOperationRecord> unfinished, store_.ListBulkOperations("running", "", 0));
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Oldest first: the list is newest first.
    for (auto it = unfinished.rbegin(); it != unfinished.rend(); ++it) queue_.push_back(it->id);
  }
  if (!unfinished.empty()) {
    logger_.Info("bulk: resuming " + std::to_string(unfinished.size()) + " unfinished bulk operation(s)");
  }
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void BulkRunner::Submit(const std::string& id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(id);
  }
  cv_.notify_one();
}

void BulkRunner::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_.store(true);
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void BulkRunner::Loop() {
  while (true) {
    std::string id;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_.load() || !queue_.empty(); });
      if (stop_.load()) return;
      id = std::move(queue_.front());
      queue_.pop_front();
    }
    Result<BulkOperationRecord> op = operations_.Run(id, {}, &stop_);
    if (!op.ok()) {
      // Left "running": the next start-up tries again.
      logger_.Warn("bulk: operation " + id + " stopped: " + op.status().ToString());
    } else if (op->state != "running") {
      logger_.Info("bulk: operation " + id + " (" + op->action + ") " + op->state + ": " + std::to_string(op->done) +
                   " done, " + std::to_string(op->skipped) + " skipped, " + std::to_string(op->failed) + " failed");
    }
  }
}

}  // namespace steadfast
