// Forwarding with timing and error counts.
#include "observability/metered_store.h"

#include <chrono>

#include "store/sqlite/sqlite_store.h"

namespace steadfast {
namespace {

class Stopwatch {
 public:
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Buckets for one durable commit: an fsync is ~0.1-10 ms on SSDs.
std::vector<double> CommitBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
}

}  // namespace

MeteredStore::MeteredStore(Store& inner, metrics::Registry& registry)
    : ForwardingStore(inner),
      start_seconds_(registry.AddHistogram("steadfast_instance_start_commit_seconds",
                                           "Latency of durable instance starts (StartInstance).", CommitBuckets())),
      apply_seconds_(registry.AddHistogram(
          "steadfast_checkpoint_commit_seconds",
          "Latency of durable checkpoint commits (Store::Apply), group-commit wait included.", CommitBuckets())),
      errors_(registry.AddCounterFamily("steadfast_store_errors_total",
                                        "Store calls that returned an error, by operation and status code.",
                                        {"op", "code"})),
      transactions_(registry.AddCounter("steadfast_store_transactions_total",
                                        "SQLite write transactions committed or attempted (one fsync each).")),
      checkpoints_(registry.AddCounter(
          "steadfast_store_checkpoints_total",
          "Write requests (checkpoints, starts, claims) carried by those transactions; "
          "rate(checkpoints)/rate(transactions) is checkpoints per commit.")),
      failed_transactions_(registry.AddCounter("steadfast_store_failed_transactions_total",
                                               "SQLite write transactions that failed as a whole.")),
      largest_batch_(registry.AddGauge("steadfast_store_largest_batch",
                                       "Most write requests one transaction has carried since start.")),
      pages_written_(registry.AddCounter(
          "steadfast_store_pages_written_total",
          "Database pages those transactions wrote (SQLite WAL frames); rate(pages)/rate(checkpoints) is "
          "pages per checkpoint.")),
      batch_size_(registry.AddHistogram(
          "steadfast_store_commit_batch_size",
          "Write requests (checkpoints, starts, claims) per committed SQLite transaction, one observation "
          "per commit: checkpoints per commit.",
          {1, 2, 4, 8, 16, 32, 64, 128, 256})) {
  if (auto* sqlite = dynamic_cast<SqliteStore*>(&this->inner())) {
    sqlite->SetCommitBatchObserver([this](int64_t requests) { batch_size_.Observe(static_cast<double>(requests)); });
  }
  registry.SetCollector("steadfast_store", [this] {
    auto* sqlite = dynamic_cast<SqliteStore*>(&this->inner());
    if (sqlite == nullptr) return;
    SqliteStoreStats stats = sqlite->Stats();
    transactions_.Mirror(stats.transactions);
    checkpoints_.Mirror(stats.requests);
    failed_transactions_.Mirror(stats.failed_transactions);
    largest_batch_.Set(static_cast<double>(stats.largest_batch));
    pages_written_.Mirror(stats.pages_written);
  });
}

MeteredStore::~MeteredStore() {
  if (auto* sqlite = dynamic_cast<SqliteStore*>(&inner())) sqlite->SetCommitBatchObserver(nullptr);
}

void MeteredStore::Count(const char* op, const Status& s) {
  if (!s.ok()) errors_.WithLabels({op, std::string(StatusCodeName(s.code()))}).Inc();
}

Status MeteredStore::PutDefinition(const DefinitionRecord& def) {
  Status s = inner().PutDefinition(def);
  Count("put_definition", s);
  return s;
}

Result<std::optional<DefinitionRecord>> MeteredStore::GetDefinition(const std::string& hash) {
  auto r = inner().GetDefinition(hash);
  Count("get_definition", r.status());
  return r;
}

Result<StartResult> MeteredStore::StartInstance(StartRequest req) {
  Stopwatch w;
  auto r = inner().StartInstance(std::move(req));
  if (r.ok()) start_seconds_.Observe(w.Seconds());
  Count("start_instance", r.status());
  return r;
}

Result<CommitResult> MeteredStore::Apply(Commit commit) {
  Stopwatch w;
  auto r = inner().Apply(std::move(commit));
  if (r.ok()) apply_seconds_.Observe(w.Seconds());
  Count("apply", r.status());
  return r;
}

Result<std::vector<TaskRecord>> MeteredStore::ClaimDueTasks(const std::string& owner, TimeMs now, TimeMs lease_until,
                                                            int limit) {
  auto r = inner().ClaimDueTasks(owner, now, lease_until, limit);
  Count("claim_due_tasks", r.status());
  return r;
}

Result<ClaimResult> MeteredStore::ClaimDueTasks(const ClaimRequest& request) {
  auto r = inner().ClaimDueTasks(request);
  Count("claim_due_tasks", r.status());
  return r;
}

Result<int64_t> MeteredStore::ReleaseLeases(const std::string& owner_prefix, const std::string& except_owner) {
  auto r = inner().ReleaseLeases(owner_prefix, except_owner);
  Count("release_leases", r.status());
  return r;
}

Status MeteredStore::ReturnUnstartedTask(const TaskRecord& task) {
  Status s = inner().ReturnUnstartedTask(task);
  Count("return_unstarted_task", s);
  return s;
}

Status MeteredStore::RenewLease(int64_t task_id, int64_t lease_token, TimeMs lease_until) {
  Status s = inner().RenewLease(task_id, lease_token, lease_until);
  Count("renew_lease", s);
  return s;
}

Result<std::optional<TimeMs>> MeteredStore::NextDueAt(TimeMs now) {
  auto r = inner().NextDueAt(now);
  Count("next_due_at", r.status());
  return r;
}

Result<std::optional<InstanceRecord>> MeteredStore::GetInstance(const std::string& id) {
  auto r = inner().GetInstance(id);
  Count("get_instance", r.status());
  return r;
}

Result<std::vector<InstanceRecord>> MeteredStore::ListInstances(const ListFilter& filter) {
  auto r = inner().ListInstances(filter);
  Count("list_instances", r.status());
  return r;
}

Result<int64_t> MeteredStore::CountInstances(const ListFilter& filter) {
  auto r = inner().CountInstances(filter);
  Count("count_instances", r.status());
  return r;
}

Result<std::vector<std::pair<InstanceStatus, int64_t>>> MeteredStore::CountByStatus() {
  auto r = inner().CountByStatus();
  Count("count_by_status", r.status());
  return r;
}

Result<std::vector<HistoryEvent>> MeteredStore::GetHistory(const std::string& instance_id, int64_t after_seq,
                                                           int limit) {
  auto r = inner().GetHistory(instance_id, after_seq, limit);
  Count("get_history", r.status());
  return r;
}

Result<std::vector<TaskRecord>> MeteredStore::GetTasks(const std::string& instance_id) {
  auto r = inner().GetTasks(instance_id);
  Count("get_tasks", r.status());
  return r;
}

Result<std::vector<SignalRecord>> MeteredStore::GetPendingSignals(const std::string& instance_id,
                                                                  const std::string& name) {
  auto r = inner().GetPendingSignals(instance_id, name);
  Count("get_pending_signals", r.status());
  return r;
}

Result<std::optional<SignalRecord>> MeteredStore::FindSignalByKey(const std::string& instance_id,
                                                                  const std::string& idempotency_key) {
  auto r = inner().FindSignalByKey(instance_id, idempotency_key);
  Count("find_signal_by_key", r.status());
  return r;
}

}  // namespace steadfast
