// The refund plugin's HTTP routes (/v1/plugins/refund/...) end to end: the
// real `steadfast serve` listening on loopback with a reviewer, an operator
// and an admin token, the real steadfast-sandbox as PSP, a real SQLite file.
// A reservation is settled with its host payout refused (a closed account)
// and a host's claim waits for its review; then, over real HTTP:
//   - the claims listing and a claim with its items, messages and settlement
//     preview; an unknown claim 404 JSON;
//   - the reservation's transactions with its CancellationDetails snapshot;
//     a bad filter 400 JSON; disputes listed;
//   - executing the failed payout: no token 401, a reviewer and an operator
//     403 JSON (nothing moved), a malformed body and a body without a reason
//     400 JSON, the admin 200 (completed, executed_by the token's name,
//     audited with the reason), and again 200 already_completed with no
//     second transfer at the PSP; two at the same moment pay once;
//   - unknown plugin routes 404 JSON, a GET on execute 405, the routes
//     counted in /metrics under their templates and in /v1/openapi.yaml.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>
#include <thread>

#include "http/token_store.h"
#include "refund/settlement_store.h"
#include "refund_harness.h"
#include "test_server.h"

namespace steadfast {
namespace {

using integration::LoadExample;
using integration::RefundHarness;
using refund::SettlementStore;
using refund::SettlementTransaction;
using refund::TransactionKind;
using refund::TransactionStatus;
using ::testing::HasSubstr;

constexpr int64_t kPaid = 27000;  // workflows/examples/settlement.json: 210 + 30 - 20 + 22 + 28 EUR
constexpr const char* kRita = "rita-routes-19ab";  // reviewer
constexpr const char* kOlga = "olga-routes-7c2d";  // operator
constexpr const char* kAna = "ana-routes-e5f0";    // admin

std::string TokensConfig() {
  auto line = [](const std::string& name, const std::string& token, const std::string& role) {
    return "    - { name: " + name + ", sha256: " + http::Sha256Hex(token) + ", roles: [" + role + "] }\n";
  };
  return "http:\n  listen: 127.0.0.1:0\n  tokens:\n" + line("rita", kRita, "reviewer") +
         line("olga", kOlga, "operator") + line("ana", kAna, "admin");
}

class PluginRoutesTest : public ::testing::Test {
 protected:
  PluginRoutesTest() : h_({}, TokensConfig()) {}

