// Store semantics on both backends (a real SQLite file, a real PostgreSQL
// server): record round trips, idempotent start, commit preconditions that
// write nothing, signals, task leases, listing and history. Concurrency
// lives in group_commit_test.cc, failure handling in durability_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "store_backends.h"

namespace steadfast {
namespace {

using testing_support::MakeEvent;
using testing_support::MakeInstance;
using testing_support::MakeStart;
using testing_support::MakeTask;
using ::testing::HasSubstr;

class StoreBehaviourTest : public testing_support::BackendStoreTest {
 protected:
  void SetUp() override {
    BackendStoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store_ = OpenBackend();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    store_.reset();
    BackendStoreTest::TearDown();
  }

  StartResult Start(StartRequest req) {
    Result<StartResult> r = store_->StartInstance(std::move(req));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : StartResult{};
  }
  InstanceRecord Get(const std::string& id) {
    Result<std::optional<InstanceRecord>> r = store_->GetInstance(id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r.ok() && r->has_value()) << id;
    return r.ok() && r->has_value() ? **r : InstanceRecord{};
  }
  std::vector<HistoryEvent> History(const std::string& id) {
    Result<std::vector<HistoryEvent>> r = store_->GetHistory(id, 0, 0);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<HistoryEvent>{};
  }
  std::vector<TaskRecord> Tasks(const std::string& id) {
    Result<std::vector<TaskRecord>> r = store_->GetTasks(id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<TaskRecord>{};
  }
  std::vector<TaskRecord> Claim(TimeMs now, TimeMs lease_until, int limit, const std::string& owner = "w1") {
    Result<std::vector<TaskRecord>> r = store_->ClaimDueTasks(owner, now, lease_until, limit);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<TaskRecord>{};
  }

  std::unique_ptr<Store> store_;
};

TEST(InstanceStatusTest, NamesRoundTripAndTerminalStates) {
  for (int i = 1; i <= 9; ++i) {
    auto s = static_cast<InstanceStatus>(i);
    EXPECT_EQ(ParseInstanceStatus(InstanceStatusName(s)), s);
  }
  EXPECT_EQ(InstanceStatusName(InstanceStatus::kWaitingApproval), "waiting_approval");
  EXPECT_EQ(ParseInstanceStatus("nope"), std::nullopt);
  EXPECT_TRUE(IsTerminal(InstanceStatus::kCompleted));
  EXPECT_TRUE(IsTerminal(InstanceStatus::kCompensated));
  EXPECT_FALSE(IsTerminal(InstanceStatus::kCompensating));
  EXPECT_FALSE(IsTerminal(InstanceStatus::kWaitingSignal));
}

TEST_P(StoreBehaviourTest, DefinitionRoundTripAndPutOfKnownHashIsNoOp) {
  DefinitionRecord def{"h1", "refund", 3, "name: refund\nversion: 3\n", 0};
  ASSERT_TRUE(store_->PutDefinition(def).ok());
  DefinitionRecord changed = def;
  changed.source = "something else";
  ASSERT_TRUE(store_->PutDefinition(changed).ok());

  Result<std::optional<DefinitionRecord>> got = store_->GetDefinition("h1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->name, "refund");
  EXPECT_EQ((*got)->version, 3);
  EXPECT_EQ((*got)->source, def.source);
  EXPECT_EQ((*got)->created_at, clock_.NowMs());  // 0 = now

  Result<std::optional<DefinitionRecord>> missing = store_->GetDefinition("nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(StoreBehaviourTest, InstanceRoundTripKeepsEveryField) {
  StartRequest req = MakeStart("i1");
  InstanceRecord& r = req.instance;
  r.input = Value::Map{{"amount", Value::Map{{"minor", 12345}, {"currency", "EUR"}}},
                       {"lines", Value::List{1, 2.5, "x", nullptr, true}}};
  r.output = Value::Map{{"done", false}};
  r.status = InstanceStatus::kWaitingApproval;
  r.error_code = "e";
  r.error_message = "m";
  r.idempotency_key = "key-1";
  r.created_at = 1000;
  r.updated_at = 1001;
  r.deadline_at = 99999;
  r.links = {InstanceLink{"wf-return", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
             InstanceLink{"wf-other", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}};
  StartResult started = Start(req);
  EXPECT_EQ(started.outcome, StartOutcome::kCreated);
  EXPECT_EQ(started.instance.version, 1);

  InstanceRecord got = Get("i1");
  EXPECT_EQ(got.id, "i1");
  EXPECT_EQ(got.workflow_name, "refund");
  EXPECT_EQ(got.workflow_version, 2);
  EXPECT_EQ(got.definition_hash, "abc123");
  EXPECT_EQ(got.status, InstanceStatus::kWaitingApproval);
  EXPECT_EQ(got.current_step, "eligibility");
  EXPECT_EQ(got.input, r.input);
  EXPECT_EQ(got.output, r.output);
  EXPECT_EQ(got.error_code, "e");
  EXPECT_EQ(got.error_message, "m");
  EXPECT_EQ(got.state, std::string("state\0blob", 10));
  EXPECT_EQ(got.idempotency_key, "key-1");
  EXPECT_EQ(got.requested_by, "alice");
  EXPECT_EQ(got.started_by, "ops-bot");
  EXPECT_EQ(got.traceparent, r.traceparent);
  EXPECT_EQ(got.version, 1);
  EXPECT_EQ(got.created_at, 1000);
  EXPECT_EQ(got.updated_at, 1001);
  EXPECT_EQ(got.deadline_at, 99999);
  EXPECT_EQ(got.links, r.links);

  Result<std::optional<InstanceRecord>> missing = store_->GetInstance("nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(StoreBehaviourTest, StartWritesEventsAndTasks) {
  const TimeMs now = clock_.NowMs();
  StartRequest req = MakeStart("i1", {MakeTask("a", now, "w1", now + 30000), MakeTask("b", now + 5000)});
  req.events.push_back(MakeEvent("step_scheduled", "a", 7));
  StartResult started = Start(req);
  EXPECT_EQ(started.instance.created_at, now);
  EXPECT_EQ(started.instance.updated_at, now);

  ASSERT_EQ(started.created_tasks.size(), 2u);
  EXPECT_GT(started.created_tasks[0].id, 0);
  EXPECT_EQ(started.created_tasks[0].instance_id, "i1");
  EXPECT_EQ(started.created_tasks[0].lease_owner, "w1");
  EXPECT_EQ(started.created_tasks[0].lease_token, 1);  // pre-claimed
  EXPECT_EQ(started.created_tasks[0].lease_until, now + 30000);
  EXPECT_EQ(started.created_tasks[1].lease_token, 0);  // free
  EXPECT_EQ(started.created_tasks[1].lease_until, 0);

  std::vector<TaskRecord> tasks = Tasks("i1");
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].id, started.created_tasks[0].id);
  EXPECT_EQ(tasks[0].step_id, "a");
  EXPECT_EQ(tasks[0].kind, TaskKind::kRunStep);
  EXPECT_EQ(tasks[0].lease_token, 1);
  EXPECT_EQ(tasks[1].due_at, now + 5000);
  EXPECT_EQ(tasks[1].step_started_at, now + 5000);

  std::vector<HistoryEvent> history = History("i1");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].seq, 1);
  EXPECT_EQ(history[0].instance_id, "i1");
  EXPECT_EQ(history[0].type, "workflow_started");
  EXPECT_EQ(history[0].at, now);
  EXPECT_EQ(history[0].data, Value(Value::Map{{"by", "alice"}}));
  EXPECT_EQ(history[1].seq, 2);
  EXPECT_EQ(history[1].step_id, "a");
  EXPECT_EQ(history[1].data, Value(7));
}

TEST_P(StoreBehaviourTest, StartSameIdSameInputReturnsExistingAndWritesNothing) {
  Start(MakeStart("i1", {MakeTask("a", 0)}));
  StartRequest again = MakeStart("i1", {MakeTask("a", 0)});
  again.instance.current_step = "other";  // only id, workflow and input matter
  StartResult r = Start(again);
  EXPECT_EQ(r.outcome, StartOutcome::kExisting);
  EXPECT_EQ(r.instance.id, "i1");
  EXPECT_EQ(r.instance.current_step, "eligibility");
  EXPECT_TRUE(r.created_tasks.empty());
  EXPECT_EQ(History("i1").size(), 1u);
  EXPECT_EQ(Tasks("i1").size(), 1u);
  EXPECT_EQ(Get("i1").version, 1);
}

TEST_P(StoreBehaviourTest, StartSameIdDifferentInputConflictsNamingTheId) {
  Start(MakeStart("i1"));
  StartRequest other = MakeStart("i1");
  other.instance.input = Value::Map{{"order", 2}};
  Result<StartResult> r = store_->StartInstance(other);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_THAT(r.status().message(), HasSubstr("instance id i1"));
  EXPECT_THAT(r.status().message(), HasSubstr("input"));
  EXPECT_EQ(Get("i1").input, Value(Value::Map{{"order", 1}}));
}

TEST_P(StoreBehaviourTest, StartSameIdOtherWorkflowConflicts) {
  Start(MakeStart("i1"));
  StartRequest other = MakeStart("i1");
  other.instance.workflow_name = "return_refund";
  Result<StartResult> r = store_->StartInstance(other);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_THAT(r.status().message(), HasSubstr("workflow"));
}

TEST_P(StoreBehaviourTest, StartSameKeySameInputReturnsTheFirstInstance) {
  StartRequest first = MakeStart("i1");
  first.instance.idempotency_key = "k";
  Start(first);
  StartRequest second = MakeStart("i2");
  second.instance.idempotency_key = "k";
  StartResult r = Start(second);
  EXPECT_EQ(r.outcome, StartOutcome::kExisting);
  EXPECT_EQ(r.instance.id, "i1");
  Result<std::optional<InstanceRecord>> i2 = store_->GetInstance("i2");
  ASSERT_TRUE(i2.ok());
  EXPECT_FALSE(i2->has_value());
}

TEST_P(StoreBehaviourTest, StartSameKeyDifferentInputConflictsNamingTheKey) {
  StartRequest first = MakeStart("i1");
  first.instance.idempotency_key = "k";
  Start(first);
  StartRequest second = MakeStart("i2");
  second.instance.idempotency_key = "k";
  second.instance.input = Value::Map{{"order", 9}};
  Result<StartResult> r = store_->StartInstance(second);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_THAT(r.status().message(), HasSubstr("idempotency key k"));
  EXPECT_THAT(r.status().message(), HasSubstr("i1"));
}

TEST_P(StoreBehaviourTest, EmptyIdempotencyKeysDoNotCollide) {
  Start(MakeStart("i1"));
  StartRequest other = MakeStart("i2");
  other.instance.input = 5;
  EXPECT_EQ(Start(other).outcome, StartOutcome::kCreated);
}

TEST_P(StoreBehaviourTest, StartWithoutIdIsInvalid) {
  Result<StartResult> r = store_->StartInstance(MakeStart(""));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreBehaviourTest, ApplyWritesRowEventsAndTasksTogether) {
  const TimeMs t0 = clock_.NowMs();
  StartResult s = Start(MakeStart("i1", {MakeTask("a", t0, "w1", t0 + 1000), MakeTask("timer", t0 + 99)}));
  clock_.Advance(50);

  Commit c;
  c.instance_id = "i1";
  c.expect_version = 1;
  c.task_id = s.created_tasks[0].id;
  c.lease_token = 1;
  InstanceRecord row = s.instance;
  row.status = InstanceStatus::kCompleted;
  row.current_step = "";
  row.output = Value::Map{{"refund", 100}};
  row.state = "new state";
  row.updated_at = 0;  // 0 = store clock
  row.input = "ignored: input is fixed at start";
  c.instance = row;
  c.events = {MakeEvent("attempt_completed", "a"), MakeEvent("workflow_completed")};
  c.new_tasks = {MakeTask("b", t0 + 10, "w1", t0 + 2000)};
  Result<CommitResult> r = store_->Apply(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->instance_version, 2);
  ASSERT_EQ(r->created_tasks.size(), 1u);
  // Pre-claimed: claimed once. (SQLite writes it into the finished task's
  // row, with tokens above that task's: task_row_reuse_test.cc.)
  EXPECT_EQ(LeaseClaims(r->created_tasks[0].lease_token), 1);

  InstanceRecord got = Get("i1");
  EXPECT_EQ(got.version, 2);
  EXPECT_EQ(got.status, InstanceStatus::kCompleted);
  EXPECT_EQ(got.output, Value(Value::Map{{"refund", 100}}));
  EXPECT_EQ(got.state, "new state");
  EXPECT_EQ(got.input, Value(Value::Map{{"order", 1}}));
  EXPECT_EQ(got.updated_at, t0 + 50);
  EXPECT_EQ(got.created_at, t0);

  std::vector<HistoryEvent> h = History("i1");
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[1].seq, 2);
  EXPECT_EQ(h[1].type, "attempt_completed");
  EXPECT_EQ(h[2].seq, 3);
  EXPECT_EQ(h[2].at, t0 + 50);

