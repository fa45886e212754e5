// StripePspAdapter's payouts: Stripe Connect transfers and their reversals,
// and the parsing of Stripe's transfer objects (psp_transfer.h).
#include <utility>
#include <vector>

#include "error_classification.h"
#include "psp_transfer.h"
#include "steadfast/http_transport.h"
#include "stripe_psp_adapter.h"
#include "stripe_request_checks.h"

namespace steadfast::refund {

namespace {

using stripe::Lower;

ActivityError InvalidRequest(std::string message) {
  return ActivityError::NonRetryable("invalid_transfer_request", std::move(message));
}

ActivityError BadResponse(const Status& status) {
  return ActivityError::Retryable("psp_bad_response", "unexpected answer from the PSP: " + status.message());
}

// The answer to a create must be the object asked for: a PSP (or something
// posing as one) that reports another amount, currency or destination is not
// believed, and the object's id goes to whoever settles it by hand.
ActivityError Mismatch(const std::string& code, const std::string& message, const std::string& id) {
  ActivityError error = ActivityError::NonRetryable(code, message);
  error.details = Value::Map{{"transfer_id", id}};
  return error;
}

}  // namespace

RemoteResult<PspTransfer> StripePspAdapter::Transfer(const TransferRequest& r) {
  if (auto problem = stripe::IdempotencyKeyProblem(r.idempotency_key)) {
    return InvalidRequest("a transfer needs " + *problem);
  }
  if (r.amount_minor <= 0) return InvalidRequest("a transfer amount must be positive");
  if (r.currency.size() != 3) return InvalidRequest("a transfer needs a three-letter currency");
  if (r.destination.rfind("acct_", 0) != 0) return InvalidRequest("a transfer destination is a connected account id (acct_...)");
  if (auto problem = stripe::MetadataProblem(r.metadata)) return InvalidRequest(*problem);

  std::vector<std::pair<std::string, std::string>> form{{"amount", std::to_string(r.amount_minor)},
                                                        {"currency", Lower(r.currency)},
                                                        {"destination", r.destination}};
  if (!r.transfer_group.empty()) form.emplace_back("transfer_group", r.transfer_group);
  if (!r.description.empty()) form.emplace_back("description", r.description);
  for (const auto& [key, value] : r.metadata) form.emplace_back("metadata[" + key + "]", value);
  RemoteResult<HttpResponse> response = Exchange(NewIdempotentPost("/v1/transfers", form, r.idempotency_key));
  if (!response.ok()) return response.error();
  Result<Value> json = Value::FromJson(response->body);
  if (!json.ok()) return BadResponse(json.status());
  Result<PspTransfer> transfer = ParseStripeTransfer(*json);
  if (!transfer.ok()) return BadResponse(transfer.status());
  transfer->replayed = response->Header("idempotent-replayed").value_or("") == "true";
  if (transfer->amount_minor != r.amount_minor) {
    return Mismatch("psp_amount_mismatch",
                    "the PSP reports a transfer of " + std::to_string(transfer->amount_minor) +
                        " minor units, expected " + std::to_string(r.amount_minor),
                    transfer->id);
  }
  if (transfer->currency != Lower(r.currency)) {
    return Mismatch("psp_currency_mismatch",
                    "the PSP transferred in " + transfer->currency + ", expected " + Lower(r.currency), transfer->id);
  }
  if (transfer->destination != r.destination) {
    return Mismatch("psp_destination_mismatch",
                    "the PSP transferred to " + transfer->destination + ", expected " + r.destination, transfer->id);
  }
  return std::move(transfer).value();
}

RemoteResult<PspTransfer> StripePspAdapter::GetTransfer(std::string_view transfer_id) {
  if (transfer_id.empty()) return InvalidRequest("a transfer id is required");
  RemoteResult<HttpResponse> response =
      Exchange(NewRequest(HttpMethod::kGet, "/v1/transfers/" + UrlEscape(transfer_id)));
  if (!response.ok()) return response.error();
  Result<Value> json = Value::FromJson(response->body);
  if (!json.ok()) return BadResponse(json.status());
  Result<PspTransfer> transfer = ParseStripeTransfer(*json);
  if (!transfer.ok()) return BadResponse(transfer.status());
  return std::move(transfer).value();
}

RemoteResult<PspTransferReversal> StripePspAdapter::ReverseTransfer(const TransferReversalRequest& r) {
  if (auto problem = stripe::IdempotencyKeyProblem(r.idempotency_key)) {
    return InvalidRequest("a transfer reversal needs " + *problem);
  }
  if (r.transfer_id.empty()) return InvalidRequest("a transfer reversal needs the transfer id");
  if (r.amount_minor && *r.amount_minor <= 0) return InvalidRequest("a reversal amount must be positive");
  if (auto problem = stripe::MetadataProblem(r.metadata)) return InvalidRequest(*problem);

  std::vector<std::pair<std::string, std::string>> form;
  if (r.amount_minor) form.emplace_back("amount", std::to_string(*r.amount_minor));
  for (const auto& [key, value] : r.metadata) form.emplace_back("metadata[" + key + "]", value);
  RemoteResult<HttpResponse> response = Exchange(
      NewIdempotentPost("/v1/transfers/" + UrlEscape(r.transfer_id) + "/reversals", form, r.idempotency_key));
  if (!response.ok()) return response.error();
  Result<Value> json = Value::FromJson(response->body);
  if (!json.ok()) return BadResponse(json.status());
  Result<PspTransferReversal> reversal = ParseStripeTransferReversal(*json);
  if (!reversal.ok()) return BadResponse(reversal.status());
  reversal->replayed = response->Header("idempotent-replayed").value_or("") == "true";
  if (reversal->transfer_id != r.transfer_id || (r.amount_minor && reversal->amount_minor != *r.amount_minor)) {
    ActivityError error = ActivityError::NonRetryable(
        "psp_amount_mismatch", "the PSP reports a reversal of " + std::to_string(reversal->amount_minor) + " of " +
                                   reversal->transfer_id + ", not the one asked for");
    error.details = Value::Map{{"transfer_id", r.transfer_id}, {"reversal_id", reversal->id}};
    return error;
  }
  return std::move(reversal).value();
}

Result<PspTransfer> ParseStripeTransfer(const Value& o) {
  if (!o.is_map()) return Status::InvalidArgument("a transfer must be a JSON object");
  if (o.Get("object").StringOr("") != "transfer") return Status::InvalidArgument("object is not 'transfer'");
  PspTransfer t;
  t.id = o.Get("id").StringOr("");
  if (t.id.empty()) return Status::InvalidArgument("transfer without an id");
  if (!o.Get("amount").is_int() || o.Get("amount").AsInt() < 0) {
    return Status::InvalidArgument("transfer " + t.id + " without a non-negative integer amount");
  }
  t.amount_minor = o.Get("amount").AsInt();
  t.amount_reversed = o.Get("amount_reversed").IntOr(0);
  if (t.amount_reversed < 0 || t.amount_reversed > t.amount_minor) {
    return Status::InvalidArgument("transfer " + t.id + " reversed by more than its amount");
  }
  t.currency = Lower(o.Get("currency").StringOr(""));
  if (t.currency.empty()) return Status::InvalidArgument("transfer " + t.id + " without a currency");
  t.destination = o.Get("destination").StringOr("");
  t.transfer_group = o.Get("transfer_group").StringOr("");
  t.created_s = o.Get("created").IntOr(0);
  if (o.Get("metadata").is_map()) {
    for (const auto& [key, value] : o.Get("metadata").AsMap()) t.metadata[key] = value.StringOr("");
  }
  t.status = o.Get("status").StringOr("paid");
  if (t.status != "paid" && t.status != "pending" && t.status != "failed") {
    return Status::InvalidArgument("transfer " + t.id + " with an unknown status '" + t.status + "'");
  }
  t.failure_code = o.Get("failure_code").StringOr("");
  return t;
}

Result<PspTransferReversal> ParseStripeTransferReversal(const Value& o) {
  if (!o.is_map()) return Status::InvalidArgument("a transfer reversal must be a JSON object");
  if (o.Get("object").StringOr("") != "transfer_reversal") {
    return Status::InvalidArgument("object is not 'transfer_reversal'");
  }
  PspTransferReversal r;
  r.id = o.Get("id").StringOr("");
  if (r.id.empty()) return Status::InvalidArgument("transfer reversal without an id");
  if (!o.Get("amount").is_int() || o.Get("amount").AsInt() <= 0) {
    return Status::InvalidArgument("transfer reversal " + r.id + " without a positive integer amount");
  }
  r.amount_minor = o.Get("amount").AsInt();
  r.transfer_id = o.Get("transfer").StringOr("");
  r.currency = Lower(o.Get("currency").StringOr(""));
  if (r.transfer_id.empty() || r.currency.empty()) {
    return Status::InvalidArgument("transfer reversal " + r.id + " without its transfer or currency");
  }
  return r;
}

}  // namespace steadfast::refund
