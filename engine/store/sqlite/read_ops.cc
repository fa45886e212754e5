// Queries behind the Store's read methods.
#include "store/sqlite/read_ops.h"

#include <fmt/format.h>

#include <variant>

#include "store/list_filter_sql.h"
#include "store/sqlite/rows.h"

namespace steadfast {
namespace {

const std::string kSelectDefinition = fmt::format("SELECT {} FROM definitions WHERE hash = ?1", kDefinitionColumns);
const std::string kSelectInstance = fmt::format("SELECT {} FROM instances WHERE id = ?1", kInstanceColumns);
const std::string kSelectCursor = "SELECT created_at FROM instances WHERE id = ?1";
const std::string kSelectInstanceVersion = "SELECT version FROM instances WHERE id = ?1";
const std::string kCountByStatus = "SELECT status, count(*) FROM instances GROUP BY status ORDER BY status";
const std::string kSelectHistory = fmt::format(
    "SELECT {} FROM history WHERE instance_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3", kHistoryColumns);
const std::string kSelectTasks = fmt::format("SELECT {} FROM tasks WHERE instance_id = ?1 ORDER BY id", kTaskColumns);
const std::string kSelectPendingSignals = fmt::format(
    "SELECT {} FROM signals WHERE instance_id = ?1 AND name = ?2 AND consumed = 0 ORDER BY id", kSignalColumns);
// The repeated "<> ''" lets SQLite use the partial unique index.
const std::string kSelectSignalByKey = fmt::format(
    "SELECT {} FROM signals WHERE instance_id = ?1 AND idempotency_key = ?2 AND idempotency_key <> ''",
    kSignalColumns);
// Walks tasks_due in due_at order and stops at the first claimable task.
const std::string kNextDue = "SELECT due_at FROM tasks WHERE lease_until <= ?1 ORDER BY due_at LIMIT 1";

// SQLite treats a negative LIMIT as "no limit".
int64_t SqlLimit(int limit) { return limit > 0 ? limit : -1; }

// Binds a filter's values to the statement made from its text.
void BindFilter(const FilterSql& q, Statement& stmt) {
  for (size_t i = 0; i < q.binds.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    if (const int64_t* n = std::get_if<int64_t>(&q.binds[i])) stmt.BindInt(index, *n);
    else stmt.BindText(index, std::get<std::string>(q.binds[i]));
  }
}

template <class Record, class ReadRow>
Result<std::vector<Record>> ReadAll(Statement& stmt, ReadRow read_row) {
  std::vector<Record> out;
  while (true) {
    SF_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return out;
    SF_ASSIGN_OR_RETURN(Record r, read_row(stmt));
    out.push_back(std::move(r));
  }
}

}  // namespace

Result<std::optional<DefinitionRecord>> ReadDefinition(Connection& conn, const std::string& hash) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kSelectDefinition));
  stmt->BindText(1, hash);
  SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<DefinitionRecord>();
  return std::optional<DefinitionRecord>(ReadDefinitionRow(*stmt));
}

Result<std::optional<InstanceRecord>> ReadInstance(Connection& conn, const std::string& id) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kSelectInstance));
  stmt->BindText(1, id);
  SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<InstanceRecord>();
  SF_ASSIGN_OR_RETURN(InstanceRecord r, ReadInstanceRow(*stmt));
  // The engine acts on one instance's input: never on a placeholder.
  if (!r.decode_error.empty()) return Status::Corruption(r.decode_error);
  return std::optional<InstanceRecord>(std::move(r));
}

Result<std::optional<int64_t>> ReadInstanceVersion(Connection& conn, const std::string& id) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kSelectInstanceVersion));
  stmt->BindText(1, id);
  SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt->ColumnInt(0));
}

Result<std::vector<InstanceRecord>> ReadInstances(Connection& conn, const ListFilter& filter, Logger& logger) {
  FilterSql q = BuildFilterSql(filter, kSqliteDialect);
  if (!filter.after_id.empty()) {
    TimeMs cursor_created_at = 0;
    if (filter.after_created_at.has_value()) {
      cursor_created_at = *filter.after_created_at;
    } else {
      SF_ASSIGN_OR_RETURN(StatementRef cursor, conn.Prepare(kSelectCursor));
      cursor->BindText(1, filter.after_id);
      SF_ASSIGN_OR_RETURN(bool row, cursor->Step());
      if (!row) {
        return Status::InvalidArgument(
            fmt::format("list cursor {} is not an instance id (pass the id of the last instance listed)",
                        filter.after_id));
      }
      cursor_created_at = cursor->ColumnInt(0);
    }
    q.where += " AND (" + q.order_columns + ") > (" + q.Next(int64_t{cursor_created_at});
    q.where += ", " + q.Next(filter.after_id) + ")";
  }
  const std::string limit = q.Next(SqlLimit(filter.limit));
  std::string sql = fmt::format("SELECT {}{}{} ORDER BY {} LIMIT {}", kInstanceColumns, q.from, q.where,
                                q.order_columns, limit);
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(sql));
  BindFilter(q, *stmt);
  SF_ASSIGN_OR_RETURN(std::vector<InstanceRecord> list, ReadAll<InstanceRecord>(*stmt, ReadInstanceRow));
  for (const InstanceRecord& r : list) {
    if (!r.decode_error.empty()) logger.Warn("store: listing a damaged row: " + r.decode_error);
  }
  return list;
}

