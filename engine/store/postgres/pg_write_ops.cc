// SQL for commits, starts, claims, lease renewals and definitions on
// PostgreSQL (store/postgres/pg_write_ops.h says how concurrent writers are
// kept apart).
#include "steadfast/value_codec.h"
#include "store/postgres/pg_write_ops.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "store/gcra_bucket.h"
#include "store/postgres/pg_plugin_transaction.h"
#include "store/plugin_write.h"
#include "store/postgres/pg_read_ops.h"
#include "store/postgres/pg_row.h"
#include "store/postgres/pg_task_rows.h"
#include "store/record_rows.h"

namespace steadfast {

const std::string kPgDeleteInstanceTasks = "DELETE FROM tasks WHERE instance_id = $1";
const std::string kPgDeleteStepTasks = fmt::format("DELETE FROM tasks WHERE instance_id = $1 AND kind <> {}",
                                                   static_cast<int>(TaskKind::kDeadline));
const std::string kPgInsertSignal =
    "INSERT INTO signals(instance_id, name, payload, idempotency_key, principal, received_at, consumed) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";

std::vector<PgParam> PgInsertSignalParams(const EncodedCommit& e) {
  const SignalRecord& s = *e.commit.add_signal;
  return {PgParam::Text(e.commit.instance_id),
          PgParam::Text(s.name),
          PgParam::Bytea(e.signal_payload),
          PgParam::Text(s.idempotency_key),
          PgParam::Text(s.principal),
          PgParam::Int64(s.received_at != 0 ? s.received_at : e.now),
          PgParam::Int64(s.consumed ? 1 : 0)};
}

// The input always stays in the row: PostgreSQL keeps a large value out of
// line (TOAST) by itself, and an UPDATE that does not set it does not copy
// it, which is what SQLite's instance_inputs table is for.
const std::string kPgInsertInstance =
    "INSERT INTO instances(id, workflow_name, workflow_version, definition_hash, status, current_step, input, "
    "output, error_code, error_message, state, idempotency_key, requested_by, traceparent, version, last_seq, "
    "created_at, updated_at, deadline_at, links, started_by, search_keys, priority, parent_id, parent_step) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $16, $17, $18, $19, $20, $21, $22, "
    "$23, $24) ON CONFLICT DO NOTHING RETURNING id";

const std::string kPgInsertSearchKey =
    "INSERT INTO instance_keys(key_name, key_value, key_created_at, instance_id) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT DO NOTHING";

std::vector<PgParam> PgInsertInstanceParams(const InstanceRecord& n, const std::string& input_blob,
                                            const std::string& output_blob, int64_t last_seq) {
  using P = PgParam;
  return {P::Text(n.id), P::Text(n.workflow_name), P::Int64(n.workflow_version), P::Text(n.definition_hash),
          P::Int64(static_cast<int>(n.status)), P::Text(n.current_step), P::Bytea(input_blob), P::Bytea(output_blob),
          P::Text(n.error_code), P::Text(n.error_message), P::Bytea(n.state), P::Text(n.idempotency_key),
          P::Text(n.requested_by), P::Text(n.traceparent), P::Int64(last_seq), P::Int64(n.created_at),
          P::Int64(n.updated_at), P::Int64(n.deadline_at), P::Text(EncodeInstanceLinks(n.links)), P::Text(n.started_by),
          P::Text(EncodeSearchKeys(n.search_keys)), P::Int64(n.priority), P::Text(n.parent_id), P::Text(n.parent_step)};
}

std::vector<PgParam> PgInsertSearchKeyParams(const InstanceRecord& instance, const SearchKey& key) {
  return {PgParam::Text(key.name), PgParam::Text(key.value), PgParam::Int64(instance.created_at),
          PgParam::Text(instance.id)};
}

const std::string& PgInsertEventsSql(size_t rows) {
  static const std::array<std::string, kPgEventsPerInsert + 1> sql = [] {
    std::array<std::string, kPgEventsPerInsert + 1> all;
    for (size_t n = 1; n <= kPgEventsPerInsert; ++n) {
      std::string text = "INSERT INTO history(instance_id, seq, at, type, step_id, attempt, data) VALUES ";
      for (size_t r = 0; r < n; ++r) {
        const size_t b = 7 * r;
        text += fmt::format("{}(${}, ${}, ${}, ${}, ${}, ${}, ${})", r == 0 ? "" : ", ", b + 1, b + 2, b + 3, b + 4,
                            b + 5, b + 6, b + 7);
      }
      all[n] = std::move(text);
    }
    return all;
  }();
  return sql.at(rows);
}

std::vector<PgParam> PgInsertEventsParams(const std::string& instance_id, int64_t last_seq,
                                          const std::vector<HistoryEvent>& events,
                                          const std::vector<std::string>& blobs, size_t first, size_t n, TimeMs now) {
  using P = PgParam;
  std::vector<PgParam> params;
  params.reserve(7 * n);
  for (size_t i = first; i < first + n; ++i) {
    const HistoryEvent& e = events[i];
    params.insert(params.end(), {P::Text(instance_id), P::Int64(last_seq + 1 + static_cast<int64_t>(i)),
                                 P::Int64(e.at != 0 ? e.at : now), P::Text(e.type), P::Text(e.step_id),
                                 P::Int64(e.attempt), P::Bytea(blobs[i])});
  }
  return params;
}

StartResult PgCreatedStart(const EncodedStart& e) {
  const InstanceRecord& r = e.request.instance;
  StartResult result;
  result.instance = r;
  result.instance.version = 1;
  result.instance.created_at = r.created_at != 0 ? r.created_at : e.now;
  result.instance.updated_at = r.updated_at != 0 ? r.updated_at : e.now;
  return result;
}

namespace {

using P = PgParam;

const std::string kLockInstance = "SELECT version, last_seq FROM instances WHERE id = $1 FOR UPDATE";
// A task for another instance: that instance's row is locked like its own
// commits lock it, so the task lands before or after them, never between a
// check and a write of theirs.
const std::string kLockOtherInstance = "SELECT 1 FROM instances WHERE id = $1 FOR UPDATE";
const std::string kDeleteLeasedTask = "DELETE FROM tasks WHERE id = $1 AND lease_token = $2 AND instance_id = $3";
// Locks the instance's attempt tasks, then reads their tokens: a claim of
// one that is in progress is waited for, and none can start until we end.
const std::string kLockAttempts = fmt::format(
    "SELECT id, lease_token FROM tasks WHERE instance_id = $1 AND kind IN ({}, {}) ORDER BY id FOR UPDATE",
    static_cast<int>(TaskKind::kRunStep), static_cast<int>(TaskKind::kCompensate));
const std::string kSignalKeyUsed =
    "SELECT 1 FROM signals WHERE instance_id = $1 AND idempotency_key = $2 AND idempotency_key <> ''";
const std::string kConsumeSignal =
    "UPDATE signals SET consumed = 1 WHERE id = $1 AND instance_id = $2 AND consumed = 0";
const std::string kUpdateInstance =
    "UPDATE instances SET status = $2, current_step = $3, output = $4, error_code = $5, error_message = $6, "
    "state = $7, deadline_at = $8, version = $9, last_seq = $10, updated_at = $11 WHERE id = $1";
const std::string kTouchInstance = "UPDATE instances SET version = $2, last_seq = $3, updated_at = $4 WHERE id = $1";
const std::string kMoveHistory = "UPDATE history SET instance_id = $2 WHERE instance_id = $1";
const std::string kMoveConsumedSignals = "UPDATE signals SET instance_id = $2 WHERE instance_id = $1 AND consumed = 1";
const std::string kStartNextRun =
    "UPDATE instances SET input = $2, workflow_version = $3, definition_hash = $4 WHERE id = $1";
const std::string kSelectInstanceById = fmt::format("SELECT {}, input FROM instances WHERE id = $1", kInstanceColumns);
const std::string kSelectInstanceByKey = fmt::format(
    "SELECT {}, input FROM instances WHERE idempotency_key = $1 AND idempotency_key <> ''", kInstanceColumns);

// A claim: leases up to $4 due, unleased tasks ($3 = now) to owner $1
// until $2, in the order of their rank, due_at moved by their priority ($5
// = ClaimRequest::priority_step_ms per level). Each priority level is read
// on its own in due order, at most $4 of each, locked as they are read and
// skipping rows another transaction holds (a concurrent claim's, or a
// commit's): two claims never wait for each other nor take the same task.
// `filter` narrows the tasks (an SQL condition on their columns, or "").
std::string ClaimSql(std::string_view filter) {
  std::string levels;
  for (int p = kHighestPriority; p <= kLowestPriority; ++p) {
    if (!levels.empty()) levels += " UNION ALL ";
    const std::string level = p == kDefaultPriority ? fmt::format("priority = {}", p)
                                                    : fmt::format("priority = {} AND priority <> {}", p, kDefaultPriority);
    // A locking clause may not stand in a UNION branch: each level is a
    // subquery of its own.
    levels += fmt::format(
        "SELECT id, due_at + ({}) * $5 AS claim_rank FROM (SELECT id, due_at FROM tasks WHERE {} AND due_at <= $3 "
        "AND lease_until <= $3{}{} ORDER BY due_at LIMIT $4 FOR UPDATE SKIP LOCKED) AS level{}",
        p - kDefaultPriority, level, filter.empty() ? "" : " AND ", filter, p);
  }
  return fmt::format(
      "UPDATE tasks SET lease_owner = $1, lease_until = $2, lease_token = lease_token + 1 "
      "WHERE id IN (SELECT id FROM ({}) AS due ORDER BY claim_rank, id LIMIT $4) AND lease_until <= $3 RETURNING {}",
      levels, kTaskColumns);
}
const std::string kClaim = ClaimSql("");
// $6: the limited activities, as a JSON array.
const std::string kClaimUnheld = ClaimSql(
    "(activity = '' OR (NOT EXISTS (SELECT 1 FROM activity_holds h WHERE h.activity = tasks.activity OR "
    "h.activity = '*') AND activity NOT IN (SELECT jsonb_array_elements_text($6::jsonb))))");
const std::string kClaimActivity = ClaimSql("activity = $6");
// A fair claim of one activity ($4) in turns across the values of the
// search key $5 (see store/sqlite/write_ops.cc); $1 = now, $2 = how many,
// $3 = priority_step_ms. Not locked (row locks do not go with window
// functions): kClaimIds then skips what another claim took meanwhile.
const std::string kSelectFair = fmt::format(
    "WITH due AS (SELECT t.id, t.due_at + (t.priority - {}) * $3 AS claim_rank, "
    "coalesce(nullif(i.search_keys, '')::jsonb ->> $5, '') AS fair_key "
    "FROM tasks t JOIN instances i ON i.id = t.instance_id "
    "WHERE t.activity = $4 AND t.lease_until <= $1 AND t.due_at <= $1), "
    "turns AS (SELECT id, claim_rank, fair_key, "
    "row_number() OVER (PARTITION BY fair_key ORDER BY claim_rank, id) AS turn FROM due) "
    "SELECT turns.id, turns.fair_key FROM turns LEFT JOIN activity_fair_turns f "
    "ON f.activity = $4 AND f.fair_key = turns.fair_key "
    "ORDER BY turn, coalesce(f.served, 0), claim_rank, turns.id LIMIT $2",
    kDefaultPriority);
// $6: the ids chosen by kSelectFair, as a JSON array.
const std::string kClaimIds = fmt::format(
    "UPDATE tasks SET lease_owner = $1, lease_until = $2, lease_token = lease_token + 1 "
    "WHERE id IN (SELECT (jsonb_array_elements_text($6::jsonb))::bigint) AND lease_until <= $3 RETURNING {}",
    kTaskColumns);
// Claims of one limited activity queue here, across processes: counting
// its attempts in flight and reserving from its bucket must not interleave.
const std::string kLockActivityLimit = "SELECT pg_advisory_xact_lock(hashtextextended('steadfast.limit.' || $1, 0))";
const std::string kLastServed = "SELECT coalesce(max(served), 0) FROM activity_fair_turns WHERE activity = $1";
const std::string kUpsertServed =
    "INSERT INTO activity_fair_turns(activity, fair_key, served) VALUES ($1, $2, $3) "
    "ON CONFLICT(activity, fair_key) DO UPDATE SET served = excluded.served";
const std::string kCountInFlight = "SELECT count(*) FROM tasks WHERE activity = $1 AND lease_until > $2";
const std::string kSelectHeldActivities = "SELECT activity FROM activity_holds";
const std::string kSelectRate = "SELECT tat_us FROM activity_rates WHERE activity = $1";
const std::string kUpsertRate =
    "INSERT INTO activity_rates(activity, tat_us) VALUES ($1, $2) ON CONFLICT(activity) DO UPDATE SET tat_us = "
    "excluded.tat_us";
const std::string kUpsertHold =
    "INSERT INTO activity_holds(activity, reason, held_by, held_at) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT(activity) DO UPDATE SET reason = excluded.reason, held_by = excluded.held_by, "
    "held_at = excluded.held_at";
const std::string kDeleteHold = "DELETE FROM activity_holds WHERE activity = $1";
const std::string kInsertHoldLog =
    "INSERT INTO activity_hold_log(activity, action, principal, reason, at) VALUES ($1, $2, $3, $4, $5)";
const std::string kReleaseLeases =
    "UPDATE tasks SET lease_owner = '', lease_until = 0, lease_token = lease_token + 1 "
    "WHERE lease_owner <> '' AND substr(lease_owner, 1, length($1)) = $1 AND lease_owner <> $2";
const std::string kRenew = "UPDATE tasks SET lease_until = $3 WHERE id = $1 AND lease_token = $2";
const std::string kReturnUnstarted =
    "UPDATE tasks SET lease_owner = '', lease_until = 0, lease_token = lease_token - 1, "
    "activity = CASE WHEN $4 <> '' THEN $4 ELSE activity END "
    "WHERE id = $1 AND lease_token = $2 AND lease_owner = $3 AND lease_token > 0";
const std::string kPutDefinition =
    "INSERT INTO definitions(hash, name, version, source, created_at) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT(hash) DO NOTHING";
const std::string kDeleteSearchKey =
    "DELETE FROM instance_keys WHERE key_name = $1 AND key_value = $2 AND key_created_at = $3 AND instance_id = $4";

Result<std::vector<TaskRecord>> InsertTasks(PgConnection& conn, const std::string& instance_id,
                                            const std::vector<NewTask>& tasks) {
  std::vector<TaskRecord> created;
  created.reserve(tasks.size());
  for (const NewTask& t : tasks) {
    SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kPgInsertTask, PgInsertTaskParams(instance_id, t)));
    SF_ASSIGN_OR_RETURN(int64_t id, res.Int64(0, 0));
    SF_ASSIGN_OR_RETURN(int64_t priority, res.Int64(0, 1));
    created.push_back(PgInsertedTask(instance_id, t, id, priority));
  }
  return created;
}