  std::vector<TaskRecord> tasks = Tasks("i1");
  ASSERT_EQ(tasks.size(), 2u);  // the claimed task is gone; the timer and the new one remain
  std::set<std::string> steps{tasks[0].step_id, tasks[1].step_id};
  EXPECT_EQ(steps, (std::set<std::string>{"b", "timer"}));
}

// A checkpoint that keeps the status writes the row without the status
// column (instances_status is then left alone: one page less); one that
// changes it moves the instance in the status index.
TEST_P(StoreBehaviourTest, TheStatusIndexFollowsEveryStatusAndOnlyIt) {
  StartResult s = Start(MakeStart("i1"));
  auto listed = [this](InstanceStatus status) {
    ListFilter f;
    f.statuses = {status};
    Result<std::vector<InstanceRecord>> r = store_->ListInstances(f);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->size() : 0u;
  };
  InstanceRecord row = s.instance;
  Commit same;
  same.instance_id = "i1";
  row.current_step = "b";
  row.state = "state b";
  same.instance = row;
  ASSERT_TRUE(store_->Apply(same).ok());
  Result<std::optional<InstanceRecord>> got = store_->GetInstance("i1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->current_step, "b");
  EXPECT_EQ((*got)->state, "state b");
  EXPECT_EQ((*got)->version, 2);
  EXPECT_EQ(listed(row.status), 1u);

  Commit done = same;
  row.status = InstanceStatus::kCompleted;
  done.instance = row;
  ASSERT_TRUE(store_->Apply(done).ok());
  EXPECT_EQ(listed(s.instance.status), 0u);
  EXPECT_EQ(listed(InstanceStatus::kCompleted), 1u);
  Result<std::vector<std::pair<InstanceStatus, int64_t>>> counts = store_->CountByStatus();
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ((*counts)[0].first, InstanceStatus::kCompleted);
}

TEST_P(StoreBehaviourTest, AStopAtOnceConflictsWithAClaimedAttempt) {
  const TimeMs now = clock_.NowMs();
  StartResult s = Start(MakeStart("i1", {MakeTask("a", now)}));  // free: never claimed
  Commit stop;
  stop.instance_id = "i1";
  stop.require_no_claimed_attempt = true;
  stop.delete_other_tasks = true;
  stop.events = {MakeEvent("workflow_cancelled")};
  Commit again = stop;
  ASSERT_TRUE(store_->Apply(stop).ok());  // nothing claimed: the stop may drop the task
  EXPECT_TRUE(Tasks("i1").empty());

  // Once a worker claimed the attempt (it may be running), the same stop is
  // refused and writes nothing, whether or not the lease is still live.
  Start(MakeStart("i2", {MakeTask("a", now)}));
  ASSERT_EQ(store_->ClaimDueTasks("w1", now, now + 1, 10).value().size(), 1u);
  again.instance_id = "i2";
  Result<CommitResult> r = store_->Apply(again);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_THAT(r.status().message(), HasSubstr("attempt in flight"));
  EXPECT_EQ(Tasks("i2").size(), 1u);
  EXPECT_EQ(History("i2").size(), 1u);
  (void)s;
}

TEST_P(StoreBehaviourTest, ReturnedUnstartedTaskLooksAsIfNeverClaimed) {
  const TimeMs now = clock_.NowMs();
  StartResult s = Start(MakeStart("i1", {MakeTask("a", now, "w1", now + 1000)}));  // pre-claimed: token 1
  const TaskRecord task = s.created_tasks[0];
  TaskRecord other = task;
  other.lease_token = 7;
  EXPECT_EQ(store_->ReturnUnstartedTask(other).code(), StatusCode::kLeaseLost);  // not this claim
  ASSERT_TRUE(store_->ReturnUnstartedTask(task).ok());
  std::vector<TaskRecord> tasks = Tasks("i1");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].lease_owner, "");
  EXPECT_EQ(tasks[0].lease_token, 0);
  // Claimable again at once, and its first claim is token 1 again.
  std::vector<TaskRecord> claimed = store_->ClaimDueTasks("w2", now, now + 1000, 5).value();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].lease_token, 1);
  // The same token again, but w2's claim: the earlier holder cannot hand it back.
  EXPECT_EQ(store_->ReturnUnstartedTask(task).code(), StatusCode::kLeaseLost);
}

