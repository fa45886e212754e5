// Queries behind the Store's bulk operation methods (bulk_ops.h).
#include "store/sqlite/bulk_ops.h"

#include <fmt/format.h>

#include "steadfast/value.h"
#include "store/record_rows.h"

namespace steadfast {
namespace {

const std::string kPutBulk = fmt::format(
    "INSERT OR REPLACE INTO bulk_operations({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
    "?14, ?15)",
    kBulkOperationColumns);
const std::string kSelectBulk = fmt::format("SELECT {} FROM bulk_operations WHERE id = ?1", kBulkOperationColumns);

BulkOperationRecord ReadBulkRow(const Statement& s) { return BulkOperationFromRow(s); }

}  // namespace

Status WritePutBulkOperation(Connection& conn, const BulkOperationRecord& op) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare(kPutBulk));
  const std::string failures = EncodeBulkFailures(op.failures);  // bound without a copy: must outlive Run()
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
  std::string sql = fmt::format("SELECT {} FROM bulk_operations WHERE 1", kBulkOperationColumns);
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