  void SetUp() override {
    // r-2002: settled, its host payout refused by the PSP (closed account).
    Value settle = LoadExample("settlement.json");
    settle["reservation"]["id"] = "r-2002";
    settle["reservation"]["payment"]["charge"] = "ch_r2002";
    settle["reservation"]["host"]["account"] = "acct_closed_h9";
    settle["cancel_at"] = "2026-12-13T09:30:00+01:00";
    h_.Seed("ch_r2002", kPaid);
    h_.StartInstance("reservation_settlement", h_.WriteInput("wf-s2", settle), "wf-s2");
    // r-3001: a two-item claim by its host, waiting for its review.
    Value claim = LoadExample("settlement.json");
    claim["reservation"]["id"] = "r-3001";
    claim["reservation"]["payment"]["charge"] = "ch_r3001";
    claim["reservation"]["host"]["account"] = "acct_host5";
    claim["cancel_at"] = "2026-12-13T09:30:00+01:00";
    claim["requested_by"] = "host-3";
    claim["opened_by"] = "host-3";
    claim["items"] = Value::List{
        Value::Map{{"id", "lamp"}, {"description", "broken floor lamp"}, {"amount", "80.00 EUR"}},
        Value::Map{{"id", "cleaning"}, {"description", "extra cleaning"}, {"amount", "40.00 EUR"}}};
    claim["messages"] = Value::List{Value::Map{{"author", "host-3"}, {"text", "photos of the lamp attached"}}};
    claim.MutableMap().erase("reason");
    h_.Seed("ch_r3001", kPaid);
    h_.StartInstance("claim_settlement", h_.WriteInput("wf-c1", claim), "wf-c1");

    serve_ = h_.Serve();
    ASSERT_TRUE(h_.WaitTerminal("wf-s2", 60000)) << h_.ServeLog();
    ASSERT_TRUE(h_.WaitFor("wf-c1", [](const InstanceRecord& r) { return r.status == InstanceStatus::kWaitingApproval; },
                           60000))
        << h_.ServeLog();
    const std::regex listening(R"(listening on (http://127\.0\.0\.1:[0-9]+))");
    for (int i = 0; i < 200 && url_.empty(); ++i) {
      std::smatch m;
      std::string log = h_.ServeLog();
      if (std::regex_search(log, m, listening)) url_ = m[1];
      if (url_.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_FALSE(url_.empty()) << h_.ServeLog();
  }
  void TearDown() override {
    if (serve_) {
      serve_->Kill(SIGTERM);
      serve_->Wait(20000);
    }
  }

  testing::Reply Get(const std::string& path, const char* token) {
    return testing::Send(url_, testing::MakeCall("GET", path, token, ""));
  }
  testing::Reply Post(const std::string& path, const char* token, const std::string& body) {
    return testing::Send(url_, testing::MakeCall("POST", path, token, body));
  }
  SettlementTransaction HostPayout() {
    auto tables = testing::OpenRefundTables(h_.db());
    EXPECT_TRUE(tables.ok());
    refund::TransactionFilter f;
    f.reservation_id = "r-2002";
    f.kind = TransactionKind::kHostPayout;
    auto txns = SettlementStore(tables->storage()).Transactions(f);
    EXPECT_TRUE(txns.ok() && txns->size() == 1u);
    return txns.ok() && !txns->empty() ? txns->front() : SettlementTransaction{};
  }

  RefundHarness h_;
  std::unique_ptr<testing::Subprocess> serve_;
  std::string url_;
};

TEST_F(PluginRoutesTest, ReviewersReadClaimsTransactionsAndDisputes) {
  testing::Reply claims = Get("/v1/plugins/refund/claims?reservation=r-3001", kRita);
  ASSERT_EQ(claims.status, 200) << claims.body;
  ASSERT_EQ(claims.json.Get("claims").AsList().size(), 1u) << claims.body;
  const std::string claim_id = claims.json.Get("claims").AsList()[0].Get("id").StringOr("?");
  EXPECT_EQ(Get("/v1/plugins/refund/claims?status=settled", kRita).json.Get("claims").AsList().size(), 0u);

  testing::Reply claim = Get("/v1/plugins/refund/claims/" + claim_id, kRita);
  ASSERT_EQ(claim.status, 200) << claim.body;
  EXPECT_EQ(claim.json.Get("status"), Value("open")) << claim.body;
  ASSERT_EQ(claim.json.Get("items").AsList().size(), 2u) << claim.body;
  EXPECT_EQ(claim.json.Get("items").AsList()[0].Get("description"), Value("broken floor lamp"));
  EXPECT_THAT(claim.body, HasSubstr("photos of the lamp attached"));
  EXPECT_EQ(claim.json.Get("settlement_basis"), Value("preview, if approved as asked")) << claim.body;
  const int64_t preview = claim.json.Get("settlement").Get("claim_payout").Get("minor").IntOr(-1);
  EXPECT_GT(preview, 0) << claim.body;
  EXPECT_LE(preview, 12000) << "never more than the 120.00 EUR asked: " << claim.body;

  testing::Reply unknown = Get("/v1/plugins/refund/claims/clm_nope", kRita);
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(unknown.code(), "not_found") << unknown.body;

  testing::Reply txns = Get("/v1/plugins/refund/transactions?reservation=r-2002", kOlga);
  ASSERT_EQ(txns.status, 200) << txns.body;
  EXPECT_EQ(txns.json.Get("transactions").AsList().size(), 3u) << txns.body;
  ASSERT_EQ(txns.json.Get("snapshots").AsList().size(), 1u) << txns.body;
  EXPECT_EQ(txns.json.Get("snapshots").AsList()[0].Get("total").Get("minor"), Value(kPaid)) << txns.body;
  testing::Reply failed = Get("/v1/plugins/refund/transactions?status=failed&kind=hostpayout", kRita);
  ASSERT_EQ(failed.status, 200) << failed.body;
  ASSERT_EQ(failed.json.Get("transactions").AsList().size(), 1u) << failed.body;
  EXPECT_TRUE(failed.json.Get("snapshots").is_null()) << "snapshots only in a listing by reservation";

  testing::Reply bad = Get("/v1/plugins/refund/transactions?status=paid", kRita);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(bad.code(), "invalid_query") << bad.body;

  testing::Reply disputes = Get("/v1/plugins/refund/disputes", kRita);
  ASSERT_EQ(disputes.status, 200) << disputes.body;
  EXPECT_TRUE(disputes.json.Get("disputes").is_list()) << disputes.body;

  testing::Reply nobody = Get("/v1/plugins/refund/claims", "");
  EXPECT_EQ(nobody.status, 401) << nobody.body;
  testing::Reply nowhere = Get("/v1/plugins/refund/nothing-here", kRita);
  EXPECT_EQ(nowhere.status, 404) << nowhere.body;
  EXPECT_EQ(nowhere.code(), "not_found") << nowhere.body;
  EXPECT_EQ(Get("/v1/plugins/nobody/claims", kRita).status, 404);

  // Every route above is in the served OpenAPI document.
  testing::Reply spec = Get("/v1/openapi.yaml", "");
  ASSERT_EQ(spec.status, 200);
  for (const char* path : {"/v1/plugins/refund/claims", "/v1/plugins/refund/claims/{id}",
                           "/v1/plugins/refund/transactions", "/v1/plugins/refund/transactions/{id}/execute",
                           "/v1/plugins/refund/disputes"}) {
    EXPECT_THAT(spec.body, HasSubstr("\n  " + std::string(path) + ":\n")) << path;
  }
}

TEST_F(PluginRoutesTest, OnlyAnAdminExecutesAndExecutingIsAuditedAndIdempotent) {
  const SettlementTransaction before = HostPayout();
  ASSERT_EQ(before.status, TransactionStatus::kFailed);
  const std::string path = "/v1/plugins/refund/transactions/" + before.id + "/execute";
  const std::string body = R"({"reason": "host gave a new account", "destination": "acct_host9"})";

  EXPECT_EQ(Post(path, "", body).status, 401);
  for (const char* token : {kRita, kOlga}) {
    testing::Reply refused = Post(path, token, body);
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(refused.code(), "forbidden") << refused.body;
  }
  testing::Reply malformed = Post(path, kAna, R"({"reason": "x",)");
  EXPECT_EQ(malformed.status, 400) << malformed.body;
  EXPECT_EQ(malformed.code(), "malformed_json") << malformed.body;
  testing::Reply no_reason = Post(path, kAna, R"({"destination": "acct_host9"})");
  EXPECT_EQ(no_reason.status, 400) << no_reason.body;
  EXPECT_EQ(no_reason.code(), "invalid_field") << no_reason.body;
  testing::Reply not_object = Post(path, kAna, "[1]");
  EXPECT_EQ(not_object.status, 400) << not_object.body;
  testing::Reply bad_account = Post(path, kAna, R"({"reason": "r", "destination": "bank-1"})");
  EXPECT_EQ(bad_account.status, 400) << bad_account.body;
  testing::Reply wrong_type = testing::Send(url_, testing::MakeCall("POST", path, kAna, R"({"reason": "r"})", "text/plain"));
  EXPECT_EQ(wrong_type.status, 415) << wrong_type.body;
  EXPECT_EQ(HostPayout().status, TransactionStatus::kFailed) << "nothing refused may move it";
  EXPECT_EQ(h_.TransfersTo("acct_host9").Get("count").IntOr(0), 0);
  testing::Reply unknown = Post("/v1/plugins/refund/transactions/stx_nope/execute", kAna, body);
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(Get(path, kAna).status, 405);

  testing::Reply done = Post(path, kAna, body);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json.Get("outcome"), Value("completed")) << done.body;
  EXPECT_EQ(done.json.Get("status"), Value("completed")) << done.body;
  EXPECT_EQ(done.json.Get("executed_by"), Value("ana")) << "the principal comes from the token";
  EXPECT_EQ(done.json.Get("destination"), Value("acct_host9")) << done.body;
  const SettlementTransaction after = HostPayout();
  EXPECT_EQ(after.status, TransactionStatus::kCompleted);
  EXPECT_EQ(after.executed_by, "ana");
  EXPECT_EQ(after.provider_id.rfind("tr_", 0), 0u) << after.provider_id;
  EXPECT_EQ(h_.TransfersTo("acct_host9").Get("count").IntOr(0), 1);
  EXPECT_EQ(h_.TransfersTo("acct_host9").Get("amount").IntOr(0), after.amount.minor);

  testing::Reply again = Post(path, kAna, R"({"reason": "double click"})");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json.Get("outcome"), Value("already_completed")) << again.body;
  EXPECT_EQ(h_.TransfersTo("acct_host9").Get("count").IntOr(0), 1) << "no second payout";

