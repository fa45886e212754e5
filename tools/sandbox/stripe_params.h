// Stripe's request conventions shared by the sandbox's /v1 endpoints
// (refunds, transfers, transfer reversals): the amount and metadata limits,
// the error objects Stripe answers for a missing object or an unknown
// parameter, and the parsing of form fields every create endpoint accepts
// (`amount`, `metadata[k]`, `expand[]`). One place, so the endpoints validate
// alike and a change of limit applies to all of them.
#ifndef STEADFAST_TOOLS_SANDBOX_STRIPE_PARAMS_H_
#define STEADFAST_TOOLS_SANDBOX_STRIPE_PARAMS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api_support.h"

namespace steadfast::sandbox {

using Metadata = std::map<std::string, std::string>;

inline constexpr int64_t kMaxAmount = 99'999'999;  // Stripe's 8-digit amount limit

// A validation failure: answered, not saved under the idempotency key.
inline Execution Invalid(Outcome outcome) { return Execution{std::move(outcome), /*save=*/false}; }

// 404 resource_missing: "No such <what>: '<id>'".
Outcome NoSuch(std::string_view what, std::string_view id, std::string_view param);
// 400 parameter_unknown.
Outcome UnknownParameter(std::string_view name);
bool IsExpand(std::string_view name);
// "metadata[order]" -> "order"; nullopt when name is not a metadata entry.
std::optional<std::string> MetadataKey(std::string_view name);

// Reads `amount` (1..kMaxAmount); the error answer otherwise.
Result<int64_t> ParseAmount(const std::string& value, Outcome& error);
// Adds one metadata[k]=v field (an empty value unsets k); false and `error`
// set when the key or value is too long.
bool AddMetadata(const std::string& name, const std::string& key, const std::string& value, Metadata& metadata,
                 Outcome& error);
// The 50-key limit, checked once all fields are read; nullopt when within it.
std::optional<Outcome> CheckMetadataCount(const Metadata& metadata);

// Form-encoded body checks every create endpoint makes first; nullopt when
// the body is an empty or a decodable form.
std::optional<Outcome> CheckFormBody(const SandboxRequest& request);

nlohmann::ordered_json MetadataJson(const Metadata& metadata);
std::string MetadataToText(const Metadata& metadata);
Metadata MetadataFromText(const std::string& text);

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_STRIPE_PARAMS_H_
