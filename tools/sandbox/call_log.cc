// CallLog: recording and querying the `calls` table.
#include "call_log.h"

namespace steadfast::sandbox {

namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS calls(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms INTEGER NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  query TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  status INTEGER NOT NULL,
  fault TEXT NOT NULL,
  replayed INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  object_id TEXT NOT NULL,
  traceparent TEXT NOT NULL DEFAULT '');
)sql";

}  // namespace

Status CallLog::Load() {
  SF_RETURN_IF_ERROR(db_.Exec(kSchema));
  // A sandbox database from before the traceparent column: add it.
  SF_ASSIGN_OR_RETURN(int64_t has_column,
                      db_.QueryInt("SELECT count(*) FROM pragma_table_info('calls') WHERE name = 'traceparent'"));
  if (has_column > 0) return Status::Ok();
  return db_.Exec("ALTER TABLE calls ADD COLUMN traceparent TEXT NOT NULL DEFAULT ''");
}

Status CallLog::Record(CallRecord& c) {
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("INSERT INTO calls(at_ms, method, path, query, idempotency_key, status, "
                                             "fault, replayed, duration_ms, object_id, traceparent) "
                                             "VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
  stmt->BindInt(1, c.at_ms);
  stmt->BindText(2, c.method);
  stmt->BindText(3, c.path);
  stmt->BindText(4, c.query);
  stmt->BindText(5, c.idempotency_key);
  stmt->BindInt(6, c.status);
  stmt->BindText(7, c.fault);
  stmt->BindInt(8, c.replayed ? 1 : 0);
  stmt->BindInt(9, c.duration_ms);
  stmt->BindText(10, c.object_id);
  stmt->BindText(11, c.traceparent);
  SF_RETURN_IF_ERROR(stmt->Run());
  c.id = stmt->last_insert_rowid();
  return Status::Ok();
}

Result<std::pair<std::vector<CallRecord>, bool>> CallLog::List(const CallFilter& filter) {
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("SELECT id, at_ms, method, path, query, idempotency_key, status, fault, "
                                             "replayed, duration_ms, object_id, traceparent FROM calls "
                                             "WHERE id > ? AND substr(path, 1, length(?)) = ? "
                                             "ORDER BY id LIMIT ?"));
  stmt->BindInt(1, filter.after_id);
  stmt->BindText(2, filter.path_prefix);
  stmt->BindText(3, filter.path_prefix);
  stmt->BindInt(4, filter.limit + 1);
  std::vector<CallRecord> out;
  while (true) {
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    CallRecord c;
    c.id = stmt->ColumnInt(0);
    c.at_ms = stmt->ColumnInt(1);
    c.method = stmt->ColumnText(2);
    c.path = stmt->ColumnText(3);
    c.query = stmt->ColumnText(4);
    c.idempotency_key = stmt->ColumnText(5);
    c.status = static_cast<int>(stmt->ColumnInt(6));
    c.fault = stmt->ColumnText(7);
    c.replayed = stmt->ColumnInt(8) != 0;
    c.duration_ms = stmt->ColumnInt(9);
    c.object_id = stmt->ColumnText(10);
    c.traceparent = stmt->ColumnText(11);
    out.push_back(std::move(c));
  }
  const bool has_more = static_cast<int64_t>(out.size()) > filter.limit;
  if (has_more) out.pop_back();
  return std::make_pair(std::move(out), has_more);
}

Result<CallLog::Totals> CallLog::Summarize() {
  Totals totals;
  SF_ASSIGN_OR_RETURN(totals.calls, db_.QueryInt("SELECT count(*) FROM calls"));
  SF_ASSIGN_OR_RETURN(totals.replays, db_.QueryInt("SELECT coalesce(sum(replayed), 0) FROM calls"));
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("SELECT fault, count(*) FROM calls WHERE fault != '' GROUP BY fault"));
  while (true) {
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    totals.faults[stmt->ColumnText(0)] = stmt->ColumnInt(1);
  }
  return totals;
}

nlohmann::ordered_json CallToJson(const CallRecord& c) {
  nlohmann::ordered_json j;
  j["id"] = c.id;
  j["at_ms"] = c.at_ms;
  j["method"] = c.method;
  j["path"] = c.path;
  j["query"] = c.query;
  j["idempotency_key"] = c.idempotency_key;
  j["status"] = c.status;
  j["fault"] = c.fault;
  j["replayed"] = c.replayed;
  j["duration_ms"] = c.duration_ms;
  j["object_id"] = c.object_id;
  j["traceparent"] = c.traceparent;
  return j;
}

}  // namespace steadfast::sandbox