// Inserts `n` at version 1 unless its id or idempotency key is taken
// (search-key rows are the caller's). False when it was taken.
Result<bool> InsertInstanceRow(PgConnection& conn, const InstanceRecord& n, const std::string& input_blob,
                               const std::string& output_blob, int64_t last_seq) {
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kPgInsertInstance, PgInsertInstanceParams(n, input_blob, output_blob, last_seq)));
  return res.rows() == 1;
}

Status AppendEvents(PgConnection& conn, const std::string& instance_id, int64_t last_seq,
                    const std::vector<HistoryEvent>& events, const std::vector<std::string>& blobs, TimeMs now) {
  for (size_t first = 0; first < events.size(); first += kPgEventsPerInsert) {
    const size_t n = std::min(kPgEventsPerInsert, events.size() - first);
    SF_RETURN_IF_ERROR(
        conn.Query(PgInsertEventsSql(n), PgInsertEventsParams(instance_id, last_seq, events, blobs, first, n, now))
            .status());
  }
  return Status::Ok();
}

// continue_as_new's writes: the run that ended becomes an instance of its
// own, with the history so far.
Status FileFinishedRun(PgConnection& conn, const std::string& instance_id, int64_t last_seq, const EncodedCommit& e) {
  const RunArchive& archive = *e.commit.continue_as_new;
  const std::string& run_id = archive.run.id;
  if (!e.commit.instance.has_value()) return Status::InvalidArgument("continue_as_new needs the instance row");
  const InstanceRecord& next = *e.commit.instance;
  SF_ASSIGN_OR_RETURN(bool inserted,
                      InsertInstanceRow(conn, archive.run, e.run_input, e.run_output,
                                        last_seq + static_cast<int64_t>(archive.events.size())));
  if (!inserted) return Status::AlreadyExists(fmt::format("instance {} exists already", run_id));
  for (const std::string* sql : {&kMoveHistory, &kMoveConsumedSignals}) {
    SF_RETURN_IF_ERROR(conn.Query(*sql, {P::Text(instance_id), P::Text(run_id)}).status());
  }
  SF_RETURN_IF_ERROR(AppendEvents(conn, run_id, last_seq, archive.events, e.run_events, e.now));
  if (archive.next_definition.has_value()) {
    SF_RETURN_IF_ERROR(PgWritePutDefinition(conn, *archive.next_definition, e.now));
  }
  return conn
      .Query(kStartNextRun, {P::Text(instance_id), P::Bytea(e.next_input), P::Int64(next.workflow_version),
                             P::Text(next.definition_hash)})
      .status();
}

