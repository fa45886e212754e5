// The next task written into the finished task's row: a commit that
// finishes its claimed task and pre-claims the instance's next one updates
// that row instead of deleting it and inserting another (fewer pages per
// checkpoint: docs/PERFORMANCE.md). What must not change is the fencing
// contract of store.h: a (task id, lease token) pair never repeats, so every
// earlier holder of the row gets kLeaseLost; LeaseClaims of a token still
// counts the claims of the task it fences (0: never claimed); a handed-back
// task never takes a token below its own first one. Real SQLite file.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store_test_util.h"

namespace steadfast {
namespace {

using testing_support::MakeEvent;
using testing_support::MakeStart;
using testing_support::MakeTask;

constexpr int64_t kGeneration = int64_t{1} << kLeaseClaimBits;

class TaskRowReuseTest : public testing_support::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    store_ = Open();
    ASSERT_NE(store_, nullptr);
    now_ = clock_.NowMs();
  }
  void TearDown() override {
    store_.reset();
    StoreTest::TearDown();
  }
  // Starts `id` with one task of step "a" pre-claimed by w1 (token 1).
  TaskRecord StartClaimed(const std::string& id) {
    Result<StartResult> r = store_->StartInstance(MakeStart(id, {MakeTask("a", now_, "w1", now_ + 1000)}));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->created_tasks.at(0) : TaskRecord{};
  }
  // The checkpoint of `done`: an event and the given next tasks.
  Commit Checkpoint(const TaskRecord& done, std::vector<NewTask> next) {
    Commit c;
    c.instance_id = done.instance_id;
    c.task_id = done.id;
    c.lease_token = done.lease_token;
    c.events = {MakeEvent("attempt_completed", done.step_id)};
    c.new_tasks = std::move(next);
    return c;
  }
  CommitResult MustApply(Commit c) {
    Result<CommitResult> r = store_->Apply(std::move(c));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : CommitResult{};
  }
  std::vector<TaskRecord> Tasks(const std::string& id) {
    Result<std::vector<TaskRecord>> r = store_->GetTasks(id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<TaskRecord>{};
  }
  // Everything a stale holder of `t` might try: each must be kLeaseLost.
  void ExpectFenced(const TaskRecord& t) {
    EXPECT_EQ(store_->RenewLease(t.id, t.lease_token, now_ + 5000).code(), StatusCode::kLeaseLost);
    EXPECT_EQ(store_->ReturnUnstartedTask(t).code(), StatusCode::kLeaseLost);
    Result<CommitResult> r = store_->Apply(Checkpoint(t, {MakeTask("stale", now_, "w1", now_ + 1000)}));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kLeaseLost);
  }

  std::unique_ptr<Store> store_;
  TimeMs now_ = 0;
};

TEST_F(TaskRowReuseTest, ThePreClaimedNextTaskTakesTheFinishedTasksRow) {
  const TaskRecord a = StartClaimed("i1");
  ASSERT_EQ(a.lease_token, 1);
  CommitResult r = MustApply(Checkpoint(a, {MakeTask("b", now_, "w1", now_ + 1000), MakeTask("timer", now_ + 60000)}));
  ASSERT_EQ(r.created_tasks.size(), 2u);
  // The first new task: a's id, its tokens above every token a's row had.
  EXPECT_EQ(r.created_tasks[0].id, a.id);
  EXPECT_EQ(r.created_tasks[0].step_id, "b");
  EXPECT_EQ(r.created_tasks[0].lease_token, kGeneration + 1);
  EXPECT_EQ(LeaseClaims(r.created_tasks[0].lease_token), 1);  // claimed once: by this commit
  // The others get rows of their own, as before.
  EXPECT_GT(r.created_tasks[1].id, a.id);
  EXPECT_EQ(r.created_tasks[1].lease_token, 0);

  std::vector<TaskRecord> tasks = Tasks("i1");
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].id, a.id);
  EXPECT_EQ(tasks[0].step_id, "b");
  EXPECT_EQ(tasks[0].lease_owner, "w1");
  EXPECT_EQ(tasks[0].lease_token, kGeneration + 1);
  EXPECT_EQ(tasks[0].due_at, now_);
  EXPECT_EQ(tasks[1].step_id, "timer");
}

