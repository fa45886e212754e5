// Child workflows end to end in one process, on a real SQLite file and on
// the run's PostgreSQL cluster (backend_database.h), with the real engine
// threads (docs/workflows.md "Child workflows").
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "builtin/std_activities.h"
#include "core/stderr_logger.h"
#include "runtime/engine.h"
#include "runtime/instance_state.h"
#include "runtime/views.h"
#include "steadfast/history.h"
#include "subprocess.h"
#include "backend_database.h"

namespace steadfast {
namespace {

using namespace std::chrono_literals;

// One seller's refund, undone by test.unrefund when its parent compensates.
constexpr const char* kSellerRefund = R"(
name: seller_refund
input: { seller: string, amount: int }
steps:
  - id: refund
    activity: test.refund
    with: { seller: "${input.seller}", amount: "${input.amount}" }
    compensate: test.unrefund
output: { refunded: "${steps.refund.refund_id}" }
)";

// A refund that then waits for the seller's confirmation.
constexpr const char* kConfirmedRefund = R"(
name: confirmed_refund
input: { seller: string, amount: int }
steps:
  - id: refund
    activity: test.refund
    with: { seller: "${input.seller}", amount: "${input.amount}" }
    compensate: test.unrefund
  - id: confirm
    signal: confirmed
output: { refunded: "${steps.refund.refund_id}", confirmed_by: "${steps.confirm.by}" }
)";

// Two sellers, one after the other, then the payout (which can be made to fail).
constexpr const char* kOrder = R"(
name: order
steps:
  - id: seller_a
    workflow: seller_refund
    input: { seller: a, amount: 100 }
  - id: seller_b
    workflow: seller_refund
    version: 1
    input: { seller: b, amount: 200 }
  - id: payout
    activity: test.payout
    with: { a: "${steps.seller_a.refunded}", b: "${steps.seller_b.refunded}" }
    retry: { max_attempts: 1 }
output: { a: "${steps.seller_a.refunded}", b: "${steps.seller_b.refunded}" }
)";

constexpr const char* kConfirmedOrder = R"(
name: confirmed_order
steps:
  - id: seller
    workflow: confirmed_refund
    input: { seller: c, amount: 300 }
)";

// One branch per seller, all at once; the payout after the join can fail.
constexpr const char* kMarketplace = R"(
name: marketplace
input: { second: string }
steps:
  - id: sellers
    parallel:
      branches:
        - id: seller_a
          workflow: seller_refund
          input: { seller: a, amount: 100 }
        - id: seller_b
          workflow: seller_refund
          input: { seller: "${input.second}", amount: 200 }
        - id: seller_c
          workflow: confirmed_refund
          input: { seller: c, amount: 300 }
  - id: payout
    activity: test.payout
    with: { a: "${steps.seller_a.refunded}", all: "${steps.sellers}" }
    retry: { max_attempts: 1 }
output: { sellers: "${steps.sellers}" }
)";

// The first of two branches to complete wins.
constexpr const char* kRace = R"(
name: race
steps:
  - id: first
    parallel:
      join: any
      branches:
        - id: fast
          workflow: seller_refund
          input: { seller: f, amount: 1 }
        - id: slow
          workflow: confirmed_refund
          input: { seller: s, amount: 2 }
)";

// A return: one refund per item, at most two at once.
constexpr const char* kReturn = R"(
name: item_return
input: { items: list }
steps:
  - id: refunds
    workflow: seller_refund
    for_each: "${input.items}"
    concurrency: 2
    input: { seller: "${item.seller}", amount: "${index}" }
output: { refunds: "${steps.refunds}" }
)";

// Each item waits for its confirmation, three at once.
constexpr const char* kConfirmedReturn = R"(
name: confirmed_return
input: { items: list }
steps:
  - id: refunds
    workflow: confirmed_refund
    for_each: "${input.items}"
    concurrency: 3
    input: { seller: "${item}", amount: 1 }
)";

