// The public WorkflowReader over the Store.
#include "store/store_workflow_reader.h"

namespace steadfast {

StoreWorkflowReader::StoreWorkflowReader(std::unique_ptr<Store> owned) : owned_(std::move(owned)) {
  Bind(owned_.get());
}

Result<Store*> StoreWorkflowReader::Bound() const {
  Store* store = store_.load(std::memory_order_acquire);
  if (store == nullptr) return Status::FailedPrecondition("the engine has not opened its store yet");
  return store;
}

Result<std::vector<WorkflowSummary>> StoreWorkflowReader::List(const std::string& after_id, int limit) {
  SF_ASSIGN_OR_RETURN(Store * store, Bound());
  ListFilter filter;  // every status
  filter.after_id = after_id;
  filter.limit = limit;
  SF_ASSIGN_OR_RETURN(std::vector<InstanceRecord> page, store->ListInstances(filter));
  std::vector<WorkflowSummary> out;
  out.reserve(page.size());
  for (const InstanceRecord& r : page) {
    out.push_back(WorkflowSummary{r.id, r.workflow_name, std::string(InstanceStatusName(r.status)),
                                  IsTerminal(r.status), r.created_at, r.updated_at});
  }
  return out;
}

Result<std::vector<HistoryEvent>> StoreWorkflowReader::History(const std::string& workflow_id) {
  SF_ASSIGN_OR_RETURN(Store * store, Bound());
  return store->GetHistory(workflow_id, 0, 0);
}

}  // namespace steadfast
