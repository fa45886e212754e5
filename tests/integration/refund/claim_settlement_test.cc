// claim_settlement end to end (issue 14's claims proof): the real
// `steadfast serve` (listening, with reviewer tokens) settles a host's claim
// against a cancelled reservation through the real steadfast-sandbox, on a
// real SQLite file. The claim is opened with two items; two reviewers decide
// over the engine's HTTP approval endpoint (one item reduced, one rejected,
// the decisions in the first reviewer's comment, the second confirming);
// the settlement pays the reduced claim from the guest's refund to the host:
// the claim settled, the snapshot, the transactions pending -> completed,
// exactly one refund and one payout at the sandbox, the ledger balanced,
// `steadfast reconcile` clean, `steadfast refund claims list|show`. A claim
// with no items settles without a review. A payload the claim cannot take
// fails the workflow with a message naming it, and a retry from the review
// settles it once decided right. And kill -9 after the decide, settle, psp,
// ledger and payout activities ran but before their checkpoints leaves,
// after a restart, one refund and one payout.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>

#include "http/token_store.h"
#include "refund/claim_store.h"
#include "refund/settlement_store.h"
#include "refund_harness.h"
#include "test_server.h"

namespace steadfast {
namespace {

using integration::LoadExample;
using integration::RefundHarness;
using integration::RunResult;
using refund::ClaimItemStatus;
using refund::ClaimStatus;
using refund::ClaimStore;
using refund::SettlementStore;
using refund::SettlementTransaction;
using refund::TransactionKind;
using refund::TransactionStatus;
using ::testing::HasSubstr;

constexpr int64_t kPaid = 27000;  // workflows/examples/settlement.json: 210 + 30 - 20 + 22 + 28 EUR
constexpr const char* kRita = "rita-claims-8c1e";  // reviewer
constexpr const char* kRob = "rob-claims-52fa";    // reviewer

std::string ReviewerConfig() {
  auto line = [](const std::string& name, const std::string& token) {
    return "    - { name: " + name + ", sha256: " + http::Sha256Hex(token) + ", roles: [reviewer] }\n";
  };
  return "http:\n  listen: 127.0.0.1:0\n  tokens:\n" + line("rita", kRita) + line("rob", kRob);
}

// Rita's decisions: the lamp reduced to 50.00, the cleaning rejected.
constexpr const char* kDecisions =
    R"({"items": [{"id": "lamp", "decision": "reduce", "amount": "50.00 EUR"},
                  {"id": "cleaning", "decision": "reject"}], "note": "lamp was old; cleaning is in the fee"})";

class ClaimSettlementTest : public ::testing::Test {
 protected:
  ClaimSettlementTest() : h_({}, ReviewerConfig()) {}