TEST_P(StoreBehaviourTest, DeleteStepTasksKeepsTheDeadline) {
  const TimeMs now = clock_.NowMs();
  NewTask deadline = MakeTask("", now + 60000);
  deadline.kind = TaskKind::kDeadline;
  NewTask timeout = MakeTask("wait", now + 1000);
  timeout.kind = TaskKind::kWaitTimeout;
  Start(MakeStart("i1", {MakeTask("a", now + 500), deadline, timeout}));
  Commit pause;
  pause.instance_id = "i1";
  pause.delete_step_tasks = true;
  ASSERT_TRUE(store_->Apply(pause).ok());
  std::vector<TaskRecord> left = Tasks("i1");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].kind, TaskKind::kDeadline);
}

TEST_P(StoreBehaviourTest, ApplyKeepsTheCallersUpdatedAt) {
  StartResult s = Start(MakeStart("i1"));
  Commit c;
  c.instance_id = "i1";
  c.instance = s.instance;
  c.instance->updated_at = 424242;
  ASSERT_TRUE(store_->Apply(c).ok());
  EXPECT_EQ(Get("i1").updated_at, 424242);
}

TEST_P(StoreBehaviourTest, ApplyToUnknownInstanceIsNotFound) {
  Commit c;
  c.instance_id = "ghost";
  c.events = {MakeEvent("x")};
  Result<CommitResult> r = store_->Apply(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("ghost"));
  EXPECT_TRUE(History("ghost").empty());
}

