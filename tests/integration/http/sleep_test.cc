// A sleep step as users see it through a real `steadfast serve`: the
// instance sleeping with its wake time, listed by ?waiting=sleep, counted on
// /metrics, drawn in the graph, waking on its own, and a cancel while it
// sleeps (docs/workflows.md "Sleep and wait-until steps").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_server.h"

namespace steadfast::testing {
namespace {

using ::testing::HasSubstr;

constexpr const char* kNapYaml = R"(name: nap
version: 1
input: { for: string }
steps:
  - id: rest
    sleep: "${input.for}"
  - id: after
    activity: std.echo
    with: { woke_at: "${steps.rest.woke_at}" }
)";

std::string StartNap(const TestServer& server, const std::string& how_long) {
  Reply r = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "nap", "input": {"for": ")" + how_long + R"("}})");
  EXPECT_EQ(r.status, 201) << r.body;
  return r.json.Get("id").StringOr("");
}

TEST(SleepStepOverHttp, SleepsVisiblyThenWakesAndACancelEndsASleep) {
  TestServer server(ServerOptions{"", false, 2, {{"nap", kNapYaml}}});
  std::string napper = StartNap(server, "1500ms");
  std::string sleeper = StartNap(server, "3d");
  ASSERT_TRUE(server.WaitUntil(napper, "sleeping"));
  ASSERT_TRUE(server.WaitUntil(sleeper, "sleeping"));

  Reply view = server.Get("/v1/workflows/" + sleeper, kRitaToken);
  ASSERT_EQ(view.status, 200) << view.body;
  EXPECT_EQ(view.json.Get("current_step").StringOr(""), "rest");
  EXPECT_EQ(view.json.Get("waiting_for").Get("kind").StringOr(""), "sleep") << view.body;
  EXPECT_FALSE(view.json.Get("waiting_for").Get("wake_at").StringOr("").empty()) << view.body;

  Reply sleeping = server.Get("/v1/workflows?waiting=sleep", kRitaToken);
  ASSERT_EQ(sleeping.status, 200) << sleeping.body;
  EXPECT_THAT(sleeping.ids(), ::testing::UnorderedElementsAre(napper, sleeper));
  EXPECT_EQ(server.Get("/v1/workflows?status=sleeping", kRitaToken).ids().size(), 2u);
  Reply bad = server.Get("/v1/workflows?waiting=nap", kRitaToken);
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("'sleep'"));

  Reply metrics = server.Get("/metrics", "");
  EXPECT_THAT(metrics.body, HasSubstr("steadfast_workflows_waiting{kind=\"sleep\"} 2"));
  Reply graph = server.Get("/v1/workflows/" + sleeper + "/graph", kRitaToken);
  ASSERT_EQ(graph.status, 200) << graph.body;
  EXPECT_THAT(graph.body, HasSubstr(R"("kind":"sleep")"));
  EXPECT_THAT(graph.body, HasSubstr("sleep ${input.for}"));

  // The short one wakes on its own and goes on; the long one is cancelled.
  Value done = server.WaitForStatus(napper, "completed");
  EXPECT_EQ(done.Get("status").StringOr(""), "completed") << done.ToJson();
  Reply history = server.Get("/v1/workflows/" + napper + "/history", kRitaToken);
  std::vector<std::string> types;
  for (const Value& e : history.json.Get("items").AsList()) types.push_back(e.Get("type").StringOr(""));
  EXPECT_THAT(types, ::testing::IsSupersetOf({"sleep_started", "sleep_ended"}));

  Reply cancel = server.Post("/v1/workflows/" + sleeper + "/cancel", kOpsToken, R"({"reason": "no need"})");
  EXPECT_EQ(cancel.status, 200) << cancel.body;
  EXPECT_TRUE(server.WaitUntil(sleeper, "cancelled"));
}

}  // namespace
}  // namespace steadfast::testing
