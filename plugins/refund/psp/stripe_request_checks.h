// Stripe's request limits, checked before anything is sent, shared by the
// Stripe adapter's refund and transfer calls (not public API): a request
// Stripe would refuse is refused here as non-retryable, with no call made.
#ifndef STEADFAST_PLUGINS_REFUND_PSP_STRIPE_REQUEST_CHECKS_H_
#define STEADFAST_PLUGINS_REFUND_PSP_STRIPE_REQUEST_CHECKS_H_

#include <cstddef>
#include <map>
#include <optional>
#include <string>

namespace steadfast::refund::stripe {

inline constexpr size_t kMaxIdempotencyKeyLength = 255;
inline constexpr size_t kMaxMetadataKeys = 50;
inline constexpr size_t kMaxMetadataKeyLength = 40;
inline constexpr size_t kMaxMetadataValueLength = 500;

// What is wrong with `key`, or nullopt.
inline std::optional<std::string> IdempotencyKeyProblem(const std::string& key) {
  if (key.empty() || key.size() > kMaxIdempotencyKeyLength) return "an idempotency key of 1..255 characters";
  return std::nullopt;
}

// What is wrong with `metadata`, or nullopt.
inline std::optional<std::string> MetadataProblem(const std::map<std::string, std::string>& metadata) {
  if (metadata.size() > kMaxMetadataKeys) return "at most 50 metadata keys";
  for (const auto& [key, value] : metadata) {
    if (key.empty() || key.size() > kMaxMetadataKeyLength || value.size() > kMaxMetadataValueLength) {
      return "metadata keys must be 1..40 characters and values at most 500";
    }
  }
  return std::nullopt;
}

// ASCII lower case, as Stripe writes currencies.
inline std::string Lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

}  // namespace steadfast::refund::stripe

#endif  // STEADFAST_PLUGINS_REFUND_PSP_STRIPE_REQUEST_CHECKS_H_