struct ExistingInstance {
  InstanceRecord record;
  std::string input_blob;
};

Result<std::optional<ExistingInstance>> FindExisting(PgConnection& conn, const std::string& sql,
                                                     const std::string& key) {
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(sql, {P::Text(key)}));
  if (res.rows() == 0) return std::optional<ExistingInstance>();
  SF_ASSIGN_OR_RETURN(InstanceRecord record,
                      RecordFromRow(res, 0, [](const PgRow& row) { return InstanceFromRow(row); }));
  if (!record.decode_error.empty()) return Status::Corruption(record.decode_error);
  SF_ASSIGN_OR_RETURN(std::string input, res.Bytea(0, kInstanceColumnCount));
  return std::optional<ExistingInstance>(ExistingInstance{std::move(record), std::move(input)});
}

// Whether `existing` was started with this input (its first run's, once
// it continued as new).
Result<bool> StartedWith(PgConnection& conn, const ExistingInstance& existing, const std::string& input_blob) {
  if (EncodedValuesEqual(existing.input_blob, input_blob)) return true;
  SF_ASSIGN_OR_RETURN(std::optional<ExistingInstance> first,
                      FindExisting(conn, kSelectInstanceById, ArchivedRunId(existing.record.id, 1)));
  return first.has_value() && EncodedValuesEqual(first->input_blob, input_blob);
}

