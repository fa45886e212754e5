// The sandbox's service logic without sockets: settlement timing with a
// ManualClock, Stripe validation, idempotency, pagination, admission faults
// and flag parsing.
#include "sandbox_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "sandbox_options.h"

namespace steadfast::sandbox {
namespace {

constexpr const char* kKey = "sk_test_unit_sandbox";

class SandboxServiceTest : public ::testing::Test {
 protected:
  void Make(SettlementConfig settlement = {}, FaultConfig faults = {}) {
    auto db = OpenSandboxDatabase(":memory:");
    ASSERT_TRUE(db.ok());
    ServiceOptions options;
    options.secret_key = kKey;
    options.settlement = settlement;
    options.faults = faults;
    options.seed = 7;
    auto service = SandboxService::Create(options, std::move(db).value(), clock_);
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    service_ = std::move(service).value();
  }

  SandboxRequest Base(std::string method, std::string path) {
    SandboxRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.has_authorization = true;
    r.api_key = kKey;
    return r;
  }

  SandboxRequest Form(std::string path, Params form, std::string key = "") {
    SandboxRequest r = Base("POST", std::move(path));
    r.is_form = true;
    r.form = std::move(form);
    r.body = "form";
    r.idempotency_key = std::move(key);
    return r;
  }

  SandboxRequest Json(std::string path, const nlohmann::json& body, std::string key = "") {
    SandboxRequest r = Base("POST", std::move(path));
    r.body = body.dump();
    r.idempotency_key = std::move(key);
    return r;
  }

  SandboxRequest Get(std::string path, Params query = {}) {
    SandboxRequest r = Base("GET", std::move(path));
    r.query = std::move(query);
    return r;
  }

  std::pair<int, nlohmann::json> Call(const SandboxRequest& request) {
    Admission admission = service_->Admit(request);
    SandboxResponse response =
        admission.immediate ? *admission.immediate : service_->Handle(request, admission);
    return {response.status, nlohmann::json::parse(response.body)};
  }

  void Seed(const std::string& id, int64_t amount, nlohmann::json extra = nlohmann::json::object()) {
    extra["id"] = id;
    extra["amount"] = amount;
    extra["currency"] = "usd";
    auto [status, body] = Call(Json("/sandbox/charges", extra));
    ASSERT_EQ(status, 200) << body.dump();
  }

