// The HTTP API over loopback against a real `steadfast serve`: every route,
// every error status, four-eyes, racing approvals, idempotent starts and
// signals, cursor pagination under inserts, and the CLI's --server mode.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <set>
#include <thread>

#include "test_server.h"

namespace steadfast::testing {
namespace {

class HttpApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new TestServer(ServerOptions{"  max_body: 64KiB\n", false, 2}); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static const TestServer& S() { return *server_; }

  // Starts `held` with an amount; returns the id.
  static std::string StartHeld(int amount, const std::string& token = kOpsToken) {
    Reply r = S().Post("/v1/workflows", token,
                       R"({"workflow": "held", "input": {"amount": )" + std::to_string(amount) + "}}");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.Get("id").StringOr("");
  }

  static TestServer* server_;
};

TestServer* HttpApiTest::server_ = nullptr;

TEST_F(HttpApiTest, HealthReadinessMetricsAndOpenApi) {
  Reply h = S().Get("/healthz", "");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.json.Get("status").StringOr(""), "ok");
  Reply r = S().Get("/readyz", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json.Get("status").StringOr(""), "ready");
  Reply spec = S().Get("/v1/openapi.yaml", "");
  EXPECT_EQ(spec.status, 200);
  EXPECT_EQ(spec.headers["content-type"], "application/yaml");
  EXPECT_EQ(spec.body, ReadFile(STEADFAST_OPENAPI));
  StartHeld(1);
  Reply m = S().Get("/metrics", "");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.headers["content-type"].rfind("text/plain; version=0.0.4", 0), 0u);
  EXPECT_NE(m.body.find("steadfast_store_up 1"), std::string::npos);
  EXPECT_NE(m.body.find("steadfast_instances{status=\"waiting_approval\"}"), std::string::npos);
  EXPECT_NE(m.body.find("steadfast_http_requests_total{route=\"/v1/workflows\",method=\"POST\",status=\"201\"}"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("route=\"/healthz\",method=\"GET\",status=\"200\""), std::string::npos);
}

// The kill switch over HTTP: operators hold and release, reviewers read,
// bad bodies are 400, an unknown hold 404, and /metrics shows the hold.
TEST_F(HttpApiTest, ActivityHoldsAreHeldAndReleasedByOperatorsAndReadByReviewers) {
  const std::string body = R"({"activity": "test.http_hold", "reason": "maintenance window"})";
  EXPECT_EQ(S().Post("/v1/activity-holds", kRitaToken, body).status, 403);
  EXPECT_EQ(S().Post("/v1/activity-holds", "", body).status, 401);
  Reply held = S().Post("/v1/activity-holds", kOpsToken, body);
  ASSERT_EQ(held.status, 200) << held.body;
  EXPECT_EQ(held.json.Get("held_by").StringOr(""), "ops");
  EXPECT_EQ(held.json.Get("reason").StringOr(""), "maintenance window");
  EXPECT_EQ(S().Post("/v1/activity-holds", kOpsToken, R"({"activity": "test.http_hold"})").status, 400);
  EXPECT_EQ(S().Post("/v1/activity-holds", kOpsToken, R"({"activity": "bad name", "reason": "x"})").status, 400);
  EXPECT_EQ(S().Post("/v1/activity-holds", kOpsToken, R"({"activity": "a", "reason": "x", "extra": 1})").status, 400);

  Reply list = S().Get("/v1/activity-holds?log=5", kRitaToken);
  ASSERT_EQ(list.status, 200) << list.body;
  bool found = false;
  for (const Value& h : list.json.Get("items").AsList()) found = found || h.Get("activity").StringOr("") == "test.http_hold";
  EXPECT_TRUE(found) << list.body;
  EXPECT_EQ(list.json.Get("log").AsList().at(0).Get("action").StringOr(""), "hold");
  EXPECT_EQ(S().Get("/v1/activity-holds?log=5000", kRitaToken).status, 400);
  Reply metrics = S().Get("/metrics", "");
  EXPECT_NE(metrics.body.find("steadfast_activity_held{activity=\"test.http_hold\"} 1"), std::string::npos)
      << metrics.body;

  EXPECT_EQ(S().Post("/v1/activity-holds/test.http_hold/release", kRitaToken, "").status, 403);
  Reply released = S().Post("/v1/activity-holds/test.http_hold/release", kOpsToken, R"({"reason": "done"})");
  ASSERT_EQ(released.status, 200) << released.body;
  EXPECT_TRUE(released.json.Get("released").BoolOr(false));
  EXPECT_EQ(S().Post("/v1/activity-holds/test.http_hold/release", kOpsToken, "").status, 404);
  metrics = S().Get("/metrics", "");
  EXPECT_NE(metrics.body.find("steadfast_activity_held{activity=\"test.http_hold\"} 0"), std::string::npos);
}

