// The refund plugin's routes: query parameters and bodies checked here, the
// work done by the same stores and functions as the CLI verbs.
#include "refund/http_routes.h"

#include <string>
#include <vector>

#include "refund/claim_store.h"
#include "refund/claim_view.h"
#include "refund/dispute_store.h"
#include "refund/settlement.h"
#include "refund/settlement_store.h"
#include "refund/transaction_execution.h"

namespace steadfast::refund {
namespace {

using Services = std::shared_ptr<const RefundServices>;

RouteResponse BadQuery(std::string message) { return RouteResponse::Error(400, "invalid_query", std::move(message)); }
RouteResponse BadField(std::string message) { return RouteResponse::Error(400, "invalid_field", std::move(message)); }

Result<PluginStorage*> Storage(const RouteRequest& r) {
  if (r.storage == nullptr) return Status::Unavailable("the engine keeps no plugin tables for the refund plugin");
  return r.storage;
}

Result<RouteResponse> ListClaims(const RouteRequest& r) {
  ClaimFilter filter;
  filter.reservation_id = r.Query("reservation").value_or("");
  if (auto s = r.Query("status")) {
    filter.status = ParseClaimStatus(*s);
    if (!filter.status) return BadQuery("status must be open, decided or settled");
  }
  SF_ASSIGN_OR_RETURN(PluginStorage * storage, Storage(r));
  SF_ASSIGN_OR_RETURN(std::vector<ReservationClaim> claims, ClaimStore(*storage).Claims(filter));
  Value::List list;
  for (const ReservationClaim& c : claims) list.push_back(ClaimToValue(c));
  return RouteResponse::Json(Value::Map{{"claims", std::move(list)}});
}

Result<RouteResponse> ShowClaim(const Services& services, const RouteRequest& r) {
  SF_ASSIGN_OR_RETURN(PluginStorage * storage, Storage(r));
  SF_ASSIGN_OR_RETURN(RefundStore * refunds, services->Store());
  ClaimStore claims(*storage);
  SF_ASSIGN_OR_RETURN(ClaimView view, ViewClaim(claims, *refunds, services->workflows, r.Param("id")));
  return RouteResponse::Json(view.ToValue());
}

Result<RouteResponse> ListTransactions(const RouteRequest& r) {
  TransactionFilter filter;
  filter.reservation_id = r.Query("reservation").value_or("");
  if (auto s = r.Query("status")) {
    filter.status = ParseTransactionStatus(*s);
    if (!filter.status) return BadQuery("status must be pending, completed or failed");
  }
  if (auto k = r.Query("kind")) {
    filter.kind = ParseTransactionKind(*k);
    if (!filter.kind) return BadQuery("kind must be booking, guestrefund, hostpayout, deposit or depositreturn");
  }
  SF_ASSIGN_OR_RETURN(PluginStorage * storage, Storage(r));
  SettlementStore settlements(*storage);
  SF_ASSIGN_OR_RETURN(std::vector<SettlementTransaction> txns, settlements.Transactions(filter));
  if (filter.reservation_id.empty()) return RouteResponse::Json(TransactionListingToValue(txns, nullptr));
  SF_ASSIGN_OR_RETURN(std::vector<CancellationDetails> snapshots, settlements.Snapshots(filter.reservation_id));
  return RouteResponse::Json(TransactionListingToValue(txns, &snapshots));
}

// The body: {"reason": "...", "destination": "acct_..."} (destination optional).
Result<RouteResponse> Execute(const Services& services, const Clock& clock, const RouteRequest& r) {
  if (!r.body.is_map()) return BadField("the body must be a JSON object with a \"reason\"");
  const Value& reason = r.body.Get("reason");
  if (!reason.is_string() || reason.StringOr("").empty()) {
    return BadField("\"reason\" is required, a non-empty string: it goes into the audit");
  }
  const Value& destination = r.body.Get("destination");
  if (!destination.is_null() && !destination.is_string()) {
    return BadField("\"destination\" must be a string (a connected account id, acct_...)");
  }
  if (services->psp == nullptr) return Status::Unavailable(services->psp_problem);
  SF_ASSIGN_OR_RETURN(PluginStorage * storage, Storage(r));
  SettlementStore settlements(*storage);
  ExecutionRequest request;
  request.transaction_id = r.Param("id");
  request.actor = r.principal;
  request.reason = reason.StringOr("");
  request.destination = destination.StringOr("");
  if (services->workflows == nullptr) return Status::Unavailable("the engine's workflows cannot be read here");
  SF_ASSIGN_OR_RETURN(RefundStore * refunds, services->Store());
  SF_ASSIGN_OR_RETURN(ExecutionResult executed, ExecuteTransaction(settlements, *refunds, *services->workflows,
                                                                   *services->psp, request, clock));
  Value out = TransactionToValue(executed.transaction);
  out["outcome"] = std::string(ExecutionOutcomeName(executed.outcome));
  if (!executed.ledger.empty()) out["ledger"] = executed.ledger;
  return RouteResponse::Json(std::move(out));
}

Result<RouteResponse> ListDisputes(const RouteRequest& r) {
  const std::string status = r.Query("status").value_or("");
  if (!status.empty() && status != "open" && status != "won" && status != "lost") {
    return BadQuery("status must be open, won or lost");
  }
  SF_ASSIGN_OR_RETURN(PluginStorage * storage, Storage(r));
  SF_ASSIGN_OR_RETURN(std::vector<DisputeRow> disputes, DisputeStore(*storage).List(status));
  Value::List list;
  for (const DisputeRow& d : disputes) list.push_back(d.ToValue());
  return RouteResponse::Json(Value::Map{{"disputes", std::move(list)}});
}

}  // namespace

Status AddRefundRoutes(PluginRoutes& routes, Services services, const Clock& clock) {
  SF_RETURN_IF_ERROR(routes.Add({"GET", "/claims", RouteAccess::kRead, RouteBody::kNone,
                                 "reservation claims, by reservation and status", ListClaims}));
  SF_RETURN_IF_ERROR(routes.Add({"GET", "/claims/{id}", RouteAccess::kRead, RouteBody::kNone,
                                 "a claim: items, messages, decisions and settlement (preview)",
                                 [services](const RouteRequest& r) { return ShowClaim(services, r); }}));
  SF_RETURN_IF_ERROR(routes.Add({"GET", "/transactions", RouteAccess::kRead, RouteBody::kNone,
                                 "settlement transactions, by reservation (with its snapshots), status and kind",
                                 ListTransactions}));
  SF_RETURN_IF_ERROR(routes.Add({"POST", "/transactions/{id}/execute", RouteAccess::kAdmin, RouteBody::kJson,
                                 "execute a pending or failed guest refund / host payout through the PSP (audited)",
                                 [services, &clock](const RouteRequest& r) { return Execute(services, clock, r); }}));
  SF_RETURN_IF_ERROR(routes.Add({"GET", "/disputes", RouteAccess::kRead, RouteBody::kNone,
                                 "PSP disputes and their overlap with refunds", ListDisputes}));
  return Status::Ok();
}

}  // namespace steadfast::refund
