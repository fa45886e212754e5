// Group commit of checkpoints on PostgreSQL (store/postgres/pg_checkpoint_committer.h):
// checkpoints queued while a batch is in flight commit together in one
// pipeline; one whose precondition fails gets its own error and the others
// of its batch still commit; two of one instance in one batch apply in
// order; a batch the server refuses for another reason commits each alone.
//
// The batches are made deterministic with a gate: the committer has one
// lane, and a first checkpoint on a "gate" instance whose row the test has
// locked keeps that lane busy until the test lets it go, while the
// checkpoints under test queue behind it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "pg_test_env.h"
#include "store/encoded_writes.h"
#include "store/postgres/pg_checkpoint_committer.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/pg_task_listener.h"
#include "store_test_util.h"

namespace steadfast {
namespace {

using ::testing::HasSubstr;
using testing_support::MakeEvent;
using testing_support::MakeStart;
using testing_support::MakeTask;

constexpr TimeMs kNow = 1'000'000;
constexpr TimeMs kLeaseUntil = kNow + 60'000;

class PgGroupCommitTest : public pgtest::PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    PgStoreOptions options;
    options.url = url();
    Result<std::unique_ptr<Store>> opened = OpenPgStore(options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    PgConnectionOptions connection;
    connection.url = url();
    pool_ = std::make_unique<PgPool>(connection, 4);
    committer_ = std::make_unique<PgCheckpointCommitter>(
        pool_.get(), PgGroupCommitOptions{64, 1}, PgTaskChannel(schema()), [this](const EncodedCommit& e) { return store_->Apply(e.commit); },
        [this](const EncodedStart& e) { return store_->StartInstance(e.request); });
    gate_task_ = Start("gate");
  }
  void TearDown() override {
    // A test that failed with the gate closed must not leave its batch
    // waiting for ever (the committer's destructor waits for it).
    if (store_ != nullptr && admin().InTransaction()) (void)admin().Exec("ROLLBACK");
    if (gate_.valid()) gate_.wait();
    committer_.reset();
    pool_.reset();
    store_.reset();
    PgTest::TearDown();
  }

  // An instance with one pre-claimed task (token 1); returns its id.
  int64_t Start(const std::string& id) {
    Result<StartResult> started = store_->StartInstance(MakeStart(id, {MakeTask("s1", kNow, "w", kLeaseUntil)}));
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    return started.ok() ? started->created_tasks.at(0).id : 0;
  }

  // The checkpoint of step s1: its task taken with `token`, a next task
  // pre-claimed, two events, the row's current step moved on.
  Commit StepDone(const std::string& id, int64_t task, int64_t token, std::optional<int64_t> expect_version = {}) {
    Commit c;
    c.instance_id = id;
    c.task_id = task;
    c.lease_token = token;
    c.expect_version = expect_version;
    c.events = {MakeEvent("step_completed", "s1"), MakeEvent("step_scheduled", "s2")};
    c.new_tasks = {MakeTask("s2", kNow, "w", kLeaseUntil)};
    InstanceRecord row = testing_support::MakeInstance(id);
    row.current_step = "s2";
    c.instance = row;
    return c;
  }

  // Starts through the committer on a thread of its own.
  std::future<Result<StartResult>> StartAsync(StartRequest start) {
    return std::async(std::launch::async, [this, start = std::move(start)]() mutable -> Result<StartResult> {
      SF_ASSIGN_OR_RETURN(EncodedStart e, EncodeStart(std::move(start), kNow));
      return committer_->Start(e);
    });
  }

  // Commits c through the committer on a thread of its own.
  std::future<Result<CommitResult>> CommitAsync(Commit c) {
    return std::async(std::launch::async, [this, c = std::move(c)]() mutable -> Result<CommitResult> {
      SF_ASSIGN_OR_RETURN(EncodedCommit e, EncodeCommit(std::move(c), kNow));
      return committer_->Commit(e);
    });
  }

