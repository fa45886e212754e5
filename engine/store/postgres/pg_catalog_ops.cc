// Schedules, bulk operations and deployed definitions on PostgreSQL
// (store/postgres/pg_catalog_ops.h).
#include "store/postgres/pg_catalog_ops.h"

#include <fmt/format.h>

#include "steadfast/time_text.h"
#include "store/postgres/pg_row.h"
#include "store/postgres/pg_write_ops.h"
#include "store/record_rows.h"

namespace steadfast {
namespace {

using P = PgParam;

const std::string kInsertSchedule =
    "INSERT INTO schedules(name, workflow, cursor_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) "
    "ON CONFLICT(name) DO UPDATE SET workflow = excluded.workflow WHERE schedules.workflow <> excluded.workflow";
// Locked: schedulers of several processes handling one tick queue here,
// and the second finds the cursor moved.
const std::string kLockCursor = "SELECT cursor_at FROM schedules WHERE name = $1 FOR UPDATE";
const std::string kTickExists = "SELECT 1 FROM schedule_ticks WHERE schedule = $1 AND kind = $2 AND tick_at = $3";
const std::string kInsertTick =
    "INSERT INTO schedule_ticks(schedule, kind, tick_at, outcome, reason, instance_id, ticks, principal, "
    "recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
const std::string kMoveCursor = "UPDATE schedules SET cursor_at = $2, updated_at = $3 WHERE name = $1";
const std::string kSetLastInstance = "UPDATE schedules SET last_instance_id = $2, updated_at = $3 WHERE name = $1";
const std::string kSetPaused =
    "UPDATE schedules SET paused = $2, paused_by = $3, pause_reason = $4, paused_at = $5, updated_at = $6 "
    "WHERE name = $1";
const std::string kSelectSchedules = fmt::format("SELECT {} FROM schedules ORDER BY name", kScheduleColumns);
const std::string kSelectTicks = fmt::format(
    "SELECT {} FROM schedule_ticks WHERE schedule = $1 ORDER BY recorded_at DESC, tick_at DESC, kind DESC",
    kScheduleTickColumns);

const std::string kPutBulk = fmt::format(
    "INSERT INTO bulk_operations({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
    "ON CONFLICT(id) DO UPDATE SET action = excluded.action, filter = excluded.filter, reason = excluded.reason, "
    "principal = excluded.principal, state = excluded.state, total = excluded.total, done = excluded.done, "
    "skipped = excluded.skipped, failed = excluded.failed, failures = excluded.failures, cursor = excluded.cursor, "
    "created_at = excluded.created_at, updated_at = excluded.updated_at, finished_at = excluded.finished_at",
    kBulkOperationColumns);
const std::string kSelectBulk = fmt::format("SELECT {} FROM bulk_operations WHERE id = $1", kBulkOperationColumns);

const std::string kSelectDeployed =
    "SELECT d.hash, d.deployed_by, d.deployed_at, f.source, f.created_at FROM deployed_definitions d "
    "JOIN definitions f ON f.hash = d.hash WHERE d.name = $1 AND d.version = $2";
const std::string kInsertDeployed =
    "INSERT INTO deployed_definitions(name, version, hash, deployed_by, deployed_at) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT DO NOTHING";
const std::string kSelectAllDeployed =
    "SELECT d.name, d.version, d.hash, d.deployed_by, d.deployed_at, f.source, f.created_at "
    "FROM deployed_definitions d JOIN definitions f ON f.hash = d.hash ORDER BY d.name, d.version";

std::string LimitClause(int limit) { return limit > 0 ? fmt::format(" LIMIT {}", limit) : std::string(); }

// The deploy of def.name/def.version found in the database, or nullopt.
Result<std::optional<DeployedDefinition>> FindDeployed(PgConnection& conn, const DefinitionRecord& def) {
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kSelectDeployed, {P::Text(def.name), P::Int64(def.version)}));
  if (res.rows() == 0) return std::optional<DeployedDefinition>();
  PgRow row(res, 0);
  DeployedDefinition before;
  before.definition = def;
  before.definition.hash = row.ColumnText(0);
  before.deployed_by = row.ColumnText(1);
  before.deployed_at = row.ColumnInt(2);
  before.definition.source = row.ColumnText(3);
  before.definition.created_at = row.ColumnInt(4);
  if (!row.status().ok()) return row.status();
  return std::optional<DeployedDefinition>(std::move(before));
}