constexpr const char* kBadOrder = R"(
name: bad_order
steps:
  - id: seller
    workflow: seller_refund
    input: { seller: bad, amount: 1 }
)";

constexpr const char* kMissingChild = R"(
name: missing_child
steps:
  - id: nobody
    workflow: no_such_workflow
)";

class ChildWorkflowTest : public ::testing::TestWithParam<testing_support::StoreBackend> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(RegisterStdActivities(registry_).ok());
    auto record = [this](const char* what) {
      return [this, what](ActivityContext& ctx) -> ActivityResult {
        std::lock_guard<std::mutex> lock(mu_);
        calls_.push_back(std::string(what) + " " + ctx.idempotency_key());
        if (std::string(what) == "payout" && fail_payout_) {
          return ActivityError::NonRetryable("payout_refused", "the seller account is closed");
        }
        if (std::string(what) == "refund" && ctx.input().Get("seller") == Value("bad")) {
          return ActivityError::NonRetryable("card_expired", "no refund to an expired card");
        }
        return Value(Value::Map{{"refund_id", "r-" + ctx.input().Get("seller").StringOr("?")}});
      };
    };
    ASSERT_TRUE(registry_.Register("test.refund", record("refund")).ok());
    ASSERT_TRUE(registry_.Register("test.unrefund", record("unrefund")).ok());
    ASSERT_TRUE(registry_.Register("test.payout", record("payout")).ok());
    catalog_ = std::make_unique<WorkflowCatalog>(&registry_);
    for (const char* yaml : {kSellerRefund, kConfirmedRefund, kOrder, kConfirmedOrder, kMarketplace, kRace, kReturn, kConfirmedReturn, kBadOrder, kMissingChild}) {
      ASSERT_TRUE(catalog_->AddSource(yaml, "test.yaml").ok());
    }
    db_.Create(GetParam(), dir_.File("children.db"));
    if (IsSkipped() || HasFatalFailure()) return;
    auto store = db_.Open(nullptr);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    EngineOptions eo;
    eo.workers = 2;
    eo.poll_interval_ms = 10;
    eo.node_name = "test";
    engine_ = std::make_unique<Engine>(eo, *store_, *catalog_, registry_, clock_, random_, logger_);
    ASSERT_TRUE(engine_->Start().ok());
  }
  void TearDown() override {
    if (engine_) engine_->Stop();
    engine_.reset();
    store_.reset();
    db_.Drop();
  }

  Result<StartResult> Start(const std::string& workflow, const std::string& id, Value input = Value::Map{}) {
    StartOptions so;
    so.workflow = workflow;
    so.id = id;
    so.input = std::move(input);
    so.requested_by = "ops";
    return engine_->service().Start(so);
  }

  InstanceRecord Get(const std::string& id) {
    auto r = store_->GetInstance(id);
    EXPECT_TRUE(r.ok() && *r) << id << " " << (r.ok() ? "not found" : r.status().ToString());
    return r.ok() && *r ? **r : InstanceRecord{};
  }

  InstanceRecord WaitStatus(const std::string& id, InstanceStatus want) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    InstanceRecord last;
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = store_->GetInstance(id);
      if (r.ok() && r->has_value()) {
        last = **r;
        if (last.status == want) return last;
      }
      std::this_thread::sleep_for(5ms);
    }
    ADD_FAILURE() << id << " never became " << InstanceStatusName(want) << "; it is "
                  << InstanceStatusName(last.status) << " " << last.error_code << ": " << last.error_message;
    return last;
  }

  std::vector<std::string> Types(const std::string& id) {
    auto h = store_->GetHistory(id, 0, 10000);
    EXPECT_TRUE(h.ok());
    std::vector<std::string> t;
    if (h.ok()) {
      for (const HistoryEvent& e : *h) t.push_back(e.type);
    }
    return t;
  }

  std::vector<InstanceRecord> Children(const std::string& parent) {
    ListFilter f;
    f.parent_id = parent;
    f.limit = 0;
    auto r = store_->ListInstances(f);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<InstanceRecord>{};
  }

  std::vector<std::string> Calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

  void Confirm(const std::string& child) {
    SignalRequest s;
    s.instance_id = child;
    s.name = "confirmed";
    s.payload = Value::Map{{"by", "seller"}};
    s.principal = "seller";
    ASSERT_TRUE(engine_->service().Signal(s).ok());
  }

  testing::TempDir dir_;
  testing_support::BackendDatabase db_;
  ManualClock clock_{1'800'000'000'000};
  ActivityRegistry registry_;
  std::unique_ptr<WorkflowCatalog> catalog_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Engine> engine_;
  SystemRandom random_;
  StderrLogger logger_{LogLevel::kWarn};
  std::atomic<bool> fail_payout_{false};
  std::mutex mu_;
  std::vector<std::string> calls_;  // GUARDED_BY(mu_): "<activity> <idempotency key>"
};

