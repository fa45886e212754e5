// BatchPreviewRegistry: the batch previews plugins registered
// (steadfast/batch_preview.h), looked up by workflow name when a batch is
// previewed. Filled while plugins load, read-only afterwards.
#ifndef STEADFAST_RUNTIME_BATCH_PREVIEW_REGISTRY_H_
#define STEADFAST_RUNTIME_BATCH_PREVIEW_REGISTRY_H_

#include <map>
#include <string>

#include "steadfast/batch_preview.h"

namespace steadfast {

class BatchPreviewRegistry : public BatchPreviews {
 public:
  Status Add(std::string workflow, BatchPreviewFn fn) override;
  // The preview of `workflow`'s batches; null when no plugin gave one.
  const BatchPreviewFn* Find(const std::string& workflow) const;

 private:
  std::map<std::string, BatchPreviewFn> previews_;
};

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_BATCH_PREVIEW_REGISTRY_H_
