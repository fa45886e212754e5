// SimNetwork: the simulation's network and the PSP at its far end.
//
// An HttpTransport (the seam the refund plugin reaches its PSP, inventory
// and notification services through, PluginContext::http) that hands each
// request to the sandbox's own SandboxService in-process: the same Stripe
// refunds semantics (idempotency keys, replays, charges' remaining amounts,
// pending settlement that later succeeds or fails, listings reconcile
// reads) and the same seeded faults (5xx, 429, held requests, lost
// responses), minus the socket. Time a request spends on the wire is
// simulated: a held request advances the clock (the client gives up at its
// timeout, while the PSP still acts on it), and whoever drives the clock
// may run the watchdog meanwhile.
//
// Every effect the PSP made is recorded by the idempotency key that asked
// for it, delivered to the caller or not, so "no effect twice" is checked
// against what the PSP did, not what the engine believes.
#ifndef STEADFAST_TESTS_SIM_SIM_NETWORK_H_
#define STEADFAST_TESTS_SIM_SIM_NETWORK_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "sandbox_service.h"
#include "steadfast/clock.h"
#include "steadfast/http_transport.h"

namespace steadfast::sim {

inline constexpr const char* kPspBaseUrl = "http://psp.sim";
inline constexpr const char* kPspSecretKey = "sk_test_simulation";

struct NetworkStats {
  int64_t requests = 0;
  int64_t lost_responses = 0;   // the PSP acted, the caller saw the connection drop
  int64_t timeouts = 0;         // the caller gave up waiting; the PSP acted later
  int64_t error_answers = 0;    // 4xx/5xx answered
};

class SimNetwork final : public HttpTransport {
 public:
  // advance(ms) moves simulated time forward while a request is on the wire.
  static Result<std::unique_ptr<SimNetwork>> Create(uint64_t seed, const Clock& clock,
                                                    std::function<void(int64_t)> advance);

  TransportResult Send(const HttpRequest& request) override;

  // Control plane (never faulted): seeds a charge; patches faults or
  // settlement (the sandbox's /sandbox/faults and /sandbox/settlement JSON).
  Status SeedCharge(const std::string& id, int64_t amount_minor, const std::string& currency);
  Status Configure(const std::string& path, const nlohmann::json& body);

  // Refund ids the PSP created, by the Idempotency-Key that asked (only
  // requests that created one: a replay adds nothing).
  const std::map<std::string, std::set<std::string>>& refunds_by_key() const { return refunds_by_key_; }
  const NetworkStats& stats() const { return stats_; }
  // The self-test's broken PSP: it ignores Idempotency-Key on refunds.
  void BreakIdempotency() { ignore_idempotency_ = true; }
  // Called while a request is at the PSP (admitted, not yet answered): the
  // simulation lets other "threads" act there (a worker, a client, time).
  void SetOnWire(std::function<void()> on_wire) { on_wire_ = std::move(on_wire); }
  // Told one line per exchange (for the run's trace).
  void SetTrace(std::function<void(const std::string&)> trace) { trace_ = std::move(trace); }

 private:
  SimNetwork(const Clock& clock, std::function<void(int64_t)> advance) : clock_(clock), advance_(std::move(advance)) {}
  sandbox::SandboxResponse Control(const std::string& method, const std::string& path, const std::string& body);
  void RecordEffect(const sandbox::SandboxRequest& request, const std::string& key,
                    const sandbox::SandboxResponse& response);

  const Clock& clock_;
  std::function<void(int64_t)> advance_;
  std::unique_ptr<sandbox::SandboxService> service_;
  std::map<std::string, std::set<std::string>> refunds_by_key_;
  NetworkStats stats_;
  bool ignore_idempotency_ = false;
  std::function<void(const std::string&)> trace_;
  std::function<void()> on_wire_;
};

}  // namespace steadfast::sim

#endif  // STEADFAST_TESTS_SIM_SIM_NETWORK_H_