TEST_P(ChildWorkflowTest, EachChildRunsAsAnInstanceAndItsOutputIsTheSteps) {
  ASSERT_TRUE(Start("order", "order-1").ok());
  InstanceRecord rec = WaitStatus("order-1", InstanceStatus::kCompleted);
  EXPECT_EQ(rec.output, Value(Value::Map{{"a", "r-a"}, {"b", "r-b"}}));

  // The children: stable ids, linked to the parent and its step, finished.
  std::vector<InstanceRecord> children = Children("order-1");
  ASSERT_EQ(children.size(), 2u);
  for (const auto& [step, seller] : {std::pair{"seller_a", "a"}, std::pair{"seller_b", "b"}}) {
    SCOPED_TRACE(step);
    InstanceRecord child = Get(ChildInstanceId("order-1", 1, step));
    EXPECT_EQ(child.id, std::string("order-1~") + step);
    EXPECT_EQ(child.status, InstanceStatus::kCompleted);
    EXPECT_EQ(child.workflow_name, "seller_refund");
    EXPECT_EQ(child.parent_id, "order-1");
    EXPECT_EQ(child.parent_step, step);
    EXPECT_EQ(child.requested_by, "ops");
    EXPECT_EQ(child.output, Value(Value::Map{{"refunded", std::string("r-") + seller}}));
    ASSERT_EQ(child.links.size(), 1u);
    EXPECT_EQ(child.links[0].instance_id, "order-1");
    Value view = InstanceView(child);
    EXPECT_EQ(view.Get("parent"), Value(Value::Map{{"id", "order-1"}, {"step", step}}));
  }
  // The child's activities have the child's keys: one refund per seller.
  std::vector<std::string> calls = Calls();
  EXPECT_EQ(calls, (std::vector<std::string>{"refund order-1~seller_a/refund", "refund order-1~seller_b/refund",
                                             "payout order-1/payout"}));
  std::vector<std::string> types = Types("order-1");
  EXPECT_EQ(std::count(types.begin(), types.end(), history::kChildStarted), 2);
  EXPECT_EQ(std::count(types.begin(), types.end(), history::kChildCompleted), 2);
}

TEST_P(ChildWorkflowTest, ACompensatingParentCompensatesItsChildrenInReverseOrder) {
  fail_payout_ = true;
  ASSERT_TRUE(Start("order", "order-2").ok());
  InstanceRecord rec = WaitStatus("order-2", InstanceStatus::kCompensated);
  EXPECT_EQ(rec.error_code, "payout_refused");
  for (const char* step : {"seller_a", "seller_b"}) {
    InstanceRecord child = Get(ChildInstanceId("order-2", 1, step));
    EXPECT_EQ(child.status, InstanceStatus::kCompensated) << step;
    EXPECT_EQ(child.error_code, "parent_compensating") << step;
  }
  std::vector<std::string> calls = Calls();
  ASSERT_EQ(calls.size(), 5u);
  EXPECT_EQ(calls[3], "unrefund order-2~seller_b/refund/compensate");
  EXPECT_EQ(calls[4], "unrefund order-2~seller_a/refund/compensate");
}

