// Operator control over real HTTP: pause, resume and retry against a real
// `steadfast serve` (SQLite file, loopback), and a PSP outage played by the
// real steadfast-sandbox: refunds exhaust their retries and pause, the
// sandbox recovers, and resuming them completes every one with exactly one
// refund at the PSP.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "sandbox_process.h"
#include "test_server.h"

namespace steadfast::testing {
namespace {

using integration::SandboxProcess;

const std::string kSource = STEADFAST_SOURCE_ROOT;

// The PSP step alone, with a fast retry policy that parks the refund for an
// operator when the PSP stays down (about 1.5 s of retries: longer than the
// breaker's open time, so a resumed refund outlasts the half-open probe).
constexpr const char* kOutageRefundYaml = R"(name: outage_refund
version: 1
input: { charge: string, amount: map, reservation_id: string }
steps:
  - id: psp
    activity: refund.psp_refund
    with:
      charge: "${input.charge}"
      amount: "${input.amount}"
      reservation_id: "${input.reservation_id}"
    retry: { max_attempts: 6, initial_interval: 50ms, backoff: 2.0, max_interval: 400ms, jitter: 0, on_exhausted: pause }
    timeout: 10s
)";

std::string Body(const Value& v) { return v.ToJson(); }

// Instances with this status (at most 500, one page).
int CountWithStatus(const TestServer& server, const std::string& status) {
  Reply r = server.Get("/v1/workflows?status=" + status + "&limit=500", kOpsToken);
  EXPECT_EQ(r.status, 200) << r.body;
  return static_cast<int>(r.json.Get("items").AsList().size());
}

bool WaitForCount(const TestServer& server, const std::string& status, int want, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (CountWithStatus(server, status) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return CountWithStatus(server, status) == want;
}

std::vector<std::string> EventTypes(const TestServer& server, const std::string& id) {
  Reply r = server.Get("/v1/workflows/" + id + "/history?limit=1000", kOpsToken);
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<std::string> types;
  for (const Value& e : r.json.Get("items").AsList()) types.push_back(e.Get("type").StringOr(""));
  return types;
}

Value LastEvent(const TestServer& server, const std::string& id, const std::string& type) {
  Reply r = server.Get("/v1/workflows/" + id + "/history?limit=1000", kOpsToken);
  Value found;
  for (const Value& e : r.json.Get("items").AsList()) {
    if (e.Get("type").StringOr("") == type) found = e;
  }
  return found;
}

TEST(OperatorControl, PspOutagePausesRefundsAndResumingCompletesEachWithOneRefund) {
  constexpr int kRefunds = 200;
  SandboxProcess sandbox;
  ASSERT_TRUE(sandbox.Start().ok());
  ServerOptions options;
  options.workers = 16;
  options.workflows = {{"outage_refund", kOutageRefundYaml}};
  options.http_extra = "  rate_limit: { per_principal_per_s: 0 }\n";
  options.config_extra = integration::RefundPluginConfig(kSource, sandbox.base_url(), ", breaker_open: 300ms");
  options.env = {{"STEADFAST_PSP_SECRET_KEY", SandboxProcess::kSecretKey}};
  TestServer server(options);
  ASSERT_FALSE(server.url().empty());

  for (int i = 0; i < kRefunds; ++i) {
    Reply seeded = SeedSandboxCharge(sandbox.base_url(), "ch_out_" + std::to_string(i), 10000 + i, "EUR");
    ASSERT_EQ(seeded.status, 200) << seeded.body;
  }
  // The outage: most refund calls fail with 500, and the rest are made at
  // the PSP but their answer is lost (the connection drops): the engine
  // cannot tell those from failures, so only the idempotency key keeps
  // the resumed refund from being made twice.
  Call outage = MakeCall("POST", "/sandbox/faults", "",
                         Body(Value::Map{{"error_rate", 0.8}, {"drop_rate", 1.0}, {"scope", Value::List{"/v1/refunds"}}}));
  ASSERT_EQ(Send(sandbox.base_url(), outage).status, 200);

  std::vector<std::string> ids;
  for (int i = 0; i < kRefunds; ++i) {
    Value input = Value::Map{{"charge", "ch_out_" + std::to_string(i)},
                             {"amount", Value::Map{{"minor", 10000 + i}, {"currency", "EUR"}}},
                             {"reservation_id", "R-OUT-" + std::to_string(i)}};
    Reply started = server.Post("/v1/workflows", kOpsToken,
                                Body(Value::Map{{"workflow", "outage_refund"}, {"input", input}}),
                                {{"Idempotency-Key", "outage-" + std::to_string(i)}});
    ASSERT_EQ(started.status, 201) << started.body;
    ids.push_back(started.json.Get("id").StringOr(""));
  }
  ASSERT_TRUE(WaitForCount(server, "paused", kRefunds, 60000))
      << CountWithStatus(server, "paused") << " paused; log:\n" << server.Log();
  Reply metrics = server.Get("/metrics", "");
  EXPECT_NE(metrics.body.find("steadfast_instances{status=\"paused\"} " + std::to_string(kRefunds)), std::string::npos);
  Value paused = server.Get("/v1/workflows/" + ids[0], kOpsToken).json;
  EXPECT_EQ(paused.Get("current_step").StringOr(""), "psp");

  // Refunds made during the outage whose answers were lost.
  Reply before = Send(sandbox.base_url(), MakeCall("GET", "/sandbox/stats", "", ""));
  int made_in_outage = 0;
  for (const auto& [charge, entry] : before.json.Get("refunds").Get("by_charge").AsMap()) {
    EXPECT_EQ(entry.Get("count").IntOr(0), 1) << charge;
    ++made_in_outage;
  }

  // The PSP recovers; the operator resumes every refund.
  ASSERT_EQ(Send(sandbox.base_url(), MakeCall("DELETE", "/sandbox/faults", "", "")).status, 200);
  for (const std::string& id : ids) {
    Reply resumed = server.Post("/v1/workflows/" + id + "/resume", kOpsToken, Body(Value::Map{{"reason", "PSP recovered"}}));
    ASSERT_EQ(resumed.status, 200) << resumed.body;
  }
  ASSERT_TRUE(WaitForCount(server, "completed", kRefunds, 60000))
      << CountWithStatus(server, "completed") << " completed, " << CountWithStatus(server, "paused")
      << " paused; log:\n"
      << server.Log();

  // Exactly one refund per charge at the PSP, for the charge's amount.
  Reply after = Send(sandbox.base_url(), MakeCall("GET", "/sandbox/stats", "", ""));
  const Value& by_charge = after.json.Get("refunds").Get("by_charge");
  ASSERT_EQ(by_charge.AsMap().size(), static_cast<size_t>(kRefunds));
  for (int i = 0; i < kRefunds; ++i) {
    const Value& entry = by_charge.Get("ch_out_" + std::to_string(i));
    EXPECT_EQ(entry.Get("count").IntOr(0), 1) << i;
    EXPECT_EQ(entry.Get("amount_refunded").IntOr(0), 10000 + i) << i;
  }
  Value resumed = LastEvent(server, ids[0], "workflow_resumed");
  EXPECT_EQ(resumed.Get("data").Get("principal").StringOr(""), "ops");
  EXPECT_EQ(resumed.Get("data").Get("reason").StringOr(""), "PSP recovered");
  std::printf("outage: %d of %d refunds were made at the PSP with their answer lost; all completed once\n",
              made_in_outage, kRefunds);
}

// Pause, resume and retry over HTTP: roles, bodies, states, and the history.
TEST(OperatorControl, PauseResumeAndRetryOverHttp) {
  TestServer server;
  ASSERT_FALSE(server.url().empty());
  // A held approval: waiting, so it pauses at once.
  Reply held = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "held", "input": {"amount": 500}})");
  ASSERT_EQ(held.status, 201) << held.body;
  const std::string id = held.json.Get("id").StringOr("");
  ASSERT_TRUE(server.WaitUntil(id, "waiting_approval"));
  const std::string path = "/v1/workflows/" + id;

