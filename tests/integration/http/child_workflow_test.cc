// Child workflows and parallel branches as users see them through a real
// `steadfast serve`: the parent waiting for its children, both linked in
// their views, children listed by ?parent=, a cancel of the parent going
// down to them (docs/workflows.md "Child workflows", "Parallel branches").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_server.h"

namespace steadfast::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// A seller's part: it waits for the seller's confirmation.
constexpr const char* kSellerYaml = R"(name: seller_part
version: 1
input: { seller: string }
steps:
  - id: confirm
    signal: confirmed
  - id: done
    activity: std.echo
    with: { seller: "${input.seller}", by: "${steps.confirm.by}" }
)";

constexpr const char* kOrderYaml = R"(name: split_order
version: 1
steps:
  - id: sellers
    parallel:
      branches:
        - { id: seller_a, workflow: seller_part, input: { seller: a } }
        - { id: seller_b, workflow: seller_part, input: { seller: b } }
  - id: summary
    activity: std.echo
    with: { a: "${steps.seller_a.done.seller}", b: "${steps.sellers.seller_b.done.seller}" }
)";

TEST(ChildWorkflowsOverHttp, AParallelStepWaitsForItsChildrenAndJoins) {
  TestServer server(ServerOptions{"", false, 2, {{"seller_part", kSellerYaml}, {"split_order", kOrderYaml}}});
  Reply started = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "split_order", "id": "order-9"})");
  ASSERT_EQ(started.status, 201) << started.body;
  ASSERT_TRUE(server.WaitUntil("order-9~seller_a", "waiting_signal"));
  ASSERT_TRUE(server.WaitUntil("order-9~seller_b", "waiting_signal"));

  Reply parent = server.Get("/v1/workflows/order-9", kRitaToken);
  ASSERT_EQ(parent.status, 200) << parent.body;
  EXPECT_EQ(parent.json.Get("status").StringOr(""), "waiting_child") << parent.body;
  const Value& waiting = parent.json.Get("waiting_for");
  EXPECT_EQ(waiting.Get("kind").StringOr(""), "children") << parent.body;
  EXPECT_EQ(waiting.Get("branches").AsList().size(), 2u) << parent.body;
  Reply child = server.Get("/v1/workflows/order-9~seller_a", kRitaToken);
  ASSERT_EQ(child.status, 200) << child.body;
  EXPECT_EQ(child.json.Get("parent").Get("id").StringOr(""), "order-9") << child.body;
  EXPECT_EQ(child.json.Get("parent").Get("step").StringOr(""), "seller_a") << child.body;
  EXPECT_THAT(server.Get("/v1/workflows?parent=order-9", kRitaToken).ids(),
              UnorderedElementsAre("order-9~seller_a", "order-9~seller_b"));
  EXPECT_THAT(server.Get("/v1/workflows?waiting=child", kRitaToken).ids(), UnorderedElementsAre("order-9"));
  Reply graph = server.Get("/v1/workflows/order-9/graph", kRitaToken);
  EXPECT_THAT(graph.body, HasSubstr(R"("kind":"parallel")"));
  EXPECT_THAT(graph.body, HasSubstr(R"("kind":"child_workflow")"));

  for (const char* seller : {"seller_a", "seller_b"}) {
    Reply sent = server.Post(std::string("/v1/workflows/order-9~") + seller + "/signals/confirmed", kOpsToken,
                             R"({"by": "the seller"})");
    ASSERT_EQ(sent.status / 100, 2) << sent.body;
  }
  Value done = server.WaitForStatus("order-9", "completed");
  EXPECT_EQ(done.Get("output").Get("summary"), Value(Value::Map{{"a", "a"}, {"b", "b"}})) << done.ToJson();
  Reply history = server.Get("/v1/workflows/order-9/history", kRitaToken);
  EXPECT_THAT(history.body, HasSubstr("child_started"));
  EXPECT_THAT(history.body, HasSubstr("child_completed"));
}

TEST(ChildWorkflowsOverHttp, CancellingTheParentCancelsItsChildren) {
  TestServer server(ServerOptions{"", false, 2, {{"seller_part", kSellerYaml}, {"split_order", kOrderYaml}}});
  ASSERT_EQ(server.Post("/v1/workflows", kOpsToken, R"({"workflow": "split_order", "id": "order-10"})").status, 201);
  ASSERT_TRUE(server.WaitUntil("order-10~seller_b", "waiting_signal"));
  ASSERT_TRUE(server.WaitUntil("order-10", "waiting_child"));
  Reply cancelled = server.Post("/v1/workflows/order-10/cancel", kOpsToken, R"({"reason": "order withdrawn"})");
  ASSERT_EQ(cancelled.status / 100, 2) << cancelled.body;
  Value parent = server.WaitForStatus("order-10", "cancelled");
  EXPECT_EQ(parent.Get("status").StringOr(""), "cancelled") << parent.ToJson();
  for (const char* seller : {"order-10~seller_a", "order-10~seller_b"}) {
    Value c = server.WaitForStatus(seller, "cancelled");
    EXPECT_THAT(c.Get("error").Get("message").StringOr(""), HasSubstr("parent workflow order-10 is being cancelled"))
        << c.ToJson();
  }
}

}  // namespace
}  // namespace steadfast::testing
