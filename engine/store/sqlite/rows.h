// Rows <-> records: the column lists the queries select and the functions
// that turn a selected row into a record.
//
// Reading decodes blobs (cereal Values) and checks enum integers, so a
// damaged row surfaces naming the row, never as a crash or a silently wrong
// record: an undecodable instance input/output or event data is reported in
// the record's decode_error (with a placeholder value), so that one damaged
// row does not hide the others from a list; an unknown enum is Corruption.
// Queries select exactly the k*Columns text below, in that order, which
// keeps every reader of a table in step with one list.
#ifndef STEADFAST_STORE_SQLITE_ROWS_H_
#define STEADFAST_STORE_SQLITE_ROWS_H_

#include "steadfast/status.h"
#include "store/sqlite/statement.h"
#include "store/store.h"

namespace steadfast {

inline constexpr const char* kDefinitionColumns = "hash, name, version, source, created_at";
// input: from instance_inputs when the row holds the empty blob (migration_v12.cc).
inline constexpr const char* kInstanceColumns =
    "id, workflow_name, workflow_version, definition_hash, status, current_step, "
    "CASE WHEN length(input) = 0 THEN (SELECT ii.input FROM instance_inputs ii WHERE ii.instance_id = instances.id) "
    "ELSE input END, output, error_code, "
    "error_message, state, idempotency_key, requested_by, traceparent, version, created_at, updated_at, deadline_at, links, "
    "started_by, search_keys, priority, parent_id, parent_step";
// Where kInstanceColumns has the encoded input.
inline constexpr int kInstanceInputColumn = 6;
// How many columns kInstanceColumns selects: a query may select more after them.
inline constexpr int kInstanceColumnCount = 24;
inline constexpr const char* kTaskColumns =
    "id, instance_id, kind, step_id, attempt, due_at, lease_owner, lease_until, lease_token, step_started_at, activity, "
    "priority";
inline constexpr const char* kHistoryColumns = "instance_id, seq, at, type, step_id, attempt, data";
inline constexpr const char* kSignalColumns =
    "id, instance_id, name, payload, idempotency_key, principal, received_at, consumed";

// Each reads the current row of stmt, which selected the matching columns.
DefinitionRecord ReadDefinitionRow(const Statement& stmt);
Result<InstanceRecord> ReadInstanceRow(const Statement& stmt);
Result<TaskRecord> ReadTaskRow(const Statement& stmt);
Result<HistoryEvent> ReadHistoryRow(const Statement& stmt);
Result<SignalRecord> ReadSignalRow(const Statement& stmt);

// Validated conversions from stored integers.
Result<InstanceStatus> InstanceStatusFromInt(int64_t value);
Result<TaskKind> TaskKindFromInt(int64_t value);

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_ROWS_H_