TEST_P(StoreBehaviourTest, VersionConflictNamesTheCurrentVersionAndWritesNothing) {
  const TimeMs now = clock_.NowMs();
  StartResult s = Start(MakeStart("i1", {MakeTask("a", now, "w1", now + 1000)}));
  Commit c;
  c.instance_id = "i1";
  c.expect_version = 7;
  c.task_id = s.created_tasks[0].id;
  c.lease_token = 1;
  c.instance = s.instance;
  c.instance->status = InstanceStatus::kFailed;
  c.events = {MakeEvent("x")};
  c.delete_other_tasks = true;
  c.new_tasks = {MakeTask("b", 0)};
  SignalRecord sig;
  sig.name = "approve";
  c.add_signal = sig;
  Result<CommitResult> r = store_->Apply(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_THAT(r.status().message(), HasSubstr("at version 1"));
  EXPECT_THAT(r.status().message(), HasSubstr("expected version 7"));

  InstanceRecord got = Get("i1");
  EXPECT_EQ(got.version, 1);
  EXPECT_EQ(got.status, InstanceStatus::kRunning);
  EXPECT_EQ(History("i1").size(), 1u);
  ASSERT_EQ(Tasks("i1").size(), 1u);
  EXPECT_EQ(Tasks("i1")[0].id, s.created_tasks[0].id);
  Result<std::vector<SignalRecord>> pending = store_->GetPendingSignals("i1", "approve");
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());
}

TEST_P(StoreBehaviourTest, StaleLeaseTokenIsLeaseLostAndWritesNothing) {
  const TimeMs now = clock_.NowMs();
  StartResult s = Start(MakeStart("i1", {MakeTask("a", now, "w1", now + 1000)}));
  for (int64_t token : {0, 2}) {
    Commit c;
    c.instance_id = "i1";
    c.expect_version = 1;
    c.task_id = s.created_tasks[0].id;
    c.lease_token = token;
    c.events = {MakeEvent("x")};
    c.new_tasks = {MakeTask("b", 0)};
    Result<CommitResult> r = store_->Apply(c);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kLeaseLost) << r.status().ToString();
  }
  Commit unknown_task;
  unknown_task.instance_id = "i1";
  unknown_task.task_id = 987654;
  unknown_task.lease_token = 1;
  EXPECT_EQ(store_->Apply(unknown_task).status().code(), StatusCode::kLeaseLost);

  EXPECT_EQ(Get("i1").version, 1);
  EXPECT_EQ(History("i1").size(), 1u);
  EXPECT_EQ(Tasks("i1").size(), 1u);
}

