// The batch preview of reservation_refund (steadfast/batch_preview.h): what
// a file of cancellations started with `steadfast start --batch ...
// --preview` would refund, priced line by line with the calculator
// refund.calculate_amount runs, totalled per currency (never summed across
// currencies) in the style of `refund policy-diff`, with the largest
// refunds and the lines that cannot be priced. Before eligibility, risk and
// review: an instance may still refund nothing (already refunded, rejected).
#ifndef STEADFAST_PLUGINS_REFUND_BATCH_PREVIEW_H_
#define STEADFAST_PLUGINS_REFUND_BATCH_PREVIEW_H_

#include <memory>
#include <vector>

#include "refund/policy.h"
#include "steadfast/batch_preview.h"
#include "steadfast/clock.h"

namespace steadfast::refund {

// The workflow whose batches it previews.
inline constexpr char kRefundBatchWorkflow[] = "reservation_refund";

// Items are reservation_refund inputs: {reservation, cancel_at?, policy?,
// refund_method?}; a missing cancel_at prices the cancellation at now_ms.
BatchPreview PreviewRefundBatch(const PolicySet& policies, const std::vector<BatchPreviewItem>& items, TimeMs now_ms,
                                int top = 10);

BatchPreviewFn MakeRefundBatchPreview(std::shared_ptr<const PolicySet> policies, const Clock& clock);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_BATCH_PREVIEW_H_
