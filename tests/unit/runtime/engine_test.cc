// Workflow semantics end to end inside one process: the real engine
// threads, small real timeouts (tens of milliseconds), on each backend: a
// real SQLite file, and a schema of its own on the real PostgreSQL cluster
// of the run (tests/unit/store/backend_database.h; skipped without one,
// failed when CI is set).
#include "runtime/engine.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "builtin/std_activities.h"
#include "core/stderr_logger.h"
#include "steadfast/history.h"
#include "activity_gate.h"
#include "backend_database.h"
#include "subprocess.h"

namespace steadfast {
namespace {

using namespace std::chrono_literals;

Value NestedLists(int depth) {
  Value v = Value::List{};
  for (int i = 1; i < depth; ++i) v = Value::List{std::move(v)};
  return v;
}

class EngineTest : public ::testing::TestWithParam<testing_support::StoreBackend> {
 protected:
  void SetUp() override {
    db_.Create(GetParam(), dir_.File("engine.db"));
    if (IsSkipped() || HasFatalFailure()) return;
    auto store = db_.Open(&SystemClock::Instance());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    ASSERT_TRUE(RegisterStdActivities(registry_).ok());
    ASSERT_TRUE(registry_
                    .Register("test.count",
                              [this](ActivityContext& ctx) -> ActivityResult {
                                std::lock_guard<std::mutex> lock(mu_);
                                ++calls_[ctx.idempotency_key()];
                                keys_.push_back(ctx.idempotency_key());
                                return Value(Value::Map{{"n", calls_[ctx.idempotency_key()]}, {"input", ctx.input()}});
                              })
                    .ok());
    ASSERT_TRUE(registry_.Register("test.gate", gate_.Activity()).ok());
    ASSERT_TRUE(registry_
                    .Register("test.rate_limited",
                              [](ActivityContext&) -> ActivityResult {
                                ActivityError e = ActivityError::Retryable("rate_limited", "slow down");
                                e.retry_after_ms = 60000;
                                return e;
                              })
                    .ok());
    // Returns `depth` lists nested in one another.
    ASSERT_TRUE(registry_
                    .Register("test.deep",
                              [](ActivityContext& ctx) -> ActivityResult {
                                return NestedLists(static_cast<int>(ctx.input().Get("depth").IntOr(1)));
                              })
                    .ok());
    catalog_ = std::make_unique<WorkflowCatalog>(&registry_);
    EngineOptions eo;
    eo.workers = 4;
    eo.poll_interval_ms = 20;
    eo.lease_ms = 5000;
    eo.node_name = "test";
    engine_ = std::make_unique<Engine>(eo, *store_, *catalog_, registry_, SystemClock::Instance(), random_, logger_);
    ASSERT_TRUE(engine_->Start().ok());
  }
  void TearDown() override {
    if (engine_) engine_->Stop();
    engine_.reset();
    store_.reset();
    db_.Drop();
  }

  void Add(const std::string& yaml) {
    auto def = catalog_->AddSource(yaml, "test.yaml");
    ASSERT_TRUE(def.ok()) << def.status().message();
  }

  Result<StartResult> Start(const std::string& workflow, Value input, const std::string& id = "",
                            const std::string& key = "") {
    StartOptions so;
    so.workflow = workflow;
    so.input = std::move(input);
    so.id = id;
    so.idempotency_key = key;
    so.requested_by = "requester";
    return engine_->service().Start(so);
  }

  std::string MustStart(const std::string& workflow, Value input = Value::Map{}) {
    auto r = Start(workflow, std::move(input));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->instance.id : "";
  }

  InstanceRecord WaitStatus(const std::string& id, InstanceStatus status, int timeout_ms = 10000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    InstanceRecord last;
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = store_->GetInstance(id);
      if (r.ok() && *r) {
        last = **r;
        if (last.status == status) return last;
      }
      std::this_thread::sleep_for(5ms);
    }
    ADD_FAILURE() << id << " never reached " << InstanceStatusName(status) << "; it is "
                  << InstanceStatusName(last.status) << " " << last.error_code << ": " << last.error_message;
    return last;
  }

  std::vector<std::string> EventTypes(const std::string& id, const std::string& step = "*") {
    std::vector<std::string> out;
    auto h = store_->GetHistory(id, 0, 10000);
    EXPECT_TRUE(h.ok());
    for (const auto& e : *h) {
      if (step == "*" || e.step_id == step) out.push_back(e.type);
    }
    return out;
  }

  // Attempts of test.count and test.gate under this idempotency key.
  int Calls(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_[key] + gate_.Calls(key);
  }

