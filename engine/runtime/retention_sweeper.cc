// The periodic purge of instances past their retention (retention_sweeper.h).
#include "runtime/retention_sweeper.h"

#include <chrono>

#include "runtime/purge.h"
#include "steadfast/time_text.h"

namespace steadfast {

int64_t RetentionSweeper::SweepOnce() {
  int64_t total = 0;
  for (const auto& [name, version] : catalog_.List()) {
    if (Stopping()) break;
    Result<DefPtr> def = catalog_.Find(name, version);
    if (!def.ok() || (*def)->retention_ms <= 0) continue;
    PurgeRequest request;
    request.workflow = name;
    request.workflow_version = version;
    request.finished_before = clock_.NowMs() - (*def)->retention_ms;
    Result<PurgeReport> report = PurgeFinished(store_, request, [this](int64_t) { return !Stopping(); });
    if (!report.ok()) {
      logger_.Warn("retention: purging " + name + " v" + std::to_string(version) + ": " + report.status().ToString());
      continue;
    }
    if (report->purged == 0) continue;
    total += report->purged;
    logger_.Info("retention: purged " + std::to_string(report->purged) + " instance(s) of " + name + " v" +
                 std::to_string(version) + " finished before " + FormatRfc3339Utc(request.finished_before) + " (" +
                 FormatDurationMs((*def)->retention_ms) + " ago)");
    if (observer_) observer_(name, version, report->purged);
  }
  return total;
}

bool RetentionSweeper::Stopping() {
  std::lock_guard<std::mutex> lock(mu_);
  return stop_;
}

void RetentionSweeper::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void RetentionSweeper::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RetentionSweeper::Loop() {
  while (true) {
    SweepOnce();
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stop_; })) return;
  }
}

}  // namespace steadfast
