// Batch previews: what a batch of workflow starts would do, said by the
// plugin that knows the domain, before anything starts.
//
// `steadfast start --batch FILE.jsonl WORKFLOW --preview` (and
// POST /v1/workflows:batch with "preview": true) read the file, check every
// line, and, when a plugin registered a preview for WORKFLOW, hand it the
// well-formed lines: the refund plugin prices each refund with the
// calculator its activity uses and prints `refund policy-diff` style totals
// per currency. A preview never starts, calls or writes anything.
#ifndef STEADFAST_BATCH_PREVIEW_H_
#define STEADFAST_BATCH_PREVIEW_H_

#include <functional>
#include <string>
#include <vector>

#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast {

// One line of the batch: the input an instance would start with.
struct BatchPreviewItem {
  int line = 0;  // 1-based line in the file
  Value input;
};

struct BatchPreview {
  std::string text;  // for people: totals (per currency for money), ends with a newline
  Value json;        // the same for machines (`--json`, the HTTP answer's `preview`)
};

// Summarises the items; an error only when nothing can be said (a line
// that cannot be priced belongs in the summary, with its line number).
using BatchPreviewFn = std::function<Result<BatchPreview>(const std::vector<BatchPreviewItem>& items)>;

class BatchPreviews {
 public:
  virtual ~BatchPreviews() = default;
  // Registers the preview of batches of the workflow named `workflow`.
  // AlreadyExists when one is registered for it.
  virtual Status Add(std::string workflow, BatchPreviewFn fn) = 0;
};

}  // namespace steadfast

#endif  // STEADFAST_BATCH_PREVIEW_H_
