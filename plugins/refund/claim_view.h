// ClaimView: a claim as a person reviews it — its items, messages and
// decisions, and what settling it pays: the settled amounts once settled,
// else a preview from the claim workflow's cancellation breakdown (its
// refund.calculate_amount step), the refunds made before and the decided
// claim (as asked while still open). Shared by `steadfast refund claims
// show` (claim_command.cc) and GET /v1/plugins/refund/claims/{id}
// (http_routes.cc). Read-only.
#ifndef STEADFAST_PLUGINS_REFUND_CLAIM_VIEW_H_
#define STEADFAST_PLUGINS_REFUND_CLAIM_VIEW_H_

#include <optional>
#include <string>

#include "refund/claim.h"
#include "refund/claim_settlement.h"
#include "refund/claim_store.h"
#include "refund/refund_store.h"
#include "steadfast/commands.h"
#include "steadfast/value.h"

namespace steadfast::refund {

struct ClaimView {
  ReservationClaim claim;
  std::optional<ClaimPayout> settlement;  // null: the workflow has no cancellation breakdown yet
  std::string basis;                       // "settled" | "preview, if approved as asked" | "preview of the decided claim"

  // ClaimToValue plus "settlement" (money values, or null) and
  // "settlement_basis" (or null).
  Value ToValue() const;
};

// The claim `claim_id` with its settlement (preview). `workflows` reads the
// claim workflow's history (null: no preview). NotFound for an unknown
// claim; the stores' errors otherwise.
Result<ClaimView> ViewClaim(ClaimStore& claims, RefundStore& refunds, WorkflowReader* workflows,
                            const std::string& claim_id);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_CLAIM_VIEW_H_
