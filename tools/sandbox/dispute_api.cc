// DisputeApi: opening, closing and listing disputes.
#include "dispute_api.h"

#include <optional>
#include <string>

#include "text_parse.h"

namespace steadfast::sandbox {

namespace {

Outcome Bad(std::string_view message, std::string_view param) {
  return ErrorOutcome(400, "invalid_request_error", "parameter_invalid", message, param);
}

Outcome FromStatus(const Status& status, std::string_view param) {
  switch (status.code()) {
    case StatusCode::kNotFound:
      return ErrorOutcome(404, "invalid_request_error", "resource_missing", status.message(), param);
    case StatusCode::kInvalidArgument: return Bad(status.message(), param);
    case StatusCode::kFailedPrecondition:
      return ErrorOutcome(400, "invalid_request_error", "dispute_already_closed", status.message(), param);
    default: return ErrorOutcome(500, "api_error", "", "sandbox storage failure: " + status.ToString());
  }
}

Result<nlohmann::json> JsonObject(const SandboxRequest& request) {
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) return Status::InvalidArgument("The body must be a JSON object.");
  return body;
}

}  // namespace

Outcome DisputeApi::Open(const SandboxRequest& request, const CallContext& ctx) {
  Result<nlohmann::json> parsed = JsonObject(request);
  if (!parsed.ok()) return ErrorOutcome(400, "invalid_request_error", "invalid_json", parsed.status().message());
  std::string charge, reason;
  std::optional<int64_t> amount;
  DisputeStatus status = DisputeStatus::kNeedsResponse;
  for (const auto& [key, value] : parsed->items()) {
    if (key == "charge") {
      if (!value.is_string()) return Bad("charge must be a charge id (ch_...)", "charge");
      charge = value.get<std::string>();
    } else if (key == "amount") {
      if (!value.is_number_integer() || value.get<int64_t>() < 1) {
        return Bad("amount must be a positive integer (minor units)", "amount");
      }
      amount = value.get<int64_t>();
    } else if (key == "reason") {
      if (!value.is_string()) return Bad("reason must be a string such as fraudulent", "reason");
      reason = value.get<std::string>();
    } else if (key == "status") {
      std::optional<DisputeStatus> s = value.is_string() ? ParseDisputeStatus(value.get<std::string>()) : std::nullopt;
      if (!s) return Bad("status must be open (needs_response), won or lost", "status");
      status = *s;
    } else {
      return ErrorOutcome(400, "invalid_request_error", "parameter_unknown", "Received unknown parameter: " + key,
                          key);
    }
  }
  if (charge.empty()) {
    return ErrorOutcome(400, "invalid_request_error", "parameter_missing", "charge is required", "charge");
  }
  int64_t disputed = amount.value_or(0);
  if (!amount) {
    const Charge* c = book_.charges().FindCharge(charge);
    if (c == nullptr) return FromStatus(Status::NotFound("No such charge: '" + charge + "'"), "charge");
    disputed = c->amount;
  }
  Result<Dispute> opened = book_.Open(charge, disputed, std::move(reason), status, ctx.now_ms);
  if (!opened.ok()) return FromStatus(opened.status(), opened.status().code() == StatusCode::kNotFound ? "charge" : "amount");
  return JsonOutcome(200, DisputeToJson(*opened), opened->id);
}

Outcome DisputeApi::Close(std::string_view id, const SandboxRequest& request) {
  Result<nlohmann::json> parsed = JsonObject(request);
  if (!parsed.ok()) return ErrorOutcome(400, "invalid_request_error", "invalid_json", parsed.status().message());
  std::optional<DisputeStatus> status;
  for (const auto& [key, value] : parsed->items()) {
    if (key != "status") {
      return ErrorOutcome(400, "invalid_request_error", "parameter_unknown", "Received unknown parameter: " + key,
                          key);
    }
    if (value.is_string()) status = ParseDisputeStatus(value.get<std::string>());
  }
  if (!status || *status == DisputeStatus::kNeedsResponse) return Bad("status must be won or lost", "status");
  Result<Dispute> closed = book_.Close(id, *status);
  if (!closed.ok()) return FromStatus(closed.status(), "id");
  return JsonOutcome(200, DisputeToJson(*closed), closed->id);
}

Outcome DisputeApi::List(const SandboxRequest& request) {
  if (!request.query_valid) {
    return ErrorOutcome(400, "invalid_request_error", "", "Invalid request: the query string could not be decoded.");
  }
  int64_t since = 0, limit = 10;
  std::string charge;
  for (const auto& [name, value] : request.query) {
    if (name == "charge") {
      charge = value;
      continue;
    }
    const auto number = ParseInt(value);
    if (name == "since" && number && *number >= 0) {
      since = *number;
    } else if (name == "limit" && number && *number >= 1 && *number <= 100) {
      limit = *number;
    } else if (name == "since" || name == "limit") {
      return ErrorOutcome(400, "invalid_request_error", "parameter_invalid_integer",
                          "since must be >= 0 and limit in 1..100 (it currently is '" + value + "').", name);
    } else {
      return ErrorOutcome(400, "invalid_request_error", "parameter_unknown", "Received unknown parameter: " + name,
                          name);
    }
  }
  bool has_more = false;
  nlohmann::ordered_json body;
  body["object"] = "list";
  body["data"] = nlohmann::ordered_json::array();
  int64_t next = since;
  for (const Dispute* d : book_.ChangedSince(since, charge, static_cast<size_t>(limit), has_more)) {
    body["data"].push_back(DisputeToJson(*d));
    next = d->change_seq;
  }
  body["has_more"] = has_more;
  body["next_since"] = next;
  body["url"] = "/v1/disputes";
  return JsonOutcome(200, body);
}

Outcome DisputeApi::Get(std::string_view id) {
  const Dispute* d = book_.Find(id);
  if (d == nullptr) return FromStatus(Status::NotFound("No such dispute: '" + std::string(id) + "'"), "id");
  return JsonOutcome(200, DisputeToJson(*d), d->id);
}

}  // namespace steadfast::sandbox