  // Locks the gate's row, sends a checkpoint of it (its batch then waits
  // for the lock), and waits until that batch is in flight.
  void CloseGate() {
    ASSERT_TRUE(admin().Exec(fmt::format("BEGIN; SELECT 1 FROM {}.instances WHERE id = 'gate' FOR UPDATE", schema())).ok());
    gate_ = CommitAsync(StepDone("gate", gate_task_, 1));
    if (gate_.wait_for(std::chrono::milliseconds(500)) == std::future_status::ready) {
      Result<CommitResult> r = gate_.get();
      ADD_FAILURE() << "gate not blocked: " << (r.ok() ? std::string("ok") : r.status().ToString());
    }
    WaitForBlockedByAdmin();
  }
  void OpenGate() {
    ASSERT_TRUE(admin().Exec("COMMIT").ok());
    Result<CommitResult> gate = gate_.get();
    EXPECT_TRUE(gate.ok()) << gate.status().ToString();
  }
  // Until a backend waits for the test's lock on the gate's row.
  void WaitForBlockedByAdmin() {
    WaitFor([this] {
      Result<PgResult> r = admin().Query("SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))",
                                         {PgParam::Int64(admin().backend_pid())});
      return r.ok() && *r->Int64(0, 0) > 0;
    });
  }
  void WaitForQueued(size_t n) {
    WaitFor([this, n] { return committer_->Queued() == n; });
  }
  static void WaitFor(const std::function<bool()>& done) {
    for (int i = 0; i < 2000 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_TRUE(done()) << "timed out";
  }

  std::vector<std::string> EventTypes(const std::string& id) {
    std::vector<std::string> types;
    Result<std::vector<HistoryEvent>> history = store_->GetHistory(id, 0, 100);
    EXPECT_TRUE(history.ok()) << history.status().ToString();
    if (!history.ok()) return types;
    int64_t seq = 0;
    for (const HistoryEvent& e : *history) {
      EXPECT_EQ(e.seq, ++seq) << id;  // no gap, no repeat
      types.push_back(e.type);
    }
    return types;
  }

  std::unique_ptr<Store> store_;
  std::unique_ptr<PgPool> pool_;
  std::unique_ptr<PgCheckpointCommitter> committer_;
  int64_t gate_task_ = 0;
  std::future<Result<CommitResult>> gate_;
};

TEST_F(PgGroupCommitTest, CheckpointsQueuedBehindABatchCommitTogether) {
  std::vector<int64_t> tasks;
  for (int i = 0; i < 8; ++i) tasks.push_back(Start(fmt::format("i{}", i)));
  ASSERT_NO_FATAL_FAILURE(CloseGate());
  std::vector<std::future<Result<CommitResult>>> commits;
  for (int i = 0; i < 8; ++i) commits.push_back(CommitAsync(StepDone(fmt::format("i{}", i), tasks[i], 1)));
  ASSERT_NO_FATAL_FAILURE(WaitForQueued(8));
  ASSERT_NO_FATAL_FAILURE(OpenGate());
  for (int i = 0; i < 8; ++i) {
    Result<CommitResult> r = commits[i].get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->instance_version, 2);
    ASSERT_EQ(r->created_tasks.size(), 1u);
    EXPECT_EQ(r->created_tasks[0].step_id, "s2");
    EXPECT_EQ(r->created_tasks[0].lease_token, 1);
    EXPECT_EQ(EventTypes(fmt::format("i{}", i)),
              (std::vector<std::string>{"workflow_started", "step_completed", "step_scheduled"}));
  }
  const PgGroupCommitCounters counters = committer_->Counters();
  EXPECT_EQ(counters.batches, 2);  // the gate's, then the eight together
  EXPECT_EQ(counters.largest_batch, 8);
  EXPECT_EQ(counters.requeued, 0);
}

TEST_F(PgGroupCommitTest, AFailedPreconditionFailsItsCheckpointAloneAndTheOthersCommit) {
  const int64_t a = Start("a");
  const int64_t b = Start("b");
  const int64_t c = Start("c");
  ASSERT_NO_FATAL_FAILURE(CloseGate());
  auto first = CommitAsync(StepDone("a", a, 1));
  auto stale = CommitAsync(StepDone("b", b, 7));  // a token this task was never given
  auto third = CommitAsync(StepDone("c", c, 1));
  ASSERT_NO_FATAL_FAILURE(WaitForQueued(3));
  ASSERT_NO_FATAL_FAILURE(OpenGate());

  Result<CommitResult> lost = stale.get();
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), StatusCode::kLeaseLost) << lost.status().ToString();
  EXPECT_EQ(lost.status().message(),
            fmt::format("task {} of instance b is gone or no longer held with lease token 7", b));
  EXPECT_TRUE(first.get().ok());
  EXPECT_TRUE(third.get().ok());
  // Nothing of b was written: its row, task and history are as started.
  Result<std::optional<int64_t>> version = store_->GetInstanceVersion("b");
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->value_or(0), 1);
  EXPECT_EQ(EventTypes("b"), std::vector<std::string>{"workflow_started"});
  Result<std::vector<TaskRecord>> b_tasks = store_->GetTasks("b");
  ASSERT_TRUE(b_tasks.ok());
  ASSERT_EQ(b_tasks->size(), 1u);
  EXPECT_EQ((*b_tasks)[0].id, b);
  EXPECT_EQ(committer_->Counters().requeued, 2);
}