  EXPECT_EQ(server.Post(path + "/pause", kOpsToken, "{}").status, 400);  // why is required
  EXPECT_EQ(server.Post(path + "/pause", kOpsToken, R"({"reason": ""})").status, 400);
  EXPECT_EQ(server.Post(path + "/pause", kRitaToken, R"({"reason": "x"})").status, 403);  // reviewers read
  Reply paused = server.Post(path + "/pause", kOpsToken, R"({"reason": "audit hold"})");
  ASSERT_EQ(paused.status, 200) << paused.body;
  EXPECT_EQ(paused.json.Get("status").StringOr(""), "paused");
  EXPECT_EQ(server.Post(path + "/pause", kRootToken, R"({"reason": "again"})").status, 200);  // a no-op
  Reply decided = server.Post(path + "/approvals/review", kRitaToken, R"({"decision": "approve"})");
  EXPECT_EQ(decided.status, 409) << decided.body;
  EXPECT_EQ(CountWithStatus(server, "paused"), 1);
  Value event = LastEvent(server, id, "workflow_paused");
  EXPECT_EQ(event.Get("data").Get("principal").StringOr(""), "ops");
  EXPECT_EQ(event.Get("data").Get("reason").StringOr(""), "audit hold");
  Reply retry_waiting = server.Post(path + "/retry", kOpsToken, R"({"from_step": "after", "reason": "x"})");
  EXPECT_EQ(retry_waiting.status, 422) << retry_waiting.body;  // after the step it paused at
  EXPECT_EQ(retry_waiting.code(), "invalid_step");