  ManualClock clock_{1'700'000'000'000};
  std::unique_ptr<SandboxService> service_;
};

TEST_F(SandboxServiceTest, SettlesExactlyAtTheDelay) {
  Make(SettlementConfig{.delay_ms = 1'000, .fail_rate = 0.0});
  Seed("ch_1", 500);
  auto [status, refund] = Call(Form("/v1/refunds", {{"charge", "ch_1"}}));
  ASSERT_EQ(status, 200);
  EXPECT_EQ(refund["status"], "pending");
  EXPECT_EQ(refund["amount"], 500);
  const std::string id = refund["id"];
  clock_.Advance(999);
  EXPECT_EQ(Call(Get("/v1/refunds/" + id)).second["status"], "pending");
  clock_.Advance(1);
  EXPECT_EQ(Call(Get("/v1/refunds/" + id)).second["status"], "succeeded");
}

TEST_F(SandboxServiceTest, FailedSettlementReturnsTheAmount) {
  Make(SettlementConfig{.delay_ms = 50, .fail_rate = 1.0});
  Seed("ch_1", 500);
  const std::string id = Call(Form("/v1/refunds", {{"charge", "ch_1"}, {"amount", "200"}})).second["id"];
  // While pending, the amount is reserved.
  EXPECT_EQ(Call(Form("/v1/refunds", {{"charge", "ch_1"}, {"amount", "301"}})).second["error"]["code"],
            "amount_too_large");
  clock_.Advance(50);
  auto [status, refund] = Call(Get("/v1/refunds/" + id));
  EXPECT_EQ(refund["status"], "failed");
  EXPECT_EQ(refund["failure_reason"], "expired_or_canceled_card");
  EXPECT_EQ(Call(Get("/v1/charges/ch_1")).second["amount_refunded"], 0);
}

TEST_F(SandboxServiceTest, ValidationFailuresAreNotSavedUnderTheKey) {
  Make();
  Seed("ch_1", 500);
  auto [missing_status, missing] = Call(Form("/v1/refunds", {{"amount", "100"}}, "k"));
  EXPECT_EQ(missing_status, 400);
  EXPECT_EQ(missing["error"]["code"], "parameter_missing");
  auto [unknown_status, unknown] = Call(Form("/v1/refunds", {{"charge", "ch_1"}, {"colour", "red"}}, "k"));
  EXPECT_EQ(unknown_status, 400);
  EXPECT_EQ(unknown["error"]["code"], "parameter_unknown");
  EXPECT_EQ(unknown["error"]["param"], "colour");
  auto [bad_status, bad] = Call(Form("/v1/refunds", {{"charge", "ch_1"}, {"amount", "12.5"}}, "k"));
  EXPECT_EQ(bad_status, 400);
  EXPECT_EQ(bad["error"]["code"], "parameter_invalid_integer");
  auto [reason_status, reason] = Call(Form("/v1/refunds", {{"charge", "ch_1"}, {"reason", "bored"}}, "k"));
  EXPECT_EQ(reason_status, 400);
  EXPECT_EQ(reason["error"]["param"], "reason");
  // None of those consumed the key.
  auto [status, refund] = Call(Form("/v1/refunds", {{"charge", "ch_1"}, {"amount", "100"}}, "k"));
  EXPECT_EQ(status, 200) << refund.dump();
}

TEST_F(SandboxServiceTest, BusinessErrorsAreSavedAndReplayed) {
  Make();
  Seed("ch_1", 500);
  auto [first_status, first] = Call(Form("/v1/refunds", {{"charge", "ch_1"}, {"amount", "600"}}, "k"));
  EXPECT_EQ(first_status, 400);
  EXPECT_EQ(first["error"]["code"], "amount_too_large");
  auto request = Form("/v1/refunds", {{"charge", "ch_1"}, {"amount", "600"}}, "k");
  Admission admission = service_->Admit(request);
  SandboxResponse replay = service_->Handle(request, admission);
  EXPECT_EQ(replay.status, 400);
  bool replayed = false;
  for (const auto& [name, value] : replay.headers) replayed |= name == "Idempotent-Replayed" && value == "true";
  EXPECT_TRUE(replayed);
}

TEST_F(SandboxServiceTest, KeysAreScopedToTheirEndpoint) {
  Make();
  Seed("ch_1", 500);
  ASSERT_EQ(Call(Form("/v1/refunds", {{"charge", "ch_1"}, {"amount", "100"}}, "k")).first, 200);
  // The inventory service has its own key space.
  EXPECT_EQ(Call(Json("/inventory/release", {{"reservation_id", "r1"}}, "k")).first, 200);
  // Within a service, another endpoint cannot reuse the key.
  auto [status, body] = Call(Json("/inventory/hold", {{"reservation_id", "r1"}}, "k"));
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["error"]["type"], "idempotency_error");
}

TEST_F(SandboxServiceTest, EndingBeforePagesTowardsNewer) {
  Make();
  Seed("ch_1", 10'000);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(Call(Form("/v1/refunds", {{"charge", "ch_1"}, {"amount", "10"}})).second["id"]);
  }
  // Newest first: ids[4], ids[3], ids[2], ids[1], ids[0].
  auto [status, page] = Call(Get("/v1/refunds", {{"ending_before", ids[1]}, {"limit", "2"}}));
  ASSERT_EQ(status, 200);
  ASSERT_EQ(page["data"].size(), 2u);
  EXPECT_EQ(page["data"][0]["id"], ids[3]);
  EXPECT_EQ(page["data"][1]["id"], ids[2]);
  EXPECT_TRUE(page["has_more"]);
  EXPECT_EQ(page["url"], "/v1/refunds");
  EXPECT_EQ(Call(Get("/v1/refunds", {{"limit", "0"}})).first, 400);
  EXPECT_EQ(Call(Get("/v1/refunds", {{"starting_after", "re_nope"}})).first, 404);
}

TEST_F(SandboxServiceTest, AdmissionPlaysFaultsBeforeTheIdempotencyLayer) {
  FaultConfig faults;
  faults.burst_5xx = 1;
  faults.drop_next = 1;
  Make({}, faults);
  Seed("ch_1", 500);
  const SandboxRequest request = Form("/v1/refunds", {{"charge", "ch_1"}}, "k");
  Admission first = service_->Admit(request);
  ASSERT_TRUE(first.immediate.has_value());
  EXPECT_EQ(first.immediate->status, 500);
  Admission second = service_->Admit(request);
  EXPECT_FALSE(second.immediate.has_value());
  EXPECT_EQ(second.fault.kind, FaultKind::kDropped);
  // While that request holds the key, a duplicate is told to come back later.
  Admission duplicate = service_->Admit(request);
  ASSERT_TRUE(duplicate.immediate.has_value());
  EXPECT_EQ(duplicate.immediate->status, 409);
  EXPECT_EQ(service_->Handle(request, second).status, 200);
  auto stats = Call(Get("/sandbox/stats")).second;
  EXPECT_EQ(stats["faults"]["5xx"], 1);
  EXPECT_EQ(stats["faults"]["dropped"], 1);
  EXPECT_EQ(stats["refunds"]["count"], 1);
}

TEST_F(SandboxServiceTest, FaultsOnlyApplyInScope) {
  FaultConfig faults;
  faults.error_rate = 1.0;
  Make({}, faults);
  EXPECT_EQ(Call(Json("/sandbox/charges", {{"id", "ch_1"}, {"amount", 5}, {"currency", "usd"}})).first, 200);
  EXPECT_EQ(Call(Get("/v1/refunds")).first, 500);
  EXPECT_EQ(Call(Get("/v1/charges/ch_1")).first, 200);  // not under a scope prefix
}

TEST_F(SandboxServiceTest, RuntimeFaultPatchesAreValidated) {
  Make();
  EXPECT_EQ(Call(Json("/sandbox/faults", {{"error_rate", 2.0}})).first, 400);
  EXPECT_EQ(Call(Json("/sandbox/faults", {{"explode", true}})).first, 400);
  EXPECT_EQ(Call(Json("/sandbox/faults", {{"latency_ms", "fast"}})).first, 400);
  auto [status, config] = Call(Json("/sandbox/faults", {{"drop_rate", 0.25}, {"scope", {"/v1/"}}}));
  EXPECT_EQ(status, 200);
  EXPECT_EQ(config["drop_rate"], 0.25);
  EXPECT_EQ(config["scope"][0], "/v1/");
  SandboxRequest reset = Base("DELETE", "/sandbox/faults");
  EXPECT_EQ(Call(reset).second["drop_rate"], 0.0);
}

TEST_F(SandboxServiceTest, AuthIsRequiredOnStripeEndpoints) {
  Make();
  SandboxRequest anonymous = Get("/v1/refunds");
  anonymous.has_authorization = false;
  anonymous.api_key.clear();
  EXPECT_EQ(Call(anonymous).first, 401);
  SandboxRequest wrong = Get("/v1/refunds");
  wrong.api_key = "sk_test_wrong_but_long_enough";
  auto [status, body] = Call(wrong);
  EXPECT_EQ(status, 401);
  EXPECT_EQ(body["error"]["message"].get<std::string>().find("sk_test_wrong"), std::string::npos);
}

TEST_F(SandboxServiceTest, SeedingIsIdempotentAndConflictsAreRefused) {
  Make();
  Seed("ch_1", 500);
  Seed("ch_1", 500);
  EXPECT_EQ(Call(Json("/sandbox/charges", {{"id", "ch_1"}, {"amount", 600}, {"currency", "usd"}})).first, 409);
  EXPECT_EQ(Call(Json("/sandbox/charges", {{"amount", 600}, {"currency", "us"}})).first, 400);
}

// ---------------------------------------------------------------- transfers (Stripe Connect payouts)

TEST_F(SandboxServiceTest, ATransferIsIdempotentByKeyAndRefusesAnotherBodyUnderIt) {
  Make();
  const Params body{{"amount", "4200"}, {"currency", "EUR"}, {"destination", "acct_seller1"},
                    {"transfer_group", "m-1"}, {"metadata[seller_id]", "s1"}};
  auto [status, transfer] = Call(Form("/v1/transfers", body, "wf/payout"));
  ASSERT_EQ(status, 200) << transfer.dump();
  EXPECT_EQ(transfer["object"], "transfer");
  EXPECT_EQ(transfer["amount"], 4200);
  EXPECT_EQ(transfer["currency"], "eur");
  EXPECT_EQ(transfer["destination"], "acct_seller1");
  EXPECT_EQ(transfer["transfer_group"], "m-1");
  EXPECT_EQ(transfer["metadata"]["seller_id"], "s1");
  EXPECT_EQ(transfer["reversed"], false);

  auto [again_status, again] = Call(Form("/v1/transfers", body, "wf/payout"));
  EXPECT_EQ(again_status, 200);
  EXPECT_EQ(again["id"], transfer["id"]) << "the same key and body name the same transfer";
  Params other = body;
  other[0].second = "4300";
  auto [other_status, refused] = Call(Form("/v1/transfers", other, "wf/payout"));
  EXPECT_EQ(other_status, 400);
  EXPECT_EQ(refused["error"]["type"], "idempotency_error");

  auto [get_status, read] = Call(Get("/v1/transfers/" + transfer["id"].get<std::string>()));
  EXPECT_EQ(get_status, 200);
  EXPECT_EQ(read["amount"], 4200);
  auto [stats_status, stats] = Call(Get("/sandbox/stats"));
  EXPECT_EQ(stats["transfers"]["count"], 1);
  EXPECT_EQ(stats["transfers"]["by_destination"]["acct_seller1"]["count"], 1);
  EXPECT_EQ(stats["transfers"]["by_destination"]["acct_seller1"]["amount"], 4200);
}

TEST_F(SandboxServiceTest, TransferValidationIsNotSavedAndAClosedAccountIsRefusedForGood) {
  Make();
  EXPECT_EQ(Call(Form("/v1/transfers", {{"amount", "100"}, {"currency", "eur"}}, "k")).second["error"]["param"],
            "destination");
  EXPECT_EQ(Call(Form("/v1/transfers", {{"amount", "0"}, {"currency", "eur"}, {"destination", "acct_1"}}, "k"))
                .second["error"]["code"],
            "parameter_invalid_integer");
  EXPECT_EQ(Call(Form("/v1/transfers", {{"amount", "10"}, {"currency", "eur"}, {"destination", "bank_1"}}, "k"))
                .first,
            404);
  EXPECT_EQ(Call(Form("/v1/transfers", {{"amount", "10"}, {"currency", "eur"}, {"destination", "acct_1"},
                                        {"colour", "red"}},
                      "k"))
                .second["error"]["code"],
            "parameter_unknown");

  // A closed destination: refused with a stable code, saved under the key
  // (execution had begun), so a retry gets the same answer, not a transfer.
  const Params closed{{"amount", "10"}, {"currency", "eur"}, {"destination", "acct_closed_s2"}};
  auto [status, error] = Call(Form("/v1/transfers", closed, "k"));
  EXPECT_EQ(status, 400);
  EXPECT_EQ(error["error"]["code"], "account_closed");
  EXPECT_EQ(error["error"]["param"], "destination");
  auto request = Form("/v1/transfers", closed, "k");
  Admission admission = service_->Admit(request);
  SandboxResponse replay = service_->Handle(request, admission);
  EXPECT_EQ(replay.status, 400);
  EXPECT_EQ(Call(Get("/sandbox/stats")).second["transfers"]["count"], 0);
}

TEST_F(SandboxServiceTest, ReversalsAreIdempotentAndNeverExceedTheTransfer) {
  Make();
  const std::string id =
      Call(Form("/v1/transfers", {{"amount", "1000"}, {"currency", "eur"}, {"destination", "acct_1"}}, "t"))
          .second["id"];
  const std::string path = "/v1/transfers/" + id + "/reversals";
  auto [status, reversal] = Call(Form(path, {{"amount", "400"}}, "r1"));
  ASSERT_EQ(status, 200) << reversal.dump();
  EXPECT_EQ(reversal["object"], "transfer_reversal");
  EXPECT_EQ(reversal["transfer"], id);
  EXPECT_EQ(reversal["amount"], 400);
  EXPECT_EQ(Call(Form(path, {{"amount", "400"}}, "r1")).second["id"], reversal["id"]) << "replayed, not reversed twice";
  EXPECT_EQ(Call(Form(path, {{"amount", "601"}}, "r2")).second["error"]["code"], "amount_too_large");
  auto [rest_status, rest] = Call(Form(path, {}, "r3"));  // no amount: all that remains
  EXPECT_EQ(rest_status, 200);
  EXPECT_EQ(rest["amount"], 600);
  EXPECT_EQ(Call(Form(path, {}, "r4")).second["error"]["code"], "transfer_already_reversed");
  auto [get_status, read] = Call(Get("/v1/transfers/" + id));
  EXPECT_EQ(read["amount_reversed"], 1000);
  EXPECT_EQ(read["reversed"], true);
  EXPECT_EQ(read["reversals"]["total_count"], 2);
  EXPECT_EQ(Call(Form("/v1/transfers/tr_nope/reversals", {}, "r5")).first, 404);
  EXPECT_EQ(Call(Get("/v1/transfers/tr_nope")).first, 404);
  auto stats = Call(Get("/sandbox/stats")).second["transfers"];
  EXPECT_EQ(stats["by_destination"]["acct_1"]["reversals"], 2);
  EXPECT_EQ(stats["fully_reversed"], 1);
}

// A restarted sandbox remembers its payouts and their reversals, as a PSP would.
TEST_F(SandboxServiceTest, TransfersAndReversalsSurviveARestart) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("sandbox-transfers-" + std::to_string(::getpid()) + ".db")).string();
  std::filesystem::remove(path);
  auto open = [&] {
    auto db = OpenSandboxDatabase(path);
    EXPECT_TRUE(db.ok());
    ServiceOptions options;
    options.secret_key = kKey;
    auto service = SandboxService::Create(options, std::move(db).value(), clock_);
    EXPECT_TRUE(service.ok()) << service.status().ToString();
    service_ = std::move(service).value();
  };
  open();
  const Params body{{"amount", "1000"}, {"currency", "eur"}, {"destination", "acct_1"}};
  const std::string id = Call(Form("/v1/transfers", body, "t")).second["id"];
  ASSERT_EQ(Call(Form("/v1/transfers/" + id + "/reversals", {{"amount", "250"}}, "r")).first, 200);
  service_.reset();
  open();
  auto [status, read] = Call(Get("/v1/transfers/" + id));
  EXPECT_EQ(status, 200);
  EXPECT_EQ(read["amount_reversed"], 250);
  EXPECT_EQ(read["reversals"]["total_count"], 1);
  EXPECT_EQ(Call(Form("/v1/transfers", body, "t")).second["id"], id) << "the key is remembered too";
  service_.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

TEST_F(SandboxServiceTest, TransfersAreInTheDefaultFaultScope) {
  Make({}, FaultConfig{.burst_5xx = 1});
  EXPECT_EQ(Call(Form("/v1/transfers", {{"amount", "10"}, {"currency", "eur"}, {"destination", "acct_1"}}, "k"))
                .first,
            500);
  EXPECT_EQ(Call(Form("/v1/transfers", {{"amount", "10"}, {"currency", "eur"}, {"destination", "acct_1"}}, "k"))
                .first,
            200);
}

TEST(SandboxOptionsTest, ParsesFlagsAndEnvironment) {
  auto env = [](const char* name) -> const char* {
    return std::string(name) == "STEADFAST_SANDBOX_SECRET_KEY" ? "sk_test_from_env" : nullptr;
  };
  auto options = ParseSandboxOptions({"--port", "0", "--drop-rate=0.5", "--latency-ms", "20", "--settle-delay-ms",
                                      "300", "--fault-scope", "/v1/,/inventory"},
                                     env);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->port, 0);
  EXPECT_EQ(options->service.secret_key, "sk_test_from_env");
  EXPECT_EQ(options->service.faults.drop_rate, 0.5);
  EXPECT_EQ(options->service.faults.latency_ms, 20);
  EXPECT_EQ(options->service.settlement.delay_ms, 300);
  EXPECT_EQ(options->service.faults.scope, (std::vector<std::string>{"/v1/", "/inventory"}));
  EXPECT_FALSE(ParseSandboxOptions({"--error-rate", "1.5"}, env).ok());
  EXPECT_FALSE(ParseSandboxOptions({"--port"}, env).ok());
  EXPECT_FALSE(ParseSandboxOptions({"--bogus"}, env).ok());
}

// Disputes: opened and closed by /sandbox/disputes, read by /v1/disputes
// in change order from a cursor; an open dispute freezes refunds, a lost one
// returns its amount to the cardholder, so the PSP never returns it twice.
TEST_F(SandboxServiceTest, DisputesFreezeRefundsWhileOpenAndALostOneIsNoLongerRefundable) {
  Make();
  Seed("ch_d", 1000);
  auto [opened_status, opened] = Call(Json("/sandbox/disputes", {{"charge", "ch_d"}, {"amount", 600}, {"reason", "fraudulent"}}));
  ASSERT_EQ(opened_status, 200) << opened.dump();
  EXPECT_EQ(opened["object"], "dispute");
  EXPECT_EQ(opened["status"], "needs_response");
  EXPECT_EQ(opened["amount"], 600);
  EXPECT_EQ(opened["currency"], "usd");
  const std::string id = opened["id"];
  EXPECT_EQ(Call(Get("/v1/charges/ch_d")).second["disputed"], true);

  auto [refused_status, refused] = Call(Form("/v1/refunds", {{"charge", "ch_d"}, {"amount", "100"}}, "k1"));
  EXPECT_EQ(refused_status, 400);
  EXPECT_EQ(refused["error"]["code"], "charge_disputed");

  auto [lost_status, lost] = Call(Json("/sandbox/disputes/" + id, {{"status", "lost"}}));
  ASSERT_EQ(lost_status, 200) << lost.dump();
  EXPECT_EQ(lost["status"], "lost");
  EXPECT_EQ(Call(Json("/sandbox/disputes/" + id, {{"status", "won"}})).second["error"]["code"],
            "dispute_already_closed");
  // 600 went back through the bank: 400 remain refundable.
  EXPECT_EQ(Call(Form("/v1/refunds", {{"charge", "ch_d"}, {"amount", "401"}}, "k2")).second["error"]["code"],
            "amount_too_large");
  EXPECT_EQ(Call(Form("/v1/refunds", {{"charge", "ch_d"}, {"amount", "400"}}, "k3")).first, 200);
  EXPECT_EQ(Call(Form("/v1/refunds", {{"charge", "ch_d"}}, "k4")).second["error"]["code"], "charge_already_refunded");
}

TEST_F(SandboxServiceTest, DisputesAreListedByChangeFromACursor) {
  Make();
  Seed("ch_a", 1000);
  Seed("ch_b", 2000);
  const std::string a = Call(Json("/sandbox/disputes", {{"charge", "ch_a"}})).second["id"];
  const std::string b = Call(Json("/sandbox/disputes", {{"charge", "ch_b"}, {"status", "won"}})).second["id"];
  auto [status, page] = Call(Get("/v1/disputes", {{"limit", "1"}}));
  ASSERT_EQ(status, 200) << page.dump();
  ASSERT_EQ(page["data"].size(), 1u);
  EXPECT_EQ(page["data"][0]["id"], a);
  EXPECT_EQ(page["data"][0]["amount"], 1000) << "the whole charge by default";
  EXPECT_EQ(page["has_more"], true);
  const int64_t next = page["next_since"];
  auto rest = Call(Get("/v1/disputes", {{"since", std::to_string(next)}})).second;
  ASSERT_EQ(rest["data"].size(), 1u);
  EXPECT_EQ(rest["data"][0]["id"], b);
  EXPECT_EQ(rest["data"][0]["status"], "won");
  EXPECT_EQ(rest["has_more"], false);
  const int64_t end = rest["next_since"];

  // A status change comes again, after the cursor.
  ASSERT_EQ(Call(Json("/sandbox/disputes/" + a, {{"status", "lost"}})).first, 200);
  auto changed = Call(Get("/v1/disputes", {{"since", std::to_string(end)}})).second;
  ASSERT_EQ(changed["data"].size(), 1u);
  EXPECT_EQ(changed["data"][0]["id"], a);
  EXPECT_EQ(changed["data"][0]["status"], "lost");
  EXPECT_TRUE(Call(Get("/v1/disputes", {{"since", std::to_string(changed["next_since"].get<int64_t>())}}))
                  .second["data"]
                  .empty());
  EXPECT_EQ(Call(Get("/v1/disputes/" + a)).second["status"], "lost");
  EXPECT_EQ(Call(Get("/v1/disputes", {{"charge", "ch_b"}})).second["data"].size(), 1u);
}

TEST_F(SandboxServiceTest, DisputesAreValidatedAndNeedTheKeyOnV1) {
  Make();
  Seed("ch_v", 1000);
  EXPECT_EQ(Call(Json("/sandbox/disputes", {{"charge", "ch_missing"}})).first, 404);
  EXPECT_EQ(Call(Json("/sandbox/disputes", {{"charge", "ch_v"}, {"amount", 1001}})).second["error"]["param"],
            "amount");
  EXPECT_EQ(Call(Json("/sandbox/disputes", {{"charge", "ch_v"}, {"status", "maybe"}})).first, 400);
  EXPECT_EQ(Call(Json("/sandbox/disputes", {{"charge", "ch_v"}, {"color", "red"}})).second["error"]["code"],
            "parameter_unknown");
  EXPECT_EQ(Call(Get("/v1/disputes", {{"limit", "0"}})).first, 400);
  SandboxRequest anonymous = Get("/v1/disputes");
  anonymous.has_authorization = false;
  anonymous.api_key.clear();
  EXPECT_EQ(Call(anonymous).first, 401);
}

TEST_F(SandboxServiceTest, DisputeFaultsApplyWhenInScope) {
  Make({}, FaultConfig{.burst_5xx = 1, .scope = {"/v1/disputes"}});
  EXPECT_EQ(Call(Get("/v1/disputes")).first, 500);
  EXPECT_EQ(Call(Get("/v1/disputes")).first, 200);
}

TEST_F(SandboxServiceTest, DisputesSurviveARestart) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("sandbox-disputes-" + std::to_string(::getpid()) + ".db")).string();
  std::filesystem::remove(path);
  auto open = [&] {
    auto db = OpenSandboxDatabase(path);
    EXPECT_TRUE(db.ok());
    ServiceOptions options;
    options.secret_key = kKey;
    auto service = SandboxService::Create(options, std::move(db).value(), clock_);
    EXPECT_TRUE(service.ok()) << service.status().ToString();
    service_ = std::move(service).value();
  };
  open();
  Seed("ch_r", 1000);
  const std::string id = Call(Json("/sandbox/disputes", {{"charge", "ch_r"}, {"amount", 300}, {"status", "lost"}}))
                             .second["id"];
  service_.reset();
  open();
  EXPECT_EQ(Call(Get("/v1/disputes/" + id)).second["status"], "lost");
  EXPECT_EQ(Call(Form("/v1/refunds", {{"charge", "ch_r"}, {"amount", "701"}}, "k")).second["error"]["code"],
            "amount_too_large")
      << "the lost amount is still not refundable";
  const std::string second = Call(Json("/sandbox/disputes", {{"charge", "ch_r"}, {"amount", 1}})).second["id"];
  EXPECT_EQ(Call(Get("/v1/disputes", {{"since", "1"}})).second["data"][0]["id"], second)
      << "change numbers go on after a restart";
  service_.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

