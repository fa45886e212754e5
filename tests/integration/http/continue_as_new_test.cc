// continue_as_new as users see it through a real `steadfast serve`: an
// inbox that handles one message per run, its runs filed as `<id>~<run>`,
// read, listed by ?status=continued, and signals reaching the current run
// (docs/workflows.md "Workflows that never end").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_server.h"

namespace steadfast::testing {
namespace {

using ::testing::HasSubstr;

constexpr const char* kInboxYaml = R"(name: inbox
version: 1
steps:
  - id: next_message
    signal: message
  - id: handle
    activity: std.echo
    with: { message: "${steps.next_message}", run: "${workflow.run}" }
  - id: again
    continue_as_new:
)";

TEST(ContinueAsNewOverHttp, EachRunIsFiledAndTheInstanceGoesOn) {
  TestServer server(ServerOptions{"", false, 2, {{"inbox", kInboxYaml}}});
  Reply started = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "inbox", "id": "inbox-7"})");
  ASSERT_EQ(started.status, 201) << started.body;
  ASSERT_TRUE(server.WaitUntil("inbox-7", "waiting_signal"));
  for (int n = 1; n <= 2; ++n) {
    Reply sent = server.Post("/v1/workflows/inbox-7/signals/message", kOpsToken,
                             R"({"n": )" + std::to_string(n) + "}");
    ASSERT_EQ(sent.status / 100, 2) << sent.body;
    // The run that handled it is filed; the instance waits again in the next run.
    Value filed = server.WaitForStatus("inbox-7~" + std::to_string(n), "continued");
    EXPECT_EQ(filed.Get("status").StringOr(""), "continued") << filed.ToJson();
    EXPECT_EQ(filed.Get("output").Get("continued_as").StringOr(""), "inbox-7") << filed.ToJson();
  }
  ASSERT_TRUE(server.WaitUntil("inbox-7", "waiting_signal"));
  Reply view = server.Get("/v1/workflows/inbox-7", kRitaToken);
  ASSERT_EQ(view.status, 200) << view.body;
  EXPECT_EQ(view.json.Get("run").Get("number").IntOr(0), 3) << view.body;
  EXPECT_EQ(view.json.Get("run").Get("previous").StringOr(""), "inbox-7~2") << view.body;

  Reply history = server.Get("/v1/workflows/inbox-7/history", kRitaToken);
  ASSERT_EQ(history.status, 200) << history.body;
  EXPECT_EQ(history.json.Get("items").AsList().front().Get("type").StringOr(""), "run_started") << history.body;
  Reply second = server.Get("/v1/workflows/inbox-7~2/history", kRitaToken);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_THAT(second.body, HasSubstr(R"("n":2)"));
  EXPECT_THAT(second.body, HasSubstr("workflow_continued_as_new"));

  EXPECT_THAT(server.Get("/v1/workflows?status=continued", kRitaToken).ids(),
              ::testing::UnorderedElementsAre("inbox-7~1", "inbox-7~2"));
  Reply graph = server.Get("/v1/workflows/inbox-7/graph", kRitaToken);
  EXPECT_THAT(graph.body, HasSubstr(R"("kind":"continue_as_new")"));

  // A filed run is finished: it takes no signal; an id with '~' cannot be started.
  Reply late = server.Post("/v1/workflows/inbox-7~1/signals/message", kOpsToken, "{}");
  EXPECT_EQ(late.status, 409) << late.body;
  Reply tilde = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "inbox", "id": "inbox~9"})");
  EXPECT_EQ(tilde.status, 400) << tilde.body;
  Reply cancel = server.Post("/v1/workflows/inbox-7/cancel", kOpsToken, R"({"reason": "closing the inbox"})");
  EXPECT_EQ(cancel.status, 200) << cancel.body;
  EXPECT_TRUE(server.WaitUntil("inbox-7", "cancelled"));
}

}  // namespace
}  // namespace steadfast::testing
