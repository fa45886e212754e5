// Shared pieces of the sandbox's endpoint handlers.
//
// Outcome is what a handler produces: the response plus what the call log
// wants to know (was it a replay, which object it touched). Errors use
// Stripe's envelope {"error": {"type", "code", "message", "param"}} on every
// endpoint, the inventory and notification ones included, so one client-side
// classifier reads them all. RunIdempotent wraps a handler in Stripe's
// idempotency semantics (see idempotency_store.h).
#ifndef STEADFAST_TOOLS_SANDBOX_API_SUPPORT_H_
#define STEADFAST_TOOLS_SANDBOX_API_SUPPORT_H_

#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "idempotency_store.h"
#include "sandbox_http.h"
#include "steadfast/clock.h"

namespace steadfast::sandbox {

struct Outcome {
  SandboxResponse response;
  bool replayed = false;   // an idempotent replay of a saved response
  std::string object_id;   // the object created or read, for the call log
};

// Per-call facts a handler may need.
struct CallContext {
  std::string request_id;  // "req_...", sent as Request-Id
  TimeMs now_ms = 0;
};

Outcome JsonOutcome(int status, const nlohmann::ordered_json& body, std::string object_id = "");
// Stripe's error object; `code` and `param` are omitted when empty.
Outcome ErrorOutcome(int status, std::string_view type, std::string_view code, std::string_view message,
                     std::string_view param = {});

// A handler's result and whether the idempotency layer should save it
// (validation failures are not saved, as at Stripe).
struct Execution {
  Outcome outcome;
  bool save = true;
};

// Canonical parameter fingerprints: same parameters, same string.
std::string FormFingerprint(const Params& form);
std::string JsonFingerprint(const nlohmann::json& body);

// With no idempotency key: runs `execute`. With one: replays the saved
// response for the same endpoint and fingerprint, refuses a different one with
// 400 idempotency_error, or runs `execute` and saves its result. A storage
// failure is answered with 500 api_error.
Outcome RunIdempotent(IdempotencyStore& store, std::string_view space, const SandboxRequest& request,
                      const std::string& fingerprint, const CallContext& ctx,
                      const std::function<Execution()>& execute);

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_API_SUPPORT_H_