  // The example reservation r-3001 cancelled 5 days ahead (moderate@2's half
  // window), with a two-item claim by its host (and `deposit`, if given).
  std::string Start(const std::string& id, const Value& deposit = Value()) {
    Value input = LoadExample("settlement.json");
    if (!deposit.is_null()) input["reservation"]["deposit"] = deposit;
    input["reservation"]["id"] = "r-3001";
    input["reservation"]["payment"]["charge"] = "ch_r3001";
    input["reservation"]["host"]["account"] = "acct_host5";
    input["cancel_at"] = "2026-12-13T09:30:00+01:00";
    input["requested_by"] = "host-3";
    input["opened_by"] = "host-3";
    input["items"] = Value::List{
        Value::Map{{"id", "lamp"}, {"description", "broken floor lamp"}, {"amount", "80.00 EUR"}},
        Value::Map{{"id", "cleaning"}, {"description", "extra cleaning"}, {"amount", Value::Map{{"minor", 4000},
                                                                                              {"currency", "EUR"}}}}};
    input["messages"] = Value::List{Value::Map{{"author", "host-3"}, {"text", "photos of the lamp attached"}}};
    input.MutableMap().erase("reason");
    h_.Seed("ch_r3001", kPaid);
    h_.StartInstance("claim_settlement", h_.WriteInput(id, input), id);
    return id;
  }
  // The URL the serve writing `log` listens on (its last start).
  std::string Url(const std::string& log) {
    const std::regex listening(R"(listening on (http://127\.0\.0\.1:[0-9]+))");
    std::string text = h_.Log(log), url;
    for (std::sregex_iterator it(text.begin(), text.end(), listening), end; it != end; ++it) url = (*it)[1];
    return url;
  }
  testing::Reply Approve(const std::string& log, const std::string& id, const char* token,
                         const std::string& comment) {
    Value body = Value::Map{{"decision", "approve"}, {"comment", comment}};
    return testing::Send(Url(log),
                         testing::MakeCall("POST", "/v1/workflows/" + id + "/approvals/review", token, body.ToJson()));
  }
  bool WaitApproval(const std::string& id) {
    return h_.WaitFor(id, [](const InstanceRecord& r) { return r.status == InstanceStatus::kWaitingApproval; },
                      60000);
  }
  // Waits for the serve writing `log` to listen, the workflow to wait for
  // its review, and has rita decide and rob confirm over HTTP. A serve set
  // to crash right after the decide step (`may_crash`) may die before it
  // answers rob: the approval was committed before the step ran, and the
  // restart shows it.
  void Review(const std::string& log, const std::string& id, const std::string& decisions = kDecisions,
              bool may_crash = false) {
    ASSERT_TRUE(WaitApproval(id)) << h_.Log(log);
    for (int i = 0; i < 200 && Url(log).empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    testing::Reply rita = Approve(log, id, kRita, decisions);
    ASSERT_EQ(rita.status, 200) << rita.body;
    EXPECT_EQ(rita.json.Get("status"), Value("waiting_approval")) << "four-eyes: one approval of two";
    testing::Reply rob = Approve(log, id, kRob, "agreed: receipts checked");
    if (may_crash && rob.status == 0) return;
    ASSERT_EQ(rob.status, 200) << rob.body;
  }
  std::vector<SettlementTransaction> Transactions() {
    auto tables = testing::OpenRefundTables(h_.db());
    EXPECT_TRUE(tables.ok());
    refund::TransactionFilter f;
    f.reservation_id = "r-3001";
    auto txns = SettlementStore(tables->storage()).Transactions(f);
    EXPECT_TRUE(txns.ok()) << txns.status().ToString();
    return txns.ok() ? *txns : std::vector<SettlementTransaction>{};
  }
  static const SettlementTransaction* Find(const std::vector<SettlementTransaction>& txns, TransactionKind kind) {
    for (const SettlementTransaction& t : txns) {
      if (t.kind == kind) return &t;
    }
    return nullptr;
  }
  // The end every run must reach: the claim settled (lamp 50.00, cleaning
  // rejected), one snapshot, three completed transactions, one refund of the
  // guest's part and one payout of the host's, balanced books, clean reconcile.
  void ExpectSettledOnce(const std::string& id) {
    InstanceRecord wf = h_.Instance(id).value_or(InstanceRecord{});
    ASSERT_EQ(wf.status, InstanceStatus::kCompleted) << wf.error_code << ": " << wf.error_message;
    const Value& out = wf.output;
    const int64_t policy_refund = out.Get("policy_refund").Get("minor").IntOr(-1);
    const int64_t policy_payout = out.Get("policy_payout_to_host").Get("minor").IntOr(-1);
    const int64_t guest = out.Get("guest_refund").Get("minor").IntOr(-1);
    const int64_t host = out.Get("host_payout").Get("minor").IntOr(-1);
    ASSERT_GT(policy_refund, 5000) << out.ToJson();
    EXPECT_EQ(out.Get("claim_payout").Get("minor").IntOr(-1), 5000) << out.ToJson();
    EXPECT_EQ(guest, policy_refund - 5000) << "the claim is paid from the guest's refund";
    EXPECT_EQ(host, policy_payout + 5000) << "and paid to the host with its payout";
    EXPECT_LE(guest + host, kPaid);

    auto tables = testing::OpenRefundTables(h_.db());
    ASSERT_TRUE(tables.ok());
    auto claim = ClaimStore(tables->storage()).Claim(out.Get("claim_id").StringOr("?"));
    ASSERT_TRUE(claim.ok()) << claim.status().ToString();
    EXPECT_EQ(claim->status, ClaimStatus::kSettled);
    EXPECT_EQ(claim->decision, "approve");
    ASSERT_EQ(claim->items.size(), 2u);
    EXPECT_EQ(claim->items[0].status, ClaimItemStatus::kReduced);
    EXPECT_EQ(claim->items[0].decided_minor, 5000);
    EXPECT_EQ(claim->items[0].decided_by, "rita");
    EXPECT_EQ(claim->items[1].status, ClaimItemStatus::kRejected);
    EXPECT_EQ(claim->payout.claim_payout, 5000);
    EXPECT_EQ(claim->payout.host_payout, host);
    EXPECT_EQ(SettlementStore(tables->storage()).Snapshots("r-3001")->size(), 1u);

    std::vector<SettlementTransaction> txns = Transactions();
    ASSERT_EQ(txns.size(), 3u);
    for (const SettlementTransaction& t : txns) {
      EXPECT_EQ(t.status, TransactionStatus::kCompleted) << refund::TransactionKindName(t.kind);
    }
    EXPECT_EQ(Find(txns, TransactionKind::kBooking)->amount.minor, kPaid);
    EXPECT_EQ(Find(txns, TransactionKind::kGuestRefund)->amount.minor, guest);
    EXPECT_EQ(Find(txns, TransactionKind::kGuestRefund)->provider_id, out.Get("psp_refund").StringOr("?"));
    EXPECT_EQ(Find(txns, TransactionKind::kHostPayout)->amount.minor, host);
    EXPECT_EQ(Find(txns, TransactionKind::kHostPayout)->provider_id, out.Get("payout").StringOr("?"));

    EXPECT_EQ(h_.RefundsOf("ch_r3001"), integration::Refunded(1, guest));
    EXPECT_EQ(h_.TransfersTo("acct_host5").Get("count").IntOr(0), 1);
    EXPECT_EQ(h_.TransfersTo("acct_host5").Get("amount").IntOr(0), host);
    EXPECT_EQ(h_.ExpectBalancedLedger(id), 1);
    EXPECT_EQ(h_.AccountBalance(id, "psp_clearing"), -guest) << "the cash that left is the guest's refund";
    RunResult rec = h_.Reconcile();
    EXPECT_EQ(rec.exit_code, 0) << rec.output;
    EXPECT_THAT(rec.output, HasSubstr("no drift"));
  }

  RefundHarness h_;
};

TEST_F(ClaimSettlementTest, TwoReviewersDecideOverHttpAndTheClaimIsSettledOnce) {
  const std::string id = Start("wf-c1");
  auto serve = h_.Serve();
  Review("serve.log", id);
  ASSERT_TRUE(h_.WaitTerminal(id, 60000)) << h_.ServeLog();
  serve->Kill(SIGTERM);
  serve->Wait(20000);
  ExpectSettledOnce(id);

  // What a person sees.
  const std::string claim_id = h_.Instance(id)->output.Get("claim_id").StringOr("?");
  RunResult list = h_.Cli({"refund", "claims", "list", "--reservation", "r-3001"});
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_THAT(list.output, HasSubstr(claim_id));
  EXPECT_THAT(list.output, HasSubstr("settled"));
  EXPECT_THAT(list.output, HasSubstr("1 claim(s)"));
  RunResult open = h_.Cli({"refund", "claims", "list", "--status", "open"});
  EXPECT_THAT(open.output, HasSubstr("0 claim(s)"));
  RunResult show = h_.Cli({"refund", "claims", "show", claim_id});
  ASSERT_EQ(show.exit_code, 0) << show.output;
  EXPECT_THAT(show.output, HasSubstr("broken floor lamp"));
  EXPECT_THAT(show.output, HasSubstr("reduced"));
  EXPECT_THAT(show.output, HasSubstr("photos of the lamp attached"));
  EXPECT_THAT(show.output, HasSubstr("claim payout"));
  RunResult json = h_.Cli({"refund", "claims", "show", claim_id, "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.output;
  auto shown = Value::FromJson(json.output);
  ASSERT_TRUE(shown.ok()) << json.output;
  EXPECT_EQ(shown->Get("settlement").Get("claim_payout").Get("minor"), Value(5000));
  EXPECT_EQ(shown->Get("items").AsList()[1].Get("status"), Value("rejected"));
  EXPECT_EQ(h_.Cli({"refund", "claims", "show", "clm_nope"}).exit_code, 2);
}

TEST_F(ClaimSettlementTest, AReviewPayloadTheClaimCannotTakeFailsTheWorkflowClearly) {
  const std::string id = Start("wf-c2");
  auto serve = h_.Serve();
  Review("serve.log", id, R"({"items": [{"id": "lamp", "decision": "reduce", "amount": "95.00 EUR"}]})");
  ASSERT_TRUE(h_.WaitTerminal(id, 60000)) << h_.ServeLog();
  serve->Kill(SIGTERM);
  serve->Wait(20000);
  InstanceRecord wf = h_.Instance(id).value_or(InstanceRecord{});
  EXPECT_EQ(wf.status, InstanceStatus::kFailed);
  EXPECT_EQ(wf.error_code, "invalid_claim_decision");
  EXPECT_THAT(wf.error_message, HasSubstr("rita reduced item lamp to 95.00 EUR"));
  EXPECT_TRUE(Transactions().empty()) << "nothing settled";
  EXPECT_EQ(h_.RefundsOf("ch_r3001").first, 0);
  EXPECT_EQ(h_.TransfersTo("acct_host5").Get("count").IntOr(0), 0);

  // The review held again, decided right: settled once.
  RunResult retried = h_.Cli({"retry", id, "--from", "review", "--reason", "lamp reduction above the amount asked"});
  ASSERT_EQ(retried.exit_code, 0) << retried.output;
  auto again = h_.Serve("", "again.log");
  Review("again.log", id);
  ASSERT_TRUE(h_.WaitTerminal(id, 60000)) << h_.Log("again.log");
  again->Kill(SIGTERM);
  again->Wait(20000);
  ExpectSettledOnce(id);
}

TEST_F(ClaimSettlementTest, NoClaimSettlesThePolicysAmountsWithoutAReview) {
  Value input = LoadExample("claim.json");
  input.MutableMap().erase("items");
  input.MutableMap().erase("messages");
  input["cancel_at"] = "2026-12-13T09:30:00+01:00";
  h_.Seed("ch_r3001", kPaid);
  h_.StartInstance("claim_settlement", h_.WriteInput("wf-c0", input), "wf-c0");
  auto serve = h_.Serve();
  ASSERT_TRUE(h_.WaitTerminal("wf-c0", 60000)) << h_.ServeLog();
  serve->Kill(SIGTERM);
  serve->Wait(20000);
  InstanceRecord wf = h_.Instance("wf-c0").value_or(InstanceRecord{});
  ASSERT_EQ(wf.status, InstanceStatus::kCompleted) << wf.error_code << ": " << wf.error_message;
  EXPECT_EQ(h_.CountEvents("wf-c0", "approval_decided"), 0) << "nothing to review";
  EXPECT_EQ(wf.output.Get("decision"), Value("none"));
  EXPECT_EQ(wf.output.Get("claim_payout").Get("minor"), Value(0));
  const int64_t guest = wf.output.Get("guest_refund").Get("minor").IntOr(-1);
  const int64_t host = wf.output.Get("host_payout").Get("minor").IntOr(-1);
  EXPECT_EQ(guest, wf.output.Get("policy_refund").Get("minor").IntOr(-2));
  EXPECT_EQ(host, wf.output.Get("policy_payout_to_host").Get("minor").IntOr(-2));
  EXPECT_EQ(h_.RefundsOf("ch_r3001"), integration::Refunded(1, guest));
  EXPECT_EQ(h_.TransfersTo("acct_host3").Get("amount").IntOr(0), host);
  EXPECT_EQ(h_.ExpectBalancedLedger("wf-c0"), 1);
  EXPECT_EQ(h_.Reconcile().exit_code, 0);
}

// ---------------------------------------------------------------- security deposits

// The example reservation with a 150.00 EUR security deposit held as a
// charge of its own (ch_r3001_dep) and a claim of `items` (none: no claim).
class DepositSettlementTest : public ClaimSettlementTest {
 protected:
  static constexpr int64_t kDeposit = 15000;
  void StartNoClaim(const std::string& id, bool seed_deposit) {
    Value input = LoadExample("claim.json");
    input.MutableMap().erase("items");
    input.MutableMap().erase("messages");
    input["cancel_at"] = "2026-12-13T09:30:00+01:00";
    input["reservation"]["deposit"] = Value::Map{{"amount", "150.00 EUR"}, {"charge", "ch_r3001_dep"}};
    h_.Seed("ch_r3001", kPaid);
    if (seed_deposit) h_.Seed("ch_r3001_dep", kDeposit);
    h_.StartInstance("claim_settlement", h_.WriteInput(id, input), id);
  }
  InstanceRecord SettleNoClaim(const std::string& id, bool seed_deposit) {
    StartNoClaim(id, seed_deposit);
    auto serve = h_.Serve();
    EXPECT_TRUE(h_.WaitTerminal(id, 60000)) << h_.ServeLog();
    serve->Kill(SIGTERM);
    serve->Wait(20000);
    return h_.Instance(id).value_or(InstanceRecord{});
  }
};

TEST_F(DepositSettlementTest, WithoutAClaimTheWholeDepositIsRefundedOnItsOwnCharge) {
  InstanceRecord wf = SettleNoClaim("wf-d0", /*seed_deposit=*/true);
  ASSERT_EQ(wf.status, InstanceStatus::kCompleted) << wf.error_code << ": " << wf.error_message;
  const Value& out = wf.output;
  EXPECT_EQ(out.Get("deposit_returned").Get("minor"), Value(kDeposit)) << out.ToJson();
  EXPECT_EQ(out.Get("deposit_claimed").Get("minor"), Value(0));
  const int64_t guest = out.Get("guest_refund").Get("minor").IntOr(-1);
  EXPECT_EQ(guest, out.Get("policy_refund").Get("minor").IntOr(-2));
  EXPECT_EQ(h_.RefundsOf("ch_r3001"), integration::Refunded(1, guest)) << "the booking's refund alone";
  EXPECT_EQ(h_.RefundsOf("ch_r3001_dep"), integration::Refunded(1, kDeposit)) << "the deposit, on its own charge";
  std::vector<SettlementTransaction> txns = Transactions();
  ASSERT_EQ(txns.size(), 5u);
  for (const SettlementTransaction& t : txns) {
    EXPECT_EQ(t.status, TransactionStatus::kCompleted) << refund::TransactionKindName(t.kind);
  }
  ASSERT_TRUE(Find(txns, TransactionKind::kDepositReturn));
  EXPECT_EQ(Find(txns, TransactionKind::kDepositReturn)->provider_id, out.Get("deposit_refund").StringOr("?"));
  EXPECT_EQ(Find(txns, TransactionKind::kDeposit)->amount.minor, kDeposit);
  EXPECT_EQ(h_.ExpectBalancedLedger("wf-d0"), 2) << "the settlement and the deposit's return";
  EXPECT_EQ(h_.AccountBalance("wf-d0", "deposit_liability"), 0);
  EXPECT_EQ(h_.AccountBalance("wf-d0", "psp_clearing"), -(guest + kDeposit));
  RunResult rec = h_.Reconcile();
  EXPECT_EQ(rec.exit_code, 0) << rec.output;
  EXPECT_THAT(rec.output, HasSubstr("no drift"));
  RunResult list = h_.Cli({"refund", "transactions", "list", "--reservation", "r-3001"});
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_THAT(list.output, HasSubstr("depositreturn"));
  EXPECT_THAT(list.output, HasSubstr("security deposit 150.00 EUR: 0.00 EUR drawn by the claim, 150.00 EUR returned"));
  RunResult show = h_.Cli({"refund", "claims", "show", out.Get("claim_id").StringOr("?")});
  EXPECT_THAT(show.output, HasSubstr("deposit returned"));
}

TEST_F(DepositSettlementTest, AClaimIsDrawnFromTheDepositBeforeTheGuestsRefund) {
  h_.Seed("ch_r3001_dep", kDeposit);
  const std::string id = Start("wf-d1", Value::Map{{"amount", Value::Map{{"minor", kDeposit}, {"currency", "EUR"}}},
                                                   {"charge", "ch_r3001_dep"}});
  auto serve = h_.Serve();
  Review("serve.log", id);
  ASSERT_TRUE(h_.WaitTerminal(id, 60000)) << h_.ServeLog();
  serve->Kill(SIGTERM);
  serve->Wait(20000);
  InstanceRecord wf = h_.Instance(id).value_or(InstanceRecord{});
  ASSERT_EQ(wf.status, InstanceStatus::kCompleted) << wf.error_code << ": " << wf.error_message;
  const Value& out = wf.output;
  // Lamp reduced to 50.00: all of it from the deposit, 100.00 of it back.
  EXPECT_EQ(out.Get("claim_payout").Get("minor"), Value(5000)) << out.ToJson();
  EXPECT_EQ(out.Get("deposit_claimed").Get("minor"), Value(5000));
  EXPECT_EQ(out.Get("deposit_returned").Get("minor"), Value(kDeposit - 5000));
  const int64_t guest = out.Get("guest_refund").Get("minor").IntOr(-1);
  const int64_t host = out.Get("host_payout").Get("minor").IntOr(-1);
  EXPECT_EQ(guest, out.Get("policy_refund").Get("minor").IntOr(-2)) << "the guest's refund is untouched";
  EXPECT_EQ(host, out.Get("policy_payout_to_host").Get("minor").IntOr(-2) + 5000);
  EXPECT_EQ(h_.RefundsOf("ch_r3001"), integration::Refunded(1, guest));
  EXPECT_EQ(h_.RefundsOf("ch_r3001_dep"), integration::Refunded(1, kDeposit - 5000));
  EXPECT_EQ(h_.TransfersTo("acct_host5").Get("amount").IntOr(0), host);
  EXPECT_EQ(h_.ExpectBalancedLedger(id), 2);
  EXPECT_EQ(h_.AccountBalance(id, "deposit_liability"), 0);
  EXPECT_EQ(h_.Reconcile().exit_code, 0);
  RunResult json = h_.Cli({"refund", "claims", "show", out.Get("claim_id").StringOr("?"), "--json"});
  auto shown = Value::FromJson(json.output);
  ASSERT_TRUE(shown.ok()) << json.output;
  EXPECT_EQ(shown->Get("settlement").Get("deposit").Get("claimed").Get("minor"), Value(5000));
  EXPECT_EQ(shown->Get("settlement").Get("deposit").Get("returned").Get("minor"), Value(kDeposit - 5000));
}

// The deposit's charge unknown at the PSP: its return is refused for good,
// recorded failed; the settlement completes. Once the charge exists, an
// admin executes it: refunded once, booked once, reconcile clean.
TEST_F(DepositSettlementTest, ARefusedDepositReturnIsExecutedByAnAdmin) {
  InstanceRecord wf = SettleNoClaim("wf-d2", /*seed_deposit=*/false);
  ASSERT_EQ(wf.status, InstanceStatus::kCompleted) << wf.error_code << ": " << wf.error_message;
  EXPECT_FALSE(wf.output.Get("deposit_error").is_null()) << wf.output.ToJson();
  std::vector<SettlementTransaction> txns = Transactions();
  const SettlementTransaction* back = Find(txns, TransactionKind::kDepositReturn);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->status, TransactionStatus::kFailed);
  EXPECT_EQ(h_.AccountBalance("wf-d2", "deposit_liability"), -kDeposit) << "still held for the guest";
  RunResult failed = h_.Cli({"refund", "transactions", "list", "--status", "failed", "--kind", "depositreturn"});
  EXPECT_THAT(failed.output, HasSubstr(back->id));

  h_.Seed("ch_r3001_dep", kDeposit);
  RunResult exec = h_.Cli({"refund", "transactions", "execute", back->id, "--reason", "deposit charge found",
                           "--as", "admin:ana"});
  ASSERT_EQ(exec.exit_code, 0) << exec.output;
  EXPECT_THAT(exec.output, HasSubstr("completed"));
  EXPECT_EQ(h_.RefundsOf("ch_r3001_dep"), integration::Refunded(1, kDeposit));
  EXPECT_EQ(h_.AccountBalance("wf-d2", "deposit_liability"), 0);
  RunResult again = h_.Cli({"refund", "transactions", "execute", back->id, "--reason", "double click"});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_THAT(again.output, HasSubstr("completed already"));
  EXPECT_EQ(h_.RefundsOf("ch_r3001_dep"), integration::Refunded(1, kDeposit));
  EXPECT_EQ(h_.ExpectBalancedLedger("wf-d2"), 2);
  RunResult rec = h_.Reconcile();
  EXPECT_EQ(rec.exit_code, 0) << rec.output;
}

// kill -9 after the settle, deposit and ledger activities ran but before
// their checkpoints, then a restart: the deposit refunded once, its return
// booked once, the books balanced and reconcile clean.
class DepositSettlementCrash : public DepositSettlementTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(DepositSettlementCrash, RestartReturnsTheDepositOnce) {
  StartNoClaim("wf-dc", /*seed_deposit=*/true);
  {
    auto crashing = h_.Serve(GetParam(), "crash.log");
    auto code = crashing->Wait(60000);
    ASSERT_TRUE(code.has_value()) << "serve did not reach " << GetParam() << "\n" << h_.Log("crash.log");
    EXPECT_EQ(*code, 137);
  }
  auto serve = h_.Serve();
  ASSERT_TRUE(h_.WaitTerminal("wf-dc", 60000)) << h_.ServeLog();
  serve->Kill(SIGTERM);
  serve->Wait(20000);
  InstanceRecord wf = h_.Instance("wf-dc").value_or(InstanceRecord{});
  ASSERT_EQ(wf.status, InstanceStatus::kCompleted) << wf.error_code << ": " << wf.error_message;
  EXPECT_EQ(h_.RefundsOf("ch_r3001_dep"), integration::Refunded(1, kDeposit));
  EXPECT_EQ(h_.ExpectBalancedLedger("wf-dc"), 2);
  EXPECT_EQ(h_.AccountBalance("wf-dc", "deposit_liability"), 0);
  std::vector<SettlementTransaction> txns = Transactions();
  const SettlementTransaction* back = Find(txns, TransactionKind::kDepositReturn);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->status, TransactionStatus::kCompleted);
  RunResult rec = h_.Reconcile();
  EXPECT_EQ(rec.exit_code, 0) << rec.output;
}

INSTANTIATE_TEST_SUITE_P(CrashPoints, DepositSettlementCrash,
                         ::testing::Values("after_activity:settle", "after_activity:deposit",
                                           "after_activity:ledger"),
                         [](const auto& info) { return info.param.substr(info.param.find(':') + 1); });

// ---------------------------------------------------------------- kill -9 around the settlement's steps

class ClaimSettlementCrash : public ClaimSettlementTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(ClaimSettlementCrash, RestartLeavesOnePayoutAndOneRefund) {
  const std::string id = Start("wf-cc");
  {
    auto crashing = h_.Serve(GetParam(), "crash.log");
    Review("crash.log", id, kDecisions, /*may_crash=*/true);
    auto code = crashing->Wait(60000);
    ASSERT_TRUE(code.has_value()) << "serve did not reach " << GetParam() << "\n" << h_.Log("crash.log");
    EXPECT_EQ(*code, 137);
  }
  auto serve = h_.Serve();
  ASSERT_TRUE(h_.WaitTerminal(id, 60000)) << h_.ServeLog();
  serve->Kill(SIGTERM);
  serve->Wait(20000);
  ExpectSettledOnce(id);
}

INSTANTIATE_TEST_SUITE_P(CrashPoints, ClaimSettlementCrash,
                         ::testing::Values("after_activity:decide", "after_activity:settle", "after_activity:psp",
                                           "after_activity:ledger", "after_activity:payout"),
                         [](const auto& info) { return info.param.substr(info.param.find(':') + 1); });

}  // namespace
}  // namespace steadfast
