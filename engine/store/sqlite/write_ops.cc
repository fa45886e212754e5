// SQL for commits, starts, claims, lease renewals and definitions.
//
// Hot path (WriteCommit): one indexed SELECT of (version, last_seq), then
// only writes; nothing written is read back. Task ids come from
// last_insert_rowid, event seqs from last_seq. A commit that finishes its
// claimed task and pre-claims the next one writes that next task into the
// finished task's row (an UPDATE: no table or tasks_instance page, no
// sqlite_sequence page), with lease tokens above the row's earlier ones
// (store.h, LeaseClaims).
#include "steadfast/value_codec.h"
#include "store/sqlite/write_ops.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "store/gcra_bucket.h"
#include "store/plugin_write.h"
#include "store/sqlite/plugin_transaction.h"
#include "store/sqlite/read_ops.h"
#include "store/sqlite/rows.h"

namespace steadfast {
namespace {

const std::string kSelectVersion = "SELECT version, last_seq, status FROM instances WHERE id = ?1";
const std::string kDeleteLeasedTask = "DELETE FROM tasks WHERE id = ?1 AND lease_token = ?2 AND instance_id = ?3";
const std::string kLeasedTaskHeld = "SELECT 1 FROM tasks WHERE id = ?1 AND lease_token = ?2 AND instance_id = ?3";
// The next task written into the row of the task the commit finished: every
// column but id and instance_id (which tasks_instance then need not change).
const std::string kReuseTask =
    "UPDATE tasks SET kind = ?2, step_id = ?3, attempt = ?4, due_at = ?5, lease_owner = ?6, lease_until = ?7, "
    "lease_token = ?8, step_started_at = ?9, activity = ?10, "
    "priority = coalesce((SELECT priority FROM instances WHERE id = ?11), 3) WHERE id = ?1";
const std::string kDeleteInstanceTasks = "DELETE FROM tasks WHERE instance_id = ?1";
const std::string kDeleteInstanceHistory = "DELETE FROM history WHERE instance_id = ?1";
const std::string kDeleteInstanceSignals = "DELETE FROM signals WHERE instance_id = ?1";
const std::string kDeleteSearchKey =
    "DELETE FROM instance_keys WHERE key_name = ?1 AND key_value = ?2 AND key_created_at = ?3 AND instance_id = ?4";
const std::string kDeleteInstance = "DELETE FROM instances WHERE id = ?1";
const std::string kDeleteInstanceInput = "DELETE FROM instance_inputs WHERE instance_id = ?1";
const std::string kPutInstanceInput = "INSERT OR REPLACE INTO instance_inputs(instance_id, input) VALUES (?1, ?2)";
// An encoded input larger than this lives in instance_inputs, so that the
// checkpoints rewriting the instance row do not rewrite it (migration_v12.cc).
// Half a page: smaller ones keep a row of a typical instance within its page.
constexpr size_t kInlineInputBytes = 2048;
// ?2: the row kept for the next task (0 if none), which these leave alone.
const std::string kDeleteOtherTasks = "DELETE FROM tasks WHERE instance_id = ?1 AND id <> ?2";
const std::string kDeleteStepTasks = fmt::format(
    "DELETE FROM tasks WHERE instance_id = ?1 AND kind <> {} AND id <> ?2", static_cast<int>(TaskKind::kDeadline));
// The low kLeaseClaimBits bits of a token count the task's claims (store.h).
const std::string kClaimsOf = fmt::format("(lease_token & {})", (int64_t{1} << kLeaseClaimBits) - 1);
// ?2: the task the commit finishes, no longer "another" task.
const std::string kSelectClaimedAttempt = fmt::format(
    "SELECT id FROM tasks WHERE instance_id = ?1 AND kind IN ({}, {}) AND {} > 0 AND id <> ?2 LIMIT 1",
    static_cast<int>(TaskKind::kRunStep), static_cast<int>(TaskKind::kCompensate), kClaimsOf);
// A task carries its instance's priority, so claims need not read instances.
const std::string kInsertTask =
    "INSERT INTO tasks(instance_id, kind, step_id, attempt, due_at, lease_owner, lease_until, lease_token, "
    "step_started_at, activity, priority) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
    "coalesce((SELECT priority FROM instances WHERE id = ?1), 3))";
const std::string kInsertEvent =
    "INSERT INTO history(instance_id, seq, at, type, step_id, attempt, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
const std::string kInsertSignal =
    "INSERT INTO signals(instance_id, name, payload, idempotency_key, principal, received_at, consumed) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
// The repeated "<> ''" lets SQLite use the partial unique index.
const std::string kSignalKeyUsed =
    "SELECT 1 FROM signals WHERE instance_id = ?1 AND idempotency_key = ?2 AND idempotency_key <> ''";
const std::string kConsumeSignal =
    "UPDATE signals SET consumed = 1 WHERE id = ?1 AND instance_id = ?2 AND consumed = 0";
const std::string kUpdateInstance =
    "UPDATE instances SET status = ?2, current_step = ?3, output = ?4, error_code = ?5, error_message = ?6, "
    "state = ?7, deadline_at = ?8, version = ?9, last_seq = ?10, updated_at = ?11 WHERE id = ?1";
// The same when the status stays: SQLite rewrites the entry of every index
// on a column the SET names, changed or not, and instances_status is one
// page more per checkpoint (docs/PERFORMANCE.md). ?2 (the status) is bound
// and unused.
const std::string kUpdateInstanceSameStatus =
    "UPDATE instances SET current_step = ?3, output = ?4, error_code = ?5, error_message = ?6, "
    "state = ?7, deadline_at = ?8, version = ?9, last_seq = ?10, updated_at = ?11 WHERE id = ?1";
const std::string kTouchInstance = "UPDATE instances SET version = ?2, last_seq = ?3, updated_at = ?4 WHERE id = ?1";
const std::string kInsertInstance =
    "INSERT INTO instances(id, workflow_name, workflow_version, definition_hash, status, current_step, input, "
    "output, error_code, error_message, state, idempotency_key, requested_by, traceparent, version, last_seq, "
    "created_at, updated_at, deadline_at, links, started_by, search_keys, priority, parent_id, parent_step) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 1, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, "
    "?23, ?24)";
// continue_as_new: the finished run takes over the instance's history and
// the signals it consumed (the pending ones wait for the next run).
const std::string kMoveHistory = "UPDATE history SET instance_id = ?2 WHERE instance_id = ?1";
const std::string kMoveConsumedSignals = "UPDATE signals SET instance_id = ?2 WHERE instance_id = ?1 AND consumed = 1";
const std::string kStartNextRun =
    "UPDATE instances SET input = ?2, workflow_version = ?3, definition_hash = ?4 WHERE id = ?1";
// One row per search key: the index ListFilter::keys reads (migration_v6.cc).
const std::string kInsertSearchKey =
    "INSERT OR IGNORE INTO instance_keys(key_name, key_value, key_created_at, instance_id) VALUES (?1, ?2, ?3, ?4)";
const std::string kSelectInstanceById = fmt::format("SELECT {} FROM instances WHERE id = ?1", kInstanceColumns);
// The repeated "<> ''" lets SQLite use the partial unique index.
const std::string kSelectInstanceByKey = fmt::format(
    "SELECT {} FROM instances WHERE idempotency_key = ?1 AND idempotency_key <> ''", kInstanceColumns);
// A claim: leases up to ?4 due, unleased tasks (?3 = now) to owner ?1
// until ?2, in the order of their rank, due_at moved by their priority
// (?5 = ClaimRequest::priority_step_ms per level). `filter` narrows the
// tasks (an SQL condition on tasks' columns, or ""). Each priority level is
// read on its own, in due order from an index (the default level from
// tasks_due, the others from the partial tasks_priority), and at most ?4
// of each are merged: no claim sorts the whole backlog.
std::string ClaimLevelsSql(std::string_view filter) {
  std::string levels;
  for (int p = kHighestPriority; p <= kLowestPriority; ++p) {
    if (!levels.empty()) levels += " UNION ALL ";
    // "priority <> 3" repeated so SQLite may use the partial index.
    const std::string level = p == kDefaultPriority ? fmt::format("priority = {}", p)
                                                    : fmt::format("priority = {} AND priority <> {}", p, kDefaultPriority);
    levels += fmt::format(
        "SELECT id, due_at + ({}) * ?5 AS claim_rank FROM (SELECT id, due_at FROM tasks WHERE {} AND due_at <= ?3 "
        "AND lease_until <= ?3{}{} ORDER BY due_at LIMIT ?4)",
        p - kDefaultPriority, level, filter.empty() ? "" : " AND ", filter);
  }
  return levels;
}
std::string ClaimSql(std::string_view filter) {
  return fmt::format(
      "UPDATE tasks SET lease_owner = ?1, lease_until = ?2, lease_token = lease_token + 1 "
      "WHERE id IN (SELECT id FROM ({}) ORDER BY claim_rank, id LIMIT ?4) RETURNING {}",
      ClaimLevelsSql(filter), kTaskColumns);
}

const std::string kClaim = ClaimSql("");
// The claim while activities are held or limited: the tasks of held and of
// limited activities are left out here (limited ones are claimed by
// kClaimActivity, within their limits). ?6 is a JSON array of the limited
// activities.
constexpr std::string_view kUnheldFilter =
    "(activity = '' OR (NOT EXISTS (SELECT 1 FROM activity_holds h WHERE h.activity = tasks.activity OR "
    "h.activity = '*') AND activity NOT IN (SELECT value FROM json_each(?6))))";
const std::string kClaimUnheld = ClaimSql(kUnheldFilter);
// The ranks kClaimUnheld would take, without taking them.
const std::string kPeekClaimRanks =
    fmt::format("SELECT claim_rank FROM ({}) ORDER BY claim_rank, id LIMIT ?4", ClaimLevelsSql(kUnheldFilter));
const std::string kClaimActivity = ClaimSql("activity = ?6");
// A fair claim of one activity (?6), in turns across the values of the
// search key whose JSON path is ?7: every key's first task (by rank), then
// every key's second, ...; within a turn the key served longest ago
// (activity_fair_turns) first. It reads every due task of the activity:
// the backlog of one limited activity, not the whole table.
const std::string kSelectFair = fmt::format(
    "WITH due AS (SELECT t.id, t.due_at + (t.priority - {}) * ?5 AS claim_rank, "
    "coalesce(json_extract(nullif(i.search_keys, ''), ?7), '') AS fair_key "
    "FROM tasks t JOIN instances i ON i.id = t.instance_id "
    "WHERE t.activity = ?6 AND t.lease_until <= ?3 AND t.due_at <= ?3), "
    "turns AS (SELECT id, claim_rank, fair_key, "
    "row_number() OVER (PARTITION BY fair_key ORDER BY claim_rank, id) AS turn FROM due) "
    "SELECT turns.id, turns.fair_key FROM turns LEFT JOIN activity_fair_turns f "
    "ON f.activity = ?6 AND f.fair_key = turns.fair_key "
    "ORDER BY turn, coalesce(f.served, 0), claim_rank, turns.id LIMIT ?4",
    kDefaultPriority);
// Leases the tasks chosen by kSelectFair (?6: a JSON array of their ids).
const std::string kClaimIds = fmt::format(
    "UPDATE tasks SET lease_owner = ?1, lease_until = ?2, lease_token = lease_token + 1 "
    "WHERE id IN (SELECT value FROM json_each(?6)) AND lease_until <= ?3 RETURNING {}",
    kTaskColumns);
const std::string kLastServed = "SELECT coalesce(max(served), 0) FROM activity_fair_turns WHERE activity = ?1";
const std::string kUpsertServed =
    "INSERT INTO activity_fair_turns(activity, fair_key, served) VALUES (?1, ?2, ?3) "
    "ON CONFLICT(activity, fair_key) DO UPDATE SET served = ?3";
const std::string kSelectHeldActivities = "SELECT activity FROM activity_holds";
const std::string kUpsertRate =
    "INSERT INTO activity_rates(activity, tat_us) VALUES (?1, ?2) ON CONFLICT(activity) DO UPDATE SET tat_us = ?2";
const std::string kUpsertHold =
    "INSERT INTO activity_holds(activity, reason, held_by, held_at) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT(activity) DO UPDATE SET reason = ?2, held_by = ?3, held_at = ?4";
const std::string kDeleteHold = "DELETE FROM activity_holds WHERE activity = ?1";
const std::string kInsertHoldLog =
    "INSERT INTO activity_hold_log(activity, action, principal, reason, at) VALUES (?1, ?2, ?3, ?4, ?5)";
// Frees the leases and bumps the token, fencing the previous holder at once.
const std::string kReleaseLeases =
    "UPDATE tasks SET lease_owner = '', lease_until = 0, lease_token = lease_token + 1 "
    "WHERE lease_owner <> '' AND substr(lease_owner, 1, length(?1)) = ?1 AND lease_owner <> ?2";
const std::string kRenew = "UPDATE tasks SET lease_until = ?3 WHERE id = ?1 AND lease_token = ?2";
// Never below the task's first token: a row that held earlier tasks must
// not hand out one of their tokens again.
const std::string kReturnUnstarted = fmt::format(
    "UPDATE tasks SET lease_owner = '', lease_until = 0, lease_token = lease_token - 1, "
    "activity = CASE WHEN ?4 <> '' THEN ?4 ELSE activity END "
    "WHERE id = ?1 AND lease_token = ?2 AND lease_owner = ?3 AND {} > 0",
    kClaimsOf);
const std::string kPutDefinition =
    "INSERT INTO definitions(hash, name, version, source, created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT(hash) DO NOTHING";

// The row of a finished task that a commit keeps for its first new task.
struct ReusedRow {
  int64_t id = 0;          // 0: none, every task is inserted
  int64_t last_token = 0;  // the highest token the row handed out
};

// The first token of a task written into a row that held tokens up to
// `last_token`: the next multiple of 2^kLeaseClaimBits (store.h).
int64_t FirstTokenAfter(int64_t last_token) {
  return ((last_token >> kLeaseClaimBits) + 1) << kLeaseClaimBits;
}

// Whether a row whose last token is `last_token` can take another task:
// not once its generations would overflow the token (never in practice).
bool CanReuseRow(int64_t last_token) {
  return last_token >= 0 && (last_token >> kLeaseClaimBits) < (int64_t{1} << (62 - kLeaseClaimBits));
}

// Writes `tasks` for `instance_id`: the first into `reuse`'s row when
// there is one, the others (or all) as new rows.
Result<std::vector<TaskRecord>> InsertTasks(Connection& conn, const std::string& instance_id,
                                            const std::vector<NewTask>& tasks, ReusedRow reuse = {}) {
  std::vector<TaskRecord> created;
  if (tasks.empty()) return created;
  created.reserve(tasks.size());
  SF_ASSIGN_OR_RETURN(StatementRef insert, conn.Prepare(kInsertTask));
  for (const NewTask& t : tasks) {
    // A pre-claimed task starts at token 1, as if claimed once; a free one
    // at 0, so its first claim hands out 1 as well. In a reused row both
    // start above the row's last token.
    const int64_t base = reuse.id != 0 ? FirstTokenAfter(reuse.last_token) : 0;
    const int64_t token = base + (t.lease_owner.empty() ? 0 : 1);
    const TimeMs lease_until = t.lease_owner.empty() ? 0 : t.lease_until;
    std::optional<StatementRef> update;
    if (reuse.id != 0) {
      SF_ASSIGN_OR_RETURN(StatementRef u, conn.Prepare(kReuseTask));
      u->BindInt(1, reuse.id);
      u->BindText(11, instance_id);
      update.emplace(std::move(u));
    } else {
      insert->BindText(1, instance_id);
    }
    Statement& stmt = update.has_value() ? **update : *insert;
    stmt.BindInt(2, static_cast<int>(t.kind));
    stmt.BindText(3, t.step_id);
    stmt.BindInt(4, t.attempt);
    stmt.BindInt(5, t.due_at);
    stmt.BindText(6, t.lease_owner);
    stmt.BindInt(7, lease_until);
    stmt.BindInt(8, token);
    stmt.BindInt(9, t.step_started_at);
    stmt.BindText(10, t.activity);
    SF_RETURN_IF_ERROR(stmt.Run());
    if (update.has_value() && stmt.changes() != 1) {
      return Status::Internal(fmt::format("task {} kept for the next task is gone", reuse.id));
    }
    TaskRecord r;
    r.id = update.has_value() ? reuse.id : stmt.last_insert_rowid();
    r.instance_id = instance_id;
    r.kind = t.kind;
    r.step_id = t.step_id;
    r.attempt = t.attempt;
    r.due_at = t.due_at;
    r.lease_owner = t.lease_owner;
    r.lease_until = lease_until;
    r.lease_token = token;
    r.step_started_at = t.step_started_at;
    r.activity = t.activity;
    created.push_back(std::move(r));
    stmt.Reset();
    reuse = ReusedRow{};
  }
  return created;
}

// Where an instance's input goes: a large one into instance_inputs, and
// the row then holds the empty blob; a small one in the row (and none in
// instance_inputs, which a continue_as_new may have to drop).
Result<std::string_view> PlaceInput(Connection& conn, const std::string& instance_id, const std::string& input_blob,
                                    bool drop_old) {
  const bool large = input_blob.size() > kInlineInputBytes;
  if (large || drop_old) {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(large ? kPutInstanceInput : kDeleteInstanceInput));
    stmt->BindText(1, instance_id);
    if (large) stmt->BindBlob(2, input_blob);
    SF_RETURN_IF_ERROR(stmt->Run());
  }
  return large ? std::string_view() : std::string_view(input_blob);
}

// Inserts `n` at version 1 (search-key rows are the caller's).
Status InsertInstanceRow(Connection& conn, const InstanceRecord& n, const std::string& input_blob,
                         const std::string& output_blob, int64_t last_seq) {
  SF_ASSIGN_OR_RETURN(std::string_view row_input, PlaceInput(conn, n.id, input_blob, false));
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kInsertInstance));
  stmt->BindText(1, n.id);
  stmt->BindText(2, n.workflow_name);
  stmt->BindInt(3, n.workflow_version);
  stmt->BindText(4, n.definition_hash);
  stmt->BindInt(5, static_cast<int>(n.status));
  stmt->BindText(6, n.current_step);
  stmt->BindBlob(7, row_input);
  stmt->BindBlob(8, output_blob);
  stmt->BindText(9, n.error_code);
  stmt->BindText(10, n.error_message);
  stmt->BindBlob(11, n.state);
  stmt->BindText(12, n.idempotency_key);
  stmt->BindText(13, n.requested_by);
  stmt->BindText(14, n.traceparent);
  stmt->BindInt(15, last_seq);
  stmt->BindInt(16, n.created_at);
  stmt->BindInt(17, n.updated_at);
  stmt->BindInt(18, n.deadline_at);
  const std::string links = EncodeInstanceLinks(n.links);  // bound without a copy: must outlive Run()
  stmt->BindText(19, links);
  stmt->BindText(20, n.started_by);
  const std::string search_keys = EncodeSearchKeys(n.search_keys);  // must outlive Run() too
  stmt->BindText(21, search_keys);
  stmt->BindInt(22, n.priority);
  stmt->BindText(23, n.parent_id);
  stmt->BindText(24, n.parent_step);
  return stmt->Run();
}

