// Queries behind the Store's bulk operation methods (bulk_ops.h).
#include "store/sqlite/bulk_ops.h"

#include <fmt/format.h>

#include "steadfast/value.h"

namespace steadfast {
namespace {

constexpr const char* kBulkColumns =
    "id, action, filter, reason, principal, state, total, done, skipped, failed, failures, cursor, created_at, "
    "updated_at, finished_at";
const std::string kPutBulk = fmt::format(
    "INSERT OR REPLACE INTO bulk_operations({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
    "?14, ?15)",
    kBulkColumns);
const std::string kSelectBulk = fmt::format("SELECT {} FROM bulk_operations WHERE id = ?1", kBulkColumns);

// Failures as a JSON list of {instance_id, reason}; unreadable text (a
// damaged row) reads as none rather than hiding the operation.
std::string EncodeFailures(const std::vector<BulkFailure>& failures) {
  Value::List list;
  for (const BulkFailure& f : failures) list.push_back(Value::Map{{"instance_id", f.instance_id}, {"reason", f.reason}});
  return Value(std::move(list)).ToJson();
}

std::vector<BulkFailure> DecodeFailures(std::string_view text) {
  std::vector<BulkFailure> out;
  Result<Value> v = Value::FromJson(text);
  if (!v.ok() || !v->is_list()) return out;
  for (const Value& f : v->AsList()) {
    out.push_back(BulkFailure{f.Get("instance_id").StringOr(""), f.Get("reason").StringOr("")});
  }
  return out;
}

BulkOperationRecord ReadBulkRow(const Statement& s) {
  BulkOperationRecord op;
  op.id = s.ColumnText(0);
  op.action = s.ColumnText(1);
  op.filter = s.ColumnText(2);
  op.reason = s.ColumnText(3);
  op.principal = s.ColumnText(4);
  op.state = s.ColumnText(5);
  op.total = s.ColumnInt(6);
  op.done = s.ColumnInt(7);
  op.skipped = s.ColumnInt(8);
  op.failed = s.ColumnInt(9);
  op.failures = DecodeFailures(s.ColumnText(10));
  op.cursor = s.ColumnText(11);
  op.created_at = s.ColumnInt(12);
  op.updated_at = s.ColumnInt(13);
  op.finished_at = s.ColumnInt(14);
  return op;
}

}  // namespace

Status WritePutBulkOperation(Connection& conn, const BulkOperationRecord& op) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kPutBulk));
  const std::string failures = EncodeFailures(op.failures);  // bound without a copy: must outlive Run()
  stmt->BindText(1, op.id);
  stmt->BindText(2, op.action);
  stmt->BindText(3, op.filter);
  stmt->BindText(4, op.reason);
  stmt->BindText(5, op.principal);
  stmt->BindText(6, op.state);
  stmt->BindInt(7, op.total);
  stmt->BindInt(8, op.done);
  stmt->BindInt(9, op.skipped);
  stmt->BindInt(10, op.failed);
  stmt->BindText(11, failures);
  stmt->BindText(12, op.cursor);
  stmt->BindInt(13, op.created_at);
  stmt->BindInt(14, op.updated_at);
  stmt->BindInt(15, op.finished_at);
  return stmt->Run();
}

Result<std::optional<BulkOperationRecord>> ReadBulkOperation(Connection& conn, const std::string& id) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kSelectBulk));
  stmt->BindText(1, id);
  SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<BulkOperationRecord>();
  return std::optional<BulkOperationRecord>(ReadBulkRow(*stmt));
}

Result<std::vector<BulkOperationRecord>> ReadBulkOperations(Connection& conn, const std::string& state,
                                                            const std::string& before_id, int limit) {
  // One SQL text per combination, as for instances.
  std::string sql = fmt::format("SELECT {} FROM bulk_operations WHERE 1", kBulkColumns);
  if (!state.empty()) sql += " AND state = ?1";
  if (!before_id.empty()) {
    sql += " AND (created_at, id) < (SELECT created_at, id FROM bulk_operations WHERE id = ?2)";
  }
  sql += " ORDER BY created_at DESC, id DESC LIMIT ?3";
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(sql));
  if (!state.empty()) stmt->BindText(1, state);
  if (!before_id.empty()) stmt->BindText(2, before_id);
  stmt->BindInt(3, limit > 0 ? limit : -1);
  std::vector<BulkOperationRecord> out;
  while (true) {
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return out;
    out.push_back(ReadBulkRow(*stmt));
  }
}

}  // namespace steadfast