TEST_F(PgGroupCommitTest, TwoCheckpointsOfOneInstanceInOneBatchApplyInOrder) {
  const int64_t task = Start("x");
  ASSERT_NO_FATAL_FAILURE(CloseGate());
  auto step = CommitAsync(StepDone("x", task, 1, /*expect_version=*/1));
  ASSERT_NO_FATAL_FAILURE(WaitForQueued(1));
  Commit note;  // an event appended after the step, at the version the step makes
  note.instance_id = "x";
  note.expect_version = 2;
  note.events = {MakeEvent("signal_received")};
  auto after = CommitAsync(std::move(note));
  ASSERT_NO_FATAL_FAILURE(WaitForQueued(2));
  ASSERT_NO_FATAL_FAILURE(OpenGate());

  Result<CommitResult> first = step.get();
  Result<CommitResult> second = after.get();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(first->instance_version, 2);
  EXPECT_EQ(second->instance_version, 3);
  EXPECT_EQ(EventTypes("x"), (std::vector<std::string>{"workflow_started", "step_completed", "step_scheduled",
                                                        "signal_received"}));
  EXPECT_EQ(committer_->Counters().largest_batch, 2);
}

TEST_F(PgGroupCommitTest, AVersionConflictIsTheCheckpointsOwnAnswer) {
  const int64_t task = Start("v");
  ASSERT_NO_FATAL_FAILURE(CloseGate());
  auto late = CommitAsync(StepDone("v", task, 1, /*expect_version=*/5));
  auto missing = CommitAsync(StepDone("nobody", 12345, 1));
  ASSERT_NO_FATAL_FAILURE(WaitForQueued(2));
  ASSERT_NO_FATAL_FAILURE(OpenGate());
  Result<CommitResult> conflict = late.get();
  EXPECT_EQ(conflict.status().code(), StatusCode::kConflict) << conflict.status().ToString();
  EXPECT_EQ(conflict.status().message(), "instance v is at version 1, expected version 5");
  Result<CommitResult> not_found = missing.get();
  EXPECT_EQ(not_found.status().code(), StatusCode::kNotFound) << not_found.status().ToString();
  EXPECT_EQ(not_found.status().message(), "instance nobody not found");
}

TEST_F(PgGroupCommitTest, ABatchTheServerCannotTakeCommitsEachCheckpointAlone) {
  const int64_t a = Start("a");
  const int64_t b = Start("b");
  ASSERT_NO_FATAL_FAILURE(CloseGate());
  auto good = CommitAsync(StepDone("a", a, 1));
  Commit bad = StepDone("b", b, 1);
  bad.events[0].type = std::string("step_\0completed", 15);  // text PostgreSQL cannot store
  auto refused = CommitAsync(std::move(bad));
  ASSERT_NO_FATAL_FAILURE(WaitForQueued(2));
  ASSERT_NO_FATAL_FAILURE(OpenGate());
  Result<CommitResult> r = refused.get();
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_THAT(r.status().message(), HasSubstr("NUL byte"));
  EXPECT_TRUE(good.get().ok());
  EXPECT_EQ(committer_->Counters().committed_alone, 2);
  EXPECT_EQ(EventTypes("b"), std::vector<std::string>{"workflow_started"});
}

