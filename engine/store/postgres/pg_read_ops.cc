// Read queries of the PostgreSQL store (store/postgres/pg_read_ops.h).
#include "store/postgres/pg_read_ops.h"

#include <variant>

#include <fmt/format.h>

#include "store/list_filter_sql.h"
#include "store/postgres/pg_row.h"
#include "store/record_rows.h"

namespace steadfast {
namespace {

const std::string kSelectDefinition = fmt::format("SELECT {} FROM definitions WHERE hash = $1", kDefinitionColumns);
const std::string kSelectInstance = fmt::format("SELECT {} FROM instances WHERE id = $1", kInstanceColumns);
const std::string kSelectInstanceForUpdate = kSelectInstance + " FOR UPDATE";
const std::string kSelectCursor = "SELECT created_at FROM instances WHERE id = $1";
const std::string kSelectInstanceVersion = "SELECT version FROM instances WHERE id = $1";
const std::string kCountByStatus = "SELECT status, count(*) FROM instances GROUP BY status ORDER BY status";
const std::string kSelectHistory =
    fmt::format("SELECT {} FROM history WHERE instance_id = $1 AND seq > $2 ORDER BY seq", kHistoryColumns);
const std::string kSelectTasks = fmt::format("SELECT {} FROM tasks WHERE instance_id = $1 ORDER BY id", kTaskColumns);
const std::string kSelectPendingSignals = fmt::format(
    "SELECT {} FROM signals WHERE instance_id = $1 AND name = $2 AND consumed = 0 ORDER BY id", kSignalColumns);
const std::string kSelectSignalByKey = fmt::format(
    "SELECT {} FROM signals WHERE instance_id = $1 AND idempotency_key = $2 AND idempotency_key <> ''",
    kSignalColumns);
const std::string kNextDue = "SELECT due_at FROM tasks WHERE lease_until <= $1 ORDER BY due_at LIMIT 1";

// " LIMIT n", or nothing for no limit (limit <= 0).
std::string LimitClause(int limit) { return limit > 0 ? fmt::format(" LIMIT {}", limit) : std::string(); }

std::vector<PgParam> FilterParams(const FilterSql& q) {
  std::vector<PgParam> params;
  params.reserve(q.binds.size());
  for (const auto& b : q.binds) {
    if (const int64_t* n = std::get_if<int64_t>(&b)) params.push_back(PgParam::Int64(*n));
    else params.push_back(PgParam::Text(std::get<std::string>(b)));
  }
  return params;
}

template <class Record, class FromRow>
Result<std::vector<Record>> AllRecords(const PgResult& res, FromRow from_row) {
  std::vector<Record> out;
  out.reserve(static_cast<size_t>(res.rows()));
  for (int i = 0; i < res.rows(); ++i) {
    SF_ASSIGN_OR_RETURN(Record r, RecordFromRow(res, i, from_row));
    out.push_back(std::move(r));
  }
  return out;
}

auto kInstanceFromRow = [](const PgRow& row) { return InstanceFromRow(row); };
auto kTaskFromRow = [](const PgRow& row) { return TaskFromRow(row); };
auto kHistoryFromRow = [](const PgRow& row) { return HistoryEventFromRow(row); };
auto kSignalFromRow = [](const PgRow& row) { return SignalFromRow(row); };

}  // namespace

Result<std::optional<DefinitionRecord>> PgReadDefinition(PgConnection& conn, const std::string& hash) {
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kSelectDefinition, {PgParam::Text(hash)}));
  if (res.rows() == 0) return std::optional<DefinitionRecord>();
  PgRow row(res, 0);
  DefinitionRecord d = DefinitionFromRow(row);
  if (!row.status().ok()) return row.status();
  return std::optional<DefinitionRecord>(std::move(d));
}

Result<std::optional<InstanceRecord>> PgReadInstance(PgConnection& conn, const std::string& id, bool for_update) {
  SF_ASSIGN_OR_RETURN(PgResult res,
                      conn.Query(for_update ? kSelectInstanceForUpdate : kSelectInstance, {PgParam::Text(id)}));
  if (res.rows() == 0) return std::optional<InstanceRecord>();
  SF_ASSIGN_OR_RETURN(InstanceRecord r, RecordFromRow(res, 0, kInstanceFromRow));
  // The engine acts on one instance's input: never on a placeholder.
  if (!r.decode_error.empty()) return Status::Corruption(r.decode_error);
  return std::optional<InstanceRecord>(std::move(r));
}

Result<std::optional<int64_t>> PgReadInstanceVersion(PgConnection& conn, const std::string& id) {
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kSelectInstanceVersion, {PgParam::Text(id)}));
  if (res.rows() == 0) return std::optional<int64_t>();
  SF_ASSIGN_OR_RETURN(int64_t v, res.Int64(0, 0));
  return std::optional<int64_t>(v);
}