Status AppendEvents(Connection& conn, const std::string& instance_id, int64_t last_seq,
                    const std::vector<HistoryEvent>& events, const std::vector<std::string>& blobs, TimeMs now) {
  if (events.empty()) return Status::Ok();
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kInsertEvent));
  for (size_t i = 0; i < events.size(); ++i) {
    const HistoryEvent& e = events[i];
    stmt->BindText(1, instance_id);
    stmt->BindInt(2, last_seq + 1 + static_cast<int64_t>(i));
    stmt->BindInt(3, e.at != 0 ? e.at : now);
    stmt->BindText(4, e.type);
    stmt->BindText(5, e.step_id);
    stmt->BindInt(6, e.attempt);
    stmt->BindBlob(7, blobs[i]);
    SF_RETURN_IF_ERROR(stmt->Run());
    stmt->Reset();
  }
  return Status::Ok();
}

// continue_as_new's writes (Commit::continue_as_new): the run that ended
// becomes an instance of its own, with the history so far.
Status FileFinishedRun(Connection& conn, const std::string& instance_id, int64_t last_seq, const EncodedCommit& e) {
  const RunArchive& archive = *e.commit.continue_as_new;
  const std::string& run_id = archive.run.id;
  if (!e.commit.instance.has_value()) return Status::InvalidArgument("continue_as_new needs the instance row");
  const InstanceRecord& next = *e.commit.instance;
  SF_RETURN_IF_ERROR(InsertInstanceRow(conn, archive.run, e.run_input, e.run_output,
                                       last_seq + static_cast<int64_t>(archive.events.size())));
  for (const std::string* sql : {&kMoveHistory, &kMoveConsumedSignals}) {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(*sql));
    stmt->BindText(1, instance_id);
    stmt->BindText(2, run_id);
    SF_RETURN_IF_ERROR(stmt->Run());
  }
  SF_RETURN_IF_ERROR(AppendEvents(conn, run_id, last_seq, archive.events, e.run_events, e.now));
  if (archive.next_definition.has_value()) {
    SF_RETURN_IF_ERROR(WritePutDefinition(conn, *archive.next_definition, e.now));
  }
  SF_ASSIGN_OR_RETURN(std::string_view row_input, PlaceInput(conn, instance_id, e.next_input, true));
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kStartNextRun));
  stmt->BindText(1, instance_id);
  stmt->BindBlob(2, row_input);
  stmt->BindInt(3, next.workflow_version);
  stmt->BindText(4, next.definition_hash);
  return stmt->Run();
}