// The reviewer page's files and the graph endpoint over the real server
// (the browser itself: tests/browser).
TEST_F(HttpApiTest, ReviewerPageAndGraphOverLoopback) {
  Reply index = S().Get("/ui/", "");
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_EQ(index.headers["cache-control"], "no-cache");  // the handler's, not the API's no-store
  EXPECT_NE(index.headers["content-security-policy"].find("default-src 'none'"), std::string::npos);
  EXPECT_NE(index.body.find("<title>"), std::string::npos);
  Reply js = S().Get("/ui/app.js", "");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.headers["content-type"], "text/javascript; charset=utf-8");
  EXPECT_EQ(S().Get("/ui/%2E%2E%2Fsteadfast.yaml", "").status, 404);  // decoded "../steadfast.yaml": no such file
  EXPECT_EQ(S().Get("/ui", "").headers["location"], "/ui/");

  std::string id = StartHeld(900);
  Reply graph = S().Get("/v1/workflows/" + id + "/graph", kRitaToken);
  ASSERT_EQ(graph.status, 200) << graph.body;
  EXPECT_EQ(graph.headers["cache-control"], "no-store");
  EXPECT_EQ(graph.json.Get("current_step").StringOr(""), "review");
  EXPECT_EQ(graph.json.Get("steps").Get("review").Get("state").StringOr(""), "waiting");
  EXPECT_EQ(graph.json.Get("graph").Get("nodes").AsList().size(), 5u);
  EXPECT_EQ(S().Get("/v1/workflows/" + id + "/graph", "").status, 401);
}

TEST_F(HttpApiTest, ApprovalFlowRunsToCompletionOnTheServingEngine) {
  Call start;
  start.method = "POST";
  start.path = "/v1/workflows";
  start.token = kOpsToken;
  start.body = R"({"workflow": "held", "input": {"amount": 700}})";
  start.headers = {{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}};
  Reply created = S().Request(start);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = created.json.Get("id").StringOr("");
  EXPECT_EQ(created.headers["location"], "/v1/workflows/" + id);
  EXPECT_EQ(created.json.Get("requested_by").StringOr(""), "ops");
  EXPECT_EQ(created.json.Get("traceparent").StringOr(""), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

  Reply got = S().Get("/v1/workflows/" + id, kRitaToken);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json.Get("status").StringOr(""), "waiting_approval");
  EXPECT_EQ(got.json.Get("workflow").StringOr(""), "held");
  EXPECT_EQ(got.json.Get("definition_hash").StringOr("").size(), 64u);
  EXPECT_EQ(got.json.Get("waiting_for").Get("context").Get("amount").IntOr(0), 700);

  Reply approved = S().Post("/v1/workflows/" + id + "/approvals/review", kRitaToken,
                            R"({"decision": "approve", "comment": "looks right"})");
  ASSERT_EQ(approved.status, 200) << approved.body;
  Value done = S().WaitForStatus(id, "completed");
  EXPECT_EQ(done.Get("status").StringOr(""), "completed");

  Reply history = S().Get("/v1/workflows/" + id + "/history", kRitaToken);
  ASSERT_EQ(history.status, 200);
  bool decided = false;
  for (const Value& e : history.json.Get("items").AsList()) {
    if (e.Get("type").StringOr("") != "approval_decided") continue;
    decided = true;
    EXPECT_EQ(e.Get("data").Get("principal").StringOr(""), "rita");
    EXPECT_EQ(e.Get("data").Get("comment").StringOr(""), "looks right");
    EXPECT_FALSE(e.Get("at").StringOr("").empty());
  }
  EXPECT_TRUE(decided);
  EXPECT_TRUE(history.json.Get("next_after").is_null());
}

