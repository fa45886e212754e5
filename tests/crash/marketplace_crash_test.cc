// Crash test of issue 17's proof: the real `steadfast serve` with the refund
// plugin runs marketplace_order_cancellation (three sellers, one parallel
// branch each) against the real steadfast-sandbox, and exits as kill -9
// leaves it (exit 137) at a named crash point: around the parallel step
// (claimed, its commit starting the three children, children's ends told to
// the parent), around each branch's PSP refund and payout (the call made but
// not checkpointed), and at store commits in between. Restarted until the
// order completes, the PSP must hold exactly one refund per seller's charge
// and one payout per seller's account, never reversed, each child started
// once, the books balanced and `steadfast reconcile` clean.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <cctype>
#include <ostream>

#include "marketplace_order.h"
#include "refund_harness.h"

namespace steadfast {
namespace {

using integration::MakeMarketplaceOrder;
using integration::MarketplaceOrder;
using integration::MarketplaceSeller;
using integration::RefundHarness;

struct MarketplaceCrashCase {
  std::string point;       // STEADFAST_CRASH_AT
  int children = -1;       // child instances the crash must leave (-1: depends on timing)
  int money_moved = 0;     // at least this many refunds + payouts at the PSP when it died
};

// Shown in failure messages.
void PrintTo(const MarketplaceCrashCase& c, std::ostream* os) { *os << c.point; }

class MarketplaceCrashTest : public ::testing::TestWithParam<MarketplaceCrashCase> {};

TEST_P(MarketplaceCrashTest, ExactlyOneRefundAndOnePayoutPerSeller) {
  RefundHarness h;
  const MarketplaceOrder order = MakeMarketplaceOrder("m-6001");
  const std::string id = "wf-m6001";
  const MarketplaceCrashCase& c = GetParam();
  for (const MarketplaceSeller& s : order.sellers) h.Seed(s.charge, s.paid);
  h.StartInstance("marketplace_order_cancellation", h.WriteInput(id, order.input), id);
  {
    auto crashing = h.Serve(c.point, "crash.log");
    auto code = crashing->Wait(60000);
    ASSERT_TRUE(code.has_value()) << "serve did not reach crash point " << c.point << "\n" << h.Log("crash.log");
    ASSERT_EQ(*code, 137) << h.Log("crash.log");
  }
  // What the crash left: the children all or none (their start is one
  // commit), and the money the case is about already moved at the PSP.
  int children = 0, moved = static_cast<int>(h.Stats().Get("transfers").Get("count").IntOr(0));
  for (const MarketplaceSeller& s : order.sellers) {
    children += h.Instance(id + "~" + s.branch).has_value() ? 1 : 0;
    moved += static_cast<int>(h.RefundsOf(s.charge).first);
  }
  EXPECT_TRUE(children == 0 || children == 3) << children << " of 3 children started";
  if (c.children >= 0) EXPECT_EQ(children, c.children);
  EXPECT_GE(moved, c.money_moved) << "the crash came before the money moved";
  {
    auto serve = h.Serve("", "recovery.log");
    const bool ended = h.WaitTerminal(id, 60000);
    serve->Kill(SIGTERM);
    serve->Wait(20000);
    ASSERT_TRUE(ended) << h.Log("recovery.log");
  }
  std::optional<InstanceRecord> parent = h.Instance(id);
  ASSERT_TRUE(parent.has_value());
  ASSERT_EQ(parent->status, InstanceStatus::kCompleted) << parent->error_code << ": " << parent->error_message;
  EXPECT_EQ(h.CountEvents(id, history::kChildStarted), 3);
  EXPECT_EQ(h.CountEvents(id, history::kChildCompleted), 3);

  for (const MarketplaceSeller& s : order.sellers) {
    SCOPED_TRACE(s.branch);
    const std::string child = id + "~" + s.branch;
    EXPECT_EQ(h.Instance(child).value_or(InstanceRecord{}).status, InstanceStatus::kCompleted);
    EXPECT_EQ(h.CountEvents(child, history::kWorkflowStarted), 1);
    EXPECT_EQ(h.RefundsOf(s.charge).first, 1) << "refunds of " << s.charge;
    Value payouts = h.TransfersTo(s.account);
    EXPECT_EQ(payouts.Get("count").IntOr(0), 1) << payouts.ToJson();
    EXPECT_EQ(payouts.Get("reversals").IntOr(-1), 0) << payouts.ToJson();
    EXPECT_EQ(h.ExpectBalancedLedger(child), 1);
  }
  testing::RunResult rec = h.Reconcile();
  EXPECT_EQ(rec.exit_code, 0) << rec.output;
  EXPECT_THAT(rec.output, ::testing::HasSubstr("no drift"));
}

std::string MarketplaceCrashName(const ::testing::TestParamInfo<MarketplaceCrashCase>& info) {
  std::string n = info.param.point;
  for (char& ch : n) {
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return n;
}

// The parallel step (sellers): claimed, its checkpoint durable, and its
// commit (the 4th of a serve: three before it claim and run nothing of
// this order's) just before and just after COMMIT; the branches told to the
// parent (seller_2's task claimed, seller_3's checkpoint); each branch's
// refund (psp) and payout steps, with the call made but not checkpointed
// (after_activity: the money has moved) and checkpointed, for the first
// branch to get there and a later one (@n); and commits among the money
// steps (@12, @16: which commit carries what there depends on how the three
// children interleave and batch; a whole run is about 25 commits here, fewer
// when the branches run in step and their checkpoints share batches (a
// slower build), so no point counts close to its end).
INSTANTIATE_TEST_SUITE_P(
    AroundTheParallelStepAndTheMoneySteps, MarketplaceCrashTest,
    ::testing::Values(MarketplaceCrashCase{"after_claim:sellers", 0},
                      MarketplaceCrashCase{"after_checkpoint:sellers", 3},
                      // 0 children when the 4th commit is the sellers' (the usual
                      // case); 3 when a loaded machine batched two earlier requests
                      // into one commit, so the sellers' committed before: either is
                      // all or none, which is what this point checks.
                      MarketplaceCrashCase{"store.before_commit@4", -1},
                      MarketplaceCrashCase{"store.after_commit@4", 3},
                      MarketplaceCrashCase{"after_activity:psp", 3, 1},
                      MarketplaceCrashCase{"after_checkpoint:psp@2", 3, 2},
                      MarketplaceCrashCase{"after_claim:payout", 3, 1},
                      MarketplaceCrashCase{"after_activity:payout", 3, 2},
                      MarketplaceCrashCase{"after_activity:payout@3", 3, 6},
                      MarketplaceCrashCase{"after_checkpoint:payout@2", 3, 4},
                      MarketplaceCrashCase{"store.after_commit@12", 3},
                      MarketplaceCrashCase{"store.after_commit@16", 3},
                      MarketplaceCrashCase{"after_claim:seller_2", 3, 2},
                      MarketplaceCrashCase{"after_checkpoint:seller_3", 3, 2}),
    MarketplaceCrashName);

}  // namespace
}  // namespace steadfast