// The answer to a start whose id or key is taken: that instance when it
// was started the same way, else a conflict naming what collided. nullopt
// when neither is taken.
Result<std::optional<StartResult>> ExistingStart(PgConnection& conn, const EncodedStart& e) {
  const InstanceRecord& r = e.request.instance;
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
    return std::optional<StartResult>(std::move(existing));
  }
  if (r.idempotency_key.empty()) return std::optional<StartResult>();
  SF_ASSIGN_OR_RETURN(std::optional<ExistingInstance> by_key,
                      FindExisting(conn, kSelectInstanceByKey, r.idempotency_key));
  if (!by_key.has_value()) return std::optional<StartResult>();
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
  return std::optional<StartResult>(std::move(existing));
}

Status StartChildren(PgConnection& conn, const EncodedCommit& e, CommitResult& result) {
  const Commit& c = e.commit;
  for (size_t i = 0; i < c.start_children.size(); ++i) {
    const ChildStart& child = c.start_children[i];
    const EncodedStart& start = e.children[i];
    const InstanceRecord& r = start.request.instance;
    if (child.definition.has_value()) SF_RETURN_IF_ERROR(PgWritePutDefinition(conn, *child.definition, e.now));
    SF_ASSIGN_OR_RETURN(std::optional<ExistingInstance> existing, FindExisting(conn, kSelectInstanceById, r.id));
    InstanceStatus status = InstanceStatus::kRunning;
    if (existing.has_value()) {
      if (existing->record.parent_id != c.instance_id) {
        return Status::AlreadyExists(fmt::format("instance {} exists and is not a child of {}", r.id, c.instance_id));
      }
      status = existing->record.status;
    } else {
      SF_ASSIGN_OR_RETURN(StartResult started, PgWriteStart(conn, start));
      status = started.instance.status;
      if (started.outcome == StartOutcome::kCreated) result.started_children.push_back(r.id);
      for (TaskRecord& t : started.created_tasks) result.created_tasks.push_back(std::move(t));
    }
    if (IsTerminal(status)) {
      SF_ASSIGN_OR_RETURN(std::vector<TaskRecord> told, InsertTasks(conn, c.instance_id, {child.if_finished}));
      for (TaskRecord& t : told) result.created_tasks.push_back(std::move(t));
    }
  }
  return Status::Ok();
}