TEST_F(HttpApiTest, SignalFlowAndSignalIdempotency) {
  Reply created = S().Post("/v1/workflows", kOpsToken, R"({"workflow": "wait"})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = created.json.Get("id").StringOr("");
  EXPECT_EQ(S().WaitForStatus(id, "waiting_signal").Get("status").StringOr(""), "waiting_signal");
  std::vector<std::pair<std::string, std::string>> key = {{"Idempotency-Key", "receipt-77"}};
  Reply first = S().Post("/v1/workflows/" + id + "/signals/item_received", kOpsToken, R"({"parcel": "P-1"})", key);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json.Get("outcome").StringOr(""), "delivered");
  Reply replay = S().Post("/v1/workflows/" + id + "/signals/item_received", kOpsToken, R"({"parcel": "P-1"})", key);
  EXPECT_EQ(replay.status, 200);
  EXPECT_EQ(replay.json.Get("outcome").StringOr(""), "duplicate");
  Reply other = S().Post("/v1/workflows/" + id + "/signals/item_received", kOpsToken, R"({"parcel": "P-2"})", key);
  EXPECT_EQ(other.status, 409);
  EXPECT_EQ(other.code(), "idempotency_conflict");
  Value done = S().WaitForStatus(id, "completed");
  ASSERT_EQ(done.Get("status").StringOr(""), "completed");
  EXPECT_EQ(done.Get("output").Get("got").Get("parcel").StringOr(""), "P-1");
  // Exactly one signal_received in the history, with the principal.
  Reply history = S().Get("/v1/workflows/" + id + "/history", kOpsToken);
  int received = 0;
  for (const Value& e : history.json.Get("items").AsList()) {
    if (e.Get("type").StringOr("") == "signal_received") {
      ++received;
      EXPECT_EQ(e.Get("data").Get("principal").StringOr(""), "ops");
    }
  }
  EXPECT_EQ(received, 1);
  Reply finished = S().Post("/v1/workflows/" + id + "/signals/late", kOpsToken, "{}");
  EXPECT_EQ(finished.status, 409);
  EXPECT_EQ(finished.code(), "invalid_state");
}

TEST(HttpCancel, CancelDuringAnAttemptIs202AndTheAttemptIsCheckpointedFirst) {
  ServerOptions o;
  o.workflows = {{"slow", "name: slow\nsteps:\n  - id: nap\n    activity: std.sleep\n    with: { ms: 3000 }\n"
                          "    compensate: std.noop\n  - id: after\n    activity: std.noop\n"}};
  TestServer server(o);
  Reply started = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "slow"})");
  ASSERT_EQ(started.status, 201) << started.body;
  const std::string id = started.json.Get("id").StringOr("");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // inside the 3 s attempt
  Reply cancel = server.Post("/v1/workflows/" + id + "/cancel", kOpsToken, R"({"reason": "not needed"})");
  ASSERT_EQ(cancel.status, 202) << cancel.body;
  EXPECT_EQ(cancel.json.Get("status").StringOr(""), "running");
  EXPECT_EQ(cancel.json.Get("cancellation").Get("state").StringOr(""), "waiting_for_attempt") << cancel.body;
  EXPECT_EQ(cancel.json.Get("cancellation").Get("principal").StringOr(""), "ops");
  Value done = server.WaitForStatus(id, "cancelled");
  EXPECT_EQ(done.Get("error").Get("message").StringOr(""), "not needed");
  EXPECT_TRUE(done.Get("cancellation").is_null());
  Reply history = server.Get("/v1/workflows/" + id + "/history", kOpsToken);
  ASSERT_EQ(history.status, 200);
  std::vector<std::string> nap;
  for (const Value& e : history.json.Get("items").AsList()) {
    if (e.Get("step").StringOr("") == "nap") nap.push_back(e.Get("type").StringOr(""));
  }
  EXPECT_EQ(nap, (std::vector<std::string>{"step_scheduled", "cancel_requested", "attempt_succeeded",
                                           "compensation_started", "compensation_succeeded"}));
}

TEST_F(HttpApiTest, CancelAndResume) {
  std::string id = StartHeld(900);
  Reply cancelled = S().Post("/v1/workflows/" + id + "/cancel", kOpsToken, R"({"reason": "customer withdrew"})");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(cancelled.json.Get("status").StringOr(""), "cancelled");
  Reply again = S().Post("/v1/workflows/" + id + "/cancel", kOpsToken, "");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.code(), "invalid_state");

  Reply flaky = S().Post("/v1/workflows", kOpsToken, R"({"workflow": "flaky"})");
  ASSERT_EQ(flaky.status, 201) << flaky.body;
  std::string fid = flaky.json.Get("id").StringOr("");
  Value paused = S().WaitForStatus(fid, "paused");
  ASSERT_EQ(paused.Get("status").StringOr(""), "paused");
  EXPECT_EQ(paused.Get("error").Get("code").StringOr(""), "boom");
  Reply reviewer = S().Post("/v1/workflows/" + fid + "/resume", kRitaToken, "");
  EXPECT_EQ(reviewer.status, 403);
  Reply resumed = S().Post("/v1/workflows/" + fid + "/resume", kOpsToken, "");
  ASSERT_EQ(resumed.status, 200) << resumed.body;
  EXPECT_EQ(S().WaitForStatus(fid, "completed").Get("status").StringOr(""), "completed");
  Reply not_paused = S().Post("/v1/workflows/" + fid + "/resume", kOpsToken, "");
  EXPECT_EQ(not_paused.status, 409);
}