TEST_P(ChildWorkflowTest, CancellingTheParentCancelsTheChildFirst) {
  ASSERT_TRUE(Start("confirmed_order", "order-3").ok());
  const std::string child = ChildInstanceId("order-3", 1, "seller");
  WaitStatus(child, InstanceStatus::kWaitingSignal);
  InstanceRecord parent = Get("order-3");
  EXPECT_EQ(parent.status, InstanceStatus::kWaitingChild);
  Value waiting = WaitingForView(parent, catalog_->Find("confirmed_order", 0)->get(), {});
  EXPECT_EQ(waiting.Get("kind"), Value("child"));
  EXPECT_EQ(waiting.Get("child"), Value(child));

  ASSERT_TRUE(engine_->service().Cancel("order-3", "alice", "order withdrawn").ok());
  InstanceRecord c = WaitStatus(child, InstanceStatus::kCancelled);
  EXPECT_NE(c.error_message.find("parent workflow order-3 is being cancelled: order withdrawn"), std::string::npos)
      << c.error_message;
  InstanceRecord p = WaitStatus("order-3", InstanceStatus::kCancelled);
  EXPECT_EQ(p.error_code, "cancelled");
  // The child undid its own refund; the parent had nothing completed.
  std::vector<std::string> calls = Calls();
  EXPECT_EQ(calls, (std::vector<std::string>{"refund order-3~seller/refund",
                                             "unrefund order-3~seller/refund/compensate"}));
  std::vector<std::string> types = Types("order-3");
  EXPECT_NE(std::find(types.begin(), types.end(), history::kChildFailed), types.end());
}

TEST_P(ChildWorkflowTest, AChildThatFailsFailsItsStep) {
  ASSERT_TRUE(Start("bad_order", "order-6").ok());
  InstanceRecord failed = WaitStatus("order-6", InstanceStatus::kFailed);
  EXPECT_EQ(failed.error_code, "child_failed");
  EXPECT_NE(failed.error_message.find("card_expired"), std::string::npos) << failed.error_message;
  EXPECT_EQ(Get(ChildInstanceId("order-6", 1, "seller")).error_code, "card_expired");

  ASSERT_TRUE(Start("missing_child", "order-4").ok());
  InstanceRecord rec = WaitStatus("order-4", InstanceStatus::kFailed);
  EXPECT_EQ(rec.error_code, "child_error");
  EXPECT_NE(rec.error_message.find("no_such_workflow"), std::string::npos) << rec.error_message;
  EXPECT_TRUE(Children("order-4").empty());
}

TEST_P(ChildWorkflowTest, APauseAndResumeFindsTheSameChild) {
  ASSERT_TRUE(Start("confirmed_order", "order-5").ok());
  const std::string child = ChildInstanceId("order-5", 1, "seller");
  WaitStatus(child, InstanceStatus::kWaitingSignal);
  WaitStatus("order-5", InstanceStatus::kWaitingChild);
  ASSERT_TRUE(engine_->service().Pause("order-5", "ops", "look first").ok());
  WaitStatus("order-5", InstanceStatus::kPaused);
  ASSERT_TRUE(engine_->service().Resume("order-5", "ops", "looked").ok());
  WaitStatus("order-5", InstanceStatus::kWaitingChild);

  SignalRequest s;
  s.instance_id = child;
  s.name = "confirmed";
  s.payload = Value::Map{{"by", "seller-c"}};
  s.principal = "seller-c";
  ASSERT_TRUE(engine_->service().Signal(s).ok());
  InstanceRecord rec = WaitStatus("order-5", InstanceStatus::kCompleted);
  EXPECT_EQ(rec.output.Get("seller"), Value(Value::Map{{"refunded", "r-c"}, {"confirmed_by", "seller-c"}}));
  // One child, started once, its refund made once.
  EXPECT_EQ(Children("order-5").size(), 1u);
  std::vector<std::string> types = Types(child);
  EXPECT_EQ(std::count(types.begin(), types.end(), history::kWorkflowStarted), 1);
  EXPECT_EQ(Calls(), (std::vector<std::string>{"refund order-5~seller/refund"}));
}