Status WriteTasksForOthers(PgConnection& conn, const std::vector<TaskForInstance>& tasks, CommitResult& result) {
  for (const TaskForInstance& t : tasks) {
    SF_ASSIGN_OR_RETURN(PgResult exists, conn.Query(kLockOtherInstance, {P::Text(t.instance_id)}));
    if (exists.rows() == 0) continue;
    SF_ASSIGN_OR_RETURN(std::vector<TaskRecord> created, InsertTasks(conn, t.instance_id, {t.task}));
    for (TaskRecord& r : created) result.created_tasks.push_back(std::move(r));
  }
  return Status::Ok();
}

}  // namespace

Status PgRunPluginWrites(PgConnection& conn, const std::vector<PluginWrite>& writes) {
  if (writes.empty()) return Status::Ok();
  PgPluginTransaction tx(conn);
  return RunCheckpointWrites(writes, tx, [&conn] { return conn.healthy() && conn.InTransaction(); });
}

Result<CommitResult> PgWriteCommit(PgConnection& conn, const EncodedCommit& e) {
  const Commit& c = e.commit;
  int64_t version = 0;
  int64_t last_seq = 0;
  {
    SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kLockInstance, {P::Text(c.instance_id)}));
    if (res.rows() == 0) return Status::NotFound(fmt::format("instance {} not found", c.instance_id));
    SF_ASSIGN_OR_RETURN(version, res.Int64(0, 0));
    SF_ASSIGN_OR_RETURN(last_seq, res.Int64(0, 1));
  }
  if (c.expect_version.has_value() && *c.expect_version != version) {
    return Status::Conflict(fmt::format("instance {} is at version {}, expected version {}", c.instance_id, version,
                                        *c.expect_version));
  }
  if (c.task_id != 0) {
    SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kDeleteLeasedTask, {P::Int64(c.task_id), P::Int64(c.lease_token),
                                                                     P::Text(c.instance_id)}));
    if (res.affected() == 0) {
      return Status::LeaseLost(fmt::format("task {} of instance {} is gone or no longer held with lease token {}",
                                           c.task_id, c.instance_id, c.lease_token));
    }
  }
  if (c.require_no_claimed_attempt) {
    SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kLockAttempts, {P::Text(c.instance_id)}));
    for (int i = 0; i < res.rows(); ++i) {
      SF_ASSIGN_OR_RETURN(int64_t token, res.Int64(i, 1));
      if (token > 0) {
        SF_ASSIGN_OR_RETURN(int64_t id, res.Int64(i, 0));
        return Status::Conflict(fmt::format("instance {} has an attempt in flight (task {})", c.instance_id, id));
      }
    }
  }

  SF_RETURN_IF_ERROR(PgRunPluginWrites(conn, c.plugin_writes));

  CommitResult result;
  if (c.add_signal.has_value()) {
    const SignalRecord& s = *c.add_signal;
    if (!s.idempotency_key.empty()) {
      SF_ASSIGN_OR_RETURN(PgResult used, conn.Query(kSignalKeyUsed, {P::Text(c.instance_id), P::Text(s.idempotency_key)}));
      if (used.rows() != 0) {
        return Status::AlreadyExists(fmt::format("instance {} already received a signal with idempotency key {}",
                                                 c.instance_id, s.idempotency_key));
      }
    }
    SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kPgInsertSignal, PgInsertSignalParams(e)));
    SF_ASSIGN_OR_RETURN(result.signal_id, res.Int64(0, 0));
  }
  if (c.consume_signal_id != 0) {
    SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kConsumeSignal, {P::Int64(c.consume_signal_id), P::Text(c.instance_id)}));
    if (res.affected() == 0) {
      return Status::Conflict(fmt::format("signal {} of instance {} is not pending (unknown or already consumed)",
                                          c.consume_signal_id, c.instance_id));
    }
  }
  if (c.continue_as_new.has_value()) {
    SF_RETURN_IF_ERROR(FileFinishedRun(conn, c.instance_id, last_seq, e));
    last_seq += static_cast<int64_t>(c.continue_as_new->events.size());
  }
  if (c.delete_other_tasks || c.delete_step_tasks) {
    SF_RETURN_IF_ERROR(
        conn.Query(c.delete_other_tasks ? kPgDeleteInstanceTasks : kPgDeleteStepTasks, {P::Text(c.instance_id)}).status());
  }
  SF_ASSIGN_OR_RETURN(result.created_tasks, InsertTasks(conn, c.instance_id, c.new_tasks));
  SF_RETURN_IF_ERROR(AppendEvents(conn, c.instance_id, last_seq, c.events, e.events, e.now));

  const int64_t new_seq = last_seq + static_cast<int64_t>(c.events.size());
  if (c.instance.has_value()) {
    const InstanceRecord& r = *c.instance;
    SF_RETURN_IF_ERROR(conn.Query(kUpdateInstance,
                                  {P::Text(c.instance_id), P::Int64(static_cast<int>(r.status)),
                                   P::Text(r.current_step), P::Bytea(e.output), P::Text(r.error_code),
                                   P::Text(r.error_message), P::Bytea(r.state), P::Int64(r.deadline_at),
                                   P::Int64(version + 1), P::Int64(new_seq),
                                   P::Int64(r.updated_at != 0 ? r.updated_at : e.now)})
                           .status());
    ++version;
  } else if (!c.events.empty()) {
    SF_RETURN_IF_ERROR(conn.Query(kTouchInstance, {P::Text(c.instance_id), P::Int64(version + 1), P::Int64(new_seq),
                                                   P::Int64(e.now)})
                           .status());
    ++version;
  }
  result.instance_version = version;
  SF_RETURN_IF_ERROR(StartChildren(conn, e, result));
  SF_RETURN_IF_ERROR(WriteTasksForOthers(conn, c.tasks_for_others, result));
  return result;
}