TEST_P(StoreBehaviourTest, TaskOfAnotherInstanceIsLeaseLost) {
  const TimeMs now = clock_.NowMs();
  StartResult a = Start(MakeStart("a", {MakeTask("x", now, "w1", now + 1000)}));
  Start(MakeStart("b"));
  Commit c;
  c.instance_id = "b";
  c.task_id = a.created_tasks[0].id;
  c.lease_token = 1;
  EXPECT_EQ(store_->Apply(c).status().code(), StatusCode::kLeaseLost);
  EXPECT_EQ(Tasks("a").size(), 1u);
}

TEST_P(StoreBehaviourTest, VersionMovesOnlyWithTheRowOrEvents) {
  StartResult s = Start(MakeStart("i1", {MakeTask("a", 0)}));
  Commit tasks_only;
  tasks_only.instance_id = "i1";
  tasks_only.delete_other_tasks = true;
  Result<CommitResult> r1 = store_->Apply(tasks_only);
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(r1->instance_version, 1);
  EXPECT_TRUE(Tasks("i1").empty());

  Commit events_only;
  events_only.instance_id = "i1";
  events_only.expect_version = 1;
  events_only.events = {MakeEvent("note")};
  Result<CommitResult> r2 = store_->Apply(events_only);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->instance_version, 2);
  EXPECT_EQ(Get("i1").version, 2);
  EXPECT_EQ(Get("i1").state, s.instance.state);  // row untouched
}

TEST_P(StoreBehaviourTest, HistorySeqIsContiguousAndPages) {
  Start(MakeStart("i1"));
  Start(MakeStart("i2"));
  for (int i = 0; i < 20; ++i) {
    Commit c;
    c.instance_id = i % 2 == 0 ? "i1" : "i2";
    c.events = {MakeEvent("e", "", i), MakeEvent("f", "", i)};
    ASSERT_TRUE(store_->Apply(c).ok());
  }
  std::vector<HistoryEvent> all = History("i1");
  ASSERT_EQ(all.size(), 21u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].seq, static_cast<int64_t>(i + 1));

  Result<std::vector<HistoryEvent>> page = store_->GetHistory("i1", 5, 3);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ((*page)[0].seq, 6);
  EXPECT_EQ((*page)[2].seq, 8);
  Result<std::vector<HistoryEvent>> tail = store_->GetHistory("i1", 20, 100);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), 1u);
  EXPECT_EQ((*tail)[0].seq, 21);
}

// A signal delivered to the step waiting for it is stored consumed: a
// later step waiting for the same name (a loop) must not take it again.
TEST_P(StoreBehaviourTest, ADeliveredSignalIsNotPending) {
  Start(MakeStart("i1"));
  SignalRecord s;
  s.name = "message";
  s.idempotency_key = "m-1";
  s.consumed = true;
  Commit add;
  add.instance_id = "i1";
  add.add_signal = s;
  ASSERT_TRUE(store_->Apply(add).ok());
  Result<std::vector<SignalRecord>> pending = store_->GetPendingSignals("i1", "message");
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());
  Result<std::optional<SignalRecord>> kept = store_->FindSignalByKey("i1", "m-1");
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_TRUE((*kept)->consumed);
}

TEST_P(StoreBehaviourTest, SignalsBufferAndConsume) {
  Start(MakeStart("i1"));
  SignalRecord s;
  s.name = "approve";
  s.payload = Value::Map{{"decision", "approve"}};
  s.idempotency_key = "sig-1";
  s.principal = "bob";
  Commit add;
  add.instance_id = "i1";
  add.add_signal = s;
  Result<CommitResult> added = store_->Apply(add);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_GT(added->signal_id, 0);

  Result<std::vector<SignalRecord>> pending = store_->GetPendingSignals("i1", "approve");
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  const SignalRecord& got = (*pending)[0];
  EXPECT_EQ(got.id, added->signal_id);
  EXPECT_EQ(got.instance_id, "i1");
  EXPECT_EQ(got.payload, s.payload);
  EXPECT_EQ(got.principal, "bob");
  EXPECT_EQ(got.received_at, clock_.NowMs());
  EXPECT_FALSE(got.consumed);
  Result<std::vector<SignalRecord>> other_name = store_->GetPendingSignals("i1", "reject");
  ASSERT_TRUE(other_name.ok());
  EXPECT_TRUE(other_name->empty());

  Commit consume;
  consume.instance_id = "i1";
  consume.consume_signal_id = added->signal_id;
  consume.events = {MakeEvent("signal_received")};
  ASSERT_TRUE(store_->Apply(consume).ok());
  pending = store_->GetPendingSignals("i1", "approve");
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());

  Result<std::optional<SignalRecord>> by_key = store_->FindSignalByKey("i1", "sig-1");
  ASSERT_TRUE(by_key.ok());
  ASSERT_TRUE(by_key->has_value());
  EXPECT_TRUE((*by_key)->consumed);

  // Consuming it again, or a signal of another instance, fails.
  Result<CommitResult> again = store_->Apply(consume);
  EXPECT_EQ(again.status().code(), StatusCode::kConflict);
  EXPECT_EQ(History("i1").size(), 2u);
}