// Reads an instance row selected by kSelectInstanceBy*, with its encoded
// input, compared as a value (EncodedValuesEqual: the same bytes, or the
// same value in the encoding of an older release).
struct ExistingInstance {
  InstanceRecord record;
  std::string input_blob;
};

Result<std::optional<ExistingInstance>> FindExisting(Connection& conn, const std::string& sql,
                                                     const std::string& key) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(sql));
  stmt->BindText(1, key);
  SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<ExistingInstance>();
  SF_ASSIGN_OR_RETURN(InstanceRecord record, ReadInstanceRow(*stmt));
  if (!record.decode_error.empty()) return Status::Corruption(record.decode_error);
  ExistingInstance e{std::move(record), std::string(stmt->ColumnBlob(kInstanceInputColumn))};
  return std::optional<ExistingInstance>(std::move(e));
}

// Whether `existing` was started with this input. An instance that
// continued as new holds its latest run's input; its first run (filed as
// "<id>~1") holds the one it was started with.
Result<bool> StartedWith(Connection& conn, const ExistingInstance& existing, const std::string& input_blob) {
  if (EncodedValuesEqual(existing.input_blob, input_blob)) return true;
  SF_ASSIGN_OR_RETURN(std::optional<ExistingInstance> first,
                      FindExisting(conn, kSelectInstanceById, ArchivedRunId(existing.record.id, 1)));
  return first.has_value() && EncodedValuesEqual(first->input_blob, input_blob);
}