Result<StartResult> PgWriteStart(PgConnection& conn, const EncodedStart& e) {
  SF_ASSIGN_OR_RETURN(std::optional<StartResult> existing, ExistingStart(conn, e));
  if (existing.has_value()) return std::move(*existing);

  const InstanceRecord& r = e.request.instance;
  StartResult result = PgCreatedStart(e);
  SF_ASSIGN_OR_RETURN(bool inserted, InsertInstanceRow(conn, result.instance, e.input, e.output,
                                                       static_cast<int64_t>(e.request.events.size())));
  if (!inserted) {
    // A concurrent start took the id or the key and has committed since
    // (ON CONFLICT waited for it): answer as if it had come first.
    SF_ASSIGN_OR_RETURN(existing, ExistingStart(conn, e));
    if (existing.has_value()) return std::move(*existing);
    return Status::Busy(fmt::format("instance {}: a concurrent start took its id or key; try again", r.id));
  }
  for (const SearchKey& key : result.instance.search_keys) {
    SF_RETURN_IF_ERROR(conn.Query(kPgInsertSearchKey, PgInsertSearchKeyParams(result.instance, key)).status());
  }
  SF_RETURN_IF_ERROR(AppendEvents(conn, r.id, 0, e.request.events, e.events, e.now));
  SF_ASSIGN_OR_RETURN(result.created_tasks, InsertTasks(conn, r.id, e.request.tasks));
  return result;
}

namespace {

Status RunClaim(PgConnection& conn, const std::string& sql, const ClaimRequest& r, int64_t limit,
                const std::optional<std::string>& extra, std::vector<TaskRecord>& out) {
  std::vector<PgParam> params = {P::Text(r.owner), P::Int64(r.lease_until), P::Int64(r.now), P::Int64(limit),
                                 P::Int64(r.priority_step_ms)};
  if (extra.has_value()) params.push_back(P::Text(*extra));
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(sql, params));
  for (int i = 0; i < res.rows(); ++i) {
    SF_ASSIGN_OR_RETURN(TaskRecord t, RecordFromRow(res, i, [](const PgRow& row) { return TaskFromRow(row); }));
    out.push_back(std::move(t));
  }
  return Status::Ok();
}