  Reply resumed = server.Post(path + "/resume", kOpsToken, R"({"reason": "hold lifted"})");
  ASSERT_EQ(resumed.status, 200) << resumed.body;
  EXPECT_EQ(resumed.json.Get("status").StringOr(""), "waiting_approval");
  EXPECT_EQ(server.Post(path + "/retry", kOpsToken, R"({"reason": "x"})").status, 409);  // not failed or paused
  ASSERT_EQ(server.Post(path + "/approvals/review", kRitaToken, R"({"decision": "approve"})").status, 200);
  ASSERT_TRUE(server.WaitUntil(id, "completed"));
  Reply finished = server.Post(path + "/pause", kOpsToken, R"({"reason": "late"})");
  EXPECT_EQ(finished.status, 409);
  EXPECT_EQ(finished.code(), "invalid_state");

  // `flaky` fails its first attempt and pauses (on_exhausted: pause).
  Reply flaky = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "flaky", "input": {}})");
  ASSERT_EQ(flaky.status, 201) << flaky.body;
  const std::string fid = flaky.json.Get("id").StringOr("");
  ASSERT_TRUE(server.WaitUntil(fid, "paused"));
  const std::string fpath = "/v1/workflows/" + fid;
  Reply unknown = server.Post(fpath + "/retry", kOpsToken, R"({"from_step": "nope", "reason": "x"})");
  EXPECT_EQ(unknown.status, 422);
  EXPECT_NE(unknown.message().find("no step 'nope'"), std::string::npos) << unknown.body;
  EXPECT_EQ(server.Post(fpath + "/retry", kOpsToken, R"({"reason": "x", "from": "once"})").status, 400);
  EXPECT_EQ(server.Post(fpath + "/retry", kRitaToken, R"({"reason": "x"})").status, 403);
  Reply retried = server.Post(fpath + "/retry", kOpsToken, R"({"from_step": "once", "reason": "fixed upstream"})");
  ASSERT_EQ(retried.status, 200) << retried.body;
  ASSERT_TRUE(server.WaitUntil(fid, "completed"));
  Value retry_event = LastEvent(server, fid, "workflow_retried");
  EXPECT_EQ(retry_event.Get("data").Get("principal").StringOr(""), "ops");
  EXPECT_EQ(retry_event.Get("data").Get("reason").StringOr(""), "fixed upstream");
  EXPECT_EQ(retry_event.Get("data").Get("previous_status").StringOr(""), "paused");
  std::vector<std::string> types = EventTypes(server, fid);
  EXPECT_EQ(types.back(), "workflow_completed");
}

// The CLI verbs in both modes print what happened and exit 1 when refused.
TEST(OperatorControl, CliPauseResumeRetry) {
  TestServer server;
  ASSERT_FALSE(server.url().empty());
  Reply held = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "held", "input": {"amount": 500}})");
  ASSERT_EQ(held.status, 201) << held.body;
  const std::string id = held.json.Get("id").StringOr("");
  ASSERT_TRUE(server.WaitUntil(id, "waiting_approval"));
  std::map<std::string, std::string> env = {{"STEADFAST_TOKEN", kOpsToken}};
  RunResult usage = RunCommand({STEADFAST_BIN, "pause", id, "--server", server.url()}, env);
  EXPECT_EQ(usage.exit_code, 2) << usage.output;  // --reason is required
  RunResult paused = RunCommand({STEADFAST_BIN, "pause", id, "--reason", "audit", "--server", server.url()}, env);
  EXPECT_EQ(paused.exit_code, 0) << paused.output;
  EXPECT_NE(paused.output.find(id + " paused at step review"), std::string::npos) << paused.output;
  RunResult retry = RunCommand({STEADFAST_BIN, "retry", id, "--from", "after", "--reason", "x", "--db",
                                server.database()});
  EXPECT_EQ(retry.exit_code, 1) << retry.output;
  EXPECT_NE(retry.output.find("comes after step 'review'"), std::string::npos) << retry.output;
  RunResult resumed = RunCommand({STEADFAST_BIN, "resume", id, "--reason", "done", "--db", server.database(),
                                  "--as", "cli:olga"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find(id + " resumed at step review (waiting_approval)"), std::string::npos)
      << resumed.output;
  RunResult history = RunCommand({STEADFAST_BIN, "history", id, "--db", server.database()});
  EXPECT_NE(history.output.find("by ops: audit"), std::string::npos) << history.output;
  EXPECT_NE(history.output.find("by cli:olga: done"), std::string::npos) << history.output;
}

