// A PSP outage parks refunds; one bulk resume by filter finishes them all.
//
// The real `steadfast serve` (TestServer: real HTTP over loopback, a real
// SQLite file) refunds through the real steadfast-sandbox PSP. While the
// sandbox answers every refund with a 500, each refund exhausts its retries
// and pauses (`on_exhausted: pause`). Operators find them by filter and by
// search key, dry-run a bulk resume (nothing changes), and after the PSP
// recovers run ONE bulk resume by filter: every refund completes, and the
// sandbox holds exactly one refund per charge, for the right amount. The
// operation is the audit record (who, why, counts); running it again acts
// on nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "sandbox_process.h"
#include "test_server.h"

namespace steadfast {
namespace {

using testing::kOpsToken;
using testing::kRitaToken;
using testing::Reply;
using testing::ServerOptions;
using testing::TestServer;
using ::testing::HasSubstr;

const std::string kSource = STEADFAST_SOURCE_ROOT;
constexpr int kRefunds = 20;

// Just the PSP call, with a short retry budget that parks the refund.
constexpr const char* kOutageRefundYaml = R"(name: outage_refund
version: 1
input: { reservation_id: string, customer_id: string, charge: string, amount: int }
search:
  reservation_id: "${input.reservation_id}"
  customer_id: "${input.customer_id}"
steps:
  - id: psp
    activity: refund.psp_refund
    with:
      charge: "${input.charge}"
      amount: { minor: "${input.amount}", currency: EUR }
      reservation_id: "${input.reservation_id}"
    retry: { max_attempts: 2, initial_interval: 20ms, on_exhausted: pause }
)";

std::string Charge(int i) { return "ch_outage_" + std::to_string(i); }
int64_t Amount(int i) { return 1000 + i; }

// Ids of the instances GET /v1/workflows?<query> lists (one page of 500).
std::vector<std::string> ListIds(const TestServer& s, const std::string& query) {
  Reply r = s.Get("/v1/workflows?limit=500&" + query, kOpsToken);
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<std::string> ids;
  if (r.json.Get("items").is_list()) {
    for (const Value& item : r.json.Get("items").AsList()) ids.push_back(item.Get("id").StringOr(""));
  }
  return ids;
}

bool WaitForCount(const TestServer& s, const std::string& query, size_t count, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ListIds(s, query).size() == count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

Value WaitForOperation(const TestServer& s, const std::string& id, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  Value op;
  while (std::chrono::steady_clock::now() < deadline) {
    Reply r = s.Get("/v1/bulk-operations/" + id, kRitaToken);  // reviewers read
    EXPECT_EQ(r.status, 200) << r.body;
    op = r.json;
    if (op.Get("state").StringOr("") != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return op;
}

TEST(BulkResume, APspOutageParksRefundsAndOneBulkResumeFinishesThemWithOneRefundEach) {
  integration::SandboxProcess sandbox;
  Status started = sandbox.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  const std::string psp = sandbox.base_url();
  for (int i = 0; i < kRefunds; ++i) {
    ASSERT_LT(testing::SeedSandboxCharge(psp, Charge(i), 50000, "EUR").status, 300);
  }
  // The outage: every refund call answers 500 (retryable psp_unavailable).
  auto faults = [&](double error_rate) {
    Value body = Value::Map{{"error_rate", error_rate}, {"scope", Value::List{"/v1/refunds"}}};
    Reply r = Send(psp, testing::MakeCall("POST", "/sandbox/faults", "", body.ToJson()));
    ASSERT_LT(r.status, 300) << r.body;
  };
  faults(1.0);

  ServerOptions options;
  options.workers = 4;
  options.workflows = {{"outage_refund", kOutageRefundYaml}};
  // No circuit breaker in the way: every failed call is the PSP's 500
  // (psp_unavailable), and the resumed calls go straight to the recovered PSP.
  options.config_extra = integration::RefundPluginConfig(kSource, psp, ", breaker_failures: 1000");
  options.env = {{"STEADFAST_PSP_SECRET_KEY", integration::SandboxProcess::kSecretKey}};
  TestServer s(options);
  ASSERT_FALSE(s.url().empty());

  for (int i = 0; i < kRefunds; ++i) {
    Value body = Value::Map{{"workflow", "outage_refund"},
                            {"id", "wf-outage-" + std::to_string(i)},
                            {"input", Value::Map{{"reservation_id", "R-" + std::to_string(4400 + i)},
                                                 {"customer_id", i % 2 == 0 ? "guest-even" : "guest-odd"},
                                                 {"charge", Charge(i)},
                                                 {"amount", Amount(i)}}}};
    Reply r = s.Post("/v1/workflows", kOpsToken, body.ToJson());
    ASSERT_EQ(r.status, 201) << r.body;
  }
  const std::string parked = "workflow=outage_refund&status=paused&error_code=psp_unavailable";
  ASSERT_TRUE(WaitForCount(s, parked, kRefunds, 30000)) << s.Log();

  // Support's question: where is the refund for reservation R-4411?
  Reply by_key = s.Get("/v1/workflows?key.reservation_id=R-4411", kRitaToken);
  ASSERT_EQ(by_key.status, 200) << by_key.body;
  ASSERT_EQ(by_key.json.Get("items").AsList().size(), 1u) << by_key.body;
  const Value& found = by_key.json.Get("items").AsList()[0];
  EXPECT_EQ(found.Get("id").StringOr(""), "wf-outage-11");
  EXPECT_EQ(found.Get("status").StringOr(""), "paused");
  EXPECT_EQ(found.Get("current_step").StringOr(""), "psp");
  EXPECT_EQ(found.Get("search").Get("customer_id").StringOr(""), "guest-odd");
  EXPECT_EQ(ListIds(s, "key.customer_id=guest-even&status=paused").size(), static_cast<size_t>(kRefunds / 2));
  EXPECT_EQ(s.Get("/v1/workflows?key.reservation_id=R-4411&created_after=yesterday", kOpsToken).status, 400);

  const Value body_filter = Value::Map{{"workflow", "outage_refund"}, {"status", "paused"}, {"error_code", "psp_unavailable"}};
  const Value request = Value::Map{{"action", "resume"}, {"filter", body_filter}, {"reason", "PSP outage INC-311 is over"}};

  // A dry run counts and samples, and changes nothing.
  Value dry = request;
  dry["dry_run"] = true;
  dry["sample"] = 5;
  Reply preview = s.Post("/v1/bulk-operations", kOpsToken, dry.ToJson());
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_EQ(preview.json.Get("total").IntOr(-1), kRefunds);
  EXPECT_EQ(preview.json.Get("sample").AsList().size(), 5u);
  EXPECT_EQ(ListIds(s, parked).size(), static_cast<size_t>(kRefunds));
  // Reviewers read but do not act; a bad filter is refused before anything runs.
  EXPECT_EQ(s.Post("/v1/bulk-operations", kRitaToken, request.ToJson()).status, 403);
  Value bad = request;
  bad["filter"] = Value::Map{{"status", "asleep"}};
  Reply refused = s.Post("/v1/bulk-operations", kOpsToken, bad.ToJson());
  EXPECT_EQ(refused.status, 400);
  EXPECT_THAT(refused.message(), HasSubstr("unknown status 'asleep'"));

  // The PSP recovers; one bulk resume by filter.
  faults(0.0);
  Reply created = s.Post("/v1/bulk-operations", kOpsToken, request.ToJson());
  ASSERT_EQ(created.status, 202) << created.body;
  const std::string op_id = created.json.Get("id").StringOr("");
  EXPECT_EQ(created.headers["location"], "/v1/bulk-operations/" + op_id);
  EXPECT_EQ(created.json.Get("total").IntOr(-1), kRefunds);
  Value op = WaitForOperation(s, op_id, 30000);
  EXPECT_EQ(op.Get("state").StringOr(""), "completed") << op.ToJson();
  EXPECT_EQ(op.Get("done").IntOr(-1), kRefunds) << op.ToJson();
  EXPECT_EQ(op.Get("failed").IntOr(-1), 0) << op.ToJson();
  EXPECT_EQ(op.Get("requested_by").StringOr(""), "ops");
  EXPECT_EQ(op.Get("reason").StringOr(""), "PSP outage INC-311 is over");

  ASSERT_TRUE(WaitForCount(s, "workflow=outage_refund&status=completed", kRefunds, 30000)) << s.Log();
  // Exactly one refund per charge at the PSP, for the right amount.
  Reply stats = Send(psp, testing::MakeCall("GET", "/sandbox/stats", "", ""));
  ASSERT_EQ(stats.status, 200) << stats.body;
  for (int i = 0; i < kRefunds; ++i) {
    const Value& c = stats.json.Get("refunds").Get("by_charge").Get(Charge(i));
    EXPECT_EQ(c.Get("count").IntOr(0), 1) << Charge(i);
    EXPECT_EQ(c.Get("amount_refunded").IntOr(0), Amount(i)) << Charge(i);
  }

  // Run again: nothing is paused any more, so it acts on nothing.
  Reply again = s.Post("/v1/bulk-operations", kOpsToken, request.ToJson());
  ASSERT_EQ(again.status, 202) << again.body;
  Value second = WaitForOperation(s, again.json.Get("id").StringOr(""), 10000);
  EXPECT_EQ(second.Get("state").StringOr(""), "completed");
  EXPECT_EQ(second.Get("total").IntOr(-1), 0);
  EXPECT_EQ(second.Get("done").IntOr(-1), 0);

  // The audit record lists both, newest first.
  Reply audit = s.Get("/v1/bulk-operations", kRitaToken);
  ASSERT_EQ(audit.status, 200) << audit.body;
  ASSERT_EQ(audit.json.Get("items").AsList().size(), 2u);
  EXPECT_EQ(audit.json.Get("items").AsList()[1].Get("id").StringOr(""), op_id);
  EXPECT_EQ(audit.json.Get("items").AsList()[1].Get("filter").Get("error_code").StringOr(""), "psp_unavailable");
}

}  // namespace
}  // namespace steadfast
