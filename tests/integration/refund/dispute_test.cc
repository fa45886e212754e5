// Disputes (chargebacks) end to end (issue 14): the real `steadfast serve`
// runs the dispute_sync workflow (refund.sync_disputes) against the real
// steadfast-sandbox, which opens and closes disputes as a cardholder's bank
// would. Checked as an operator would: a refunded charge then disputed is
// recorded, overlaps the refund and is routed to a person (one review case),
// the dispute metrics move in /metrics, and no second money movement happens
// (the PSP refuses to refund the charge again once the dispute is lost); a
// dispute opened while a refund waits for its approval stops the refund
// before the PSP (nothing refunded; the cancellation goes to a person); a
// dispute on an unrelated charge is recorded only. About 5 s.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>

#include "http/token_store.h"
#include "refund_harness.h"
#include "test_server.h"

namespace steadfast {
namespace {

using integration::RefundHarness;
using integration::RunResult;
using ::testing::HasSubstr;

constexpr const char* kReviewerToken = "rhea-disputes-1f0b";

std::string HttpConfig() {
  return "http:\n  listen: 127.0.0.1:0\n  tokens:\n    - { name: rhea, sha256: " + http::Sha256Hex(kReviewerToken) +
         ", roles: [reviewer] }\n";
}

class DisputeTest : public ::testing::Test {
 protected:
  DisputeTest() : h_({}, HttpConfig()) {}