TEST_F(PgGroupCommitTest, StartsCommitInTheBatchBesideCheckpoints) {
  const int64_t a = Start("a");
  ASSERT_NO_FATAL_FAILURE(CloseGate());
  auto step = CommitAsync(StepDone("a", a, 1));
  auto fresh = StartAsync(MakeStart("n1", {MakeTask("s1", kNow)}));
  auto other = StartAsync(MakeStart("n2", {MakeTask("s1", kNow, "w", kLeaseUntil)}));
  ASSERT_NO_FATAL_FAILURE(WaitForQueued(3));
  ASSERT_NO_FATAL_FAILURE(OpenGate());
  ASSERT_TRUE(step.get().ok());
  for (auto* f : {&fresh, &other}) {
    Result<StartResult> r = f->get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->outcome, StartOutcome::kCreated);
    EXPECT_EQ(r->instance.version, 1);
    ASSERT_EQ(r->created_tasks.size(), 1u);
    EXPECT_EQ(EventTypes(r->instance.id), std::vector<std::string>{"workflow_started"});
    Result<std::vector<TaskRecord>> tasks = store_->GetTasks(r->instance.id);
    ASSERT_TRUE(tasks.ok());
    ASSERT_EQ(tasks->size(), 1u);
    EXPECT_EQ((*tasks)[0].id, r->created_tasks[0].id);
  }
  EXPECT_EQ(committer_->Counters().largest_batch, 3);
}

TEST_F(PgGroupCommitTest, AStartWhoseIdIsTakenIsAnsweredAsAnInteractiveStart) {
  Start("a");
  ASSERT_NO_FATAL_FAILURE(CloseGate());
  auto again = StartAsync(MakeStart("a", {MakeTask("s1", kNow)}));  // same workflow and input: the existing one
  StartRequest clash = MakeStart("b", {MakeTask("s1", kNow)});
  auto b = StartAsync(clash);
  ASSERT_NO_FATAL_FAILURE(WaitForQueued(2));
  clash.instance.input = Value::Map{{"order", 2}};
  auto different = StartAsync(clash);  // b again with other input
  auto twice = StartAsync(MakeStart("c", {MakeTask("s1", kNow)}));
  auto twice_more = StartAsync(MakeStart("c", {MakeTask("s1", kNow)}));
  ASSERT_NO_FATAL_FAILURE(WaitForQueued(5));
  ASSERT_NO_FATAL_FAILURE(OpenGate());

  Result<StartResult> existing = again.get();
  ASSERT_TRUE(existing.ok()) << existing.status().ToString();
  EXPECT_EQ(existing->outcome, StartOutcome::kExisting);
  // Concurrent starts of one id with other input: one is created, the
  // other refused, whichever the server took first.
  Result<StartResult> b1 = b.get();
  Result<StartResult> b2 = different.get();
  ASSERT_NE(b1.ok(), b2.ok()) << b1.status().ToString() << " / " << b2.status().ToString();
  const Result<StartResult>& created = b1.ok() ? b1 : b2;
  const Result<StartResult>& refused = b1.ok() ? b2 : b1;
  EXPECT_EQ(created->outcome, StartOutcome::kCreated);
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict) << refused.status().ToString();
  EXPECT_THAT(refused.status().message(), HasSubstr("already exists with a different input"));
  // One of the two starts of c made it, the other found it.
  Result<StartResult> c1 = twice.get();
  Result<StartResult> c2 = twice_more.get();
  ASSERT_TRUE(c1.ok()) << c1.status().ToString();
  ASSERT_TRUE(c2.ok()) << c2.status().ToString();
  EXPECT_NE(c1->outcome, c2->outcome);
  for (const char* id : {"a", "b", "c"}) {
    EXPECT_EQ(EventTypes(id), std::vector<std::string>{"workflow_started"}) << id;
    Result<std::vector<TaskRecord>> tasks = store_->GetTasks(id);
    ASSERT_TRUE(tasks.ok());
    EXPECT_EQ(tasks->size(), 1u) << id;
  }
  EXPECT_GE(committer_->Counters().committed_alone, 3);
}

}  // namespace
}  // namespace steadfast