Status ClaimActivityTasks(PgConnection& conn, const ClaimRequest& r, const ActivityLimit& limit, int64_t count,
                          std::vector<TaskRecord>& out) {
  const size_t before = out.size();
  if (limit.fair_by.empty()) {
    SF_RETURN_IF_ERROR(RunClaim(conn, kClaimActivity, r, count, limit.activity, out));
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
    SF_ASSIGN_OR_RETURN(PgResult res,
                        conn.Query(kSelectFair, {P::Int64(r.now), P::Int64(count), P::Int64(r.priority_step_ms),
                                                 P::Text(limit.activity), P::Text(limit.fair_by)}));
    for (int i = 0; i < res.rows(); ++i) {
      SF_ASSIGN_OR_RETURN(int64_t id, res.Int64(i, 0));
      SF_ASSIGN_OR_RETURN(std::string key, res.Text(i, 1));
      chosen.emplace_back(id, std::move(key));
    }
  }
  if (chosen.empty()) return Status::Ok();
  Value::List ids;
  for (const auto& c : chosen) ids.push_back(Value(c.first));
  SF_RETURN_IF_ERROR(RunClaim(conn, kClaimIds, r, count, Value(std::move(ids)).ToJson(), out));
  std::map<int64_t, size_t> position;
  for (size_t i = 0; i < chosen.size(); ++i) position[chosen[i].first] = i;
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(before), out.end(),
            [&position](const TaskRecord& a, const TaskRecord& b) { return position.at(a.id) < position.at(b.id); });
  SF_ASSIGN_OR_RETURN(PgResult last, conn.Query(kLastServed, {P::Text(limit.activity)}));
  SF_ASSIGN_OR_RETURN(int64_t served, last.Int64(0, 0));
  std::set<int64_t> leased;
  for (size_t i = before; i < out.size(); ++i) leased.insert(out[i].id);
  for (const auto& [id, key] : chosen) {
    if (leased.count(id) == 0) continue;
    SF_RETURN_IF_ERROR(
        conn.Query(kUpsertServed, {P::Text(limit.activity), P::Text(key), P::Int64(++served)}).status());
  }
  return Status::Ok();
}

// As ClaimLimited in store/sqlite/write_ops.cc, queued per activity across
// processes by an advisory lock held to the end of the transaction.
Result<TimeMs> ClaimLimited(PgConnection& conn, const ClaimRequest& r, const ActivityLimit& limit, int room,
                            std::vector<TaskRecord>& out) {
  SF_RETURN_IF_ERROR(conn.Query(kLockActivityLimit, {P::Text(limit.activity)}).status());
  int64_t by_count = room;
  if (limit.max_in_flight > 0) {
    SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kCountInFlight, {P::Text(limit.activity), P::Int64(r.now)}));
    SF_ASSIGN_OR_RETURN(int64_t in_flight, res.Int64(0, 0));
    by_count = std::min(by_count, limit.max_in_flight - in_flight);
  }
  if (by_count <= 0) return TimeMs{0};
  if (limit.per_second <= 0) {
    SF_RETURN_IF_ERROR(ClaimActivityTasks(conn, r, limit, by_count, out));
    return TimeMs{0};
  }
  GcraBucket bucket;
  {
    SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kSelectRate, {P::Text(limit.activity)}));
    int64_t tat = 0;
    if (res.rows() != 0) {
      SF_ASSIGN_OR_RETURN(tat, res.Int64(0, 0));
    }
    bucket = GcraBucket(limit.per_second, limit.burst, tat);
  }
  const TimeMs horizon = r.now + std::max<int64_t>(0, r.rate_lookahead_ms);
  GcraBucket probe = bucket;
  int64_t slots = 0;
  while (slots < by_count && probe.Reserve(r.now) <= horizon) ++slots;
  auto next_claim_at = [&](const GcraBucket& b) { return std::max(r.now + 1, b.NextSlotMs(r.now) - (horizon - r.now)); };
  if (slots == 0) return next_claim_at(bucket);
  const size_t before = out.size();
  SF_RETURN_IF_ERROR(ClaimActivityTasks(conn, r, limit, slots, out));
  const int64_t claimed = static_cast<int64_t>(out.size() - before);
  if (claimed == 0) return TimeMs{0};
  for (size_t i = before; i < out.size(); ++i) {
    const TimeMs start = bucket.Reserve(r.now);
    out[i].start_at = start > r.now ? start : 0;
  }
  SF_RETURN_IF_ERROR(conn.Query(kUpsertRate, {P::Text(limit.activity), P::Int64(bucket.tat_us())}).status());
  return claimed == slots && slots < by_count ? next_claim_at(bucket) : TimeMs{0};
}

}  // namespace

