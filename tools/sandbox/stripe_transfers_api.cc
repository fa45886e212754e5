// StripeTransfersApi: transfers and reversals with Stripe's validation and errors.
#include "stripe_transfers_api.h"

#include <optional>

#include "stripe_params.h"
#include "text_parse.h"

namespace steadfast::sandbox {

namespace {

Outcome Missing(std::string_view param) {
  return ErrorOutcome(400, "invalid_request_error", "parameter_missing",
                      "Missing required param: " + std::string(param) + ".", param);
}

bool IsCurrencyCode(std::string_view currency) {
  if (currency.size() != 3) return false;
  for (const char c : currency) {
    if (c < 'a' || c > 'z') return false;
  }
  return true;
}

}  // namespace

Outcome StripeTransfersApi::CreateTransfer(const SandboxRequest& request, const CallContext& ctx,
                                           int64_t payout_delay_ms) {
  if (auto bad = CheckFormBody(request)) return std::move(*bad);
  return RunIdempotent(idempotency_, "psp", request, FormFingerprint(request.form), ctx,
                       [&] { return ExecuteTransfer(request, ctx, payout_delay_ms); });
}

Execution StripeTransfersApi::ExecuteTransfer(const SandboxRequest& request, const CallContext& ctx,
                                              int64_t payout_delay_ms) {
  Transfer transfer;
  std::optional<int64_t> amount;
  for (const auto& [name, value] : request.form) {
    Outcome error;
    if (name == "amount") {
      Result<int64_t> parsed = ParseAmount(value, error);
      if (!parsed.ok()) return Invalid(std::move(error));
      amount = *parsed;
    } else if (name == "currency") {
      transfer.currency = AsciiLower(value);
      if (!IsCurrencyCode(transfer.currency)) {
        return Invalid(ErrorOutcome(400, "invalid_request_error", "parameter_invalid",
                                    "Invalid currency: " + value + ".", "currency"));
      }
    } else if (name == "destination") {
      transfer.destination = value;
    } else if (name == "transfer_group") {
      transfer.transfer_group = value;
    } else if (name == "description") {
      transfer.description = value;
    } else if (auto key = MetadataKey(name)) {
      if (!AddMetadata(name, *key, value, transfer.metadata, error)) return Invalid(std::move(error));
    } else if (name == "source_type" || IsExpand(name)) {
      // Accepted and without effect in the sandbox.
    } else {
      return Invalid(UnknownParameter(name));
    }
  }
  if (auto too_many = CheckMetadataCount(transfer.metadata)) return Invalid(std::move(*too_many));
  if (!amount) return Invalid(Missing("amount"));
  if (transfer.currency.empty()) return Invalid(Missing("currency"));
  if (transfer.destination.empty()) return Invalid(Missing("destination"));
  if (transfer.destination.rfind("acct_", 0) != 0) {
    return Invalid(NoSuch("destination", transfer.destination, "destination"));
  }

  // Execution begins: from here on results are saved under the key.
  if (IsClosedAccount(transfer.destination)) {
    return {ErrorOutcome(400, "invalid_request_error", "account_closed",
                         "The destination account " + transfer.destination +
                             " has been closed and can no longer receive transfers.",
                         "destination")};
  }
  transfer.amount = *amount;
  transfer.idempotency_key = request.idempotency_key;
  Result<Transfer> added = book_.AddTransfer(std::move(transfer), ctx.now_ms, payout_delay_ms);
  if (!added.ok()) {
    return Invalid(ErrorOutcome(500, "api_error", "", "sandbox storage failure: " + added.status().ToString()));
  }
  return {JsonOutcome(200, TransferToJson(*added, {}), added->id)};
}

Outcome StripeTransfersApi::GetTransfer(std::string_view id) {
  const Transfer* transfer = book_.FindTransfer(id);
  if (transfer == nullptr) return NoSuch("transfer", id, "id");
  return JsonOutcome(200, TransferToJson(*transfer, book_.ReversalsOf(id)), transfer->id);
}

Outcome StripeTransfersApi::CreateReversal(std::string_view transfer_id, const SandboxRequest& request,
                                           const CallContext& ctx) {
  if (auto bad = CheckFormBody(request)) return std::move(*bad);
  return RunIdempotent(idempotency_, "psp", request, FormFingerprint(request.form), ctx,
                       [&] { return ExecuteReversal(transfer_id, request, ctx); });
}

Execution StripeTransfersApi::ExecuteReversal(std::string_view transfer_id, const SandboxRequest& request,
                                              const CallContext& ctx) {
  std::optional<int64_t> amount;
  Metadata metadata;
  for (const auto& [name, value] : request.form) {
    Outcome error;
    if (name == "amount") {
      Result<int64_t> parsed = ParseAmount(value, error);
      if (!parsed.ok()) return Invalid(std::move(error));
      amount = *parsed;
    } else if (auto key = MetadataKey(name)) {
      if (!AddMetadata(name, *key, value, metadata, error)) return Invalid(std::move(error));
    } else if (name == "description" || name == "refund_application_fee" || IsExpand(name)) {
      // Accepted and without effect in the sandbox.
    } else {
      return Invalid(UnknownParameter(name));
    }
  }
  if (auto too_many = CheckMetadataCount(metadata)) return Invalid(std::move(*too_many));

  // Execution begins: from here on results are saved under the key.
  const Transfer* transfer = book_.FindTransfer(transfer_id);
  if (transfer == nullptr) return {NoSuch("transfer", transfer_id, "id")};
  const int64_t remaining = transfer->amount - transfer->amount_reversed;
  if (remaining <= 0) {
    return {ErrorOutcome(400, "invalid_request_error", "transfer_already_reversed",
                         "Transfer " + transfer->id + " has already been fully reversed.")};
  }
  const int64_t reversal_amount = amount.value_or(remaining);
  if (reversal_amount > remaining) {
    return {ErrorOutcome(400, "invalid_request_error", "amount_too_large",
                         "Reversal amount (" + std::to_string(reversal_amount) + " " + transfer->currency +
                             ") is greater than the transfer's unreversed amount (" + std::to_string(remaining) +
                             " " + transfer->currency + ")",
                         "amount")};
  }
  Result<TransferReversal> reversal =
      book_.AddReversal(transfer->id, reversal_amount, std::move(metadata), request.idempotency_key, ctx.now_ms);
  if (!reversal.ok()) {
    return Invalid(ErrorOutcome(500, "api_error", "", "sandbox storage failure: " + reversal.status().ToString()));
  }
  return {JsonOutcome(200, TransferReversalToJson(*reversal), reversal->id)};
}

}  // namespace steadfast::sandbox
