// DisputeApi: the sandbox's disputes (chargebacks), as a PSP reports them.
//
//   POST /sandbox/disputes        open one (JSON: charge, amount (default: the
//                                 whole charge), reason, status (default open))
//   POST /sandbox/disputes/{id}   close it (JSON: status: won | lost)
//   GET  /v1/disputes             list by change number (since, limit 1..100,
//                                 charge); Stripe's list object plus
//                                 `next_since`, the number to ask from next
//   GET  /v1/disputes/{id}        retrieve
//
// The /sandbox ones are how a test plays the cardholder's bank; /v1 is what
// the refund plugin reads, with the PSP's secret key like any /v1 call.
// Errors are Stripe's envelope. Not thread-safe: SandboxService calls it
// under its mutex.
#ifndef STEADFAST_TOOLS_SANDBOX_DISPUTE_API_H_
#define STEADFAST_TOOLS_SANDBOX_DISPUTE_API_H_

#include <string_view>

#include "api_support.h"
#include "dispute_book.h"
#include "sandbox_http.h"

namespace steadfast::sandbox {

class DisputeApi {
 public:
  explicit DisputeApi(DisputeBook& book) : book_(book) {}

  Outcome Open(const SandboxRequest& request, const CallContext& ctx);
  Outcome Close(std::string_view id, const SandboxRequest& request);
  Outcome List(const SandboxRequest& request);
  Outcome Get(std::string_view id);

 private:
  DisputeBook& book_;
};

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_DISPUTE_API_H_