  auto tables = testing::OpenRefundTables(h_.db());
  ASSERT_TRUE(tables.ok());
  auto audit = SettlementStore(tables->storage()).Audit(before.id);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 3u);
  EXPECT_EQ((*audit)[0].actor, "ana");
  EXPECT_EQ((*audit)[0].reason, "host gave a new account");
  EXPECT_EQ((*audit)[1].outcome, "completed");
  EXPECT_EQ((*audit)[2].outcome, "already_completed");
  EXPECT_EQ((*audit)[2].reason, "double click");

  testing::Reply metrics = Get("/metrics", "");
  EXPECT_THAT(metrics.body, HasSubstr("/v1/plugins/refund/transactions/{id}/execute")) << metrics.body;
}

// Two admins click Execute on the failed payout at the same moment: the
// PSP pays once. The first makes it pending under a new key and pays; the
// second is refused before the PSP (409 invalid_state: a pending payout
// keeps its account), or finds it completed (200 already_completed).
TEST_F(PluginRoutesTest, TwoConcurrentExecutionsPayOnce) {
  const SettlementTransaction before = HostPayout();
  ASSERT_EQ(before.status, TransactionStatus::kFailed);
  const std::string path = "/v1/plugins/refund/transactions/" + before.id + "/execute";
  const std::string body = R"({"reason": "host gave a new account", "destination": "acct_host9"})";
  testing::Reply first, second;
  std::thread a([&] { first = Post(path, kAna, body); });
  std::thread b([&] { second = Post(path, kAna, body); });
  a.join();
  b.join();
  int completed = 0;
  for (const testing::Reply* r : {&first, &second}) {
    EXPECT_TRUE(r->status == 200 || (r->status == 409 && (r->code() == "invalid_state" || r->code() == "conflict")))
        << r->status << " " << r->body;
    if (r->status == 200 && r->json.Get("outcome") == Value("completed")) ++completed;
  }
  EXPECT_EQ(completed, 1) << first.body << "\n" << second.body;
  EXPECT_EQ(HostPayout().status, TransactionStatus::kCompleted);
  EXPECT_EQ(h_.TransfersTo("acct_host9").Get("count").IntOr(0), 1) << "one payout for two clicks";
}

}  // namespace
}  // namespace steadfast