TEST_F(TaskRowReuseTest, EveryEarlierHolderOfTheRowIsFenced) {
  const TaskRecord a = StartClaimed("i1");
  const TaskRecord b = MustApply(Checkpoint(a, {MakeTask("b", now_, "w1", now_ + 1000)})).created_tasks.at(0);
  ASSERT_EQ(b.id, a.id);
  // a's holder, e.g. a retry of a checkpoint that did commit, or its lease
  // renewal racing it: the row now fences b, not a.
  ExpectFenced(a);
  // A chain: b's row takes c, c's takes d; each generation fences all before.
  const TaskRecord c = MustApply(Checkpoint(b, {MakeTask("c", now_, "w1", now_ + 1000)})).created_tasks.at(0);
  EXPECT_EQ(c.id, a.id);
  EXPECT_EQ(c.lease_token, 2 * kGeneration + 1);
  ExpectFenced(a);
  ExpectFenced(b);
  // The lease expires and w2 claims c: c's holder w1 is fenced too.
  std::vector<TaskRecord> claimed = store_->ClaimDueTasks("w2", now_ + 2000, now_ + 9000, 5).value();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, a.id);
  EXPECT_EQ(claimed[0].lease_token, 2 * kGeneration + 2);
  EXPECT_EQ(LeaseClaims(claimed[0].lease_token), 2);  // the attempt may have started once already
  ExpectFenced(c);
  EXPECT_EQ(Tasks("i1").at(0).step_id, "c");  // none of the fenced writes changed it
}

TEST_F(TaskRowReuseTest, AHandedBackNextTaskNeverTakesAnEarlierHoldersToken) {
  const TaskRecord a = StartClaimed("i1");
  const TaskRecord b = MustApply(Checkpoint(a, {MakeTask("b", now_, "w1", now_ + 1000)})).created_tasks.at(0);
  // The engine stops before running b and hands it back: the claim's token
  // bump is undone down to b's first token, not to a's.
  ASSERT_TRUE(store_->ReturnUnstartedTask(b).ok());
  std::vector<TaskRecord> tasks = Tasks("i1");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].lease_owner, "");
  EXPECT_EQ(tasks[0].lease_token, kGeneration);
  EXPECT_EQ(LeaseClaims(tasks[0].lease_token), 0);  // never claimed: nothing of b can have run
  ExpectFenced(a);
  // Handed back once more with the free row's token: nothing to undo.
  TaskRecord free_row = tasks[0];
  free_row.lease_owner = "w1";
  EXPECT_EQ(store_->ReturnUnstartedTask(free_row).code(), StatusCode::kLeaseLost);
  // Its next claim hands out b's token again (as for any returned task),
  // never one a had.
  std::vector<TaskRecord> claimed = store_->ClaimDueTasks("w2", now_, now_ + 1000, 5).value();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].lease_token, kGeneration + 1);
  ExpectFenced(a);
}

TEST_F(TaskRowReuseTest, AStopAtOnceSeesAHandedBackNextTaskAsNeverClaimed) {
  const TaskRecord a = StartClaimed("i1");
  const TaskRecord b = MustApply(Checkpoint(a, {MakeTask("b", now_, "w1", now_ + 1000)})).created_tasks.at(0);
  Commit stop;
  stop.instance_id = "i1";
  stop.require_no_claimed_attempt = true;
  stop.delete_other_tasks = true;
  stop.events = {MakeEvent("workflow_cancelled")};
  // b is pre-claimed: its attempt may be running, the stop must wait.
  Result<CommitResult> refused = store_->Apply(stop);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict);
  // Handed back unstarted: the stop drops it at once, as for a fresh row.
  ASSERT_TRUE(store_->ReturnUnstartedTask(b).ok());
  ASSERT_TRUE(store_->Apply(stop).ok());
  EXPECT_TRUE(Tasks("i1").empty());
}

TEST_F(TaskRowReuseTest, AFreeNextTaskGetsARowOfItsOwn) {
  const TaskRecord a = StartClaimed("i1");
  // A retry due later, for whoever claims it: a new row, a's row deleted.
  CommitResult r = MustApply(Checkpoint(a, {MakeTask("a", now_ + 1000)}));
  ASSERT_EQ(r.created_tasks.size(), 1u);
  EXPECT_GT(r.created_tasks[0].id, a.id);
  EXPECT_EQ(r.created_tasks[0].lease_token, 0);
  std::vector<TaskRecord> tasks = Tasks("i1");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].id, r.created_tasks[0].id);
  ExpectFenced(a);
}

