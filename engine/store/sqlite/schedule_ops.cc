// Schedules on SQLite: cursors compared and moved, tick rows inserted once.
#include "store/sqlite/schedule_ops.h"

#include <fmt/format.h>

#include "store/record_rows.h"

namespace steadfast {
namespace {

constexpr const char* kInsertSchedule =
    "INSERT INTO schedules(name, workflow, cursor_at, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4) "
    "ON CONFLICT(name) DO UPDATE SET workflow = excluded.workflow WHERE workflow <> excluded.workflow";
constexpr const char* kSelectCursor = "SELECT cursor_at FROM schedules WHERE name = ?1";
constexpr const char* kTickExists = "SELECT 1 FROM schedule_ticks WHERE schedule = ?1 AND kind = ?2 AND tick_at = ?3";
constexpr const char* kInsertTick =
    "INSERT INTO schedule_ticks(schedule, kind, tick_at, outcome, reason, instance_id, ticks, principal, "
    "recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kMoveCursor = "UPDATE schedules SET cursor_at = ?2, updated_at = ?3 WHERE name = ?1";
constexpr const char* kSetLastInstance =
    "UPDATE schedules SET last_instance_id = ?2, updated_at = ?3 WHERE name = ?1";
constexpr const char* kSetPaused =
    "UPDATE schedules SET paused = ?2, paused_by = ?3, pause_reason = ?4, paused_at = ?5, updated_at = ?6 "
    "WHERE name = ?1";
const std::string kSelectSchedules = fmt::format("SELECT {} FROM schedules ORDER BY name", kScheduleColumns);
const std::string kSelectTicks = fmt::format(
    "SELECT {} FROM schedule_ticks WHERE schedule = ?1 ORDER BY recorded_at DESC, tick_at DESC, kind DESC LIMIT ?2",
    kScheduleTickColumns);

}  // namespace

Status WriteEnsureSchedules(Connection& conn, const std::vector<ScheduleState>& schedules, TimeMs now) {
  for (const ScheduleState& s : schedules) {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kInsertSchedule));
    stmt->BindText(1, s.name);
    stmt->BindText(2, s.workflow);
    stmt->BindInt(3, s.cursor_at);
    stmt->BindInt(4, now);
    SF_RETURN_IF_ERROR(stmt->Run());
  }
  return Status::Ok();
}

Status WriteScheduleTicks(Connection& conn, const ScheduleTickWrite& write, const std::string& started_instance,
                          TimeMs now) {
  {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kSelectCursor));
    stmt->BindText(1, write.schedule);
    SF_ASSIGN_OR_RETURN(bool found, stmt->Step());
    if (!found) return Status::NotFound(fmt::format("no schedule named '{}'", write.schedule));
    const TimeMs cursor = stmt->ColumnInt(0);
    if (write.expect_cursor_at.has_value() && *write.expect_cursor_at != cursor) {
      return Status::Conflict(fmt::format("schedule '{}' moved on: its cursor is at {}, not {}", write.schedule,
                                          cursor, *write.expect_cursor_at));
    }
  }
  for (const ScheduleTick& t : write.ticks) {
    {
      SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kTickExists));
      stmt->BindText(1, write.schedule);
      stmt->BindInt(2, static_cast<int>(t.kind));
      stmt->BindInt(3, t.tick_at);
      SF_ASSIGN_OR_RETURN(bool exists, stmt->Step());
      if (exists) {
        return Status::AlreadyExists(
            fmt::format("schedule '{}' has handled its {} tick at {} already", write.schedule, TickKindName(t.kind),
                        t.tick_at));
      }
    }
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kInsertTick));
    stmt->BindText(1, write.schedule);
    stmt->BindInt(2, static_cast<int>(t.kind));
    stmt->BindInt(3, t.tick_at);
    stmt->BindInt(4, static_cast<int>(t.outcome));
    stmt->BindText(5, t.reason);
    stmt->BindText(6, t.instance_id);
    stmt->BindInt(7, t.ticks);
    stmt->BindText(8, t.principal);
    stmt->BindInt(9, t.recorded_at != 0 ? t.recorded_at : now);
    SF_RETURN_IF_ERROR(stmt->Run());
  }
  if (write.new_cursor_at.has_value()) {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kMoveCursor));
    stmt->BindText(1, write.schedule);
    stmt->BindInt(2, *write.new_cursor_at);
    stmt->BindInt(3, now);
    SF_RETURN_IF_ERROR(stmt->Run());
  }
  if (!started_instance.empty()) {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kSetLastInstance));
    stmt->BindText(1, write.schedule);
    stmt->BindText(2, started_instance);
    stmt->BindInt(3, now);
    SF_RETURN_IF_ERROR(stmt->Run());
  }
  return Status::Ok();
}

Status WriteSchedulePaused(Connection& conn, const std::string& name, bool paused, const std::string& principal,
                           const std::string& reason, TimeMs at) {
  // Bound text is not copied: these outlive the statement's step.
  const std::string paused_by = paused ? principal : std::string();
  const std::string pause_reason = paused ? reason : std::string();
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kSetPaused));
  stmt->BindText(1, name);
  stmt->BindInt(2, paused ? 1 : 0);
  stmt->BindText(3, paused_by);
  stmt->BindText(4, pause_reason);
  stmt->BindInt(5, paused ? at : 0);
  stmt->BindInt(6, at);
  SF_RETURN_IF_ERROR(stmt->Run());
  if (stmt->changes() == 0) return Status::NotFound(fmt::format("no schedule named '{}'", name));
  return Status::Ok();
}

Result<std::vector<ScheduleState>> ReadSchedules(Connection& conn) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kSelectSchedules));
  std::vector<ScheduleState> out;
  while (true) {
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(ScheduleFromRow(*stmt));
  }
  return out;
}

Result<std::vector<ScheduleTick>> ReadScheduleTicks(Connection& conn, const std::string& name, int limit) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kSelectTicks));
  stmt->BindText(1, name);
  stmt->BindInt(2, limit > 0 ? limit : -1);
  std::vector<ScheduleTick> out;
  while (true) {
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    SF_ASSIGN_OR_RETURN(ScheduleTick t, ScheduleTickFromRow(*stmt));
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace steadfast
