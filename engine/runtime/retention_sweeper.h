// RetentionSweeper: the server's purge of finished instances past their
// workflow's `retention:` (docs/workflows.md "History that stays bounded").
//
// Every `interval`, for each workflow version in the catalog that declares
// a retention, the instances of that version that finished longer than the
// retention ago are purged (runtime/purge.h), in batches. Versions without
// one are kept. Several serving processes may sweep the same database:
// purging is idempotent, so the worst case is wasted work.
#ifndef STEADFAST_RUNTIME_RETENTION_SWEEPER_H_
#define STEADFAST_RUNTIME_RETENTION_SWEEPER_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "runtime/workflow_catalog.h"
#include "steadfast/clock.h"
#include "steadfast/logger.h"
#include "store/store.h"

namespace steadfast {

class RetentionSweeper {
 public:
  // Told after each workflow version's purge that deleted something.
  using PurgedObserver = std::function<void(const std::string& workflow, int version, int64_t purged)>;

  // store, catalog, clock and logger must outlive the sweeper.
  RetentionSweeper(Store& store, const WorkflowCatalog& catalog, const Clock& clock, Logger& logger,
                   int64_t interval_ms)
      : store_(store), catalog_(catalog), clock_(clock), logger_(logger), interval_ms_(interval_ms) {}
  ~RetentionSweeper() { Stop(); }
  RetentionSweeper(const RetentionSweeper&) = delete;
  RetentionSweeper& operator=(const RetentionSweeper&) = delete;

  void SetPurgedObserver(PurgedObserver observer) { observer_ = std::move(observer); }

  // One pass over the catalog now; returns the instances purged. Errors are
  // logged and the pass goes on with the next version; Stop() ends it after
  // the batch in progress.
  int64_t SweepOnce();
  // A pass at once, then one every interval, on its own thread.
  void Start();
  // Returns after the purge batch in progress; idempotent.
  void Stop();

 private:
  void Loop();
  bool Stopping();

  Store& store_;
  const WorkflowCatalog& catalog_;
  const Clock& clock_;
  Logger& logger_;
  const int64_t interval_ms_;
  PurgedObserver observer_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_RETENTION_SWEEPER_H_
