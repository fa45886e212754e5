// BulkOperations: one action (pause, resume, retry, cancel) on every instance a filter
// matches, as a persisted operation that is also its own audit record.
//
// Create() counts the matching instances and stores the operation
// ("running"); Run() then walks the matches in list order from the stored
// cursor, acts on each through WorkflowService, and stores the cursor and
// counts after every page, so a run that is interrupted (a kill, a
// restart) goes on where it stopped: the server resumes every "running"
// operation at start-up (runtime/bulk_runner.h). Each instance is handled
// idempotently: one the action no longer applies to (resumed, finished
// meanwhile, or handled by an earlier run) is counted as skipped, never
// acted on twice. The walk is bounded to instances created before the
// operation, so instances started afterwards are not swept in.
#ifndef STEADFAST_RUNTIME_BULK_OPERATIONS_H_
#define STEADFAST_RUNTIME_BULK_OPERATIONS_H_

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/random.h"
#include "runtime/workflow_service.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "steadfast/value.h"
#include "store/store.h"

namespace steadfast {

// Stored by name, so the numbers carry no meaning on disk. A bulk retry
// runs each instance again from the step it failed or paused at (`retry
// --from STEP` is for one instance: instances of different workflows have
// different steps).
enum class BulkAction : int { kResume = 0, kCancel = 1, kPause = 2, kRetry = 3 };

// "pause" | "resume" | "retry" | "cancel"; nullopt otherwise.
std::optional<BulkAction> ParseBulkAction(std::string_view name);
std::string_view BulkActionName(BulkAction action);
inline constexpr const char* kBulkActionNames = "pause, resume, retry, cancel";

struct BulkRequest {
  BulkAction action = BulkAction::kResume;
  ListFilter filter;      // at least one criterion; no cursor
  std::string reason;     // required: kept in the audit record and in each instance's history
  std::string principal;  // who asks
};

struct BulkPreview {
  int64_t total = 0;                // matching instances now
  std::vector<std::string> sample;  // the first few of them, in list order
};

// The operation as JSON: id, action, filter (runtime/instance_filter.h's
// view), reason, requested_by, state, total, done, skipped, failed,
// failures [{instance_id, reason}], created_at, updated_at, finished_at.
Value BulkOperationView(const BulkOperationRecord& op);

class BulkOperations {
 public:
  // All must outlive this. Thread-safe: distinct operations may run at once.
  BulkOperations(WorkflowService& service, const Clock& clock, Random& random)
      : service_(service), clock_(clock), random_(random) {}

  // What Create would act on, changing nothing. InvalidArgument for a
  // request Create would refuse.
  Result<BulkPreview> Preview(const BulkRequest& request, int sample_size);

  // Stores a new "running" operation with the current match count.
  // InvalidArgument for an empty reason, a filter without criteria (it
  // would act on every instance) or with a cursor.
  Result<BulkOperationRecord> Create(const BulkRequest& request);

  // Works the operation to its end from its cursor (a finished one is
  // returned as it is), calling on_progress after each stored page. When
  // *stop becomes true it returns after the current page, still
  // "running". NotFound for an unknown id.
  Result<BulkOperationRecord> Run(const std::string& id,
                                  const std::function<void(const BulkOperationRecord&)>& on_progress = {},
                                  const std::atomic<bool>* stop = nullptr);

 private:
  // Acts on one matching instance, counting it in op.
  void Handle(BulkOperationRecord& op, BulkAction action, const InstanceRecord& rec);

  WorkflowService& service_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_BULK_OPERATIONS_H_