TEST_P(StoreBehaviourTest, DuplicateSignalKeyIsAlreadyExistsAndWritesNothing) {
  Start(MakeStart("i1"));
  Start(MakeStart("i2"));
  SignalRecord s;
  s.name = "approve";
  s.idempotency_key = "k";
  Commit first;
  first.instance_id = "i1";
  first.add_signal = s;
  ASSERT_TRUE(store_->Apply(first).ok());

  Commit dup = first;
  dup.events = {MakeEvent("signal_received")};
  dup.new_tasks = {MakeTask("a", 0)};
  Result<CommitResult> r = store_->Apply(dup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(r.status().message(), HasSubstr("k"));
  EXPECT_EQ(History("i1").size(), 1u);
  EXPECT_TRUE(Tasks("i1").empty());
  EXPECT_EQ(Get("i1").version, 1);

  // The same key on another instance, and empty keys, are independent.
  Commit other = first;
  other.instance_id = "i2";
  EXPECT_TRUE(store_->Apply(other).ok());
  SignalRecord unkeyed;
  unkeyed.name = "approve";
  Commit u1;
  u1.instance_id = "i1";
  u1.add_signal = unkeyed;
  EXPECT_TRUE(store_->Apply(u1).ok());
  EXPECT_TRUE(store_->Apply(u1).ok());
  Result<std::vector<SignalRecord>> pending = store_->GetPendingSignals("i1", "approve");
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->size(), 3u);
  Result<std::optional<SignalRecord>> empty_key = store_->FindSignalByKey("i1", "");
  ASSERT_TRUE(empty_key.ok());
  EXPECT_FALSE(empty_key->has_value());
}

TEST_P(StoreBehaviourTest, ClaimTakesDueTasksOldestFirstUpToLimit) {
  const TimeMs now = clock_.NowMs();
  Start(MakeStart("i1", {MakeTask("late", now - 10), MakeTask("future", now + 1000), MakeTask("early", now - 50)}));
  Start(MakeStart("i2", {MakeTask("mid", now - 20)}));

  std::vector<TaskRecord> first = Claim(now, now + 5000, 2);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].step_id, "early");
  EXPECT_EQ(first[1].step_id, "mid");
  for (const TaskRecord& t : first) {
    EXPECT_EQ(t.lease_owner, "w1");
    EXPECT_EQ(t.lease_until, now + 5000);
    EXPECT_EQ(t.lease_token, 1);
  }
  std::vector<TaskRecord> second = Claim(now, now + 5000, 10, "w2");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].step_id, "late");
  EXPECT_EQ(second[0].lease_owner, "w2");
  EXPECT_TRUE(Claim(now, now + 500, 10).empty());  // "future" is not due
  std::vector<TaskRecord> later = Claim(now + 1000, now + 1500, 10);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].step_id, "future");
}

TEST_P(StoreBehaviourTest, ExpiredLeasesAreReclaimedWithANewToken) {
  const TimeMs now = clock_.NowMs();
  StartResult s = Start(MakeStart("i1", {MakeTask("a", now)}));
  std::vector<TaskRecord> first = Claim(now, now + 100, 1, "w1");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(Claim(now + 99, now + 200, 1, "w2").empty());  // still leased

  // The holder may renew while it holds the lease...
  EXPECT_TRUE(store_->RenewLease(first[0].id, first[0].lease_token, now + 150).ok());
  EXPECT_TRUE(Claim(now + 120, now + 200, 1, "w2").empty());

  // ...and after it lapses another worker takes the task over.
  std::vector<TaskRecord> second = Claim(now + 150, now + 400, 1, "w2");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].id, first[0].id);
  EXPECT_EQ(second[0].lease_token, first[0].lease_token + 1);
  EXPECT_EQ(second[0].lease_owner, "w2");

  // The first worker is fenced off: it can neither renew nor commit.
  Status renew = store_->RenewLease(first[0].id, first[0].lease_token, now + 1000);
  EXPECT_EQ(renew.code(), StatusCode::kLeaseLost);
  Commit stale;
  stale.instance_id = "i1";
  stale.task_id = first[0].id;
  stale.lease_token = first[0].lease_token;
  stale.events = {MakeEvent("x")};
  EXPECT_EQ(store_->Apply(stale).status().code(), StatusCode::kLeaseLost);

  Commit current = stale;
  current.lease_token = second[0].lease_token;
  EXPECT_TRUE(store_->Apply(current).ok());
  EXPECT_TRUE(Tasks("i1").empty());
  // The task is gone now that its commit deleted it.
  EXPECT_EQ(store_->RenewLease(first[0].id, second[0].lease_token, now + 1000).code(), StatusCode::kLeaseLost);
}

