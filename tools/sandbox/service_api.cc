// ServiceApi: inventory release/hold and notifications.
#include "service_api.h"

#include <optional>
#include <variant>

namespace steadfast::sandbox {

namespace {

Outcome BadRequest(std::string_view code, std::string_view message, std::string_view param = {}) {
  return ErrorOutcome(400, "invalid_request_error", code, message, param);
}

bool NonEmptyString(const nlohmann::json& body, const char* field) {
  auto it = body.find(field);
  return it != body.end() && it->is_string() && !it->get<std::string>().empty();
}

// Items are optional; when present each needs a sku and a positive quantity.
std::optional<Outcome> CheckItems(const nlohmann::json& body) {
  auto it = body.find("items");
  if (it == body.end()) return std::nullopt;
  if (!it->is_array()) return BadRequest("parameter_invalid", "items must be an array", "items");
  for (const auto& item : *it) {
    if (!item.is_object() || !NonEmptyString(item, "sku")) {
      return BadRequest("parameter_invalid", "each item needs a non-empty string sku", "items");
    }
    auto quantity = item.find("quantity");
    if (quantity == item.end() || !quantity->is_number_integer() || quantity->get<int64_t>() <= 0) {
      return BadRequest("parameter_invalid", "each item needs a positive integer quantity", "items");
    }
  }
  return std::nullopt;
}

}  // namespace

Outcome ServiceApi::Accept(const SandboxRequest& request, const CallContext& ctx, std::string_view space,
                           RecordKind kind, std::string_view id_prefix,
                           const std::function<std::variant<std::string, Outcome>(const nlohmann::json&)>& validate) {
  if (request.idempotency_key.empty()) {
    return BadRequest("idempotency_key_missing", "This endpoint requires an Idempotency-Key header.");
  }
  const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return BadRequest("invalid_json", "The body must be a JSON object.");
  return RunIdempotent(idempotency_, space, request, JsonFingerprint(body), ctx, [&]() -> Execution {
    auto checked = validate(body);
    if (auto* error = std::get_if<Outcome>(&checked)) return Execution{std::move(*error), /*save=*/false};
    ServiceRecord record;
    record.kind = kind;
    record.id = ids_.Next(id_prefix);
    record.idempotency_key = request.idempotency_key;
    record.subject = std::get<std::string>(checked);
    record.request = body;
    record.created_ms = ctx.now_ms;
    Result<ServiceRecord> added = records_.Add(std::move(record));
    if (!added.ok()) {
      return Execution{ErrorOutcome(500, "api_error", "", "sandbox storage failure: " + added.status().ToString()),
                       /*save=*/false};
    }
    nlohmann::ordered_json response = ServiceRecordToJson(*added);
    if (kind == RecordKind::kNotification) response["status"] = "sent";
    return Execution{JsonOutcome(200, response, added->id), /*save=*/true};
  });
}

Outcome ServiceApi::InventoryRelease(const SandboxRequest& request, const CallContext& ctx) {
  return Accept(request, ctx, "inventory", RecordKind::kInventoryRelease, "invrel",
                [](const nlohmann::json& body) -> std::variant<std::string, Outcome> {
                  if (auto error = CheckItems(body)) return std::move(*error);
                  const bool has_items = body.contains("items") && !body["items"].empty();
                  if (!NonEmptyString(body, "reservation_id") && !has_items) {
                    return BadRequest("parameter_missing", "Provide reservation_id or a non-empty items list.",
                                      "reservation_id");
                  }
                  return NonEmptyString(body, "reservation_id") ? body["reservation_id"].get<std::string>()
                                                                : std::string();
                });
}

Outcome ServiceApi::InventoryHold(const SandboxRequest& request, const CallContext& ctx) {
  return Accept(request, ctx, "inventory", RecordKind::kInventoryHold, "invhold",
                [](const nlohmann::json& body) -> std::variant<std::string, Outcome> {
                  if (auto error = CheckItems(body)) return std::move(*error);
                  if (!NonEmptyString(body, "reservation_id")) {
                    return BadRequest("parameter_missing", "reservation_id is required.", "reservation_id");
                  }
                  return body["reservation_id"].get<std::string>();
                });
}

Outcome ServiceApi::Notify(const SandboxRequest& request, const CallContext& ctx) {
  return Accept(request, ctx, "notifications", RecordKind::kNotification, "ntf",
                [](const nlohmann::json& body) -> std::variant<std::string, Outcome> {
                  if (!NonEmptyString(body, "to")) return BadRequest("parameter_missing", "to is required.", "to");
                  if (!NonEmptyString(body, "template")) {
                    return BadRequest("parameter_missing", "template is required.", "template");
                  }
                  if (body.contains("amount") && !body["amount"].is_number_integer()) {
                    return BadRequest("parameter_invalid_integer", "amount must be an integer in minor units.",
                                      "amount");
                  }
                  return body["to"].get<std::string>();
                });
}

}  // namespace steadfast::sandbox