TEST_P(ChildWorkflowTest, ParallelBranchesRunAtOnceAndJoin) {
  ASSERT_TRUE(Start("marketplace", "mkt-1", Value::Map{{"second", "b"}}).ok());
  // All three started before any finished: c waits for its confirmation
  // while the parent waits for all three.
  WaitStatus("mkt-1~seller_c", InstanceStatus::kWaitingSignal);
  InstanceRecord parent = WaitStatus("mkt-1", InstanceStatus::kWaitingChild);
  WaitStatus("mkt-1~seller_a", InstanceStatus::kCompleted);
  WaitStatus("mkt-1~seller_b", InstanceStatus::kCompleted);
  Value waiting = WaitingForView(Get("mkt-1"), catalog_->Find("marketplace", 0)->get(), {});
  EXPECT_EQ(waiting.Get("kind"), Value("children"));
  ASSERT_EQ(waiting.Get("branches").AsList().size(), 3u);
  EXPECT_EQ(waiting.Get("branches").AsList()[2].Get("status"), Value("running"));
  EXPECT_EQ(Calls().size(), 3u) << "three refunds at once, no payout before the join";

  Confirm("mkt-1~seller_c");
  InstanceRecord rec = WaitStatus("mkt-1", InstanceStatus::kCompleted);
  Value sellers = rec.output.Get("sellers");
  EXPECT_EQ(sellers.Get("seller_a"), Value(Value::Map{{"refunded", "r-a"}}));
  EXPECT_EQ(sellers.Get("seller_b"), Value(Value::Map{{"refunded", "r-b"}}));
  EXPECT_EQ(sellers.Get("seller_c").Get("confirmed_by"), Value("seller"));
  EXPECT_EQ(Children("mkt-1").size(), 3u);
}

TEST_P(ChildWorkflowTest, AFailedBranchCancelsItsSiblingsAndCompensatesAll) {
  ASSERT_TRUE(Start("marketplace", "mkt-2", Value::Map{{"second", "bad"}}).ok());
  // The step failed for good; the default on_exhausted compensates.
  InstanceRecord rec = WaitStatus("mkt-2", InstanceStatus::kCompensated);
  EXPECT_EQ(rec.error_code, "branch_failed");
  EXPECT_NE(rec.error_message.find("seller_b failed"), std::string::npos) << rec.error_message;
  // b failed at its refund; c was cancelled (and undid its own refund if
  // it had made it); a had completed and was compensated.
  EXPECT_EQ(Get("mkt-2~seller_b").status, InstanceStatus::kFailed);
  EXPECT_EQ(Get("mkt-2~seller_c").status, InstanceStatus::kCancelled);
  EXPECT_EQ(Get("mkt-2~seller_a").status, InstanceStatus::kCompensated);
  std::vector<std::string> calls = Calls();
  EXPECT_EQ(std::count(calls.begin(), calls.end(), "unrefund mkt-2~seller_a/refund/compensate"), 1);
  EXPECT_EQ(std::count(calls.begin(), calls.end(), "unrefund mkt-2~seller_c/refund/compensate"),
            std::count(calls.begin(), calls.end(), "refund mkt-2~seller_c/refund"));
  EXPECT_EQ(std::count(calls.begin(), calls.end(), "payout mkt-2/payout"), 0);
}