Result<DeployedDefinition> Unchanged(const DeployedDefinition& before, const DefinitionRecord& def) {
  if (before.definition.hash != def.hash) {
    return Status::Conflict("workflow '" + def.name + "' version " + std::to_string(def.version) +
                            " is already deployed with other content (by " + before.deployed_by + " at " +
                            FormatRfc3339Utc(before.deployed_at) + "); deploy the change as a new version");
  }
  DeployedDefinition out = before;
  out.outcome = DeployOutcome::kUnchanged;
  return out;
}

}  // namespace

Status PgWriteEnsureSchedules(PgConnection& conn, const std::vector<ScheduleState>& schedules, TimeMs now) {
  for (const ScheduleState& s : schedules) {
    SF_RETURN_IF_ERROR(
        conn.Query(kInsertSchedule, {P::Text(s.name), P::Text(s.workflow), P::Int64(s.cursor_at), P::Int64(now)})
            .status());
  }
  return Status::Ok();
}

Status PgWriteScheduleTicks(PgConnection& conn, const ScheduleTickWrite& write, const std::string& started_instance,
                            TimeMs now) {
  {
    SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kLockCursor, {P::Text(write.schedule)}));
    if (res.rows() == 0) return Status::NotFound(fmt::format("no schedule named '{}'", write.schedule));
    SF_ASSIGN_OR_RETURN(int64_t cursor, res.Int64(0, 0));
    if (write.expect_cursor_at.has_value() && *write.expect_cursor_at != cursor) {
      return Status::Conflict(fmt::format("schedule '{}' moved on: its cursor is at {}, not {}", write.schedule,
                                          cursor, *write.expect_cursor_at));
    }
  }
  for (const ScheduleTick& t : write.ticks) {
    SF_ASSIGN_OR_RETURN(PgResult exists, conn.Query(kTickExists, {P::Text(write.schedule),
                                                                  P::Int64(static_cast<int>(t.kind)), P::Int64(t.tick_at)}));
    if (exists.rows() != 0) {
      return Status::AlreadyExists(fmt::format("schedule '{}' has handled its {} tick at {} already", write.schedule,
                                               TickKindName(t.kind), t.tick_at));
    }
    SF_RETURN_IF_ERROR(conn.Query(kInsertTick, {P::Text(write.schedule), P::Int64(static_cast<int>(t.kind)),
                                                P::Int64(t.tick_at), P::Int64(static_cast<int>(t.outcome)),
                                                P::Text(t.reason), P::Text(t.instance_id), P::Int64(t.ticks),
                                                P::Text(t.principal),
                                                P::Int64(t.recorded_at != 0 ? t.recorded_at : now)})
                           .status());
  }
  if (write.new_cursor_at.has_value()) {
    SF_RETURN_IF_ERROR(
        conn.Query(kMoveCursor, {P::Text(write.schedule), P::Int64(*write.new_cursor_at), P::Int64(now)}).status());
  }
  if (!started_instance.empty()) {
    SF_RETURN_IF_ERROR(
        conn.Query(kSetLastInstance, {P::Text(write.schedule), P::Text(started_instance), P::Int64(now)}).status());
  }
  return Status::Ok();
}

Status PgWriteSchedulePaused(PgConnection& conn, const std::string& name, bool paused, const std::string& principal,
                             const std::string& reason, TimeMs at) {
  SF_ASSIGN_OR_RETURN(PgResult res,
                      conn.Query(kSetPaused, {P::Text(name), P::Int64(paused ? 1 : 0),
                                              P::Text(paused ? principal : std::string()),
                                              P::Text(paused ? reason : std::string()), P::Int64(paused ? at : 0),
                                              P::Int64(at)}));
  if (res.affected() == 0) return Status::NotFound(fmt::format("no schedule named '{}'", name));
  return Status::Ok();
}

Result<std::vector<ScheduleState>> PgReadSchedules(PgConnection& conn) {
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Exec(kSelectSchedules));
  std::vector<ScheduleState> out;
  for (int i = 0; i < res.rows(); ++i) {
    PgRow row(res, i);
    out.push_back(ScheduleFromRow(row));
    if (!row.status().ok()) return row.status();
  }
  return out;
}

