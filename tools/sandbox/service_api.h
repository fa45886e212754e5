// ServiceApi: the inventory and notification endpoints the refund plugin calls.
//
//   POST /inventory/release  {"reservation_id": "...", "items": [{"sku", "quantity", ...}], ...}
//   POST /inventory/hold     {"reservation_id": "...", ...}   (compensation: re-hold)
//   POST /notifications      {"to": "...", "template": "...", "amount": ..., ...}
//
// JSON bodies, an Idempotency-Key header is required (400 idempotency_key_missing
// without one), and the same Stripe-style idempotency rules as the PSP apply,
// in their own key spaces. Every accepted request becomes a ServiceRecord.
// Not thread-safe: SandboxService calls it under its mutex.
#ifndef STEADFAST_TOOLS_SANDBOX_SERVICE_API_H_
#define STEADFAST_TOOLS_SANDBOX_SERVICE_API_H_

#include <functional>
#include <string>
#include <string_view>
#include <variant>

#include "api_support.h"
#include "id_generator.h"
#include "idempotency_store.h"
#include "sandbox_http.h"
#include "service_records.h"

namespace steadfast::sandbox {

class ServiceApi {
 public:
  ServiceApi(ServiceRecords& records, IdempotencyStore& idempotency, IdGenerator& ids)
      : records_(records), idempotency_(idempotency), ids_(ids) {}

  Outcome InventoryRelease(const SandboxRequest& request, const CallContext& ctx);
  Outcome InventoryHold(const SandboxRequest& request, const CallContext& ctx);
  Outcome Notify(const SandboxRequest& request, const CallContext& ctx);

 private:
  // Parses the JSON object body and runs `validate` then records it, under
  // idempotency in `space`. `validate` returns the subject or an error outcome.
  Outcome Accept(const SandboxRequest& request, const CallContext& ctx, std::string_view space, RecordKind kind,
                 std::string_view id_prefix,
                 const std::function<std::variant<std::string, Outcome>(const nlohmann::json&)>& validate);

  ServiceRecords& records_;
  IdempotencyStore& idempotency_;
  IdGenerator& ids_;
};

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_SERVICE_API_H_