TEST_P(StoreBehaviourTest, ClaimArgumentsAreChecked) {
  const TimeMs now = clock_.NowMs();
  Start(MakeStart("i1", {MakeTask("a", now)}));
  Result<std::vector<TaskRecord>> expired = store_->ClaimDueTasks("w1", now, now, 5);
  EXPECT_EQ(expired.status().code(), StatusCode::kInvalidArgument);
  Result<std::vector<TaskRecord>> none = store_->ClaimDueTasks("w1", now, now + 10, 0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(Tasks("i1")[0].lease_token, 0);
}

TEST_P(StoreBehaviourTest, ReleaseLeasesFreesAPreviousRunsTasksAndFencesIt) {
  const TimeMs now = clock_.NowMs();
  StartResult s = Start(MakeStart("i1", {MakeTask("a", now, "node1/old", now + 100000),
                                         MakeTask("b", now, "node1/new", now + 100000),
                                         MakeTask("c", now, "node2/x", now + 100000), MakeTask("d", now)}));
  Result<int64_t> released = store_->ReleaseLeases("node1/", "node1/new");
  ASSERT_TRUE(released.ok()) << released.status().ToString();
  EXPECT_EQ(*released, 1);
  std::vector<TaskRecord> claimed = Claim(now, now + 10, 10, "node1/new");
  ASSERT_EQ(claimed.size(), 2u);
  std::set<std::string> steps{claimed[0].step_id, claimed[1].step_id};
  EXPECT_EQ(steps, (std::set<std::string>{"a", "d"}));
  Commit stale;
  stale.instance_id = "i1";
  stale.task_id = s.created_tasks[0].id;
  stale.lease_token = 1;
  EXPECT_EQ(store_->Apply(stale).status().code(), StatusCode::kLeaseLost);
}

TEST_P(StoreBehaviourTest, NextDueAtSkipsLiveLeases) {
  const TimeMs now = clock_.NowMs();
  Result<std::optional<TimeMs>> none = store_->NextDueAt(now);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  Start(MakeStart("i1", {MakeTask("a", now - 100, "w1", now + 500), MakeTask("b", now + 300)}));
  Result<std::optional<TimeMs>> next = store_->NextDueAt(now);
  ASSERT_TRUE(next.ok());
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ(**next, now + 300);  // "a" is leased until now+500

  next = store_->NextDueAt(now + 500);  // the lease has lapsed
  ASSERT_TRUE(next.ok());
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ(**next, now - 100);
}

TEST_P(StoreBehaviourTest, ListFiltersAndOrdersByCreation) {
  const TimeMs t0 = clock_.NowMs();
  for (int i = 0; i < 6; ++i) {
    StartRequest r = MakeStart("i" + std::to_string(i));
    r.instance.created_at = t0 - i;  // reverse creation order
    r.instance.workflow_name = i % 2 == 0 ? "refund" : "cancel";
    r.instance.status = i < 3 ? InstanceStatus::kRunning : InstanceStatus::kCompleted;
    Start(r);
  }
  ListFilter all;
  Result<std::vector<InstanceRecord>> list = store_->ListInstances(all);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 6u);
  EXPECT_EQ((*list)[0].id, "i5");
  EXPECT_EQ((*list)[5].id, "i0");

  ListFilter filtered;
  filtered.statuses = {InstanceStatus::kRunning};
  filtered.workflow_name = "refund";
  list = store_->ListInstances(filtered);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, "i2");
  EXPECT_EQ((*list)[1].id, "i0");

  ListFilter by_workflow;
  by_workflow.workflow_name = "cancel";
  by_workflow.limit = 2;
  list = store_->ListInstances(by_workflow);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, "i5");
  EXPECT_EQ((*list)[1].id, "i3");
}

TEST_P(StoreBehaviourTest, PaginationIsStableUnderInserts) {
  // Same created_at for all: the id breaks ties.
  std::vector<std::string> original;
  for (int i = 0; i < 25; ++i) {
    std::string id = fmt::format("id{:03}", i * 2);
    original.push_back(id);
    StartRequest r = MakeStart(id);
    r.instance.created_at = 5000 + i / 5;
    Start(r);
  }
  std::vector<std::string> seen;
  ListFilter f;
  f.limit = 4;
  int inserted = 0;
  while (true) {
    Result<std::vector<InstanceRecord>> page = store_->ListInstances(f);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    if (page->empty()) break;
    for (const InstanceRecord& r : *page) seen.push_back(r.id);
    f.after_id = page->back().id;
    // Inserts behind and ahead of the cursor between the first pages.
    if (inserted == 5) continue;
    StartRequest behind = MakeStart(fmt::format("id{:03}", inserted * 2 + 1));
    behind.instance.created_at = 5000;
    Start(behind);
    StartRequest later = MakeStart(fmt::format("new{:03}", inserted));
    later.instance.created_at = 9000 + inserted;
    Start(later);
    ++inserted;
  }
  // Every original instance exactly once, in order; no duplicates at all.
  std::vector<std::string> originals_seen;
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size());
  for (const std::string& id : seen) {
    if (std::find(original.begin(), original.end(), id) != original.end()) originals_seen.push_back(id);
  }
  EXPECT_EQ(originals_seen, original);
}

TEST_P(StoreBehaviourTest, SearchKeysAreStoredAndFindInstancesInListOrder) {
  const TimeMs t0 = clock_.NowMs();
  for (int i = 0; i < 8; ++i) {
    StartRequest r = MakeStart(fmt::format("k{}", i));
    r.instance.created_at = t0 + (7 - i);  // creation order is the reverse of the ids
    r.instance.search_keys = {SearchKey{"customer_id", i % 2 == 0 ? "c-even" : "c-odd"},
                              SearchKey{"reservation_id", fmt::format("R-{}", i)}};
    r.instance.status = i < 4 ? InstanceStatus::kPaused : InstanceStatus::kCompleted;
    Start(r);
  }
  InstanceRecord k3 = Get("k3");
  std::vector<SearchKey> want{{"customer_id", "c-odd"}, {"reservation_id", "R-3"}};
  EXPECT_EQ(k3.search_keys, want);

  ListFilter one;
  one.keys = {SearchKey{"reservation_id", "R-3"}};
  Result<std::vector<InstanceRecord>> list = store_->ListInstances(one);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, "k3");

  // A key value with several instances: list order and cursor pages.
  ListFilter even;
  even.keys = {SearchKey{"customer_id", "c-even"}};
  even.limit = 3;
  list = store_->ListInstances(even);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].id, "k6");
  EXPECT_EQ((*list)[2].id, "k2");
  even.after_id = (*list)[2].id;
  list = store_->ListInstances(even);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, "k0");

  // Two keys and a status: all must hold.
  ListFilter both;
  both.keys = {SearchKey{"customer_id", "c-odd"}, SearchKey{"reservation_id", "R-5"}};
  list = store_->ListInstances(both);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, "k5");
  both.statuses = {InstanceStatus::kPaused};
  list = store_->ListInstances(both);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());

  ListFilter other_value;
  other_value.keys = {SearchKey{"customer_id", "c-none"}};
  Result<int64_t> none = store_->CountInstances(other_value);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  Result<int64_t> odd = store_->CountInstances(ListFilter{.keys = {SearchKey{"customer_id", "c-odd"}}});
  ASSERT_TRUE(odd.ok()) << odd.status().ToString();
  EXPECT_EQ(*odd, 4);
}

