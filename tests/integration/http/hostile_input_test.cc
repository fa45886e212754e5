// Hostile and damaging input over loopback against a real `steadfast serve`:
// bodies nested far beyond kMaxValueDepth on every route that takes a JSON
// body (they used to overflow the stack and kill the process, or be stored
// and never read back), and values right at the limit (stored, read back
// and listed).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "steadfast/value.h"
#include "test_server.h"

namespace steadfast::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string NestedArrays(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// The body of a 400 for a too-deep value names the limit.
void ExpectTooDeep(const Reply& r) {
  EXPECT_EQ(r.status, 400) << r.error << r.body;
  EXPECT_EQ(r.code(), "value_too_deep") << r.body;
  EXPECT_THAT(r.message(), HasSubstr("limit of " + std::to_string(kMaxValueDepth))) << r.body;
}

TEST(HostileInputTest, HundredThousandNestedArraysAre400OnEveryRouteAndTheServerStaysUp) {
  TestServer server;  // max_body 1 MiB: the 200 KB bodies reach the parser
  Reply held = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "held", "input": {"amount": 700}})");
  ASSERT_EQ(held.status, 201) << held.body;
  const std::string held_id = held.json.Get("id").StringOr("");
  Reply wait = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "wait"})");
  ASSERT_EQ(wait.status, 201) << wait.body;
  const std::string wait_id = wait.json.Get("id").StringOr("");
  ASSERT_TRUE(server.WaitUntil(held_id, "waiting_approval"));
  ASSERT_TRUE(server.WaitUntil(wait_id, "waiting_signal"));

  const std::string deep = NestedArrays(100000);
  ExpectTooDeep(server.Post("/v1/workflows", kOpsToken, R"({"workflow": "quick", "input": )" + deep + "}"));
  ExpectTooDeep(server.Post("/v1/workflows/" + held_id + "/approvals/review", kRitaToken,
                            R"({"decision": "approve", "comment": )" + deep + "}"));
  ExpectTooDeep(server.Post("/v1/workflows/" + wait_id + "/signals/item_received", kOpsToken, deep));
  // A few hundred levels used to be stored and then break every list.
  ExpectTooDeep(server.Post("/v1/workflows", kOpsToken,
                            R"({"workflow": "quick", "input": {"x": )" + NestedArrays(300) + "}}"));
  ExpectTooDeep(server.Post("/v1/workflows/" + wait_id + "/signals/item_received", kOpsToken, NestedArrays(300)));

  EXPECT_EQ(server.Get("/healthz", "").status, 200);
  Reply list = server.Get("/v1/workflows", kOpsToken);
  EXPECT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(server.Get("/v1/workflows/" + wait_id + "/history", kOpsToken).status, 200);
  EXPECT_EQ(server.Get("/v1/workflows/" + held_id, kOpsToken).json.Get("status").StringOr(""), "waiting_approval");
}

TEST(HostileInputTest, ValuesAtTheLimitAreStoredReadBackAndListed) {
  TestServer server;
  // A body at the limit: one map around the input, one around x.
  Reply started = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "quick", "input": {"x": )" +
                                                              NestedArrays(kMaxValueDepth - 2) + "}}");
  ASSERT_EQ(started.status, 201) << started.body;
  auto start_wait = [&] {
    Reply wait = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "wait"})");
    EXPECT_EQ(wait.status, 201) << wait.body;
    const std::string id = wait.json.Get("id").StringOr("");
    EXPECT_TRUE(server.WaitUntil(id, "waiting_signal"));
    return id;
  };
  // `wait` echoes the payload inside {got: ...}: one level below the limit
  // goes through every step and the output.
  const std::string id = start_wait();
  Reply signalled = server.Post("/v1/workflows/" + id + "/signals/item_received", kOpsToken,
                                NestedArrays(kMaxValueDepth - 1));
  ASSERT_EQ(signalled.status, 200) << signalled.body;
  Value done = server.WaitForStatus(id, "completed");
  EXPECT_EQ(done.Get("status").StringOr(""), "completed") << done.ToJson();
  EXPECT_EQ(ValueDepth(done.Get("output").Get("got")), kMaxValueDepth - 1);
  // A payload at the limit is accepted; wrapping it in {got: ...} is one
  // level too many, so the step fails for good instead of storing it.
  const std::string at_limit = start_wait();
  Reply deepest = server.Post("/v1/workflows/" + at_limit + "/signals/item_received", kOpsToken,
                              NestedArrays(kMaxValueDepth));
  ASSERT_EQ(deepest.status, 200) << deepest.body;
  Value failed = server.WaitForStatus(at_limit, "failed");
  EXPECT_EQ(failed.Get("error").Get("code").StringOr(""), "value_too_deep") << failed.ToJson();

  Reply list = server.Get("/v1/workflows", kOpsToken);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json.Get("items").AsList().size(), 3u);
  for (const std::string& i : {id, at_limit}) {
    EXPECT_EQ(server.Get("/v1/workflows/" + i + "/history", kOpsToken).status, 200);
  }
}

}  // namespace
}  // namespace steadfast::testing
