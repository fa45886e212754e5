// PspAdapter value types: names, conversions and paging.
#include "psp_adapter.h"

#include <set>
#include <string>

namespace steadfast::refund {

std::string_view RefundReasonName(RefundReason reason) {
  switch (reason) {
    case RefundReason::kUnspecified: return "";
    case RefundReason::kDuplicate: return "duplicate";
    case RefundReason::kFraudulent: return "fraudulent";
    case RefundReason::kRequestedByCustomer: return "requested_by_customer";
  }
  return "";
}

std::optional<RefundReason> ParseRefundReason(std::string_view name) {
  if (name.empty()) return RefundReason::kUnspecified;
  if (name == "duplicate") return RefundReason::kDuplicate;
  if (name == "fraudulent") return RefundReason::kFraudulent;
  if (name == "requested_by_customer") return RefundReason::kRequestedByCustomer;
  return std::nullopt;
}

std::string_view PspRefundStatusName(PspRefundStatus status) {
  switch (status) {
    case PspRefundStatus::kPending: return "pending";
    case PspRefundStatus::kSucceeded: return "succeeded";
    case PspRefundStatus::kFailed: return "failed";
    case PspRefundStatus::kCanceled: return "canceled";
    case PspRefundStatus::kRequiresAction: return "requires_action";
  }
  return "pending";
}

std::optional<PspRefundStatus> ParsePspRefundStatus(std::string_view name) {
  if (name == "pending") return PspRefundStatus::kPending;
  if (name == "succeeded") return PspRefundStatus::kSucceeded;
  if (name == "failed") return PspRefundStatus::kFailed;
  if (name == "canceled") return PspRefundStatus::kCanceled;
  if (name == "requires_action") return PspRefundStatus::kRequiresAction;
  return std::nullopt;
}

Value PspRefund::ToValue() const {
  Value::Map meta;
  for (const auto& [key, value] : metadata) meta[key] = value;
  Value::Map out{
      {"id", id},
      {"status", PspRefundStatusName(status)},
      {"amount", amount_minor},
      {"currency", currency},
      {"charge", charge},
      {"payment_intent", payment_intent},
      {"reason", RefundReasonName(reason)},
      {"created", created_s},
      {"metadata", std::move(meta)},
      {"replayed", replayed},
  };
  if (!failure_reason.empty()) out["failure_reason"] = failure_reason;
  return out;
}

RemoteResult<std::vector<PspRefund>> ListAllRefunds(PspAdapter& psp, ListRefundsRequest request,
                                                    size_t max_refunds) {
  auto incomplete = [](std::string why) { return ActivityError::NonRetryable(kPspListingIncomplete, std::move(why)); };
  std::vector<PspRefund> all;
  std::set<std::string> cursors;
  while (true) {
    RemoteResult<RefundPage> page = psp.ListRefunds(request);
    if (!page.ok()) return page.error();
    if (page->refunds.empty()) {
      if (page->has_more) return incomplete("the PSP says more refunds follow but sent an empty page");
      return all;
    }
    if (page->refunds.size() > max_refunds - all.size()) {
      return incomplete("the PSP lists more than " + std::to_string(max_refunds) +
                        " refunds; the listing was stopped rather than used in part (narrow it, e.g. with --since)");
    }
    for (PspRefund& refund : page->refunds) all.push_back(std::move(refund));
    if (!page->has_more) return all;
    if (!cursors.insert(all.back().id).second) {
      return incomplete("the PSP's listing does not move on after refund " + all.back().id);
    }
    request.starting_after = all.back().id;
  }
}

RemoteResult<SettlementEventPage> PspAdapter::ListSettlements(const ListSettlementsRequest&) {
  return ActivityError::NonRetryable("psp_settlements_unsupported", "this PSP adapter does not list settlements");
}

RemoteResult<DisputePage> PspAdapter::ListDisputes(const ListDisputesRequest&) {
  return ActivityError::NonRetryable("psp_disputes_unsupported", "this PSP adapter does not list disputes");
}

}  // namespace steadfast::refund