  bool WaitEvent(const std::string& id, const std::string& type, int timeout_ms = 10000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      if (Count(EventTypes(id), type) > 0) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

  int Count(const std::vector<std::string>& v, const std::string& what) {
    return static_cast<int>(std::count(v.begin(), v.end(), what));
  }

  testing::TempDir dir_;
  testing_support::BackendDatabase db_;
  std::unique_ptr<Store> store_;
  ActivityRegistry registry_;
  std::unique_ptr<WorkflowCatalog> catalog_;
  SystemRandom random_;
  StderrLogger logger_{LogLevel::kWarn};
  std::unique_ptr<Engine> engine_;
  std::mutex mu_;
  std::map<std::string, int> calls_;
  std::vector<std::string> keys_;
  testing::ActivityGate gate_;  // test.gate: holds attempts like a slow PSP call
};

TEST_P(EngineTest, DataFlowsBetweenStepsAndOutputIsEvaluated) {
  Add(R"(
name: flow
input: { amount: int }
output: { total: "${steps.double.input.value}", label: "order ${input.amount}" }
steps:
  - id: first
    activity: test.count
    with: { value: "${input.amount}" }
  - id: double
    activity: test.count
    with: { value: "${steps.first.input.value * 2}" }
)");
  std::string id = MustStart("flow", Value::Map{{"amount", 21}});
  InstanceRecord rec = WaitStatus(id, InstanceStatus::kCompleted);
  EXPECT_EQ(rec.output.Get("total").IntOr(0), 42);
  EXPECT_EQ(rec.output.Get("label").StringOr(""), "order 21");
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(calls_[id + "/first"], 1);
  EXPECT_EQ(calls_[id + "/double"], 1);
}

TEST_P(EngineTest, WhenFalseSkipsAStep) {
  Add(R"(
name: skip
input: { vip: bool }
steps:
  - id: always
    activity: std.noop
  - id: vip_only
    activity: test.count
    when: "${input.vip}"
  - id: last
    activity: std.noop
)");
  std::string id = MustStart("skip", Value::Map{{"vip", false}});
  WaitStatus(id, InstanceStatus::kCompleted);
  EXPECT_EQ(EventTypes(id, "vip_only"), std::vector<std::string>{history::kStepSkipped});
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(calls_.count(id + "/vip_only"), 0u);
}

TEST_P(EngineTest, RetriesWithTheSameIdempotencyKeyUntilSuccess) {
  Add(R"(
name: flaky
defaults:
  retry: { max_attempts: 5, initial_interval: 10ms, backoff: 2.0, max_interval: 50ms }
steps:
  - id: call
    activity: std.fail
    with: { times: 2 }
)");
  std::string id = MustStart("flaky");
  InstanceRecord rec = WaitStatus(id, InstanceStatus::kCompleted);
  EXPECT_EQ(rec.output.Get("call").Get("attempts").IntOr(0), 3);
  auto types = EventTypes(id, "call");
  EXPECT_EQ(Count(types, history::kAttemptFailed), 2);
  EXPECT_EQ(Count(types, history::kRetryScheduled), 2);
  EXPECT_EQ(Count(types, history::kAttemptSucceeded), 1);
}

TEST_P(EngineTest, NonRetryableErrorFailsTheWorkflow) {
  Add(R"(
name: hard_fail
defaults:
  retry: { max_attempts: 5, initial_interval: 10ms, on_exhausted: fail }
steps:
  - id: call
    activity: std.fail
    with: { times: 9, code: invalid_charge, retryable: false }
)");
  std::string id = MustStart("hard_fail");
  InstanceRecord rec = WaitStatus(id, InstanceStatus::kFailed);
  EXPECT_EQ(rec.error_code, "invalid_charge");
  EXPECT_EQ(Count(EventTypes(id, "call"), history::kAttemptFailed), 1);
}

// A value the engine could store but never read back used to poison the
// instance (and every list): now it is refused where it enters.
TEST_P(EngineTest, TooDeepActivityOutputFailsTheAttemptForGood) {
  Add(R"(
name: deep_output
defaults:
  retry: { max_attempts: 5, initial_interval: 10ms, on_exhausted: fail }
steps:
  - id: call
    activity: test.deep
    with: { depth: "${input.depth}" }
)");
  std::string ok = MustStart("deep_output", Value::Map{{"depth", kMaxValueDepth}});
  // Without an output template the output is every step's, by step id: one
  // level of the engine's own around the deepest accepted value.
  InstanceRecord done = WaitStatus(ok, InstanceStatus::kCompleted);
  EXPECT_EQ(ValueDepth(done.output, kMaxEnvelopedValueDepth), kMaxValueDepth + 1);
  std::string id = MustStart("deep_output", Value::Map{{"depth", kMaxValueDepth + 1}});
  InstanceRecord rec = WaitStatus(id, InstanceStatus::kFailed);
  EXPECT_EQ(rec.error_code, "value_too_deep");
  EXPECT_NE(rec.error_message.find(std::to_string(kMaxValueDepth)), std::string::npos) << rec.error_message;
  EXPECT_EQ(Count(EventTypes(id, "call"), history::kAttemptFailed), 1);  // not retried
  auto list = store_->ListInstances(ListFilter{});
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  for (const InstanceRecord& r : *list) EXPECT_EQ(r.decode_error, "");
}

TEST_P(EngineTest, TooDeepValuesAreRefusedWhereTheyEnter) {
  Add(R"(
name: wrap
input: { v: any }
steps:
  - id: call
    activity: test.count
    with: { outer: { inner: "${input.v}" } }
)");
  // The input itself is at the limit; the template nests its v two deeper.
  std::string id = MustStart("wrap", Value::Map{{"v", NestedLists(kMaxValueDepth - 1)}});
  InstanceRecord rec = WaitStatus(id, InstanceStatus::kFailed);
  EXPECT_EQ(rec.error_code, "value_too_deep");
  EXPECT_NE(rec.error_message.find("with"), std::string::npos) << rec.error_message;

  Result<StartResult> deep = Start("wrap", Value::Map{{"v", NestedLists(kMaxValueDepth)}});
  EXPECT_TRUE(IsValueTooDeep(deep.status())) << deep.status().ToString();
  Add(R"(
name: listen
steps:
  - id: got
    signal: go
)");
  std::string waiting = MustStart("listen");
  WaitStatus(waiting, InstanceStatus::kWaitingSignal);
  Result<SignalOutcome> signal = engine_->service().Signal({waiting, "go", NestedLists(kMaxValueDepth + 1), "", "x"});
  EXPECT_TRUE(IsValueTooDeep(signal.status())) << signal.status().ToString();
}

TEST_P(EngineTest, ExhaustedRetriesPauseThenResume) {
  Add(R"(
name: pausing
defaults:
  retry: { max_attempts: 2, initial_interval: 10ms, on_exhausted: pause }
steps:
  - id: call
    activity: std.fail
    with: { times: 2 }
  - id: after
    activity: std.noop
)");
  std::string id = MustStart("pausing");
  InstanceRecord paused = WaitStatus(id, InstanceStatus::kPaused);
  EXPECT_EQ(paused.current_step, "call");
  EXPECT_EQ(paused.error_code, "injected_failure");
  auto resumed = engine_->service().Resume(id, "operator");
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  InstanceRecord done = WaitStatus(id, InstanceStatus::kCompleted);
  // Attempts keep counting across the pause: the third attempt succeeded.
  EXPECT_EQ(done.output.Get("call").Get("attempts").IntOr(0), 3);
}

TEST_P(EngineTest, FailureCompensatesCompletedStepsInReverseOrder) {
  Add(R"(
name: saga
defaults:
  retry: { max_attempts: 1, on_exhausted: compensate }
steps:
  - id: reserve
    activity: std.echo
    with: { slot: 7 }
    compensate: test.count
  - id: charge
    activity: std.echo
    with: { amount: 100 }
    compensate: test.count
  - id: no_comp
    activity: std.noop
  - id: ship
    activity: std.fail
    with: { times: 5, code: out_of_stock, retryable: false }
)");
  std::string id = MustStart("saga");
  InstanceRecord rec = WaitStatus(id, InstanceStatus::kCompensated);
  EXPECT_EQ(rec.error_code, "out_of_stock");
  std::lock_guard<std::mutex> lock(mu_);
  ASSERT_EQ(keys_.size(), 2u);
  EXPECT_EQ(keys_[0], id + "/charge/compensate");
  EXPECT_EQ(keys_[1], id + "/reserve/compensate");
}

TEST_P(EngineTest, FailingCompensationFailsTheWorkflow) {
  Add(R"(
name: saga_broken
defaults:
  retry: { max_attempts: 2, initial_interval: 10ms, on_exhausted: compensate }
steps:
  - id: reserve
    activity: std.noop
    compensate: std.fail
    compensate_with: { times: 9 }
  - id: ship
    activity: std.fail
    with: { times: 9, retryable: false }
)");
  std::string id = MustStart("saga_broken");
  InstanceRecord rec = WaitStatus(id, InstanceStatus::kFailed);
  EXPECT_EQ(rec.error_code, "compensation_failed");
  EXPECT_NE(rec.error_message.find("reserve"), std::string::npos);
  EXPECT_EQ(Count(EventTypes(id, "reserve"), history::kCompensationFailed), 1);
}

TEST_P(EngineTest, HungAttemptIsAbandonedAfterStartToCloseTimeout) {
  Add(R"(
name: hung
steps:
  - id: slow
    activity: std.sleep
    with: { ms: 5000 }
    timeout: 100ms
    retry: { max_attempts: 2, initial_interval: 10ms, on_exhausted: fail }
)");
  auto t0 = std::chrono::steady_clock::now();
  std::string id = MustStart("hung");
  InstanceRecord rec = WaitStatus(id, InstanceStatus::kFailed);
  EXPECT_EQ(rec.error_code, "start_to_close_timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  EXPECT_EQ(Count(EventTypes(id, "slow"), history::kAttemptFailed), 2);
}

TEST_P(EngineTest, SignalIsDeliveredOrBufferedAndTimesOut) {
  Add(R"(
name: wait_signal
steps:
  - id: received
    signal: item_received
    timeout: 5s
  - id: after
    activity: std.echo
    with: { warehouse: "${steps.received.warehouse}" }
)");
  std::string id = MustStart("wait_signal");
  WaitStatus(id, InstanceStatus::kWaitingSignal);
  auto r = engine_->service().Signal({id, "item_received", Value::Map{{"warehouse", "AMS"}}, "k1", "scanner"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, SignalOutcome::kDelivered);
  InstanceRecord done = WaitStatus(id, InstanceStatus::kCompleted);
  EXPECT_EQ(done.output.Get("after").Get("warehouse").StringOr(""), "AMS");
  // The same key again is a duplicate, not an error.
  auto dup = engine_->service().Signal({id, "item_received", Value::Map{{"warehouse", "AMS"}}, "k1", "scanner"});
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(*dup, SignalOutcome::kDuplicate);

  Add(R"(
name: early_signal
steps:
  - id: slow
    activity: std.sleep
    with: { ms: 200 }
  - id: received
    signal: item_received
)");
  std::string early = MustStart("early_signal");
  auto b = engine_->service().Signal({early, "item_received", Value::Map{{"ok", true}}, "", "scanner"});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(*b, SignalOutcome::kBuffered);
  WaitStatus(early, InstanceStatus::kCompleted);

  Add(R"(
name: signal_timeout
steps:
  - id: received
    signal: item_received
    timeout: 50ms
    on_timeout: close
  - id: refund
    activity: std.noop
    next: end
  - id: close
    activity: std.echo
    with: { closed: true }
)");
  std::string late = MustStart("signal_timeout");
  InstanceRecord closed = WaitStatus(late, InstanceStatus::kCompleted);
  EXPECT_TRUE(closed.output.Get("close").Get("closed").BoolOr(false));
  EXPECT_TRUE(closed.output.Get("refund").is_null());
}

TEST_P(EngineTest, ApprovalHeldOnlyWhenNeededWithFourEyes) {
  Add(R"(
name: approve
input: { amount: int }
steps:
  - id: review
    approval:
      when: "${input.amount > 500}"
      on_reject: rejected
  - id: pay
    activity: std.noop
    next: end
  - id: rejected
    activity: std.echo
    with: { rejected: true }
)");
  std::string small = MustStart("approve", Value::Map{{"amount", 100}});
  InstanceRecord s = WaitStatus(small, InstanceStatus::kCompleted);
  EXPECT_FALSE(s.output.Get("review").Get("held").BoolOr(true));

  std::string big = MustStart("approve", Value::Map{{"amount", 900}});
  WaitStatus(big, InstanceStatus::kWaitingApproval);
  auto own = engine_->service().Decide({big, "review", Decision::kApprove, "requester", ""});
  EXPECT_EQ(own.status().code(), StatusCode::kPermissionDenied);
  auto ok = engine_->service().Decide({big, "review", Decision::kApprove, "reviewer", "fine"});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  WaitStatus(big, InstanceStatus::kCompleted);
  auto second = engine_->service().Decide({big, "review", Decision::kReject, "other", ""});
  EXPECT_EQ(second.status().code(), StatusCode::kConflict);

  std::string rejected = MustStart("approve", Value::Map{{"amount", 900}});
  WaitStatus(rejected, InstanceStatus::kWaitingApproval);
  ASSERT_TRUE(engine_->service().Decide({rejected, "review", Decision::kReject, "reviewer", "no"}).ok());
  InstanceRecord r = WaitStatus(rejected, InstanceStatus::kCompleted);
  EXPECT_TRUE(r.output.Get("rejected").Get("rejected").BoolOr(false));
}

TEST_P(EngineTest, TwoReviewersWhenRequired) {
  Add(R"(
name: two_reviewers
steps:
  - id: review
    approval:
      required_approvals: 2
  - id: pay
    activity: std.noop
)");
  std::string id = MustStart("two_reviewers");
  WaitStatus(id, InstanceStatus::kWaitingApproval);
  ASSERT_TRUE(engine_->service().Decide({id, "review", Decision::kApprove, "alice", ""}).ok());
  EXPECT_EQ(engine_->service().Decide({id, "review", Decision::kApprove, "alice", ""}).status().code(),
            StatusCode::kPermissionDenied);
  std::this_thread::sleep_for(50ms);
  auto still = store_->GetInstance(id);
  EXPECT_EQ((*still)->status, InstanceStatus::kWaitingApproval);
  ASSERT_TRUE(engine_->service().Decide({id, "review", Decision::kApprove, "bob", ""}).ok());
  WaitStatus(id, InstanceStatus::kCompleted);
}

TEST_P(EngineTest, StartIsIdempotentByIdAndKey) {
  Add(R"(
name: idem
input: { n: int }
steps:
  - id: wait
    signal: go
)");
  auto a = Start("idem", Value::Map{{"n", 1}}, "order-1");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->outcome, StartOutcome::kCreated);
  auto again = Start("idem", Value::Map{{"n", 1}}, "order-1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, StartOutcome::kExisting);
  EXPECT_EQ(Start("idem", Value::Map{{"n", 2}}, "order-1").status().code(), StatusCode::kConflict);

  auto k = Start("idem", Value::Map{{"n", 1}}, "", "key-1");
  ASSERT_TRUE(k.ok());
  auto k2 = Start("idem", Value::Map{{"n", 1}}, "", "key-1");
  ASSERT_TRUE(k2.ok());
  EXPECT_EQ(k2->instance.id, k->instance.id);
  EXPECT_EQ(Start("idem", Value::Map{{"n", 3}}, "", "key-1").status().code(), StatusCode::kConflict);
}

TEST_P(EngineTest, InputIsValidated) {
  Add(R"(
name: typed
input: { reservation_id: string, amount: int, note: "string?" }
steps:
  - id: a
    activity: std.noop
)");
  EXPECT_EQ(Start("typed", Value::Map{{"amount", 1}}).status().code(), StatusCode::kInvalidArgument);
  auto wrong = Start("typed", Value::Map{{"reservation_id", "r"}, {"amount", "12"}});
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wrong.status().message().find("amount"), std::string::npos);
  EXPECT_TRUE(Start("typed", Value::Map{{"reservation_id", "r"}, {"amount", 1}}).ok());
  EXPECT_EQ(Start("nope", Value::Map{}).status().code(), StatusCode::kNotFound);
}

TEST_P(EngineTest, CancelStopsAWaitingInstance) {
  Add(R"(
name: cancellable
steps:
  - id: wait
    signal: go
)");
  std::string id = MustStart("cancellable");
  WaitStatus(id, InstanceStatus::kWaitingSignal);
  ASSERT_TRUE(engine_->service().Cancel(id, "operator", "customer withdrew").ok());
  InstanceRecord rec = WaitStatus(id, InstanceStatus::kCancelled);
  EXPECT_EQ(rec.error_code, "cancelled");
  EXPECT_EQ(engine_->service().Cancel(id, "operator", "").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(engine_->service().Signal({id, "go", Value(), "", "x"}).status().code(), StatusCode::kFailedPrecondition);
}

TEST_P(EngineTest, RunningInstancesKeepTheirDefinition) {
  Add(R"(
name: versioned
steps:
  - id: wait
    signal: go
  - id: old_step
    activity: std.echo
    with: { generation: 1 }
)");
  std::string old_id = MustStart("versioned");
  WaitStatus(old_id, InstanceStatus::kWaitingSignal);
  Add(R"(
name: versioned
steps:
  - id: wait
    signal: go
  - id: new_step
    activity: std.echo
    with: { generation: 2 }
)");
  std::string new_id = MustStart("versioned");
  WaitStatus(new_id, InstanceStatus::kWaitingSignal);
  ASSERT_TRUE(engine_->service().Signal({old_id, "go", Value(), "", "x"}).ok());
  ASSERT_TRUE(engine_->service().Signal({new_id, "go", Value(), "", "x"}).ok());
  EXPECT_EQ(WaitStatus(old_id, InstanceStatus::kCompleted).output.Get("old_step").Get("generation").IntOr(0), 1);
  EXPECT_EQ(WaitStatus(new_id, InstanceStatus::kCompleted).output.Get("new_step").Get("generation").IntOr(0), 2);
}

TEST_P(EngineTest, WorkflowDeadlineFailsAStuckInstance) {
  Add(R"(
name: deadline
deadline: 100ms
steps:
  - id: wait
    signal: never
)");
  std::string id = MustStart("deadline");
  InstanceRecord rec = WaitStatus(id, InstanceStatus::kFailed);
  EXPECT_EQ(rec.error_code, "workflow_deadline_exceeded");
}


// The PSP-call shape: money moves in `pay`; `after` would come next.
constexpr const char* kRefundLike = R"(
name: refund_like
steps:
  - id: claim
    activity: test.count
    compensate: test.count
  - id: pay
    activity: test.gate
    compensate: test.count
  - id: after
    activity: test.count
)";

TEST_P(EngineTest, CancelDuringAnAttemptCheckpointsItsResultThenCompensates) {
  Add(kRefundLike);
  std::string id = MustStart("refund_like");
  ASSERT_TRUE(gate_.WaitEntered());
  auto cancelled = engine_->service().Cancel(id, "operator", "customer withdrew");
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().ToString();
  // Only requested: the attempt in flight is not dropped.
  EXPECT_EQ(cancelled->status, InstanceStatus::kRunning);
  EXPECT_EQ(Count(EventTypes(id), "cancel_requested"), 1);
  // A second cancel adds nothing.
  ASSERT_TRUE(engine_->service().Cancel(id, "operator", "again").ok());
  EXPECT_EQ(Count(EventTypes(id), "cancel_requested"), 1);
  gate_.Open();
  InstanceRecord rec = WaitStatus(id, InstanceStatus::kCancelled);
  EXPECT_EQ(rec.error_code, "cancelled");
  EXPECT_EQ(rec.error_message, "customer withdrew");
  // The money that moved is in the history, and both completed steps were
  // compensated, the last first; `after` never ran.
  std::vector<std::string> pay = EventTypes(id, "pay");
  EXPECT_EQ(Count(pay, "attempt_succeeded"), 1);
  EXPECT_EQ(Count(pay, "compensation_succeeded"), 1);
  EXPECT_EQ(Count(EventTypes(id, "claim"), "compensation_succeeded"), 1);
  EXPECT_EQ(Count(EventTypes(id, "after"), "step_scheduled"), 0);
  EXPECT_EQ(Calls(id + "/pay"), 1);
  EXPECT_EQ(Calls(id + "/pay/compensate"), 1);
  EXPECT_EQ(Calls(id + "/claim/compensate"), 1);
  std::vector<std::string> all = EventTypes(id);
  EXPECT_EQ(all.back(), "workflow_cancelled");
  auto started = std::find(all.begin(), all.end(), "compensation_started");
  ASSERT_NE(started, all.end());
  EXPECT_LT(std::find(all.begin(), all.end(), "attempt_succeeded") - all.begin(), started - all.begin());
  auto tasks = store_->GetTasks(id);
  ASSERT_TRUE(tasks.ok());
  EXPECT_TRUE(tasks->empty());
}

// An operator pauses while the PSP call is in flight: the call finishes and
// is checkpointed, nothing further runs, and the resume continues at the
// next step. The refund happened once.
TEST_P(EngineTest, PauseDuringAnAttemptCheckpointsItThenRunsNothingUntilResumed) {
  Add(kRefundLike);
  std::string id = MustStart("refund_like");
  ASSERT_TRUE(gate_.WaitEntered());
  auto pausing = engine_->service().Pause(id, "operator", "PSP outage");
  ASSERT_TRUE(pausing.ok()) << pausing.status().ToString();
  EXPECT_EQ(pausing->status, InstanceStatus::kRunning);  // only requested
  EXPECT_EQ(Count(EventTypes(id), "pause_requested"), 1);
  ASSERT_TRUE(engine_->service().Pause(id, "operator", "again").ok());  // a no-op
  EXPECT_EQ(Count(EventTypes(id), "pause_requested"), 1);
  gate_.Open();
  InstanceRecord paused = WaitStatus(id, InstanceStatus::kPaused);
  EXPECT_EQ(paused.current_step, "after");
  EXPECT_EQ(paused.error_code, "paused_by_operator");
  EXPECT_EQ(Count(EventTypes(id, "pay"), "attempt_succeeded"), 1);
  std::this_thread::sleep_for(100ms);  // several poll intervals: nothing may run
  EXPECT_EQ(Count(EventTypes(id, "after"), "step_scheduled"), 0);
  auto tasks = store_->GetTasks(id);
  ASSERT_TRUE(tasks.ok());
  EXPECT_TRUE(tasks->empty());
  ASSERT_TRUE(engine_->service().Resume(id, "operator", "PSP is back").ok());
  InstanceRecord done = WaitStatus(id, InstanceStatus::kCompleted);
  EXPECT_EQ(Calls(id + "/pay"), 1);
  EXPECT_EQ(Calls(id + "/after"), 1);
  auto history = store_->GetHistory(id, 0, 1000);
  ASSERT_TRUE(history.ok());
  bool resumed_by_operator = false;
  for (const HistoryEvent& e : *history) {
    if (e.type == "workflow_resumed") resumed_by_operator = e.data.Get("reason").StringOr("") == "PSP is back";
  }
  EXPECT_TRUE(resumed_by_operator);
}

// Retrying a paused instance from an earlier step runs that step again with
// the same idempotency key (the activity returns its first result: money
// moves once) and drops the later results from the live state only.
TEST_P(EngineTest, RetryFromAnEarlierStepReusesTheIdempotencyKeys) {
  Add(R"(
name: retried
steps:
  - id: pay
    activity: test.count
  - id: book
    activity: std.fail
    with: { times: 2 }
    retry: { max_attempts: 1, on_exhausted: pause }
)");
  std::string id = MustStart("retried");
  WaitStatus(id, InstanceStatus::kPaused);
  auto unknown = engine_->service().Retry(id, "nope", "operator", "typo");
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument) << unknown.status().ToString();
  auto retried = engine_->service().Retry(id, "pay", "operator", "book again");
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  // `book` fails once more (its second injected failure) and pauses again.
  WaitStatus(id, InstanceStatus::kPaused);
  ASSERT_TRUE(engine_->service().Retry(id, "", "operator", "at the failed step").ok());
  InstanceRecord done = WaitStatus(id, InstanceStatus::kCompleted);
  std::lock_guard<std::mutex> lock(mu_);
  // Two attempt series of `pay`, one key, and the same first result.
  EXPECT_EQ(std::count(keys_.begin(), keys_.end(), id + "/pay"), 2);
  std::vector<std::string> pay = EventTypes(id, "pay");
  EXPECT_EQ(Count(pay, "workflow_retried"), 1);
  EXPECT_EQ(Count(pay, "attempt_succeeded"), 2);
  EXPECT_EQ(done.output.Get("book").Get("attempts").IntOr(0), 3);
}

// A retryable failure leaves the attempt's effect unknown (the PSP may have
// refunded and the answer been lost): the cancel waits for the retry that
// tells, and compensates the step once it turns out to have completed.
// (Found by the chaos soak: the cancel used to drop the retry, and the
// refund behind a lost answer was never recorded.)
TEST_P(EngineTest, CancelDuringAFailingAttemptWaitsForTheRetryThatTellsTheOutcome) {
  Add(R"(
name: refund_retried
steps:
  - id: claim
    activity: test.count
    compensate: test.count
  - id: pay
    activity: test.gate
    compensate: test.count
    retry: { max_attempts: 100, initial_interval: 10ms, max_interval: 10ms }
  - id: after
    activity: test.count
)");
  std::string id = MustStart("refund_retried");
  ASSERT_TRUE(gate_.WaitEntered());
  ASSERT_TRUE(engine_->service().Cancel(id, "operator", "").ok());
  gate_.Open(/*fail=*/true);
  for (int i = 0; i < 500 && Count(EventTypes(id, "pay"), "retry_scheduled") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GE(Count(EventTypes(id, "pay"), "retry_scheduled"), 1) << "the failed attempt was not retried";
  gate_.Open(/*fail=*/false);
  InstanceRecord rec = WaitStatus(id, InstanceStatus::kCancelled);
  EXPECT_EQ(rec.error_message, "cancelled by operator");
  std::vector<std::string> pay = EventTypes(id, "pay");
  EXPECT_GE(Count(pay, "attempt_failed"), 1);
  EXPECT_EQ(Count(pay, "attempt_succeeded"), 1);
  EXPECT_EQ(Count(pay, "compensation_succeeded"), 1);  // the refund is recorded and undone
  EXPECT_EQ(Calls(id + "/claim/compensate"), 1);
  EXPECT_EQ(Count(EventTypes(id, "after"), "step_scheduled"), 0);
}

TEST_P(EngineTest, CancelDuringAFailingAttemptWithNoRetriesLeftGoesAhead) {
  Add(R"(
name: refund_once
steps:
  - id: claim
    activity: test.count
    compensate: test.count
  - id: pay
    activity: test.gate
    compensate: test.count
    retry: { max_attempts: 1, on_exhausted: pause }
)");
  std::string id = MustStart("refund_once");
  ASSERT_TRUE(gate_.WaitEntered());
  ASSERT_TRUE(engine_->service().Cancel(id, "operator", "").ok());
  gate_.Open(/*fail=*/true);
  InstanceRecord rec = WaitStatus(id, InstanceStatus::kCancelled);
  EXPECT_EQ(rec.error_message, "cancelled by operator");
  std::vector<std::string> pay = EventTypes(id, "pay");
  EXPECT_EQ(Count(pay, "attempt_failed"), 1);
  EXPECT_EQ(Count(pay, "retry_scheduled"), 0);
  EXPECT_EQ(Count(pay, "compensation_succeeded"), 0);  // it did not complete
  EXPECT_EQ(Calls(id + "/claim/compensate"), 1);
}

// The failed attempt of a compensable step may have had its effect (a
// refund whose answer was lost): the cancel waits for the step to come to
// rest, here by exhausting its retries, and only then goes ahead.
TEST_P(EngineTest, CancelDuringAFailingAttemptWaitsForTheStepToComeToRest) {
  Add(R"(
name: refund_like_retrying
steps:
  - id: claim
    activity: test.count
    compensate: test.count
  - id: pay
    activity: test.gate
    compensate: test.count
    retry: { max_attempts: 2, initial_interval: 10ms }
  - id: after
    activity: test.count
)");
  std::string id = MustStart("refund_like_retrying");
  ASSERT_TRUE(gate_.WaitEntered());
  ASSERT_TRUE(engine_->service().Cancel(id, "operator", "").ok());
  gate_.Open(/*fail=*/true);
  InstanceRecord rec = WaitStatus(id, InstanceStatus::kCancelled);
  EXPECT_EQ(rec.error_message, "cancelled by operator");
  std::vector<std::string> pay = EventTypes(id, "pay");
  EXPECT_EQ(Count(pay, "attempt_failed"), 2);
  EXPECT_EQ(Count(pay, "retry_scheduled"), 1);
  EXPECT_EQ(Count(pay, "compensation_succeeded"), 0);  // it did not complete
  EXPECT_EQ(Calls(id + "/claim/compensate"), 1);
}

TEST_P(EngineTest, OnCancelStopEndsWithoutCompensating) {
  Add(R"(
name: no_undo
on_cancel: stop
steps:
  - id: claim
    activity: test.count
    compensate: test.count
  - id: pay
    activity: test.gate
    compensate: test.count
)");
  std::string id = MustStart("no_undo");
  ASSERT_TRUE(gate_.WaitEntered());
  ASSERT_TRUE(engine_->service().Cancel(id, "operator", "stop it").ok());
  gate_.Open();
  WaitStatus(id, InstanceStatus::kCancelled);
  EXPECT_EQ(Count(EventTypes(id, "pay"), "attempt_succeeded"), 1);
  EXPECT_EQ(Count(EventTypes(id), "compensation_started"), 0);
  EXPECT_EQ(Calls(id + "/claim/compensate"), 0);
}

TEST_P(EngineTest, CancelOfAWaitingInstanceCompensatesAtOnce) {
  Add(R"(
name: wait_then
steps:
  - id: claim
    activity: test.count
    compensate: test.count
  - id: wait
    signal: go
)");
  std::string id = MustStart("wait_then");
  WaitStatus(id, InstanceStatus::kWaitingSignal);
  auto r = engine_->service().Cancel(id, "operator", "");
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->status, InstanceStatus::kRunning);  // nothing to wait for
  WaitStatus(id, InstanceStatus::kCancelled);
  EXPECT_EQ(Calls(id + "/claim/compensate"), 1);
  EXPECT_EQ(Count(EventTypes(id), "cancel_requested"), 0);
}

TEST_P(EngineTest, DeadlineDuringAnAttemptCheckpointsItFirst) {
  Add(R"(
name: late
deadline: 1s
steps:
  - id: claim
    activity: test.count
    compensate: test.count
  - id: pay
    activity: test.gate
  - id: after
    activity: test.count
)");
  std::string id = MustStart("late");
  ASSERT_TRUE(gate_.WaitEntered());
  // The deadline passes while the attempt runs; it waits for the attempt.
  ASSERT_TRUE(WaitEvent(id, "deadline_exceeded"));
  EXPECT_EQ(store_->GetInstance(id).value()->status, InstanceStatus::kRunning);
  gate_.Open();
  InstanceRecord rec = WaitStatus(id, InstanceStatus::kCompensated);
  EXPECT_EQ(rec.error_code, "workflow_deadline_exceeded");
  EXPECT_EQ(Count(EventTypes(id, "pay"), "attempt_succeeded"), 1);
  EXPECT_EQ(Calls(id + "/claim/compensate"), 1);
  EXPECT_EQ(Count(EventTypes(id, "after"), "step_scheduled"), 0);
}

TEST_P(EngineTest, PausedInstanceKeepsItsDeadline) {
  Add(R"(
name: paused_late
deadline: 1s
defaults:
  retry: { max_attempts: 1, on_exhausted: pause }
steps:
  - id: call
    activity: std.fail
    with: { times: 5 }
)");
  std::string id = MustStart("paused_late");
  WaitStatus(id, InstanceStatus::kPaused);
  auto tasks = store_->GetTasks(id);
  ASSERT_TRUE(tasks.ok());
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ(tasks->front().kind, TaskKind::kDeadline);
  InstanceRecord rec = WaitStatus(id, InstanceStatus::kFailed);
  EXPECT_EQ(rec.error_code, "workflow_deadline_exceeded");
}

TEST_P(EngineTest, ResumeGivesBackADeadlineAnOlderEngineDeleted) {
  Add(R"(
name: resumed_late
deadline: 1h
defaults:
  retry: { max_attempts: 1, on_exhausted: pause }
steps:
  - id: call
    activity: std.fail
    with: { times: 1 }
  - id: wait
    signal: go
)");
  std::string id = MustStart("resumed_late");
  InstanceRecord paused = WaitStatus(id, InstanceStatus::kPaused);
  // As engines before this fix left a paused instance: no deadline task.
  Commit drop;
  drop.instance_id = id;
  drop.delete_other_tasks = true;
  ASSERT_TRUE(store_->Apply(drop).ok());
  ASSERT_TRUE(engine_->service().Resume(id, "operator").ok());
  WaitStatus(id, InstanceStatus::kWaitingSignal);
  auto tasks = store_->GetTasks(id);
  ASSERT_TRUE(tasks.ok());
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ(tasks->front().kind, TaskKind::kDeadline);
  EXPECT_EQ(tasks->front().due_at, paused.deadline_at);
}

TEST_P(EngineTest, RetryAfterPastScheduleToCloseIsNamedInTheStepError) {
  Add(R"(
name: too_patient
steps:
  - id: call
    activity: test.rate_limited
    schedule_to_close: 5s
    retry: { on_exhausted: fail }
)");
  std::string id = MustStart("too_patient");
  InstanceRecord rec = WaitStatus(id, InstanceStatus::kFailed);
  EXPECT_EQ(rec.error_code, "schedule_to_close_timeout");
  EXPECT_NE(rec.error_message.find("asked to retry after 1m"), std::string::npos) << rec.error_message;
  EXPECT_NE(rec.error_message.find("5s schedule-to-close"), std::string::npos) << rec.error_message;
}

TEST_P(EngineTest, StoppingEngineHandsBackUnstartedTasksSoACancelDoesNotRunThem) {
  Add(R"(
name: two_steps
steps:
  - id: first
    activity: test.gate
  - id: pay
    activity: test.count
)");
  std::string id = MustStart("two_steps");
  ASSERT_TRUE(gate_.WaitEntered());
  // The engine stops while `first` runs; its checkpoint makes `pay` leased
  // to this engine, which must hand it back rather than keep it.
  std::thread stopper([this] { engine_->Stop(5000); });
  while (!engine_->stopping()) std::this_thread::sleep_for(1ms);
  gate_.Open();
  stopper.join();
  auto tasks = store_->GetTasks(id);
  ASSERT_TRUE(tasks.ok());
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ(tasks->front().step_id, "pay");
  EXPECT_EQ(tasks->front().lease_owner, "");
  // Never claimed but for the claim handed back (its row may be `first`'s:
  // then the token is above every token `first` had, its claim count 0).
  EXPECT_EQ(LeaseClaims(tasks->front().lease_token), 0);
  // With the engine down, a cancel stops the instance at once: `pay` never runs.
  auto r = engine_->service().Cancel(id, "operator", "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, InstanceStatus::kCancelled);
  EXPECT_EQ(Calls(id + "/pay"), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, EngineTest, STEADFAST_STORE_BACKENDS);

}  // namespace
}  // namespace steadfast