// A batch from a JSON Lines file: previewed (refund totals from the refund
// plugin, nothing started), then started with one key per line, bad lines
// reported by number, and a second run starting nothing.
TEST(OperatorControl, BatchStartPreviewsThenStartsEachLineOnce) {
  SandboxProcess sandbox;
  ASSERT_TRUE(sandbox.Start().ok());
  ServerOptions options;
  options.workflows = {{"reservation_refund", ReadFile(kSource + "/workflows/reservation_refund.yaml")}};
  options.config_extra = integration::RefundPluginConfig(kSource, sandbox.base_url());
  options.env = {{"STEADFAST_PSP_SECRET_KEY", SandboxProcess::kSecretKey}};
  TestServer server(options);
  ASSERT_FALSE(server.url().empty());

  auto example = Value::FromJson(ReadFile(kSource + "/workflows/examples/reservation.json"));
  ASSERT_TRUE(example.ok());
  auto line = [&](const std::string& id) {
    Value v = *example;
    v["reservation"]["id"] = id;
    v["reservation"]["payment"]["charge"] = "ch_" + id;
    return v.ToJson() + "\n";
  };
  TempDir dir;
  const std::string file = dir.File("refunds.jsonl");
  const std::string text = line("r-b1") + line("r-b2") + "{\"reservation\": \n" + "{\"reason\": \"no booking\"}\n" +
                           line("r-b3");
  WriteFile(file, text);
  std::map<std::string, std::string> env = {{"STEADFAST_TOKEN", kOpsToken}};
  const std::vector<std::string> batch = {STEADFAST_BIN, "start",      "--batch", file, "reservation_refund",
                                          "--key-field", "reservation.id", "--server", server.url()};

  std::vector<std::string> preview_args = batch;
  preview_args.push_back("--preview");
  RunResult preview = RunCommand(preview_args, env);
  EXPECT_EQ(preview.exit_code, 1) << preview.output;  // two lines are rejected
  EXPECT_NE(preview.output.find("5 line(s), 3 would start or exist, 2 rejected; nothing started"), std::string::npos)
      << preview.output;
  EXPECT_NE(preview.output.find("line 3: bad JSON"), std::string::npos) << preview.output;
  EXPECT_NE(preview.output.find("line 4: no 'reservation.id' in the line"), std::string::npos)
      << preview.output;
  EXPECT_NE(preview.output.find("Batch preview: 3 cancellation(s)"), std::string::npos) << preview.output;
  EXPECT_NE(preview.output.find("largest refunds in EUR"), std::string::npos) << preview.output;
  EXPECT_EQ(CountWithStatus(server, "running") + CountWithStatus(server, "completed") +
                CountWithStatus(server, "failed") + CountWithStatus(server, "compensated"),
            0);

  Reply json_preview = server.Post("/v1/workflows:batch", kOpsToken,
                                   Body(Value::Map{{"workflow", "reservation_refund"},
                                                   {"key_field", "reservation.id"},
                                                   {"jsonl", text},
                                                   {"preview", true}}));
  ASSERT_EQ(json_preview.status, 200) << json_preview.body;
  EXPECT_EQ(json_preview.json.Get("preview").Get("currencies").Get("EUR").Get("lines").IntOr(0), 3);

  RunResult first = RunCommand(batch, env);
  EXPECT_EQ(first.exit_code, 1) << first.output;
  EXPECT_NE(first.output.find("5 line(s): 3 started, 0 already started, 2 rejected"), std::string::npos)
      << first.output;
  RunResult again = RunCommand(batch, env);
  EXPECT_NE(again.output.find("5 line(s): 0 started, 3 already started, 2 rejected"), std::string::npos)
      << again.output;
  // Locally, on the database file, the same keys.
  RunResult local = RunCommand({STEADFAST_BIN, "start", "--batch", file, "reservation_refund", "--key-field",
                                "reservation.id", "--db", server.database(), "--workflows",
                                kSource + "/workflows"},
                               env);
  EXPECT_NE(local.output.find("0 started, 3 already started, 2 rejected"), std::string::npos) << local.output;
  Reply listed = server.Get("/v1/workflows?limit=500", kOpsToken);
  EXPECT_EQ(listed.json.Get("items").AsList().size(), 3u);
  Reply unknown = server.Post("/v1/workflows:batch", kOpsToken, R"({"workflow": "nope", "jsonl": "{}"})");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  Reply reviewer = server.Post("/v1/workflows:batch", kRitaToken, R"({"workflow": "reservation_refund", "jsonl": ""})");
  EXPECT_EQ(reviewer.status, 403);
}

}  // namespace
}  // namespace steadfast::testing