// Commit::start_children: each child is written unless it exists (then it
// is kept: the same child, entered again); a child that has finished
// already gets its parent's kChildEnded task at once.
Status StartChildren(Connection& conn, const EncodedCommit& e, CommitResult& result) {
  const Commit& c = e.commit;
  for (size_t i = 0; i < c.start_children.size(); ++i) {
    const ChildStart& child = c.start_children[i];
    const EncodedStart& start = e.children[i];
    const InstanceRecord& r = start.request.instance;
    if (child.definition.has_value()) SF_RETURN_IF_ERROR(WritePutDefinition(conn, *child.definition, e.now));
    SF_ASSIGN_OR_RETURN(std::optional<ExistingInstance> existing, FindExisting(conn, kSelectInstanceById, r.id));
    InstanceStatus status = InstanceStatus::kRunning;
    if (existing.has_value()) {
      if (existing->record.parent_id != c.instance_id) {
        return Status::AlreadyExists(fmt::format("instance {} exists and is not a child of {}", r.id, c.instance_id));
      }
      status = existing->record.status;
    } else {
      SF_ASSIGN_OR_RETURN(StartResult started, WriteStart(conn, start));
      status = started.instance.status;
      result.started_children.push_back(r.id);
      for (TaskRecord& t : started.created_tasks) result.created_tasks.push_back(std::move(t));
    }
    if (IsTerminal(status)) {
      SF_ASSIGN_OR_RETURN(std::vector<TaskRecord> told, InsertTasks(conn, c.instance_id, {child.if_finished}));
      for (TaskRecord& t : told) result.created_tasks.push_back(std::move(t));
    }
  }
  return Status::Ok();
}

