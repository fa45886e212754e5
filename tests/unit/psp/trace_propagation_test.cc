// The refund plugin's outgoing traceparent: added inside an activity's
// scope, never outside it, never twice.
#include "refund/psp/trace_propagation.h"

#include <gtest/gtest.h>

#include "steadfast/testing.h"

namespace steadfast::refund {
namespace {

class RecordingTransport final : public HttpTransport {
 public:
  TransportResult Send(const HttpRequest& request) override {
    seen.push_back(request);
    return HttpResponse{200, {}, "{}"};
  }
  std::vector<HttpRequest> seen;
};

std::vector<std::string> Traceparents(const HttpRequest& r) {
  std::vector<std::string> out;
  for (const auto& [name, value] : r.headers) {
    if (name == "traceparent" || name == "Traceparent") out.push_back(value);
  }
  return out;
}

constexpr const char* kAttempt = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TracePropagationTest, OnlyInsideAnActivityAndOnlyOnce) {
  RecordingTransport inner;
  TracePropagatingTransport transport(inner);
  HttpRequest plain;
  plain.url = "http://psp/v1/refunds";
  transport.Send(plain);
  {
    ScopedTraceparent scope(kAttempt);
    transport.Send(plain);
    HttpRequest own = plain;
    own.headers.emplace_back("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    transport.Send(own);
  }
  transport.Send(plain);
  ASSERT_EQ(inner.seen.size(), 4u);
  EXPECT_TRUE(Traceparents(inner.seen[0]).empty());
  EXPECT_EQ(Traceparents(inner.seen[1]), std::vector<std::string>{kAttempt});
  EXPECT_EQ(Traceparents(inner.seen[2]).size(), 1u);  // the caller's own header wins
  EXPECT_NE(Traceparents(inner.seen[2])[0], kAttempt);
  EXPECT_TRUE(Traceparents(inner.seen[3]).empty());  // the scope ended
}

TEST(TracePropagationTest, TheWrapperScopesTheActivitysContext) {
  std::string during;
  ActivityRegistry registry;
  ASSERT_TRUE(registry
                  .Register("t.probe", WithTracePropagation([&](ActivityContext& ctx) -> ActivityResult {
                              during = CurrentTraceparent();
                              ctx.SetTraceAttribute("probe.seen", true);
                              return Value();
                            }))
                  .ok());
  ActivityTestRun run;
  run.traceparent = kAttempt;
  EXPECT_TRUE(run.Run(registry, "t.probe").ok());
  EXPECT_EQ(during, kAttempt);
  EXPECT_EQ(CurrentTraceparent(), "");
  EXPECT_EQ(run.trace_attributes.at("probe.seen"), Value(true));
}

}  // namespace
}  // namespace steadfast::refund