TEST_F(HttpApiTest, IdempotentStartReplayAndConflict) {
  std::vector<std::pair<std::string, std::string>> key = {{"Idempotency-Key", "booking-4411"}};
  Reply first = S().Post("/v1/workflows", kOpsToken, R"({"workflow": "held", "input": {"amount": 300}})", key);
  ASSERT_EQ(first.status, 201) << first.body;
  Reply replay = S().Post("/v1/workflows", kOpsToken, R"({"workflow": "held", "input": {"amount": 300}})", key);
  EXPECT_EQ(replay.status, 200);
  EXPECT_EQ(replay.json.Get("id"), first.json.Get("id"));
  Reply conflict = S().Post("/v1/workflows", kOpsToken, R"({"workflow": "held", "input": {"amount": 301}})", key);
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.code(), "idempotency_conflict");
  Reply by_id =
      S().Post("/v1/workflows", kOpsToken, R"({"workflow": "held", "id": "order-9", "input": {"amount": 1}})");
  EXPECT_EQ(by_id.status, 201);
  EXPECT_EQ(
      S().Post("/v1/workflows", kOpsToken, R"({"workflow": "held", "id": "order-9", "input": {"amount": 1}})").status,
      200);
  EXPECT_EQ(
      S().Post("/v1/workflows", kOpsToken, R"({"workflow": "held", "id": "order-9", "input": {"amount": 2}})").status,
      409);
}

TEST_F(HttpApiTest, BadRequests) {
  Reply malformed = S().Post("/v1/workflows", kOpsToken, R"({"workflow": "held", "input": )");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.code(), "malformed_json");
  Reply wrong_type = S().Post("/v1/workflows", kOpsToken, R"({"workflow": ["held"]})");
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(wrong_type.code(), "invalid_field");
  EXPECT_NE(wrong_type.message().find("'workflow'"), std::string::npos);
  Reply input_type = S().Post("/v1/workflows", kOpsToken, R"({"workflow": "held", "input": {"amount": "x"}})");
  EXPECT_EQ(input_type.status, 400);
  EXPECT_NE(input_type.message().find("'amount'"), std::string::npos);
  Reply missing = S().Post("/v1/workflows", kOpsToken, R"({"input": {}})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.message().find("'workflow'"), std::string::npos);
  std::string id = StartHeld(800);
  Reply decision_type = S().Post("/v1/workflows/" + id + "/approvals/review", kRitaToken, R"({"decision": true})");
  EXPECT_EQ(decision_type.status, 400);
  EXPECT_NE(decision_type.message().find("'decision'"), std::string::npos);
  Reply comment_type =
      S().Post("/v1/workflows/" + id + "/approvals/review", kRitaToken, R"({"decision": "approve", "comment": 5})");
  EXPECT_EQ(comment_type.status, 400);
  EXPECT_NE(comment_type.message().find("'comment'"), std::string::npos);
  Reply query = S().Get("/v1/workflows?limit=many", kOpsToken);
  EXPECT_EQ(query.status, 400);
  EXPECT_EQ(query.code(), "invalid_query");
  Reply cursor = S().Get("/v1/workflows?cursor=no-such-instance", kOpsToken);
  EXPECT_EQ(cursor.status, 400);
}

TEST_F(HttpApiTest, NotFoundAndMethodNotAllowed) {
  Reply instance = S().Get("/v1/workflows/wf-does-not-exist", kOpsToken);
  EXPECT_EQ(instance.status, 404);
  EXPECT_EQ(instance.code(), "not_found");
  EXPECT_EQ(S().Get("/v1/workflows/wf-does-not-exist/history", kOpsToken).status, 404);
  EXPECT_EQ(S().Post("/v1/workflows/wf-does-not-exist/cancel", kOpsToken, "").status, 404);
  EXPECT_EQ(
      S().Post("/v1/workflows/wf-does-not-exist/approvals/review", kRitaToken, R"({"decision": "approve"})").status,
      404);
  Reply workflow = S().Post("/v1/workflows", kOpsToken, R"({"workflow": "no_such_workflow"})");
  EXPECT_EQ(workflow.status, 404);
  Reply route = S().Get("/v1/nothing-here", kOpsToken);
  EXPECT_EQ(route.status, 404);
  EXPECT_EQ(route.code(), "not_found");
  Call del;
  del.method = "DELETE";
  del.path = "/v1/workflows/x";
  del.token = kOpsToken;
  Reply m = S().Request(del);
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.code(), "method_not_allowed");
  EXPECT_EQ(m.headers["allow"], "GET");
  Reply get_cancel = S().Get("/v1/workflows/x/cancel", kOpsToken);
  EXPECT_EQ(get_cancel.status, 405);
  EXPECT_EQ(get_cancel.headers["allow"], "POST");
  Reply put = S().Request(MakeCall("PUT", "/v1/workflows", kOpsToken, "{}"));
  EXPECT_EQ(put.status, 405);
  EXPECT_EQ(put.headers["allow"], "POST, GET");
}

