// Trace propagation: every request the refund plugin sends while one of its
// activities runs carries the attempt's W3C `traceparent` header, so the
// PSP's, inventory's and notification service's spans join the workflow's
// trace (docs/observability.md, "Traces").
//
// The activity wrapper records ActivityContext::traceparent() for the
// worker thread running it; the transport decorator adds it to requests
// sent from that thread. Nothing else in the plugin has to pass it along,
// and calls made outside an activity (`steadfast reconcile`) carry none.
#ifndef STEADFAST_PLUGINS_REFUND_PSP_TRACE_PROPAGATION_H_
#define STEADFAST_PLUGINS_REFUND_PSP_TRACE_PROPAGATION_H_

#include <string>

#include "steadfast/http_transport.h"
#include "steadfast/registry.h"

namespace steadfast::refund {

// The traceparent of the activity attempt running on this thread, or "".
const std::string& CurrentTraceparent();

// Makes `traceparent` current on this thread for its lifetime.
class ScopedTraceparent {
 public:
  explicit ScopedTraceparent(std::string traceparent);
  ~ScopedTraceparent();
  ScopedTraceparent(const ScopedTraceparent&) = delete;
  ScopedTraceparent& operator=(const ScopedTraceparent&) = delete;

 private:
  std::string previous_;
};

// Runs `fn` with its context's traceparent current.
ActivityFn WithTracePropagation(ActivityFn fn);

// Adds the current traceparent to each request (unless it has one already)
// and sends it through `inner`.
class TracePropagatingTransport final : public HttpTransport {
 public:
  explicit TracePropagatingTransport(HttpTransport& inner) : inner_(inner) {}
  TransportResult Send(const HttpRequest& request) override;

 private:
  HttpTransport& inner_;
};

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_PSP_TRACE_PROPAGATION_H_