TEST_P(ChildWorkflowTest, AFailureAfterTheJoinCompensatesEveryBranch) {
  fail_payout_ = true;
  ASSERT_TRUE(Start("marketplace", "mkt-3", Value::Map{{"second", "b"}}).ok());
  WaitStatus("mkt-3~seller_c", InstanceStatus::kWaitingSignal);
  Confirm("mkt-3~seller_c");
  InstanceRecord rec = WaitStatus("mkt-3", InstanceStatus::kCompensated);
  EXPECT_EQ(rec.error_code, "payout_refused");
  for (const char* branch : {"seller_a", "seller_b", "seller_c"}) {
    EXPECT_EQ(Get(std::string("mkt-3~") + branch).status, InstanceStatus::kCompensated) << branch;
  }
  // Compensated newest first: c completed last (it waited), so it went first.
  std::vector<std::string> calls = Calls();
  ASSERT_GE(calls.size(), 3u);
  EXPECT_EQ(calls[calls.size() - 3], "unrefund mkt-3~seller_c/refund/compensate");
}

TEST_P(ChildWorkflowTest, CancellingAParallelStepCancelsEveryBranchStillRunning) {
  ASSERT_TRUE(Start("marketplace", "mkt-4", Value::Map{{"second", "b"}}).ok());
  WaitStatus("mkt-4~seller_c", InstanceStatus::kWaitingSignal);
  WaitStatus("mkt-4~seller_a", InstanceStatus::kCompleted);
  WaitStatus("mkt-4~seller_b", InstanceStatus::kCompleted);
  ASSERT_TRUE(engine_->service().Cancel("mkt-4", "alice", "order withdrawn").ok());
  WaitStatus("mkt-4", InstanceStatus::kCancelled);
  EXPECT_EQ(Get("mkt-4~seller_c").status, InstanceStatus::kCancelled);
  EXPECT_EQ(Get("mkt-4~seller_a").status, InstanceStatus::kCompensated);
  EXPECT_EQ(Get("mkt-4~seller_b").status, InstanceStatus::kCompensated);
}

TEST_P(ChildWorkflowTest, JoinAnyTakesTheFirstAndCancelsTheRest) {
  ASSERT_TRUE(Start("race", "race-1").ok());
  InstanceRecord rec = WaitStatus("race-1", InstanceStatus::kCompleted);
  EXPECT_EQ(rec.output.Get("first"), Value(Value::Map{{"fast", Value::Map{{"refunded", "r-f"}}}}));
  EXPECT_EQ(Get("race-1~slow").status, InstanceStatus::kCancelled);
  std::vector<std::string> types = Types("race-1");
  EXPECT_NE(std::find(types.begin(), types.end(), history::kChildCancelRequested), types.end());
}

Value Items(std::initializer_list<const char*> sellers) {
  Value::List items;
  for (const char* s : sellers) items.emplace_back(Value::Map{{"seller", s}});
  return Value(std::move(items));
}

TEST_P(ChildWorkflowTest, ForEachRunsAChildPerElementAndKeepsTheirOrder) {
  ASSERT_TRUE(Start("item_return", "ret-1", Value::Map{{"items", Items({"a", "b", "c", "d", "e"})}}).ok());
  InstanceRecord rec = WaitStatus("ret-1", InstanceStatus::kCompleted);
  Value::List want;
  for (const char* s : {"a", "b", "c", "d", "e"}) want.emplace_back(Value::Map{{"refunded", std::string("r-") + s}});
  EXPECT_EQ(rec.output.Get("refunds"), Value(want));
  EXPECT_EQ(Children("ret-1").size(), 5u);
  InstanceRecord third = Get("ret-1~refunds.2");
  EXPECT_EQ(third.parent_step, "refunds.2");
  EXPECT_EQ(third.input, Value(Value::Map{{"seller", "c"}, {"amount", 2}}));
  // The elements' own entries left the state: only the list stays.
  Result<InstanceState> st = InstanceState::Decode(rec.state);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->outputs.count("refunds.0"), 0u);
  EXPECT_TRUE(st->branches.empty());

  ASSERT_TRUE(Start("item_return", "ret-2", Value::Map{{"items", Value(Value::List{})}}).ok());
  EXPECT_EQ(WaitStatus("ret-2", InstanceStatus::kCompleted).output.Get("refunds"), Value(Value::List{}));
}