TEST_F(HttpApiTest, OversizedBodiesAndWrongContentType) {
  std::string big = R"({"workflow": "held", "input": {"amount": 1, "pad": ")" + std::string(70 * 1024, 'x') + "\"}}";
  Reply too_big = S().Post("/v1/workflows", kOpsToken, big);
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(too_big.code(), "payload_too_large");
  std::string just_fits =
      R"({"workflow": "held", "input": {"amount": 1, "pad": ")" + std::string(60 * 1024, 'x') + "\"}}";
  EXPECT_EQ(S().Post("/v1/workflows", kOpsToken, just_fits).status, 201);
  Call text = MakeCall("POST", "/v1/workflows", kOpsToken, R"({"workflow": "held"})", "text/plain");
  Reply t = S().Request(text);
  EXPECT_EQ(t.status, 415);
  EXPECT_EQ(t.code(), "unsupported_media_type");
  Call form = MakeCall("POST", "/v1/workflows", kOpsToken, "workflow=held", "application/x-www-form-urlencoded");
  EXPECT_EQ(S().Request(form).status, 415);
  Call none = MakeCall("POST", "/v1/workflows", kOpsToken, R"({"workflow": "held"})", "");
  EXPECT_EQ(S().Request(none).status, 415);
  Call utf8 = MakeCall("POST", "/v1/workflows", kOpsToken, R"({"workflow": "held", "input": {"amount": 2}})",
                       "application/json; charset=utf-8");
  EXPECT_EQ(S().Request(utf8).status, 201);
}

