// Purging finished instances: what `steadfast purge` does (docs/workflows.md
// "History that stays bounded").
//
// An instance that finished (completed, failed, compensated, cancelled)
// before a time is deleted with its history, signals, tasks and search keys,
// in batches (one transaction each), so an interrupted purge is simply run
// again. Running and waiting instances are never touched, however old, and
// plugins keep their own records (the refund plugin's refunds and ledger).
#ifndef STEADFAST_RUNTIME_PURGE_H_
#define STEADFAST_RUNTIME_PURGE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "store/store.h"

namespace steadfast {

struct PurgeRequest {
  TimeMs finished_before = 0;  // updated_at (when it finished) strictly before this; required
  std::string workflow;        // "" = every workflow
  int workflow_version = 0;    // with workflow: only this version; 0 = every version
  bool dry_run = false;        // count and sample only; delete nothing
  int batch = 500;             // instances per transaction
};

struct PurgeReport {
  int64_t matched = 0;              // finished before the time: counted (dry run), else listed for deletion
  int64_t purged = 0;               // deleted (0 for a dry run)
  std::vector<std::string> sample;  // the first few ids matched
};

// `progress` (optional) is told the running total after each batch and
// returns whether to go on (false: stop there, what was purged stays purged).
Result<PurgeReport> PurgeFinished(Store& store, const PurgeRequest& request,
                                  const std::function<bool(int64_t purged)>& progress = nullptr);

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_PURGE_H_