TEST_P(ChildWorkflowTest, ForEachKeepsToItsConcurrency) {
  Value::List sellers;
  for (int i = 0; i < 7; ++i) sellers.emplace_back("s" + std::to_string(i));
  ASSERT_TRUE(Start("confirmed_return", "ret-3", Value::Map{{"items", Value(sellers)}}).ok());
  for (int i = 0; i < 3; ++i) WaitStatus("ret-3~refunds." + std::to_string(i), InstanceStatus::kWaitingSignal);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(Children("ret-3").size(), 3u) << "three at once";
  Value waiting = WaitingForView(Get("ret-3"), catalog_->Find("confirmed_return", 0)->get(), {});
  EXPECT_EQ(waiting.Get("kind"), Value("elements"));
  EXPECT_EQ(waiting.Get("total"), Value(7));
  EXPECT_EQ(waiting.Get("running"), Value(3));

  // Each confirmation lets the next element start, until all are done.
  for (int i = 0; i < 7; ++i) {
    const std::string child = "ret-3~refunds." + std::to_string(i);
    WaitStatus(child, InstanceStatus::kWaitingSignal);
    EXPECT_LE(Children("ret-3").size() - static_cast<size_t>(i), 3u);
    Confirm(child);
  }
  InstanceRecord rec = WaitStatus("ret-3", InstanceStatus::kCompleted);
  EXPECT_EQ(rec.output.Get("refunds").AsList().size(), 7u);
}

TEST_P(ChildWorkflowTest, AFailedElementStopsTheOthersAndCompensatesTheCompleted) {
  ASSERT_TRUE(Start("item_return", "ret-4", Value::Map{{"items", Items({"a", "b", "bad", "d", "e"})}}).ok());
  InstanceRecord rec = WaitStatus("ret-4", InstanceStatus::kCompensated);
  EXPECT_EQ(rec.error_code, "element_failed");
  EXPECT_NE(rec.error_message.find("refunds.2 failed"), std::string::npos) << rec.error_message;
  // Elements after the failed one were never started (two at once, in
  // order), and every refund made was undone.
  std::vector<std::string> calls = Calls();
  for (const char* e : {"refunds.0", "refunds.1", "refunds.3", "refunds.4"}) {
    const std::string key = std::string("ret-4~") + e + "/refund";
    EXPECT_EQ(std::count(calls.begin(), calls.end(), "unrefund " + key + "/compensate"),
              std::count(calls.begin(), calls.end(), "refund " + key))
        << e;
  }
  EXPECT_EQ(Get("ret-4~refunds.0").status, InstanceStatus::kCompensated);
  EXPECT_LE(Children("ret-4").size(), 4u);
}

TEST_P(ChildWorkflowTest, ChildIdsAreStableAndBounded) {
  EXPECT_EQ(ChildInstanceId("p", 1, "s"), "p~s");
  EXPECT_EQ(ChildInstanceId("p", 3, "s"), "p~3~s");
  const std::string long_parent(120, 'x');
  const std::string id = ChildInstanceId(long_parent, 1, "refund_seller");
  EXPECT_EQ(id.size(), kMaxChildIdLength);
  EXPECT_EQ(id, ChildInstanceId(long_parent, 1, "refund_seller"));
  EXPECT_NE(id, ChildInstanceId(long_parent, 1, "refund_seller_b"));
  EXPECT_EQ(id.substr(0, 100), long_parent.substr(0, 100));
}

INSTANTIATE_TEST_SUITE_P(Backends, ChildWorkflowTest, STEADFAST_STORE_BACKENDS);

}  // namespace
}  // namespace steadfast
