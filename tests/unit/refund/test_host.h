// What the refund plugin takes from the engine in unit tests: the engine's
// real HTTP transport, the plugin storage the test opened (if any), no
// metrics, no committed events.
#ifndef STEADFAST_TESTS_UNIT_REFUND_TEST_HOST_H_
#define STEADFAST_TESTS_UNIT_REFUND_TEST_HOST_H_

#include "net/curl_transport.h"
#include "steadfast/registry.h"

namespace steadfast::refund {

inline PluginContext TestHost(PluginStorage* storage = nullptr) {
  PluginContext host;
  host.name = "refund";
  host.http = &net::CurlTransport::Instance();
  host.storage = storage;
  return host;
}

}  // namespace steadfast::refund

#endif  // STEADFAST_TESTS_UNIT_REFUND_TEST_HOST_H_