Result<ClaimResult> PgWriteClaim(PgConnection& conn, const ClaimRequest& r) {
  std::set<std::string> held;
  {
    SF_ASSIGN_OR_RETURN(PgResult res, conn.Exec(kSelectHeldActivities));
    for (int i = 0; i < res.rows(); ++i) {
      SF_ASSIGN_OR_RETURN(std::string a, res.Text(i, 0));
      held.insert(std::move(a));
    }
  }
  ClaimResult result;
  if (held.empty() && r.limits.empty()) {
    SF_RETURN_IF_ERROR(RunClaim(conn, kClaim, r, r.limit, std::nullopt, result.tasks));
  } else {
    Value::List names;
    for (const ActivityLimit& l : r.limits) names.push_back(Value(l.activity));
    SF_RETURN_IF_ERROR(RunClaim(conn, kClaimUnheld, r, r.limit, Value(std::move(names)).ToJson(), result.tasks));
    for (const ActivityLimit& l : r.limits) {
      const int room = r.limit - static_cast<int>(result.tasks.size());
      if (room <= 0) break;
      if (held.count(kAllActivities) != 0 || held.count(l.activity) != 0) continue;
      SF_ASSIGN_OR_RETURN(TimeMs slot, ClaimLimited(conn, r, l, room, result.tasks));
      if (slot != 0 && (result.next_rate_slot_at == 0 || slot < result.next_rate_slot_at)) {
        result.next_rate_slot_at = slot;
      }
    }
  }
  std::sort(result.tasks.begin(), result.tasks.end(), [](const TaskRecord& a, const TaskRecord& b) {
    return a.due_at != b.due_at ? a.due_at < b.due_at : a.id < b.id;
  });
  return result;
}

Status PgWriteHoldActivity(PgConnection& conn, const ActivityHold& hold, TimeMs now) {
  const TimeMs at = hold.held_at != 0 ? hold.held_at : now;
  SF_RETURN_IF_ERROR(
      conn.Query(kUpsertHold, {P::Text(hold.activity), P::Text(hold.reason), P::Text(hold.held_by), P::Int64(at)})
          .status());
  return conn
      .Query(kInsertHoldLog,
             {P::Text(hold.activity), P::Text("hold"), P::Text(hold.held_by), P::Text(hold.reason), P::Int64(at)})
      .status();
}

Result<bool> PgWriteReleaseActivity(PgConnection& conn, const std::string& activity, const std::string& principal,
                                    const std::string& reason, TimeMs now) {
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kDeleteHold, {P::Text(activity)}));
  if (res.affected() == 0) return false;
  SF_RETURN_IF_ERROR(conn.Query(kInsertHoldLog, {P::Text(activity), P::Text("release"), P::Text(principal),
                                                 P::Text(reason), P::Int64(now)})
                         .status());
  return true;
}

Status PgWriteRenewLease(PgConnection& conn, int64_t task_id, int64_t lease_token, TimeMs lease_until) {
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kRenew, {P::Int64(task_id), P::Int64(lease_token), P::Int64(lease_until)}));
  if (res.affected() == 0) {
    return Status::LeaseLost(fmt::format("task {} is gone or no longer held with lease token {}", task_id, lease_token));
  }
  return Status::Ok();
}

Status PgWriteReturnUnstartedTask(PgConnection& conn, const TaskRecord& task) {
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kReturnUnstarted, {P::Int64(task.id), P::Int64(task.lease_token),
                                                                  P::Text(task.lease_owner), P::Text(task.activity)}));
  if (res.affected() == 0) {
    return Status::LeaseLost(fmt::format("task {} is gone or no longer held by {} with lease token {}", task.id,
                                         task.lease_owner, task.lease_token));
  }
  return Status::Ok();
}

Result<int64_t> PgWriteReleaseLeases(PgConnection& conn, const std::string& owner_prefix,
                                     const std::string& except_owner) {
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kReleaseLeases, {P::Text(owner_prefix), P::Text(except_owner)}));
  return res.affected();
}

Result<int64_t> PgWritePurgeInstances(PgConnection& conn, const std::vector<std::string>& ids) {
  int64_t purged = 0;
  for (const std::string& id : ids) {
    // Locked: the status checked is the one deleted.
    SF_ASSIGN_OR_RETURN(std::optional<InstanceRecord> rec, PgReadInstance(conn, id, /*for_update=*/true));
    if (!rec || !IsTerminal(rec->status)) continue;
    for (const SearchKey& key : rec->search_keys) {
      SF_RETURN_IF_ERROR(conn.Query(kDeleteSearchKey, {P::Text(key.name), P::Text(key.value),
                                                       P::Int64(rec->created_at), P::Text(id)})
                             .status());
    }
    for (const char* sql :
         {"DELETE FROM history WHERE instance_id = $1", "DELETE FROM signals WHERE instance_id = $1",
          "DELETE FROM tasks WHERE instance_id = $1", "DELETE FROM instance_inputs WHERE instance_id = $1"}) {
      SF_RETURN_IF_ERROR(conn.Query(sql, {P::Text(id)}).status());
    }
    SF_ASSIGN_OR_RETURN(PgResult res, conn.Query("DELETE FROM instances WHERE id = $1", {P::Text(id)}));
    purged += res.affected();
  }
  return purged;
}

Status PgWritePutDefinition(PgConnection& conn, const DefinitionRecord& def, TimeMs now) {
  return conn
      .Query(kPutDefinition, {P::Text(def.hash), P::Text(def.name), P::Int64(def.version), P::Text(def.source),
                              P::Int64(def.created_at != 0 ? def.created_at : now)})
      .status();
}

}  // namespace steadfast