// Commit::tasks_for_others: written for the instances that still exist.
Status WriteTasksForOthers(Connection& conn, const std::vector<TaskForInstance>& tasks, CommitResult& result) {
  for (const TaskForInstance& t : tasks) {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kSelectVersion));
    stmt->BindText(1, t.instance_id);
    SF_ASSIGN_OR_RETURN(bool exists, stmt->Step());
    stmt->Reset();
    if (!exists) continue;
    SF_ASSIGN_OR_RETURN(std::vector<TaskRecord> created, InsertTasks(conn, t.instance_id, {t.task}));
    for (TaskRecord& r : created) result.created_tasks.push_back(std::move(r));
  }
  return Status::Ok();
}

}  // namespace

Status RunPluginWrites(Connection& conn, const std::vector<PluginWrite>& writes) {
  if (writes.empty()) return Status::Ok();
  SqlitePluginTransaction tx(conn);
  return RunCheckpointWrites(writes, tx, [&conn] { return conn.InTransaction(); });
}

Result<CommitResult> WriteCommit(Connection& conn, const EncodedCommit& e) {
  const Commit& c = e.commit;
  int64_t version = 0;
  int64_t last_seq = 0;
  int64_t status = 0;
  {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kSelectVersion));
    stmt->BindText(1, c.instance_id);
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return Status::NotFound(fmt::format("instance {} not found", c.instance_id));
    version = stmt->ColumnInt(0);
    last_seq = stmt->ColumnInt(1);
    status = stmt->ColumnInt(2);
  }
  if (c.expect_version.has_value() && *c.expect_version != version) {
    return Status::Conflict(fmt::format("instance {} is at version {}, expected version {}", c.instance_id, version,
                                        *c.expect_version));
  }
  // The finished task's row takes the next task when the committing worker
  // pre-claims it (and so runs it next, under the same id); otherwise it is
  // deleted. A free next task gets a row of its own, so a row id's claims
  // stay those of one worker's chain of tasks.
  ReusedRow reuse;
  if (c.task_id != 0) {
    const bool keep_row =
        !c.new_tasks.empty() && !c.new_tasks.front().lease_owner.empty() && CanReuseRow(c.lease_token);
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(keep_row ? kLeasedTaskHeld : kDeleteLeasedTask));
    stmt->BindInt(1, c.task_id);
    stmt->BindInt(2, c.lease_token);
    stmt->BindText(3, c.instance_id);
    bool held = false;
    if (keep_row) {
      SF_ASSIGN_OR_RETURN(held, stmt->Step());
    } else {
      SF_RETURN_IF_ERROR(stmt->Run());
      held = stmt->changes() != 0;
    }
    if (!held) {
      return Status::LeaseLost(fmt::format("task {} of instance {} is gone or no longer held with lease token {}",
                                           c.task_id, c.instance_id, c.lease_token));
    }
    // The token matched: it is the highest the row handed out (claims only
    // raise it; a return lowers it below a token that is then handed out again).
    if (keep_row) reuse = ReusedRow{c.task_id, c.lease_token};
  }

  if (c.require_no_claimed_attempt) {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kSelectClaimedAttempt));
    stmt->BindText(1, c.instance_id);
    stmt->BindInt(2, c.task_id);
    SF_ASSIGN_OR_RETURN(bool claimed, stmt->Step());
    if (claimed) {
      return Status::Conflict(fmt::format("instance {} has an attempt in flight (task {})", c.instance_id,
                                          stmt->ColumnInt(0)));
    }
  }

  SF_RETURN_IF_ERROR(RunPluginWrites(conn, c.plugin_writes));

  CommitResult result;
  if (c.add_signal.has_value()) {
    const SignalRecord& s = *c.add_signal;
    // Checked inside the write transaction, so no other writer can slip in
    // between; the unique index stays as the backstop.
    if (!s.idempotency_key.empty()) {
      SF_ASSIGN_OR_RETURN(StatementRef seen, conn.Prepare(kSignalKeyUsed));
      seen->BindText(1, c.instance_id);
      seen->BindText(2, s.idempotency_key);
      SF_ASSIGN_OR_RETURN(bool used, seen->Step());
      seen->Reset();
      if (used) {
        return Status::AlreadyExists(fmt::format("instance {} already received a signal with idempotency key {}",
                                                 c.instance_id, s.idempotency_key));
      }
    }
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kInsertSignal));
    stmt->BindText(1, c.instance_id);
    stmt->BindText(2, s.name);
    stmt->BindBlob(3, e.signal_payload);
    stmt->BindText(4, s.idempotency_key);
    stmt->BindText(5, s.principal);
    stmt->BindInt(6, s.received_at != 0 ? s.received_at : e.now);
    stmt->BindInt(7, s.consumed ? 1 : 0);
    SF_RETURN_IF_ERROR(stmt->Run());
    result.signal_id = stmt->last_insert_rowid();
  }
  if (c.consume_signal_id != 0) {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kConsumeSignal));
    stmt->BindInt(1, c.consume_signal_id);
    stmt->BindText(2, c.instance_id);
    SF_RETURN_IF_ERROR(stmt->Run());
    if (stmt->changes() == 0) {
      return Status::Conflict(fmt::format("signal {} of instance {} is not pending (unknown or already consumed)",
                                          c.consume_signal_id, c.instance_id));
    }
  }
  if (c.continue_as_new.has_value()) {
    SF_RETURN_IF_ERROR(FileFinishedRun(conn, c.instance_id, last_seq, e));
    last_seq += static_cast<int64_t>(c.continue_as_new->events.size());  // the next run numbers on from there
  }
  if (c.delete_other_tasks || c.delete_step_tasks) {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(c.delete_other_tasks ? kDeleteOtherTasks : kDeleteStepTasks));
    stmt->BindText(1, c.instance_id);
    stmt->BindInt(2, reuse.id);
    SF_RETURN_IF_ERROR(stmt->Run());
  }
  SF_ASSIGN_OR_RETURN(result.created_tasks, InsertTasks(conn, c.instance_id, c.new_tasks, reuse));
  SF_RETURN_IF_ERROR(AppendEvents(conn, c.instance_id, last_seq, c.events, e.events, e.now));

  const int64_t new_seq = last_seq + static_cast<int64_t>(c.events.size());
  if (c.instance.has_value()) {
    const InstanceRecord& r = *c.instance;
    const bool same_status = static_cast<int64_t>(static_cast<int>(r.status)) == status;
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(same_status ? kUpdateInstanceSameStatus : kUpdateInstance));
    stmt->BindText(1, c.instance_id);
    stmt->BindInt(2, static_cast<int>(r.status));
    stmt->BindText(3, r.current_step);
    stmt->BindBlob(4, e.output);
    stmt->BindText(5, r.error_code);
    stmt->BindText(6, r.error_message);
    stmt->BindBlob(7, r.state);
    stmt->BindInt(8, r.deadline_at);
    stmt->BindInt(9, version + 1);
    stmt->BindInt(10, new_seq);
    stmt->BindInt(11, r.updated_at != 0 ? r.updated_at : e.now);
    SF_RETURN_IF_ERROR(stmt->Run());
    ++version;
  } else if (!c.events.empty()) {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kTouchInstance));
    stmt->BindText(1, c.instance_id);
    stmt->BindInt(2, version + 1);
    stmt->BindInt(3, new_seq);
    stmt->BindInt(4, e.now);
    SF_RETURN_IF_ERROR(stmt->Run());
    ++version;
  }
  result.instance_version = version;
  SF_RETURN_IF_ERROR(StartChildren(conn, e, result));
  SF_RETURN_IF_ERROR(WriteTasksForOthers(conn, c.tasks_for_others, result));
  return result;
}