Result<std::vector<InstanceRecord>> PgReadInstances(PgConnection& conn, const ListFilter& filter, Logger& logger) {
  FilterSql q = BuildFilterSql(filter, kPostgresDialect);
  if (!filter.after_id.empty()) {
    int64_t cursor_created_at = filter.after_created_at.value_or(0);
    if (!filter.after_created_at.has_value()) {
      SF_ASSIGN_OR_RETURN(PgResult cursor, conn.Query(kSelectCursor, {PgParam::Text(filter.after_id)}));
      if (cursor.rows() == 0) {
        return Status::InvalidArgument(
            fmt::format("list cursor {} is not an instance id (pass the id of the last instance listed)",
                        filter.after_id));
      }
      SF_ASSIGN_OR_RETURN(cursor_created_at, cursor.Int64(0, 0));
    }
    q.where += " AND (" + q.order_columns + ") > (" + q.Next(cursor_created_at);
    q.where += ", " + q.Next(filter.after_id) + ")";
  }
  const std::string sql = fmt::format("SELECT {}{}{} ORDER BY {}{}", kInstanceColumns, q.from, q.where,
                                      q.order_columns, LimitClause(filter.limit));
  const std::vector<PgParam> params = FilterParams(q);
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(sql, params));
  SF_ASSIGN_OR_RETURN(std::vector<InstanceRecord> list, AllRecords<InstanceRecord>(res, kInstanceFromRow));
  for (const InstanceRecord& r : list) {
    if (!r.decode_error.empty()) logger.Warn("store: listing a damaged row: " + r.decode_error);
  }
  return list;
}

Result<int64_t> PgReadCountInstances(PgConnection& conn, const ListFilter& filter) {
  FilterSql q = BuildFilterSql(filter, kPostgresDialect);
  const std::vector<PgParam> params = FilterParams(q);
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query("SELECT count(*)" + q.from + q.where, params));
  return res.Int64(0, 0);
}

Result<std::vector<std::pair<InstanceStatus, int64_t>>> PgReadCountByStatus(PgConnection& conn) {
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Exec(kCountByStatus));
  std::vector<std::pair<InstanceStatus, int64_t>> out;
  for (int i = 0; i < res.rows(); ++i) {
    SF_ASSIGN_OR_RETURN(int64_t status, res.Int64(i, 0));
    SF_ASSIGN_OR_RETURN(int64_t count, res.Int64(i, 1));
    SF_ASSIGN_OR_RETURN(InstanceStatus s, InstanceStatusFromInt(status));
    out.emplace_back(s, count);
  }
  return out;
}

Result<std::vector<HistoryEvent>> PgReadHistory(PgConnection& conn, const std::string& instance_id,
                                                int64_t after_seq, int limit, Logger& logger) {
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kSelectHistory + LimitClause(limit),
                                               {PgParam::Text(instance_id), PgParam::Int64(after_seq)}));
  SF_ASSIGN_OR_RETURN(std::vector<HistoryEvent> events, AllRecords<HistoryEvent>(res, kHistoryFromRow));
  for (const HistoryEvent& e : events) {
    if (!e.decode_error.empty()) logger.Warn("store: reading a damaged row: " + e.decode_error);
  }
  return events;
}

Result<std::vector<TaskRecord>> PgReadTasks(PgConnection& conn, const std::string& instance_id) {
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kSelectTasks, {PgParam::Text(instance_id)}));
  return AllRecords<TaskRecord>(res, kTaskFromRow);
}

Result<std::vector<SignalRecord>> PgReadPendingSignals(PgConnection& conn, const std::string& instance_id,
                                                       const std::string& name) {
  SF_ASSIGN_OR_RETURN(PgResult res,
                      conn.Query(kSelectPendingSignals, {PgParam::Text(instance_id), PgParam::Text(name)}));
  return AllRecords<SignalRecord>(res, kSignalFromRow);
}

Result<std::optional<SignalRecord>> PgReadSignalByKey(PgConnection& conn, const std::string& instance_id,
                                                      const std::string& idempotency_key) {
  if (idempotency_key.empty()) return std::optional<SignalRecord>();
  SF_ASSIGN_OR_RETURN(PgResult res,
                      conn.Query(kSelectSignalByKey, {PgParam::Text(instance_id), PgParam::Text(idempotency_key)}));
  if (res.rows() == 0) return std::optional<SignalRecord>();
  SF_ASSIGN_OR_RETURN(SignalRecord s, RecordFromRow(res, 0, kSignalFromRow));
  return std::optional<SignalRecord>(std::move(s));
}

Result<std::optional<TimeMs>> PgReadNextDueAt(PgConnection& conn, TimeMs now) {
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Query(kNextDue, {PgParam::Int64(now)}));
  if (res.rows() == 0) return std::optional<TimeMs>();
  SF_ASSIGN_OR_RETURN(int64_t due, res.Int64(0, 0));
  return std::optional<TimeMs>(due);
}

Result<std::vector<ActivityHold>> PgReadActivityHolds(PgConnection& conn) {
  SF_ASSIGN_OR_RETURN(PgResult res,
                      conn.Exec("SELECT activity, reason, held_by, held_at FROM activity_holds ORDER BY activity"));
  std::vector<ActivityHold> out;
  for (int i = 0; i < res.rows(); ++i) {
    PgRow row(res, i);
    out.push_back(ActivityHold{row.ColumnText(0), row.ColumnText(1), row.ColumnText(2), row.ColumnInt(3)});
    if (!row.status().ok()) return row.status();
  }
  return out;
}

Result<std::vector<ActivityHoldEvent>> PgReadActivityHoldLog(PgConnection& conn, int limit) {
  SF_ASSIGN_OR_RETURN(PgResult res, conn.Exec("SELECT id, activity, action, principal, reason, at FROM "
                                              "activity_hold_log ORDER BY id DESC" +
                                              LimitClause(limit)));
  std::vector<ActivityHoldEvent> out;
  for (int i = 0; i < res.rows(); ++i) {
    PgRow row(res, i);
    out.push_back(ActivityHoldEvent{row.ColumnInt(0), row.ColumnText(1), row.ColumnText(2), row.ColumnText(3),
                                    row.ColumnText(4), row.ColumnInt(5)});
    if (!row.status().ok()) return row.status();
  }
  return out;
}

}  // namespace steadfast