TEST_P(StoreBehaviourTest, EveryFilterCriterionNarrowsTheListAndTheCount) {
  const TimeMs t0 = 1'000'000;
  for (int i = 0; i < 10; ++i) {
    StartRequest r = MakeStart(fmt::format("f{}", i));
    r.instance.created_at = t0 + i * 1000;
    r.instance.updated_at = t0 + i * 1000 + 500;
    r.instance.workflow_version = i < 5 ? 1 : 2;
    r.instance.status = i % 3 == 0 ? InstanceStatus::kPaused : i % 3 == 1 ? InstanceStatus::kFailed
                                                                         : InstanceStatus::kRunning;
    r.instance.current_step = i % 2 == 0 ? "psp" : "notify";
    r.instance.error_code = i % 3 == 1 ? "psp_unavailable" : "";
    r.instance.requested_by = i < 3 ? "alice" : "bob";
    Start(r);
  }
  auto ids = [&](const ListFilter& f) {
    Result<std::vector<InstanceRecord>> list = store_->ListInstances(f);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    std::vector<std::string> out;
    if (list.ok()) {
      for (const InstanceRecord& r : *list) out.push_back(r.id);
    }
    Result<int64_t> count = store_->CountInstances(f);
    EXPECT_TRUE(count.ok());
    EXPECT_EQ(count.ok() ? *count : -1, static_cast<int64_t>(out.size()));
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids(ListFilter{.statuses = {InstanceStatus::kPaused, InstanceStatus::kFailed}}),
            (V{"f0", "f1", "f3", "f4", "f6", "f7", "f9"}));
  EXPECT_EQ(ids(ListFilter{.workflow_name = "refund", .workflow_version = 2}), (V{"f5", "f6", "f7", "f8", "f9"}));
  EXPECT_EQ(ids(ListFilter{.current_step = "notify", .error_code = "psp_unavailable"}), (V{"f1", "f7"}));
  EXPECT_EQ(ids(ListFilter{.requested_by = "alice"}), (V{"f0", "f1", "f2"}));
  EXPECT_EQ(ids(ListFilter{.created_from = t0 + 2000, .created_before = t0 + 4000}), (V{"f2", "f3"}));
  EXPECT_EQ(ids(ListFilter{.updated_from = t0 + 8500}), (V{"f8", "f9"}));
  EXPECT_EQ(ids(ListFilter{.updated_before = t0 + 500}), V{});
  EXPECT_EQ(ids(ListFilter{.workflow_name = "other"}), V{});
}

TEST_P(StoreBehaviourTest, UnknownCursorIsInvalidArgument) {
  ListFilter f;
  f.after_id = "nope";
  Result<std::vector<InstanceRecord>> r = store_->ListInstances(f);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("nope"));
}

TEST_P(StoreBehaviourTest, CountByStatus) {
  for (int i = 0; i < 5; ++i) {
    StartRequest r = MakeStart("i" + std::to_string(i));
    r.instance.status = i < 3 ? InstanceStatus::kRunning : InstanceStatus::kPaused;
    Start(r);
  }
  Result<std::vector<std::pair<InstanceStatus, int64_t>>> counts = store_->CountByStatus();
  ASSERT_TRUE(counts.ok());
  std::vector<std::pair<InstanceStatus, int64_t>> want{{InstanceStatus::kRunning, 3}, {InstanceStatus::kPaused, 2}};
  EXPECT_EQ(*counts, want);
}

TEST_P(StoreBehaviourTest, EverythingSurvivesReopen) {
  const TimeMs now = clock_.NowMs();
  StartResult s = Start(MakeStart("i1", {MakeTask("a", now)}));
  Commit c;
  c.instance_id = "i1";
  c.instance = s.instance;
  c.instance->state = "after";
  c.events = {MakeEvent("e")};
  ASSERT_TRUE(store_->Apply(c).ok());
  ASSERT_TRUE(store_->PutDefinition({"h", "refund", 1, "src", 0}).ok());
  store_.reset();

  store_ = OpenBackend();
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(Get("i1").state, "after");
  EXPECT_EQ(Get("i1").version, 2);
  EXPECT_EQ(History("i1").size(), 2u);
  EXPECT_EQ(Tasks("i1").size(), 1u);
  Result<std::optional<DefinitionRecord>> def = store_->GetDefinition("h");
  ASSERT_TRUE(def.ok());
  EXPECT_TRUE(def->has_value());
  // Ids continue after a reopen and are never reused.
  Commit more;
  more.instance_id = "i1";
  more.delete_other_tasks = true;
  more.new_tasks = {MakeTask("b", 0)};
  Result<CommitResult> r = store_->Apply(more);
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->created_tasks[0].id, s.created_tasks[0].id);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreBehaviourTest, STEADFAST_STORE_BACKENDS);

}  // namespace
}  // namespace steadfast
