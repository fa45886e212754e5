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
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("SELECT count(*) FROM pragma_table_info('calls') WHERE name = 'traceparent'"));
  bool has_column = stmt->Step() && stmt->ColumnInt(0) > 0;
  SF_RETURN_IF_ERROR(stmt->status());
  if (has_column) return Status::Ok();
  return db_.Exec("ALTER TABLE calls ADD COLUMN traceparent TEXT NOT NULL DEFAULT ''");
}

Status CallLog::Record(CallRecord& c) {
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("INSERT INTO calls(at_ms, method, path, query, idempotency_key, status, "
                                             "fault, replayed, duration_ms, object_id, traceparent) "
                                             "VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
  stmt->Bind(1, c.at_ms).Bind(2, c.method).Bind(3, c.path).Bind(4, c.query).Bind(5, c.idempotency_key);
  stmt->Bind(6, static_cast<int64_t>(c.status)).Bind(7, c.fault).Bind(8, static_cast<int64_t>(c.replayed ? 1 : 0));
  stmt->Bind(9, c.duration_ms).Bind(10, c.object_id).Bind(11, c.traceparent);
  SF_RETURN_IF_ERROR(stmt->Run());
  c.id = db_.LastInsertRowId();
  return Status::Ok();
}

Result<std::pair<std::vector<CallRecord>, bool>> CallLog::List(const CallFilter& filter) {
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("SELECT id, at_ms, method, path, query, idempotency_key, status, fault, "
                                             "replayed, duration_ms, object_id, traceparent FROM calls "
                                             "WHERE id > ? AND substr(path, 1, length(?)) = ? "
                                             "ORDER BY id LIMIT ?"));
  stmt->Bind(1, filter.after_id).Bind(2, filter.path_prefix).Bind(3, filter.path_prefix).Bind(4, filter.limit + 1);
  std::vector<CallRecord> out;
  while (stmt->Step()) {
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
  SF_RETURN_IF_ERROR(stmt->status());
  const bool has_more = static_cast<int64_t>(out.size()) > filter.limit;
  if (has_more) out.pop_back();
  return std::make_pair(std::move(out), has_more);
}

Result<CallLog::Totals> CallLog::Summarize() {
  Totals totals;
  {
    SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("SELECT count(*), coalesce(sum(replayed), 0) FROM calls"));
    if (stmt->Step()) {
      totals.calls = stmt->ColumnInt(0);
      totals.replays = stmt->ColumnInt(1);
    }
    SF_RETURN_IF_ERROR(stmt->status());
  }
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("SELECT fault, count(*) FROM calls WHERE fault != '' GROUP BY fault"));
  while (stmt->Step()) totals.faults[stmt->ColumnText(0)] = stmt->ColumnInt(1);
  SF_RETURN_IF_ERROR(stmt->status());
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