Result<StartResult> WriteStart(Connection& conn, const EncodedStart& e) {
  const InstanceRecord& r = e.request.instance;
  // Idempotency: first by id, then by key. Equal means same workflow and
  // byte-identical encoded input; anything else is a conflict that names
  // what collided.
  SF_ASSIGN_OR_RETURN(std::optional<ExistingInstance> by_id, FindExisting(conn, kSelectInstanceById, r.id));
  if (by_id.has_value()) {
    SF_ASSIGN_OR_RETURN(bool same_input, StartedWith(conn, *by_id, e.input));
    if (by_id->record.workflow_name != r.workflow_name || !same_input) {
      return Status::Conflict(fmt::format("instance id {} already exists with a different {}", r.id,
                                          by_id->record.workflow_name != r.workflow_name
                                              ? fmt::format("workflow ({})", by_id->record.workflow_name)
                                              : std::string("input")));
    }
    StartResult existing;
    existing.outcome = StartOutcome::kExisting;
    existing.instance = std::move(by_id->record);
    return existing;
  }
  if (!r.idempotency_key.empty()) {
    SF_ASSIGN_OR_RETURN(std::optional<ExistingInstance> by_key,
                        FindExisting(conn, kSelectInstanceByKey, r.idempotency_key));
    if (by_key.has_value()) {
      SF_ASSIGN_OR_RETURN(bool same_input, StartedWith(conn, *by_key, e.input));
      if (by_key->record.workflow_name != r.workflow_name || !same_input) {
        return Status::Conflict(fmt::format(
            "idempotency key {} was already used by instance {} with a different {}", r.idempotency_key,
            by_key->record.id,
            by_key->record.workflow_name != r.workflow_name ? fmt::format("workflow ({})", by_key->record.workflow_name)
                                                            : std::string("input")));
      }
      StartResult existing;
      existing.outcome = StartOutcome::kExisting;
      existing.instance = std::move(by_key->record);
      return existing;
    }
  }

  StartResult result;
  result.instance = r;
  result.instance.version = 1;
  result.instance.created_at = r.created_at != 0 ? r.created_at : e.now;
  result.instance.updated_at = r.updated_at != 0 ? r.updated_at : e.now;
  SF_RETURN_IF_ERROR(InsertInstanceRow(conn, result.instance, e.input, e.output,
                                       static_cast<int64_t>(e.request.events.size())));
  for (const SearchKey& key : result.instance.search_keys) {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kInsertSearchKey));
    stmt->BindText(1, key.name);
    stmt->BindText(2, key.value);
    stmt->BindInt(3, result.instance.created_at);
    stmt->BindText(4, result.instance.id);
    SF_RETURN_IF_ERROR(stmt->Run());
  }
  SF_RETURN_IF_ERROR(AppendEvents(conn, r.id, 0, e.request.events, e.events, e.now));
  SF_ASSIGN_OR_RETURN(result.created_tasks, InsertTasks(conn, r.id, e.request.tasks));
  return result;
}

namespace {

// Runs one claim statement and appends the tasks it leased to `out`:
// kClaim (no `extra`), kClaimUnheld (extra: the limited activities as a
// JSON array), kClaimActivity (extra: the activity) or kClaimIds (extra:
// the ids as a JSON array).
Status RunClaim(Connection& conn, const std::string& sql, const ClaimRequest& r, int limit,
                const std::optional<std::string>& extra, std::vector<TaskRecord>& out) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(sql));
  stmt->BindText(1, r.owner);
  stmt->BindInt(2, r.lease_until);
  stmt->BindInt(3, r.now);
  stmt->BindInt(4, limit);
  stmt->BindInt(5, r.priority_step_ms);
  if (extra.has_value()) stmt->BindText(6, *extra);
  while (true) {
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    SF_ASSIGN_OR_RETURN(TaskRecord t, ReadTaskRow(*stmt));
    out.push_back(std::move(t));
  }
  return Status::Ok();
}

// The JSON path of a search key in instances.search_keys.
std::string SearchKeyPath(const std::string& key) {
  return "$." + Value(key).ToJson();
}