TEST_F(TaskRowReuseTest, ACheckpointWithoutNextTasksDeletesTheRow) {
  const TaskRecord a = StartClaimed("i1");
  CommitResult r = MustApply(Checkpoint(a, {}));
  EXPECT_TRUE(r.created_tasks.empty());
  EXPECT_TRUE(Tasks("i1").empty());
  ExpectFenced(a);
}

TEST_F(TaskRowReuseTest, DeletingTheOtherTasksKeepsTheReusedRow) {
  NewTask deadline = MakeTask("", now_ + 60000);
  deadline.kind = TaskKind::kDeadline;
  Result<StartResult> s =
      store_->StartInstance(MakeStart("i1", {MakeTask("a", now_, "w1", now_ + 1000), MakeTask("x", now_ + 5000),
                                             deadline}));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const TaskRecord a = s->created_tasks[0];
  Commit step = Checkpoint(a, {MakeTask("b", now_, "w1", now_ + 1000)});
  step.delete_step_tasks = true;  // drops x, keeps the deadline
  CommitResult r = MustApply(step);
  ASSERT_EQ(r.created_tasks.size(), 1u);
  EXPECT_EQ(r.created_tasks[0].id, a.id);
  std::vector<TaskRecord> tasks = Tasks("i1");
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].step_id, "b");
  EXPECT_EQ(tasks[1].kind, TaskKind::kDeadline);

  Commit all = Checkpoint(r.created_tasks[0], {MakeTask("c", now_, "w1", now_ + 1000)});
  all.delete_other_tasks = true;  // drops the deadline too
  r = MustApply(all);
  tasks = Tasks("i1");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].id, a.id);
  EXPECT_EQ(tasks[0].step_id, "c");
}

TEST_F(TaskRowReuseTest, AStopAtOnceInTheSameCommitDoesNotCountTheFinishedTask) {
  const TaskRecord a = StartClaimed("i1");
  // The finished task is a run step claimed once; the commit that finishes
  // it may still require that no *other* attempt was claimed.
  Commit c = Checkpoint(a, {MakeTask("b", now_, "w1", now_ + 1000)});
  c.require_no_claimed_attempt = true;
  CommitResult r = MustApply(c);
  ASSERT_EQ(r.created_tasks.size(), 1u);
  EXPECT_EQ(r.created_tasks[0].id, a.id);
}

// Claims go by (due_at, id). A reused row keeps its older id, so among
// tasks due in the same millisecond it may go before tasks written
// earlier than it. Accepted: the id only breaks ties within a millisecond
// (it never promised first-come order: priorities move tasks by whole
// steps), and a reused task is nearly always pre-claimed by its worker.
TEST_F(TaskRowReuseTest, AReusedRowIsClaimedByDueTimeThenItsOlderId) {
  const TaskRecord a = StartClaimed("i1");
  Result<StartResult> other = store_->StartInstance(MakeStart("i2", {MakeTask("o", now_ + 10)}));
  ASSERT_TRUE(other.ok());
  const int64_t other_id = other->created_tasks[0].id;
  ASSERT_GT(other_id, a.id);
  const TaskRecord b =
      MustApply(Checkpoint(a, {MakeTask("b", now_ + 10, "w1", now_ + 1000)})).created_tasks.at(0);
  ASSERT_TRUE(store_->ReturnUnstartedTask(b).ok());
  // Same due time: the older id first, although b was written after o.
  std::vector<TaskRecord> claimed = store_->ClaimDueTasks("w2", now_ + 10, now_ + 1000, 1).value();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, a.id);
  claimed = store_->ClaimDueTasks("w2", now_ + 10, now_ + 1000, 1).value();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, other_id);
}

TEST_F(TaskRowReuseTest, AReusedRowDueLaterIsClaimedLaterWhateverItsId) {
  const TaskRecord a = StartClaimed("i1");
  Result<StartResult> other = store_->StartInstance(MakeStart("i2", {MakeTask("o", now_ + 10)}));
  ASSERT_TRUE(other.ok());
  const TaskRecord b =
      MustApply(Checkpoint(a, {MakeTask("b", now_ + 20, "w1", now_ + 1000)})).created_tasks.at(0);
  ASSERT_EQ(b.id, a.id);
  ASSERT_TRUE(store_->ReturnUnstartedTask(b).ok());
  std::vector<TaskRecord> claimed = store_->ClaimDueTasks("w2", now_ + 20, now_ + 1000, 1).value();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, other->created_tasks[0].id);
  claimed = store_->ClaimDueTasks("w2", now_ + 20, now_ + 1000, 1).value();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, a.id);
}

}  // namespace
}  // namespace steadfast
