// FaultInjector: decides, per request, which fault the sandbox plays.
//
// Faults exist so that tests can prove the engine survives a misbehaving PSP:
// 5xx errors (random rate or a burst of the next N requests), 429 with
// Retry-After, added latency (fixed plus random jitter), "timeouts" (the
// request is held far longer than any sane client waits, then handled), and
// lost responses (the request is handled and committed, then the connection
// is closed without an answer). They apply only to paths under the configured
// scope prefixes, so seeding and the /sandbox control endpoints stay reliable.
//
// Order of precedence for one request: 429, then 5xx (both answered before the
// idempotency layer, so nothing is executed or remembered, like an edge error),
// then lost response (handled at once; latency does not apply), then timeout
// hold, then latency. The configuration is set from CLI flags at start-up and
// patched at run time from POST /sandbox/faults JSON. Thread-safe.
#ifndef STEADFAST_TOOLS_SANDBOX_FAULT_INJECTOR_H_
#define STEADFAST_TOOLS_SANDBOX_FAULT_INJECTOR_H_

#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "steadfast/status.h"

namespace steadfast::sandbox {

struct FaultConfig {
  double error_rate = 0.0;         // probability in [0,1] of a 500 per in-scope request
  int64_t burst_5xx = 0;           // the next N in-scope requests answer 500
  int64_t latency_ms = 0;          // fixed delay before an in-scope request is handled
  int64_t latency_jitter_ms = 0;   // plus a uniform random delay in [0, jitter]
  double timeout_rate = 0.0;       // probability a request is held for timeout_hold_ms
  int64_t timeout_next = 0;        // the next N in-scope requests are held
  int64_t timeout_hold_ms = 10000; // how long a held request waits before it is handled
  double rate_limit_rate = 0.0;    // probability of a 429
  int64_t rate_limit_next = 0;     // the next N in-scope requests answer 429
  int64_t retry_after_s = 1;       // Retry-After (seconds) sent with 429s
  double drop_rate = 0.0;          // probability of handling then dropping the connection
  int64_t drop_next = 0;           // the next N in-scope requests are handled then dropped
  std::vector<std::string> scope = {"/v1/refunds", "/v1/transfers", "/inventory", "/notifications"};  // path prefixes
};

// The longest hold or latency accepted (the HTTP server's own request timeout
// is set above it).
inline constexpr int64_t kMaxFaultDelayMs = 300'000;

// Validates ranges (rates in [0,1], counts and delays >= 0, delays <= kMaxFaultDelayMs).
Status ValidateFaultConfig(const FaultConfig& config);
// Applies the fields present in `patch` (a JSON object with FaultConfig's
// field names) on top of `base`; {"reset": true} starts from no faults.
// InvalidArgument on unknown fields, wrong types or out-of-range values.
Result<FaultConfig> PatchFaultConfig(const FaultConfig& base, const nlohmann::json& patch);
nlohmann::json FaultConfigToJson(const FaultConfig& config);

enum class FaultKind : int {
  kNone = 0,
  kRateLimited = 1,  // answer 429 + Retry-After, do nothing
  kServerError = 2,  // answer 500, do nothing
  kDropped = 3,      // handle the request, then close the connection without answering
  kTimeout = 4,      // hold delay_ms, then handle and answer (the client has usually gone)
};

// "none", "rate_limited", "5xx", "dropped", "timeout".
std::string_view FaultKindName(FaultKind kind);

struct FaultDecision {
  FaultKind kind = FaultKind::kNone;
  int64_t delay_ms = 0;        // hold (timeout) or latency before handling
  int64_t retry_after_s = 0;   // for kRateLimited
  bool delayed_by_latency = false;  // delay_ms comes from the latency setting
};

class FaultInjector {
 public:
  FaultInjector(FaultConfig config, uint64_t seed);
  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  // Decides the fault for one request and consumes "next N" counters.
  FaultDecision Decide(std::string_view path);
  FaultConfig config() const;
  // Replaces the configuration (validated by the caller).
  void Set(FaultConfig config);

 private:
  bool InScope(std::string_view path) const;  // requires mu_
  bool Roll(double probability);              // requires mu_

  mutable std::mutex mu_;
  FaultConfig config_;  // guarded by mu_
  std::mt19937_64 rng_; // guarded by mu_
};

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_FAULT_INJECTOR_H_
