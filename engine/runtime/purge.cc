// Purging finished instances in batches (purge.h).
#include "runtime/purge.h"

namespace steadfast {
namespace {

constexpr size_t kSampleSize = 5;

ListFilter FinishedBefore(const PurgeRequest& request, int limit) {
  ListFilter f;
  f.workflow_name = request.workflow;
  f.workflow_version = request.workflow.empty() ? 0 : request.workflow_version;
  for (int i = static_cast<int>(InstanceStatus::kRunning); i <= static_cast<int>(kLastInstanceStatus); ++i) {
    if (IsTerminal(static_cast<InstanceStatus>(i))) f.statuses.push_back(static_cast<InstanceStatus>(i));
  }
  f.updated_before = request.finished_before;
  f.limit = limit;
  return f;
}

}  // namespace

Result<PurgeReport> PurgeFinished(Store& store, const PurgeRequest& request,
                                  const std::function<bool(int64_t purged)>& progress) {
  if (request.finished_before <= 0) return Status::InvalidArgument("a purge needs a time: finished before when?");
  if (request.batch < 1) return Status::InvalidArgument("a purge batch holds at least one instance");
  PurgeReport report;
  if (request.dry_run) {
    SF_ASSIGN_OR_RETURN(report.matched, store.CountInstances(FinishedBefore(request, 0)));
    SF_ASSIGN_OR_RETURN(std::vector<InstanceRecord> first, store.ListInstances(FinishedBefore(request, kSampleSize)));
    for (const InstanceRecord& r : first) report.sample.push_back(r.id);
    return report;
  }
  // Always the first page: what was purged is gone from the next list.
  while (true) {
    SF_ASSIGN_OR_RETURN(std::vector<InstanceRecord> page, store.ListInstances(FinishedBefore(request, request.batch)));
    if (page.empty()) break;
    std::vector<std::string> ids;
    for (const InstanceRecord& r : page) {
      ids.push_back(r.id);
      if (report.sample.size() < kSampleSize) report.sample.push_back(r.id);
    }
    report.matched += static_cast<int64_t>(page.size());
    SF_ASSIGN_OR_RETURN(int64_t n, store.PurgeInstances(ids));
    report.purged += n;
    if (progress && !progress(report.purged)) break;
    // None of the page could go (another process resumed them between the
    // list and the delete, say): stop rather than list it again forever.
    if (n == 0) break;
  }
  return report;
}

}  // namespace steadfast