Result<int64_t> ReadCountInstances(Connection& conn, const ListFilter& filter) {
  FilterSql q = BuildFilterSql(filter, kSqliteDialect);
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare("SELECT count(*)" + q.from + q.where));
  BindFilter(q, *stmt);
  SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return Status::Internal("count returned no row");
  return stmt->ColumnInt(0);
}

Result<std::vector<std::pair<InstanceStatus, int64_t>>> ReadCountByStatus(Connection& conn) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kCountByStatus));
  return ReadAll<std::pair<InstanceStatus, int64_t>>(
      *stmt, [](const Statement& s) -> Result<std::pair<InstanceStatus, int64_t>> {
        SF_ASSIGN_OR_RETURN(InstanceStatus status, InstanceStatusFromInt(s.ColumnInt(0)));
        return std::make_pair(status, s.ColumnInt(1));
      });
}

Result<int64_t> ReadCountLeasedAttempts(Connection& conn, const std::string& activity, TimeMs now) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt,
                      conn.Prepare("SELECT count(*) FROM tasks WHERE activity = ?1 AND lease_until > ?2"));
  stmt->BindText(1, activity);
  stmt->BindInt(2, now);
  SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row ? stmt->ColumnInt(0) : 0;
}

Result<int64_t> ReadRateBucketTat(Connection& conn, const std::string& activity) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare("SELECT tat_us FROM activity_rates WHERE activity = ?1"));
  stmt->BindText(1, activity);
  SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row ? stmt->ColumnInt(0) : 0;
}

Result<std::vector<HistoryEvent>> ReadHistory(Connection& conn, const std::string& instance_id, int64_t after_seq,
                                              int limit, Logger& logger) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kSelectHistory));
  stmt->BindText(1, instance_id);
  stmt->BindInt(2, after_seq);
  stmt->BindInt(3, SqlLimit(limit));
  SF_ASSIGN_OR_RETURN(std::vector<HistoryEvent> events, ReadAll<HistoryEvent>(*stmt, ReadHistoryRow));
  for (const HistoryEvent& e : events) {
    if (!e.decode_error.empty()) logger.Warn("store: reading a damaged row: " + e.decode_error);
  }
  return events;
}

Result<std::vector<TaskRecord>> ReadTasks(Connection& conn, const std::string& instance_id) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kSelectTasks));
  stmt->BindText(1, instance_id);
  return ReadAll<TaskRecord>(*stmt, ReadTaskRow);
}

Result<std::vector<SignalRecord>> ReadPendingSignals(Connection& conn, const std::string& instance_id,
                                                     const std::string& name) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kSelectPendingSignals));
  stmt->BindText(1, instance_id);
  stmt->BindText(2, name);
  return ReadAll<SignalRecord>(*stmt, ReadSignalRow);
}

Result<std::optional<SignalRecord>> ReadSignalByKey(Connection& conn, const std::string& instance_id,
                                                    const std::string& idempotency_key) {
  if (idempotency_key.empty()) return std::optional<SignalRecord>();
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kSelectSignalByKey));
  stmt->BindText(1, instance_id);
  stmt->BindText(2, idempotency_key);
  SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<SignalRecord>();
  SF_ASSIGN_OR_RETURN(SignalRecord s, ReadSignalRow(*stmt));
  return std::optional<SignalRecord>(std::move(s));
}

Result<std::optional<TimeMs>> ReadNextDueAt(Connection& conn, TimeMs now) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kNextDue));
  stmt->BindInt(1, now);
  SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<TimeMs>();
  return std::optional<TimeMs>(stmt->ColumnInt(0));
}

Result<std::vector<ActivityHold>> ReadActivityHolds(Connection& conn) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt,
                      conn.Prepare("SELECT activity, reason, held_by, held_at FROM activity_holds ORDER BY activity"));
  std::vector<ActivityHold> out;
  while (true) {
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(ActivityHold{stmt->ColumnText(0), stmt->ColumnText(1), stmt->ColumnText(2), stmt->ColumnInt(3)});
  }
  return out;
}

Result<std::vector<ActivityHoldEvent>> ReadActivityHoldLog(Connection& conn, int limit) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare("SELECT id, activity, action, principal, reason, at FROM "
                                                      "activity_hold_log ORDER BY id DESC LIMIT ?1"));
  stmt->BindInt(1, SqlLimit(limit));
  std::vector<ActivityHoldEvent> out;
  while (true) {
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(ActivityHoldEvent{stmt->ColumnInt(0), stmt->ColumnText(1), stmt->ColumnText(2),
                                    stmt->ColumnText(3), stmt->ColumnText(4), stmt->ColumnInt(5)});
  }
  return out;
}

}  // namespace steadfast
