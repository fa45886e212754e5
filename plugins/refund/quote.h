// Refund quotes: what `steadfast refund quote` prints for support staff
// ("how much will I get back?") without starting a workflow.
//
// A quote runs exactly the calculation refund.calculate_amount runs (same
// reservation parsing, policy selection and calculator), so the number a
// support agent quotes is the number the workflow will refund.
#ifndef STEADFAST_PLUGINS_REFUND_QUOTE_H_
#define STEADFAST_PLUGINS_REFUND_QUOTE_H_

#include <string>

#include "refund/breakdown.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"

namespace steadfast::refund {

struct QuoteRequest {
  std::string policies_path;  // the refund policy YAML file
  std::string policy;         // spec ("moderate", "moderate@1"); "" -> the reservation's, then the default
  std::string reservation;    // reservation JSON, or "@path" to read it from a file
  std::string cancel_at;      // RFC 3339; "" or "now" -> clock.NowMs()
  std::string refund_method;  // "", "cash" or "voucher" (the guest's choice, when the policy allows one)
};

// The breakdown for a request. Errors: NotFound (policy file, reservation
// file, policy name), InvalidArgument (malformed JSON, reservation,
// timestamp or policy file, with positions), FailedPrecondition (the policy
// does not serve the reservation's currency).
Result<RefundBreakdown> ComputeQuote(const QuoteRequest& request, const Clock& clock);

// A fixed-width plain-text table of a breakdown (ASCII, ends with a newline).
std::string FormatBreakdownTable(const RefundBreakdown& breakdown);

// ComputeQuote + FormatBreakdownTable: the CLI verb's output.
Result<std::string> QuoteRefund(const QuoteRequest& request, const Clock& clock);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_QUOTE_H_
