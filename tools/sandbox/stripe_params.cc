// Stripe's shared parameter rules and error objects.
#include "stripe_params.h"

#include "text_parse.h"

namespace steadfast::sandbox {

namespace {

constexpr size_t kMaxMetadataKeys = 50;
constexpr size_t kMaxMetadataKeyLength = 40;
constexpr size_t kMaxMetadataValueLength = 500;

}  // namespace

Outcome NoSuch(std::string_view what, std::string_view id, std::string_view param) {
  return ErrorOutcome(404, "invalid_request_error", "resource_missing",
                      "No such " + std::string(what) + ": '" + std::string(id) + "'", param);
}

Outcome UnknownParameter(std::string_view name) {
  return ErrorOutcome(400, "invalid_request_error", "parameter_unknown",
                      "Received unknown parameter: " + std::string(name), name);
}

bool IsExpand(std::string_view name) { return name == "expand[]" || name.substr(0, 7) == "expand["; }

std::optional<std::string> MetadataKey(std::string_view name) {
  constexpr std::string_view kPrefix = "metadata[";
  if (name.size() <= kPrefix.size() + 1 || name.substr(0, kPrefix.size()) != kPrefix || name.back() != ']') {
    return std::nullopt;
  }
  return std::string(name.substr(kPrefix.size(), name.size() - kPrefix.size() - 1));
}

Result<int64_t> ParseAmount(const std::string& value, Outcome& error) {
  const std::optional<int64_t> amount = ParseInt(value);
  if (!amount) {
    error = ErrorOutcome(400, "invalid_request_error", "parameter_invalid_integer", "Invalid integer: " + value,
                         "amount");
    return Status::InvalidArgument("amount");
  }
  if (*amount < 1 || *amount > kMaxAmount) {
    error = ErrorOutcome(400, "invalid_request_error", "parameter_invalid_integer",
                         "This value must be greater than or equal to 1 and at most " + std::to_string(kMaxAmount) +
                             ".",
                         "amount");
    return Status::InvalidArgument("amount");
  }
  return *amount;
}

bool AddMetadata(const std::string& name, const std::string& key, const std::string& value, Metadata& metadata,
                 Outcome& error) {
  if (key.size() > kMaxMetadataKeyLength || value.size() > kMaxMetadataValueLength) {
    error = ErrorOutcome(400, "invalid_request_error", "",
                         "Metadata keys can be up to 40 characters and values up to 500 characters.", name);
    return false;
  }
  if (value.empty()) {
    metadata.erase(key);  // an empty value unsets the key
  } else {
    metadata[key] = value;
  }
  return true;
}

std::optional<Outcome> CheckMetadataCount(const Metadata& metadata) {
  if (metadata.size() <= kMaxMetadataKeys) return std::nullopt;
  return ErrorOutcome(400, "invalid_request_error", "", "Metadata can have up to 50 keys.", "metadata");
}

std::optional<Outcome> CheckFormBody(const SandboxRequest& request) {
  if (!request.body.empty() && !request.is_form) {
    return ErrorOutcome(400, "invalid_request_error", "",
                        "Invalid request: the body must be application/x-www-form-urlencoded.");
  }
  if (!request.form_valid) {
    return ErrorOutcome(400, "invalid_request_error", "", "Invalid request: the form body could not be decoded.");
  }
  return std::nullopt;
}

nlohmann::ordered_json MetadataJson(const Metadata& metadata) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [key, value] : metadata) out[key] = value;
  return out;
}

std::string MetadataToText(const Metadata& metadata) { return nlohmann::json(metadata).dump(); }

Metadata MetadataFromText(const std::string& text) {
  Metadata out;
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return out;
  for (const auto& [key, value] : parsed.items()) {
    if (value.is_string()) out[key] = value.get<std::string>();
  }
  return out;
}

}  // namespace steadfast::sandbox