// ---------------------------------------------------------------- asynchronous settlement: payouts and the feed

// A payout waits like a Stripe payout: pending, then paid at its due time;
// the settlement is an event in GET /v1/settlements, read by change cursor.
TEST_F(SandboxServiceTest, APayoutIsPendingUntilItsDelayThenPaidAndAnnouncedOnce) {
  Make(SettlementConfig{.delay_ms = 0, .fail_rate = 0.0, .payout_delay_ms = 1'000});
  auto [status, transfer] =
      Call(Form("/v1/transfers", {{"amount", "700"}, {"currency", "eur"}, {"destination", "acct_h1"}}, "p1"));
  ASSERT_EQ(status, 200) << transfer.dump();
  EXPECT_EQ(transfer["status"], "pending");
  const std::string id = transfer["id"];
  EXPECT_TRUE(Call(Get("/v1/settlements")).second["data"].empty());
  clock_.Advance(999);
  EXPECT_EQ(Call(Get("/v1/transfers/" + id)).second["status"], "pending");
  clock_.Advance(1);
  EXPECT_EQ(Call(Get("/v1/transfers/" + id)).second["status"], "paid");
  auto [list_status, list] = Call(Get("/v1/settlements", {{"since", "0"}}));
  ASSERT_EQ(list_status, 200);
  ASSERT_EQ(list["data"].size(), 1u) << list.dump();
  EXPECT_EQ(list["data"][0]["object_id"], id);
  EXPECT_EQ(list["data"][0]["type"], "transfer.paid");
  EXPECT_EQ(list["data"][0]["amount"], 700);
  EXPECT_EQ(list["next_since"], 1);
  EXPECT_TRUE(Call(Get("/v1/settlements", {{"since", "1"}})).second["data"].empty()) << "each settlement once";
  // Replayed under its key: the first answer, as Stripe's idempotency gives it.
  EXPECT_EQ(Call(Form("/v1/transfers", {{"amount", "700"}, {"currency", "eur"}, {"destination", "acct_h1"}}, "p1"))
                .second["status"],
            "pending");
}

// A frozen account takes the payout and fails it at settlement; a refund
// with a delay settles too; POST /sandbox/settle settles everything now.
TEST_F(SandboxServiceTest, SettleNowSettlesPendingRefundsAndPayoutsAFrozenAccountFails) {
  Make(SettlementConfig{.delay_ms = 3'600'000, .fail_rate = 0.0, .payout_delay_ms = 3'600'000});
  Seed("ch_1", 500);
  const std::string refund = Call(Form("/v1/refunds", {{"charge", "ch_1"}, {"amount", "200"}})).second["id"];
  auto [status, frozen] =
      Call(Form("/v1/transfers", {{"amount", "300"}, {"currency", "usd"}, {"destination", "acct_frozen_h2"}}, "p2"));
  ASSERT_EQ(status, 200) << frozen.dump();
  EXPECT_EQ(frozen["status"], "pending");
  auto [settle_status, settled] = Call(Json("/sandbox/settle", nlohmann::json::object()));
  ASSERT_EQ(settle_status, 200) << settled.dump();
  EXPECT_EQ(settled["settled"], 2);
  auto page = Call(Get("/v1/settlements", {{"limit", "1"}})).second;
  ASSERT_EQ(page["data"].size(), 1u);
  EXPECT_EQ(page["data"][0]["object_id"], refund);
  EXPECT_EQ(page["data"][0]["status"], "succeeded");
  EXPECT_EQ(page["has_more"], true);
  page = Call(Get("/v1/settlements", {{"since", "1"}, {"limit", "1"}})).second;
  ASSERT_EQ(page["data"].size(), 1u);
  EXPECT_EQ(page["data"][0]["status"], "failed");
  EXPECT_EQ(page["data"][0]["failure_code"], "account_frozen");
  EXPECT_EQ(page["has_more"], false);
  EXPECT_EQ(Call(Get("/v1/transfers/" + frozen["id"].get<std::string>())).second["status"], "failed");
  EXPECT_EQ(Call(Get("/v1/settlements", {{"since", "-1"}})).first, 400);
  EXPECT_EQ(Call(Json("/sandbox/settlement", {{"payout_delay_ms", -5}})).first, 400);
}

TEST_F(SandboxServiceTest, PendingPayoutsAndTheFeedSurviveARestart) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("sandbox-settlements-" + std::to_string(::getpid()) + ".db")).string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  auto open = [&] {
    auto db = OpenSandboxDatabase(path);
    EXPECT_TRUE(db.ok());
    ServiceOptions options;
    options.secret_key = kKey;
    options.settlement.payout_delay_ms = 1'000;
    auto service = SandboxService::Create(options, std::move(db).value(), clock_);
    EXPECT_TRUE(service.ok()) << service.status().ToString();
    service_ = std::move(service).value();
  };
  open();
  const std::string first =
      Call(Form("/v1/transfers", {{"amount", "10"}, {"currency", "eur"}, {"destination", "acct_a"}}, "a")).second["id"];
  clock_.Advance(1'000);
  ASSERT_EQ(Call(Get("/v1/settlements")).second["data"].size(), 1u);
  const std::string second =
      Call(Form("/v1/transfers", {{"amount", "20"}, {"currency", "eur"}, {"destination", "acct_b"}}, "b")).second["id"];
  service_.reset();
  open();
  EXPECT_EQ(Call(Get("/v1/transfers/" + first)).second["status"], "paid");
  EXPECT_EQ(Call(Get("/v1/transfers/" + second)).second["status"], "pending");
  clock_.Advance(1'000);
  auto page = Call(Get("/v1/settlements", {{"since", "1"}})).second;
  ASSERT_EQ(page["data"].size(), 1u);
  EXPECT_EQ(page["data"][0]["object_id"], second);
  EXPECT_EQ(page["data"][0]["seq"], 2) << "change numbers go on after a restart";
  service_.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

}  // namespace
}  // namespace steadfast::sandbox