// Leases up to `limit` due tasks of a limited activity, appended to `out`
// in the order they should start: by rank, or in fair turns (fair_by).
Status ClaimActivityTasks(Connection& conn, const ClaimRequest& r, const ActivityLimit& limit, int64_t count,
                          std::vector<TaskRecord>& out) {
  const size_t before = out.size();
  if (limit.fair_by.empty()) {
    SF_RETURN_IF_ERROR(RunClaim(conn, kClaimActivity, r, static_cast<int>(count), limit.activity, out));
    const int64_t step = r.priority_step_ms;
    auto rank = [step](const TaskRecord& t) { return t.due_at + (t.priority - kDefaultPriority) * step; };
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(before), out.end(),
              [&rank](const TaskRecord& a, const TaskRecord& b) {
                return rank(a) != rank(b) ? rank(a) < rank(b) : a.id < b.id;
              });
    return Status::Ok();
  }
  std::vector<std::pair<int64_t, std::string>> chosen;  // (task id, fair key), in turn order
  {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kSelectFair));
    stmt->BindInt(3, r.now);
    stmt->BindInt(4, count);
    stmt->BindInt(5, r.priority_step_ms);
    stmt->BindText(6, limit.activity);
    const std::string path = SearchKeyPath(limit.fair_by);  // bound without a copy: must outlive Step()
    stmt->BindText(7, path);
    while (true) {
      SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      chosen.emplace_back(stmt->ColumnInt(0), stmt->ColumnText(1));
    }
  }
  if (chosen.empty()) return Status::Ok();
  Value::List ids;
  for (const auto& c : chosen) ids.push_back(Value(c.first));
  SF_RETURN_IF_ERROR(RunClaim(conn, kClaimIds, r, static_cast<int>(count), Value(std::move(ids)).ToJson(), out));
  // Back in turn order (RETURNING promises none), and each key's turn noted.
  std::map<int64_t, size_t> position;
  for (size_t i = 0; i < chosen.size(); ++i) position[chosen[i].first] = i;
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(before), out.end(),
            [&position](const TaskRecord& a, const TaskRecord& b) { return position.at(a.id) < position.at(b.id); });
  int64_t served = 0;
  {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kLastServed));
    stmt->BindText(1, limit.activity);
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (row) served = stmt->ColumnInt(0);
  }
  std::set<int64_t> leased;
  for (size_t i = before; i < out.size(); ++i) leased.insert(out[i].id);
  SF_ASSIGN_OR_RETURN(StatementRef upsert, conn.Prepare(kUpsertServed));
  for (const auto& [id, key] : chosen) {
    if (leased.count(id) == 0) continue;
    upsert->BindText(1, limit.activity);
    upsert->BindText(2, key);
    upsert->BindInt(3, ++served);
    SF_RETURN_IF_ERROR(upsert->Run());
    upsert->Reset();
  }
  return Status::Ok();
}

// Claims the due tasks of one limited activity within its limits. A
// rate-limited activity's tasks are claimed for the starts its bucket can
// reserve within the look-ahead window, each with its reserved start time
// (start_at). Returns when a claim could reserve another start, when the
// rate is what stopped this one (0 otherwise: a finished attempt frees a
// max_in_flight slot and wakes the scheduler).
Result<TimeMs> ClaimLimited(Connection& conn, const ClaimRequest& r, const ActivityLimit& limit, int room,
                            std::vector<TaskRecord>& out, std::map<std::string, int64_t>& rate_tat_us) {
  int64_t by_count = room;
  if (limit.max_in_flight > 0) {
    SF_ASSIGN_OR_RETURN(int64_t in_flight, ReadCountLeasedAttempts(conn, limit.activity, r.now));
    if (r.shard_context.has_value()) {
      auto elsewhere = r.shard_context->leased_elsewhere.find(limit.activity);
      if (elsewhere != r.shard_context->leased_elsewhere.end()) in_flight += elsewhere->second;
    }
    by_count = std::min(by_count, limit.max_in_flight - in_flight);
  }
  if (by_count <= 0) return TimeMs{0};
  if (limit.per_second <= 0) {
    SF_RETURN_IF_ERROR(ClaimActivityTasks(conn, r, limit, by_count, out));
    return TimeMs{0};
  }
  GcraBucket bucket;
  {
    SF_ASSIGN_OR_RETURN(int64_t tat_us, ReadRateBucketTat(conn, limit.activity));
    if (r.shard_context.has_value()) {
      auto there = r.shard_context->rate_tat_us.find(limit.activity);
      if (there != r.shard_context->rate_tat_us.end()) tat_us = std::max(tat_us, there->second);
    }
    bucket = GcraBucket(limit.per_second, limit.burst, tat_us);
  }
  // The starts the bucket can give within the look-ahead window.
  const TimeMs horizon = r.now + std::max<int64_t>(0, r.rate_lookahead_ms);
  GcraBucket probe = bucket;
  int64_t slots = 0;
  while (slots < by_count && probe.Reserve(r.now) <= horizon) ++slots;
  // When the first start beyond what this claim takes enters the window.
  auto next_claim_at = [&](const GcraBucket& b) { return std::max(r.now + 1, b.NextSlotMs(r.now) - (horizon - r.now)); };
  if (slots == 0) return next_claim_at(bucket);
  const size_t before = out.size();
  SF_RETURN_IF_ERROR(ClaimActivityTasks(conn, r, limit, slots, out));
  const int64_t claimed = static_cast<int64_t>(out.size() - before);
  if (claimed == 0) return TimeMs{0};
  // In claim order (rank, or fair turns): the first gets the earliest start.
  for (size_t i = before; i < out.size(); ++i) {
    const TimeMs start = bucket.Reserve(r.now);
    out[i].start_at = start > r.now ? start : 0;
  }
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kUpsertRate));
  stmt->BindText(1, limit.activity);
  stmt->BindInt(2, bucket.tat_us());
  SF_RETURN_IF_ERROR(stmt->Run());
  rate_tat_us[limit.activity] = bucket.tat_us();
  // The rate stopped it only when it took every slot and the count allowed more.
  return claimed == slots && slots < by_count ? next_claim_at(bucket) : TimeMs{0};
}

}  // namespace

Result<std::vector<int64_t>> ReadClaimRanks(Connection& conn, const ClaimRequest& r) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kPeekClaimRanks));
  stmt->BindInt(3, r.now);
  stmt->BindInt(4, r.limit);
  stmt->BindInt(5, r.priority_step_ms);
  Value::List limited;
  for (const ActivityLimit& l : r.limits) limited.push_back(Value(l.activity));
  const std::string limited_json = Value(std::move(limited)).ToJson();  // bound without a copy: outlives Step()
  stmt->BindText(6, limited_json);
  std::vector<int64_t> ranks;
  while (true) {
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    ranks.push_back(stmt->ColumnInt(0));
  }
  return ranks;
}