  // Runs dispute_sync once under the running serve; returns its output.
  Value Sync(const std::string& id) {
    RunResult started = h_.Cli({"start", "dispute_sync", "--input", "{}", "--id", id});
    EXPECT_EQ(started.exit_code, 0) << started.output;
    EXPECT_TRUE(h_.WaitTerminal(id, 60000)) << h_.ServeLog();
    auto rec = h_.Instance(id);
    EXPECT_TRUE(rec && rec->status == InstanceStatus::kCompleted) << h_.ServeLog();
    return rec ? rec->output : Value();
  }
  // The serve's /metrics text (the serve writing serve.log).
  std::string Metrics() {
    const std::regex listening(R"(listening on (http://127\.0\.0\.1:[0-9]+))");
    std::string url;
    for (int i = 0; i < 200 && url.empty(); ++i) {
      std::string text = h_.ServeLog();
      for (std::sregex_iterator it(text.begin(), text.end(), listening), end; it != end; ++it) url = (*it)[1];
      if (url.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    testing::Reply reply = testing::Send(url, testing::MakeCall("GET", "/metrics", "", ""));
    EXPECT_EQ(reply.status, 200);
    return reply.body;
  }
  // `steadfast refund disputes list --json`, by dispute id.
  std::map<std::string, Value> Disputes(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"refund", "disputes", "list", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = h_.Cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::map<std::string, Value> out;
    Result<Value> v = Value::FromJson(r.output);
    EXPECT_TRUE(v.ok()) << r.output;
    if (!v.ok() || !v->Get("disputes").is_list()) return out;
    for (const Value& d : v->Get("disputes").AsList()) out[d.Get("id").StringOr("")] = d;
    return out;
  }

  RefundHarness h_;
};

TEST_F(DisputeTest, ARefundedChargeThenDisputedGoesToAPersonAndNoMoneyMovesTwice) {
  h_.Seed("ch_r1001", 27000);
  RunResult refunded = h_.Run("reservation_refund", integration::kSource + "/workflows/examples/reservation.json",
                              "wf-refunded");
  ASSERT_EQ(refunded.exit_code, 0) << refunded.output;
  ASSERT_EQ(h_.RefundsOf("ch_r1001"), integration::Refunded(1, 27000));

  // The guest was refunded, and disputes the charge anyway; an unrelated
  // charge is disputed too.
  const std::string overlapping = h_.OpenDispute("ch_r1001", 27000);
  h_.Seed("ch_other", 5000);
  const std::string unrelated = h_.OpenDispute("ch_other", 5000);

  auto serve = h_.Serve();
  Value first = Sync("sync-1");
  EXPECT_EQ(first.Get("new_disputes").IntOr(-1), 2) << first.ToJson();
  ASSERT_TRUE(first.Get("cases").is_list()) << first.ToJson();
  ASSERT_EQ(first.Get("cases").AsList().size(), 1u) << first.ToJson();
  EXPECT_EQ(first.Get("cases").AsList()[0].Get("dispute_id").StringOr(""), overlapping);

  // The bank decides for the cardholder: the money goes back a second way.
  h_.CloseDispute(overlapping, "lost");
  Value second = Sync("sync-2");
  EXPECT_EQ(second.Get("new_disputes").IntOr(-1), 0) << second.ToJson();
  EXPECT_EQ(second.Get("newly_lost").IntOr(-1), 1) << second.ToJson();
  EXPECT_TRUE(second.Get("cases").AsList().empty()) << "one case per dispute: " << second.ToJson();

  const std::string metrics = Metrics();
  EXPECT_THAT(metrics, HasSubstr("steadfast_refund_disputes_total 2"));
  EXPECT_THAT(metrics, HasSubstr("steadfast_refund_disputes_overlapping_total{overlap=\"refunded\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("steadfast_refund_disputes_lost_total 1"));
  serve->Kill(SIGTERM);
  serve->Wait(20000);

  std::map<std::string, Value> disputes = Disputes();
  ASSERT_EQ(disputes.size(), 2u);
  const Value& d = disputes[overlapping];
  EXPECT_EQ(d.Get("status").StringOr(""), "lost");
  EXPECT_EQ(d.Get("overlap").StringOr(""), "refunded");
  EXPECT_EQ(d.Get("overlap_minor").IntOr(0), 27000);
  EXPECT_EQ(d.Get("subject").StringOr(""), "r-1001");
  EXPECT_FALSE(d.Get("review_case_id").StringOr("").empty());
  EXPECT_EQ(disputes[unrelated].Get("overlap").StringOr(""), "none");
  EXPECT_TRUE(disputes[unrelated].Get("review_case_id").StringOr("x").empty()) << "recorded only";
  EXPECT_EQ(Disputes({"--status", "open"}).size(), 1u);
  EXPECT_EQ(h_.ReviewCases("sync-1"), 1);
  EXPECT_EQ(h_.ReviewCases("sync-2"), 0);

  // No second money movement: one refund at the PSP, and the charge cannot
  // be refunded again (refunded by us, returned by the bank).
  EXPECT_EQ(h_.RefundsOf("ch_r1001"), integration::Refunded(1, 27000));
  EXPECT_EQ(h_.Stats().Get("disputes").Get("lost").IntOr(0), 1);
  RunResult table = h_.Cli({"refund", "disputes", "list"});
  EXPECT_EQ(table.exit_code, 0) << table.output;
  EXPECT_THAT(table.output, HasSubstr("2 dispute(s)"));
}

TEST_F(DisputeTest, ADisputeWhileARefundAwaitsApprovalStopsTheRefundBeforeThePsp) {
  h_.Seed("ch_r1002", 78500);
  h_.StartInstance("reservation_refund",
                   h_.WriteInput("held", integration::LoadExample("reservation_large.json")), "wf-held");
  auto serve = h_.Serve();
  ASSERT_TRUE(h_.WaitFor("wf-held", [](const InstanceRecord& r) { return r.status == InstanceStatus::kWaitingApproval; },
                         60000))
      << h_.ServeLog();

  const std::string dispute = h_.OpenDispute("ch_r1002", 78500);
  Value synced = Sync("sync-held");
  EXPECT_EQ(synced.Get("new_disputes").IntOr(-1), 1) << synced.ToJson();
  EXPECT_TRUE(synced.Get("cases").AsList().empty()) << "nothing refunded yet: " << synced.ToJson();

  // The reviewer approves, not knowing: the refund step finds the dispute.
  RunResult approved = h_.Cli({"approve", "wf-held", "review", "--as", "reviewer", "--comment", "ok"});
  ASSERT_EQ(approved.exit_code, 0) << approved.output;
  ASSERT_TRUE(h_.WaitTerminal("wf-held", 60000)) << h_.ServeLog();
  auto rec = h_.Instance("wf-held");
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->status, InstanceStatus::kCompensated);
  EXPECT_EQ(h_.RefundsOf("ch_r1002").first, 0) << "no refund reached the PSP";
  EXPECT_EQ(h_.ReviewCases("wf-held"), 1) << "the cancellation went to a person";

  // The next sync opens the dispute's own case (the refund it stopped).
  Value after = Sync("sync-held-2");
  ASSERT_EQ(after.Get("cases").AsList().size(), 1u) << after.ToJson();
  EXPECT_EQ(after.Get("cases").AsList()[0].Get("overlap").StringOr(""), "refund_blocked");
  EXPECT_THAT(Metrics(), HasSubstr("steadfast_refund_disputes_overlapping_total{overlap=\"refund_blocked\"} 1"));
  serve->Kill(SIGTERM);
  serve->Wait(20000);
  std::map<std::string, Value> disputes = Disputes();
  EXPECT_EQ(disputes[dispute].Get("overlap").StringOr(""), "refund_blocked");
  EXPECT_EQ(disputes[dispute].Get("subject").StringOr(""), "r-1002");
  EXPECT_FALSE(disputes[dispute].Get("review_case_id").StringOr("").empty());
}

}  // namespace
}  // namespace steadfast