Result<std::vector<ScheduleTick>> PgReadScheduleTicks(PgConnection& conn, const std::string& name, int limit) {
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kSelectTicks + LimitClause(limit), {P::Text(name)}));
  std::vector<ScheduleTick> out;
  for (int i = 0; i < res.rows(); ++i) {
    SF_ASSIGN_OR_RETURN(ScheduleTick t,
                        RecordFromRow(res, i, [](const PgRow& row) { return ScheduleTickFromRow(row); }));
    out.push_back(std::move(t));
  }
  return out;
}

Status PgWritePutBulkOperation(PgConnection& conn, const BulkOperationRecord& op) {
  return conn
      .Query(kPutBulk, {P::Text(op.id), P::Text(op.action), P::Text(op.filter), P::Text(op.reason),
                        P::Text(op.principal), P::Text(op.state), P::Int64(op.total), P::Int64(op.done),
                        P::Int64(op.skipped), P::Int64(op.failed), P::Text(EncodeBulkFailures(op.failures)),
                        P::Text(op.cursor), P::Int64(op.created_at), P::Int64(op.updated_at),
                        P::Int64(op.finished_at)})
      .status();
}

Result<std::optional<BulkOperationRecord>> PgReadBulkOperation(PgConnection& conn, const std::string& id) {
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kSelectBulk, {P::Text(id)}));
  if (res.rows() == 0) return std::optional<BulkOperationRecord>();
  PgRow row(res, 0);
  BulkOperationRecord op = BulkOperationFromRow(row);
  if (!row.status().ok()) return row.status();
  return std::optional<BulkOperationRecord>(std::move(op));
}

Result<std::vector<BulkOperationRecord>> PgReadBulkOperations(PgConnection& conn, const std::string& state,
                                                              const std::string& before_id, int limit) {
  std::string sql = fmt::format("SELECT {} FROM bulk_operations WHERE true", kBulkOperationColumns);
  std::vector<PgParam> params;
  if (!state.empty()) {
    params.push_back(P::Text(state));
    sql += fmt::format(" AND state = ${}", params.size());
  }
  if (!before_id.empty()) {
    params.push_back(P::Text(before_id));
    sql += fmt::format(" AND (created_at, id) < (SELECT created_at, id FROM bulk_operations WHERE id = ${})",
                       params.size());
  }
  sql += " ORDER BY created_at DESC, id DESC" + LimitClause(limit);
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(sql, params));
  std::vector<BulkOperationRecord> out;
  for (int i = 0; i < res.rows(); ++i) {
    PgRow row(res, i);
    out.push_back(BulkOperationFromRow(row));
    if (!row.status().ok()) return row.status();
  }
  return out;
}

Result<DeployedDefinition> PgWriteDeployDefinition(PgConnection& conn, const DeployedDefinition& deployed) {
  const DefinitionRecord& def = deployed.definition;
  SF_ASSIGN_OR_RETURN(std::optional<DeployedDefinition> before, FindDeployed(conn, def));
  if (before.has_value()) return Unchanged(*before, def);
  SF_RETURN_IF_ERROR(PgWritePutDefinition(conn, def, deployed.deployed_at));
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kInsertDeployed, {P::Text(def.name), P::Int64(def.version),
                                                                 P::Text(def.hash), P::Text(deployed.deployed_by),
                                                                 P::Int64(deployed.deployed_at)}));
  if (res.affected() == 0) {
    // Another process deployed this name and version meanwhile.
    SF_ASSIGN_OR_RETURN(before, FindDeployed(conn, def));
    if (!before.has_value()) return Status::Busy("a concurrent deploy of " + def.name + " was rolled back; try again");
    return Unchanged(*before, def);
  }
  DeployedDefinition created = deployed;
  created.outcome = DeployOutcome::kCreated;
  return created;
}

Result<std::vector<DeployedDefinition>> PgReadDeployedDefinitions(PgConnection& conn) {
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Exec(kSelectAllDeployed));
  std::vector<DeployedDefinition> out;
  for (int i = 0; i < res.rows(); ++i) {
    PgRow row(res, i);
    DeployedDefinition d;
    d.definition.name = row.ColumnText(0);
    d.definition.version = static_cast<int>(row.ColumnInt(1));
    d.definition.hash = row.ColumnText(2);
    d.deployed_by = row.ColumnText(3);
    d.deployed_at = row.ColumnInt(4);
    d.definition.source = row.ColumnText(5);
    d.definition.created_at = row.ColumnInt(6);
    d.outcome = DeployOutcome::kUnchanged;
    if (!row.status().ok()) return row.status();
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace steadfast
