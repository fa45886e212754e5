// Batch previews by workflow name.
#include "runtime/batch_preview_registry.h"

namespace steadfast {

Status BatchPreviewRegistry::Add(std::string workflow, BatchPreviewFn fn) {
  if (workflow.empty() || !fn) return Status::InvalidArgument("a batch preview needs a workflow name and a function");
  if (previews_.count(workflow) > 0) {
    return Status::AlreadyExists("a batch preview for workflow '" + workflow + "' is registered already");
  }
  previews_.emplace(std::move(workflow), std::move(fn));
  return Status::Ok();
}

const BatchPreviewFn* BatchPreviewRegistry::Find(const std::string& workflow) const {
  auto it = previews_.find(workflow);
  return it == previews_.end() ? nullptr : &it->second;
}

}  // namespace steadfast