TEST_F(HttpApiTest, AuthenticationAndRoles) {
  Reply none = S().Get("/v1/workflows", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.code(), "unauthenticated");
  EXPECT_EQ(none.headers["www-authenticate"].rfind("Bearer", 0), 0u);
  Reply bad = S().Get("/v1/workflows", "not-a-real-token");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(bad.body.find("not-a-real-token"), std::string::npos);
  Call basic;
  basic.path = "/v1/workflows";
  basic.headers = {{"Authorization", "Basic b3BzOnB3"}};
  EXPECT_EQ(S().Request(basic).status, 401);
  // A token hash is not a token.
  EXPECT_EQ(S().Get("/v1/workflows", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855").status, 401);

  Reply reviewer_starts = S().Post("/v1/workflows", kRitaToken, R"({"workflow": "held", "input": {"amount": 1}})");
  EXPECT_EQ(reviewer_starts.status, 403);
  EXPECT_EQ(reviewer_starts.code(), "forbidden");
  std::string id = StartHeld(600);
  Reply operator_approves =
      S().Post("/v1/workflows/" + id + "/approvals/review", kOpsToken, R"({"decision": "approve"})");
  EXPECT_EQ(operator_approves.status, 403);
  EXPECT_EQ(S().Post("/v1/workflows/" + id + "/signals/x", kRitaToken, "{}").status, 403);
  EXPECT_EQ(S().Post("/v1/workflows/" + id + "/cancel", kRitaToken, "").status, 403);
  Reply on_behalf =
      S().Post("/v1/workflows", kOpsToken, R"({"workflow": "held", "input": {"amount": 1}, "requested_by": "x"})");
  EXPECT_EQ(on_behalf.status, 403);
  // Admin may do all of it.
  EXPECT_EQ(S().Get("/v1/workflows/" + id, kRootToken).status, 200);
  EXPECT_EQ(S().Post("/v1/workflows/" + id + "/approvals/review", kRootToken, R"({"decision": "reject"})").status, 200);
}

TEST_F(HttpApiTest, FourEyes) {
  // An admin starts on rita's behalf: rita requested it and cannot decide it.
  Reply started = S().Post("/v1/workflows", kRootToken,
                           R"({"workflow": "held", "input": {"amount": 5000}, "requested_by": "rita"})");
  ASSERT_EQ(started.status, 201) << started.body;
  std::string id = started.json.Get("id").StringOr("");
  Reply own = S().Post("/v1/workflows/" + id + "/approvals/review", kRitaToken, R"({"decision": "approve"})");
  EXPECT_EQ(own.status, 403);
  EXPECT_EQ(own.code(), "four_eyes");
  EXPECT_EQ(S().Get("/v1/workflows/" + id, kRobToken).json.Get("status").StringOr(""), "waiting_approval");
  // A starter who is also a reviewer: root started it itself.
  std::string own_start = StartHeld(5000, kRootToken);
  Reply root_own =
      S().Post("/v1/workflows/" + own_start + "/approvals/review", kRootToken, R"({"decision": "approve"})");
  EXPECT_EQ(root_own.status, 403);
  EXPECT_EQ(root_own.code(), "four_eyes");
  EXPECT_EQ(S().Post("/v1/workflows/" + id + "/approvals/review", kRobToken, R"({"decision": "approve"})").status, 200);
}

// Issue 10 item 8: an admin who names someone else as the requester, and
// the person a bot asks for, took part in the request just the same.
TEST_F(HttpApiTest, FourEyesRefusesEveryoneWhoTookPartInTheRequest) {
  Reply started = S().Post("/v1/workflows", kRootToken,
                           R"({"workflow": "held", "input": {"amount": 5000}, "requested_by": "alice"})");
  ASSERT_EQ(started.status, 201) << started.body;
  EXPECT_EQ(started.json.Get("requested_by").StringOr(""), "alice");
  EXPECT_EQ(started.json.Get("started_by").StringOr(""), "root");
  std::string id = started.json.Get("id").StringOr("");
  ASSERT_TRUE(S().WaitUntil(id, "waiting_approval"));
  Reply admin_alone = S().Post("/v1/workflows/" + id + "/approvals/review", kRootToken, R"({"decision": "approve"})");
  EXPECT_EQ(admin_alone.status, 403) << admin_alone.body;
  EXPECT_EQ(admin_alone.code(), "four_eyes");
  EXPECT_NE(admin_alone.message().find("started this workflow"), std::string::npos) << admin_alone.message();
  EXPECT_EQ(S().Get("/v1/workflows/" + id, kRobToken).json.Get("status").StringOr(""), "waiting_approval");
  EXPECT_EQ(S().Post("/v1/workflows/" + id + "/approvals/review", kRobToken, R"({"decision": "approve"})").status, 200);

  // The operator's bot asks on rita's behalf: rita may not approve it.
  Reply for_rita = S().Post("/v1/workflows", kOpsToken,
                            R"({"workflow": "held", "input": {"amount": 5000, "requested_by": "rita"}})");
  ASSERT_EQ(for_rita.status, 201) << for_rita.body;
  std::string bot_id = for_rita.json.Get("id").StringOr("");
  ASSERT_TRUE(S().WaitUntil(bot_id, "waiting_approval"));
  Reply asker = S().Post("/v1/workflows/" + bot_id + "/approvals/review", kRitaToken, R"({"decision": "approve"})");
  EXPECT_EQ(asker.status, 403) << asker.body;
  EXPECT_EQ(asker.code(), "four_eyes");
  EXPECT_EQ(S().Post("/v1/workflows/" + bot_id + "/approvals/review", kRobToken, R"({"decision": "approve"})").status,
            200);
}

TEST_F(HttpApiTest, RacingApprovalsExactlyOneWins) {
  for (int round = 0; round < 8; ++round) {
    std::string id = StartHeld(1000 + round);
    std::atomic<int> go{0};
    Reply a, b;
    auto decide = [&](const char* token, const char* decision, Reply* out) {
      go.fetch_add(1);
      while (go.load() < 2) {
      }
      *out = S().Post("/v1/workflows/" + id + "/approvals/review", token,
                      std::string(R"({"decision": ")") + decision + "\"}");
    };
    std::thread t1(decide, kRitaToken, "approve", &a);
    std::thread t2(decide, kRobToken, "reject", &b);
    t1.join();
    t2.join();
    std::multiset<int> statuses{a.status, b.status};
    ASSERT_EQ(statuses, (std::multiset<int>{200, 409})) << a.body << "\n" << b.body;
    const Reply& loser = a.status == 409 ? a : b;
    const Reply& winner = a.status == 200 ? a : b;
    EXPECT_EQ(loser.code(), "already_decided");
    const Value& first = loser.json.Get("error").Get("decision");
    std::string winner_principal = &winner == &a ? "rita" : "rob";
    EXPECT_EQ(first.Get("principal").StringOr(""), winner_principal);
    EXPECT_EQ(first.Get("decision").StringOr(""), &winner == &a ? "approve" : "reject");
    // One decision in the history.
    Reply history = S().Get("/v1/workflows/" + id + "/history", kRitaToken);
    int decisions = 0;
    for (const Value& e : history.json.Get("items").AsList())
      decisions += e.Get("type").StringOr("") == "approval_decided";
    EXPECT_EQ(decisions, 1);
  }
}

TEST_F(HttpApiTest, ListPaginationIsStableUnderInserts) {
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    Reply r = S().Post("/v1/workflows", kOpsToken,
                       R"({"workflow": "held", "id": "page-)" + std::to_string(i) + R"(", "input": {"amount": 4242}})");
    ASSERT_EQ(r.status, 201);
    ids.push_back("page-" + std::to_string(i));
  }
  std::atomic<bool> stop{false};
  std::thread inserter([&] {
    for (int i = 0; !stop.load() && i < 30; ++i) {
      S().Post("/v1/workflows", kOpsToken, R"({"workflow": "held", "input": {"amount": 4242}})");
    }
  });
  // Page through every `held` instance while others are being inserted.
  std::vector<std::string> seen;
  std::string cursor;
  while (seen.size() < 5000) {
    Reply p = S().Get("/v1/workflows?workflow=held&limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor), kRitaToken);
    ASSERT_EQ(p.status, 200) << p.body;
    for (const Value& item : p.json.Get("items").AsList()) seen.push_back(item.Get("id").StringOr(""));
    if (!p.json.Get("next_cursor").is_string()) break;
    cursor = p.json.Get("next_cursor").AsString();
  }
  stop.store(true);
  inserter.join();
  // The original seven appear once each, in order, and nothing repeats.
  std::vector<std::string> originals;
  for (const std::string& id : seen) {
    if (id.rfind("page-", 0) == 0) originals.push_back(id);
  }
  EXPECT_EQ(originals, ids);
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size());
  // Filters.
  Reply waiting = S().Get("/v1/workflows?waiting=approval&limit=500", kRitaToken);
  ASSERT_EQ(waiting.status, 200);
  for (const Value& item : waiting.json.Get("items").AsList()) {
    EXPECT_EQ(item.Get("status").StringOr(""), "waiting_approval");
  }
  Reply other = S().Get("/v1/workflows?workflow=quick", kRitaToken);
  ASSERT_EQ(other.status, 200);
  EXPECT_TRUE(other.json.Get("items").AsList().empty());
}

TEST_F(HttpApiTest, HistoryPagination) {
  std::string id = StartHeld(2500);
  ASSERT_EQ(S().Post("/v1/workflows/" + id + "/approvals/review", kRobToken, R"({"decision": "approve"})").status, 200);
  S().WaitForStatus(id, "completed");
  Reply all = S().Get("/v1/workflows/" + id + "/history?limit=1000", kOpsToken);
  ASSERT_EQ(all.status, 200);
  size_t total = all.json.Get("items").AsList().size();
  ASSERT_GE(total, 5u);
  std::vector<int64_t> seqs;
  int64_t after = 0;
  while (true) {
    Reply p = S().Get("/v1/workflows/" + id + "/history?limit=2&after=" + std::to_string(after), kOpsToken);
    ASSERT_EQ(p.status, 200);
    for (const Value& e : p.json.Get("items").AsList()) seqs.push_back(e.Get("seq").IntOr(0));
    if (!p.json.Get("next_after").is_int()) break;
    after = p.json.Get("next_after").AsInt();
  }
  ASSERT_EQ(seqs.size(), total);
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], static_cast<int64_t>(i + 1));
}

