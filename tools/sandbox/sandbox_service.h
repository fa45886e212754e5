// SandboxService: everything the sandbox does, minus the socket.
//
// The HTTP front end hands each request over in two steps. Admit() checks
// credentials (401), claims the request's idempotency key (a concurrent
// duplicate gets 409 idempotency_key_in_use), then draws its fault; when it
// returns an immediate response (401, 409, 429, 5xx) the front end sends it
// and is done. Otherwise the front end waits the decision's delay, if any, and calls
// Handle(), which routes to the endpoint, records the call and releases the
// key; for a kDropped decision it then closes the connection instead of
// answering. Every call, immediate or not, lands in the call log once.
//
// Endpoints: see stripe_api.h, stripe_transfers_api.h, dispute_api.h, service_api.h, and the /sandbox/* control
// endpoints documented in docs/sandbox.md. Thread-safe (one mutex).
#ifndef STEADFAST_TOOLS_SANDBOX_SANDBOX_SERVICE_H_
#define STEADFAST_TOOLS_SANDBOX_SANDBOX_SERVICE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "api_support.h"
#include "call_log.h"
#include "dispute_api.h"
#include "dispute_book.h"
#include "fault_injector.h"
#include "id_generator.h"
#include "idempotency_store.h"
#include "refund_book.h"
#include "sandbox_http.h"
#include "service_api.h"
#include "service_records.h"
#include "settlement_feed.h"
#include "sandbox_database.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"
#include "stripe_api.h"
#include "stripe_transfers_api.h"
#include "transfer_book.h"

namespace steadfast::sandbox {

struct ServiceOptions {
  std::string secret_key;      // the Stripe secret key /v1 requests must present
  std::string service_token;   // if set, /inventory and /notifications need it as a bearer token
  SettlementConfig settlement;
  FaultConfig faults;
  uint64_t seed = 0;           // ids, fault draws and settlement draws
};

// What Admit decided for one request.
struct Admission {
  FaultDecision fault;
  std::optional<SandboxResponse> immediate;  // answer this now; Handle must not be called
  TimeMs arrived_ms = 0;
  std::string held_space;                    // idempotency key space claimed (released by Handle)
};

class SandboxService {
 public:
  // Loads (or creates) the state in `db`. Errors when the file is unusable.
  static Result<std::unique_ptr<SandboxService>> Create(ServiceOptions options, std::unique_ptr<Connection> db,
                                                        const Clock& clock);
  SandboxService(const SandboxService&) = delete;
  SandboxService& operator=(const SandboxService&) = delete;

  Admission Admit(const SandboxRequest& request);
  // Executes an admitted request; records the call with the admission's fault.
  SandboxResponse Handle(const SandboxRequest& request, const Admission& admission);
  // Records a call that ended without an answer for another reason (e.g. the
  // server shut down while the request was held) and releases its key.
  void Abandon(const SandboxRequest& request, const Admission& admission);

 private:
  SandboxService(ServiceOptions options, std::unique_ptr<Connection> db, const Clock& clock);
  Status Load();

  Outcome Route(const SandboxRequest& request, const CallContext& ctx);  // requires mu_
  Outcome SeedCharge(const SandboxRequest& request);                     // requires mu_
  Outcome PatchFaults(const SandboxRequest& request);                    // requires mu_
  Outcome PatchSettlementConfig(const SandboxRequest& request);          // requires mu_
  Outcome SettleNow();                                                   // requires mu_
  Outcome ListSettlements(const SandboxRequest& request);                // requires mu_
  Outcome ListCalls(const SandboxRequest& request);                      // requires mu_
  Outcome Stats();                                                       // requires mu_
  nlohmann::ordered_json TransferStats() const;                          // requires mu_
  Outcome RouteTransfers(const SandboxRequest& request, const CallContext& ctx);  // requires mu_
  Outcome RouteDisputes(const SandboxRequest& request, const CallContext& ctx);   // requires mu_
  Outcome ListRecords(RecordKind kind, RecordKind other_kind);           // requires mu_
  std::optional<SandboxResponse> CheckAuth(const SandboxRequest& request) const;
  void RecordCall(const SandboxRequest& request, const Admission& admission, const Outcome& outcome,
                  TimeMs now_ms);  // requires mu_
  SandboxResponse Finish(Outcome outcome, const std::string& request_id) const;

  std::mutex mu_;
  ServiceOptions options_;              // settlement guarded by mu_
  std::unique_ptr<Connection> db_;
  const Clock& clock_;
  IdGenerator ids_;                     // guarded by mu_
  FaultInjector faults_;                // own lock
  SettlementFeed settlements_;
  RefundBook book_;
  TransferBook transfers_;
  DisputeBook disputes_;
  IdempotencyStore idempotency_;
  ServiceRecords records_;
  CallLog calls_;
  StripeApi stripe_;
  StripeTransfersApi stripe_transfers_;
  ServiceApi services_;
  DisputeApi dispute_api_;
};

// The idempotency key space of a path: "psp" for /v1, "inventory",
// "notifications", or "" (not idempotent).
std::string_view KeySpace(std::string_view method, std::string_view path);

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_SANDBOX_SERVICE_H_