Result<ClaimResult> WriteClaim(Connection& conn, const ClaimRequest& r) {
  std::set<std::string> held;
  {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kSelectHeldActivities));
    while (true) {
      SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      held.insert(stmt->ColumnText(0));
    }
  }
  ClaimResult result;
  if (held.empty() && r.limits.empty()) {
    // Nothing held or limited: the plain claim, as fast as before holds existed.
    SF_RETURN_IF_ERROR(RunClaim(conn, kClaim, r, r.limit, std::nullopt, result.tasks));
  } else {
    Value::List names;
    for (const ActivityLimit& l : r.limits) names.push_back(Value(l.activity));
    SF_RETURN_IF_ERROR(RunClaim(conn, kClaimUnheld, r, r.limit, Value(std::move(names)).ToJson(), result.tasks));
    for (const ActivityLimit& l : r.limits) {
      const int room = r.limit - static_cast<int>(result.tasks.size());
      if (room <= 0) break;
      if (held.count(kAllActivities) != 0 || held.count(l.activity) != 0) continue;
      SF_ASSIGN_OR_RETURN(TimeMs slot, ClaimLimited(conn, r, l, room, result.tasks, result.rate_tat_us));
      if (slot != 0 && (result.next_rate_slot_at == 0 || slot < result.next_rate_slot_at)) {
        result.next_rate_slot_at = slot;
      }
    }
  }
  // RETURNING gives rows in update order, which SQLite does not promise.
  std::sort(result.tasks.begin(), result.tasks.end(), [](const TaskRecord& a, const TaskRecord& b) {
    return a.due_at != b.due_at ? a.due_at < b.due_at : a.id < b.id;
  });
  return result;
}

Status WriteHoldActivity(Connection& conn, const ActivityHold& hold, TimeMs now) {
  const TimeMs at = hold.held_at != 0 ? hold.held_at : now;
  {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kUpsertHold));
    stmt->BindText(1, hold.activity);
    stmt->BindText(2, hold.reason);
    stmt->BindText(3, hold.held_by);
    stmt->BindInt(4, at);
    SF_RETURN_IF_ERROR(stmt->Run());
  }
  SF_ASSIGN_OR_RETURN(StatementRef log, conn.Prepare(kInsertHoldLog));
  log->BindText(1, hold.activity);
  log->BindText(2, "hold");
  log->BindText(3, hold.held_by);
  log->BindText(4, hold.reason);
  log->BindInt(5, at);
  return log->Run();
}

Result<bool> WriteReleaseActivity(Connection& conn, const std::string& activity, const std::string& principal,
                                  const std::string& reason, TimeMs now) {
  {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kDeleteHold));
    stmt->BindText(1, activity);
    SF_RETURN_IF_ERROR(stmt->Run());
    if (stmt->changes() == 0) return false;
  }
  SF_ASSIGN_OR_RETURN(StatementRef log, conn.Prepare(kInsertHoldLog));
  log->BindText(1, activity);
  log->BindText(2, "release");
  log->BindText(3, principal);
  log->BindText(4, reason);
  log->BindInt(5, now);
  SF_RETURN_IF_ERROR(log->Run());
  return true;
}

Status WriteRenewLease(Connection& conn, int64_t task_id, int64_t lease_token, TimeMs lease_until) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kRenew));
  stmt->BindInt(1, task_id);
  stmt->BindInt(2, lease_token);
  stmt->BindInt(3, lease_until);
  SF_RETURN_IF_ERROR(stmt->Run());
  if (stmt->changes() == 0) {
    return Status::LeaseLost(
        fmt::format("task {} is gone or no longer held with lease token {}", task_id, lease_token));
  }
  return Status::Ok();
}

Status WriteReturnUnstartedTask(Connection& conn, const TaskRecord& task) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kReturnUnstarted));
  stmt->BindInt(1, task.id);
  stmt->BindInt(2, task.lease_token);
  stmt->BindText(3, task.lease_owner);
  stmt->BindText(4, task.activity);
  SF_RETURN_IF_ERROR(stmt->Run());
  if (stmt->changes() == 0) {
    return Status::LeaseLost(fmt::format("task {} is gone or no longer held by {} with lease token {}", task.id,
                                         task.lease_owner, task.lease_token));
  }
  return Status::Ok();
}

Result<int64_t> WriteReleaseLeases(Connection& conn, const std::string& owner_prefix,
                                   const std::string& except_owner) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kReleaseLeases));
  stmt->BindText(1, owner_prefix);
  stmt->BindText(2, except_owner);
  SF_RETURN_IF_ERROR(stmt->Run());
  return stmt->changes();
}

Result<int64_t> WritePurgeInstances(Connection& conn, const std::vector<std::string>& ids) {
  int64_t purged = 0;
  for (const std::string& id : ids) {
    // Read in the purge's own transaction: the status checked is the one deleted.
    SF_ASSIGN_OR_RETURN(std::optional<InstanceRecord> rec, ReadInstance(conn, id));
    if (!rec || !IsTerminal(rec->status)) continue;
    // Each key row by its whole primary key: instance_keys has no index by instance.
    for (const SearchKey& key : rec->search_keys) {
      SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kDeleteSearchKey));
      stmt->BindText(1, key.name);
      stmt->BindText(2, key.value);
      stmt->BindInt(3, rec->created_at);
      stmt->BindText(4, id);
      SF_RETURN_IF_ERROR(stmt->Run());
    }
    for (const std::string* sql :
         {&kDeleteInstanceHistory, &kDeleteInstanceSignals, &kDeleteInstanceTasks, &kDeleteInstanceInput}) {
      SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(*sql));
      stmt->BindText(1, id);
      SF_RETURN_IF_ERROR(stmt->Run());
    }
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kDeleteInstance));
    stmt->BindText(1, id);
    SF_RETURN_IF_ERROR(stmt->Run());
    purged += stmt->changes();
  }
  return purged;
}

Status WritePutDefinition(Connection& conn, const DefinitionRecord& def, TimeMs now) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kPutDefinition));
  stmt->BindText(1, def.hash);
  stmt->BindText(2, def.name);
  stmt->BindInt(3, def.version);
  stmt->BindText(4, def.source);
  stmt->BindInt(5, def.created_at != 0 ? def.created_at : now);
  return stmt->Run();
}

}  // namespace steadfast