// ---- the CLI's --server mode -----------------------------------------------

RunResult Cli(std::vector<std::string> args, const std::string& token) {
  args.insert(args.begin(), STEADFAST_BIN);
  return RunCommand(args, {{"STEADFAST_TOKEN", token}});
}

std::string FirstWord(const std::string& s) { return s.substr(0, s.find_first_of(" \n")); }

TEST_F(HttpApiTest, CliServerModeRoundTrip) {
  const std::string url = S().url();
  RunResult started = Cli({"start", "held", "--input", R"({"amount": 640})", "--server", url}, kOpsToken);
  ASSERT_EQ(started.exit_code, 0) << started.output;
  std::string id = FirstWord(started.output);
  EXPECT_NE(started.output.find(" started"), std::string::npos);
  RunResult replay = Cli({"start", "held", "--input", R"({"amount": 640})", "--id", id, "--server", url}, kOpsToken);
  EXPECT_EQ(replay.exit_code, 0);
  EXPECT_NE(replay.output.find("already exists"), std::string::npos);

  RunResult status = Cli({"status", id, "--server", url}, kRitaToken);
  ASSERT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("status:    waiting_approval"), std::string::npos);
  EXPECT_NE(status.output.find("requested: ops"), std::string::npos);

  RunResult list = Cli({"list", "--status", "waiting_approval", "--server", url, "--limit", "500"}, kRitaToken);
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find(id), std::string::npos);

  RunResult own = Cli({"approve", id, "review", "--server", url}, kOpsToken);
  EXPECT_EQ(own.exit_code, 1);
  EXPECT_NE(own.output.find("forbidden"), std::string::npos);
  RunResult approve = Cli({"approve", id, "review", "--comment", "ok by me", "--server", url}, kRobToken);
  ASSERT_EQ(approve.exit_code, 0) << approve.output;
  EXPECT_NE(approve.output.find(id + " review: approved (workflow now"), std::string::npos) << approve.output;
  ASSERT_EQ(S().WaitForStatus(id, "completed").Get("status").StringOr(""), "completed");

  // The same output in both modes (the instance no longer changes).
  RunResult remote_status = Cli({"status", id, "--server", url}, kOpsToken);
  RunResult local_status = Cli({"status", id, "--config", S().config()}, "");
  ASSERT_EQ(remote_status.exit_code, 0);
  ASSERT_EQ(local_status.exit_code, 0) << local_status.output;
  EXPECT_EQ(remote_status.output, local_status.output);
  RunResult remote_history = Cli({"history", id, "--server", url}, kOpsToken);
  RunResult local_history = Cli({"history", id, "--config", S().config()}, "");
  ASSERT_EQ(remote_history.exit_code, 0);
  EXPECT_EQ(remote_history.output, local_history.output);
  EXPECT_NE(remote_history.output.find("approve by rob (ok by me)"), std::string::npos) << remote_history.output;
  RunResult remote_json = Cli({"status", id, "--json", "--server", url}, kOpsToken);
  auto parsed = Value::FromJson(remote_json.output);
  ASSERT_TRUE(parsed.ok()) << remote_json.output;
  EXPECT_EQ(parsed->Get("status").StringOr(""), "completed");

  // signal, cancel, resume
  Reply w = S().Post("/v1/workflows", kOpsToken, R"({"workflow": "wait"})");
  std::string wid = w.json.Get("id").StringOr("");
  S().WaitForStatus(wid, "waiting_signal");
  RunResult sig =
      Cli({"signal", wid, "item_received", "--payload", R"({"n": 1})", "--key", "k1", "--server", url}, kOpsToken);
  ASSERT_EQ(sig.exit_code, 0) << sig.output;
  EXPECT_NE(sig.output.find("delivered"), std::string::npos);
  RunResult dup =
      Cli({"signal", wid, "item_received", "--payload", R"({"n": 1})", "--key", "k1", "--server", url}, kOpsToken);
  EXPECT_NE(dup.output.find("duplicate"), std::string::npos);
  std::string cid = StartHeld(999);
  RunResult cancel = Cli({"cancel", cid, "--reason", "test", "--server", url}, kOpsToken);
  ASSERT_EQ(cancel.exit_code, 0) << cancel.output;
  EXPECT_EQ(cancel.output, cid + " cancelled\n");
  Reply flaky = S().Post("/v1/workflows", kOpsToken, R"({"workflow": "flaky"})");
  std::string fid = flaky.json.Get("id").StringOr("");
  S().WaitForStatus(fid, "paused");
  RunResult resume = Cli({"resume", fid, "--server", url}, kOpsToken);
  ASSERT_EQ(resume.exit_code, 0) << resume.output;
  EXPECT_EQ(resume.output, fid + " resumed at step once (running)\n");

  // Errors: no token, unknown instance; the token is never printed.
  RunResult no_token = Cli({"status", id, "--server", url}, "");
  EXPECT_EQ(no_token.exit_code, 1);
  EXPECT_NE(no_token.output.find("unauthenticated"), std::string::npos);
  RunResult wrong = Cli({"status", "nope", "--server", url}, kOpsToken);
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.output.find("not_found"), std::string::npos);
  EXPECT_EQ(wrong.output.find(kOpsToken), std::string::npos);
  RunResult as = Cli({"approve", id, "review", "--as", "x", "--server", url}, kRobToken);
  EXPECT_EQ(as.exit_code, 2);
  RunResult down = Cli({"status", id, "--server", "http://127.0.0.1:1"}, kOpsToken);
  EXPECT_EQ(down.exit_code, 3);
}

TEST_F(HttpApiTest, ServerLogNeverContainsTokens) {
  // Every test above sent tokens; the debug-level log records each request.
  std::string log = S().Log();
  EXPECT_NE(log.find("http: GET /healthz"), std::string::npos);
  for (const char* token : {kOpsToken, kRitaToken, kRobToken, kRootToken, "not-a-real-token"}) {
    EXPECT_EQ(log.find(token), std::string::npos) << token;
  }
}

}  // namespace
}  // namespace steadfast::testing
