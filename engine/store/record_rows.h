// Selected rows -> store records, for every backend.
//
// A backend's row type gives ColumnInt(i) (int64_t), ColumnText(i) and
// ColumnBlob(i) (bytes) of its current row, which selected the column list
// below for its table. Reading decodes blobs (cereal Values) and checks enum
// integers, so a damaged row surfaces naming the row, never as a crash or a
// silently wrong record: an undecodable instance input/output or event data
// is reported in the record's decode_error (with a placeholder value), so
// that one damaged row does not hide the others from a list; an unknown
// enum is Corruption.
#ifndef STEADFAST_STORE_RECORD_ROWS_H_
#define STEADFAST_STORE_RECORD_ROWS_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "steadfast/status.h"
#include "steadfast/value_codec.h"
#include "store/store.h"

namespace steadfast {

// The columns each query of a table selects, in this order (queries may
// select more after them), so every reader is in step with one list. Valid
// SQL on SQLite and PostgreSQL alike.
inline constexpr const char* kDefinitionColumns = "hash, name, version, source, created_at";
// input: from instance_inputs when the row holds the empty blob (sqlite/migration_v12.cc).
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
inline constexpr const char* kBulkOperationColumns =
    "id, action, filter, reason, principal, state, total, done, skipped, failed, failures, cursor, created_at, "
    "updated_at, finished_at";
inline constexpr const char* kScheduleColumns =
    "name, workflow, cursor_at, paused, paused_by, pause_reason, paused_at, last_instance_id, created_at, updated_at";
inline constexpr const char* kScheduleTickColumns =
    "schedule, kind, tick_at, outcome, reason, instance_id, ticks, principal, recorded_at";

// A bulk operation's failures as stored: a JSON list of {instance_id,
// reason}; unreadable text (a damaged row) decodes as none rather than
// hiding the operation.
std::string EncodeBulkFailures(const std::vector<BulkFailure>& failures);
std::vector<BulkFailure> DecodeBulkFailures(std::string_view text);

// Validated conversions from stored integers.
Result<InstanceStatus> InstanceStatusFromInt(int64_t value);
Result<TaskKind> TaskKindFromInt(int64_t value);

namespace record_rows_detail {
template <class Row>
Result<Value> DecodeColumn(const Row& row, int column, std::string_view what) {
  Result<Value> v = DecodeValue(row.ColumnBlob(column));
  if (!v.ok()) return Status::Corruption(fmt::format("{}: {}", what, v.status().message()));
  return v;
}
}  // namespace record_rows_detail

template <class Row>
DefinitionRecord DefinitionFromRow(const Row& row) {
  DefinitionRecord d;
  d.hash = row.ColumnText(0);
  d.name = row.ColumnText(1);
  d.version = static_cast<int>(row.ColumnInt(2));
  d.source = row.ColumnText(3);
  d.created_at = row.ColumnInt(4);
  return d;
}

template <class Row>
Result<InstanceRecord> InstanceFromRow(const Row& row) {
  using record_rows_detail::DecodeColumn;
  InstanceRecord r;
  r.id = row.ColumnText(0);
  r.workflow_name = row.ColumnText(1);
  r.workflow_version = static_cast<int>(row.ColumnInt(2));
  r.definition_hash = row.ColumnText(3);
  Result<InstanceStatus> status = InstanceStatusFromInt(row.ColumnInt(4));
  if (!status.ok()) return Status::Corruption(fmt::format("instance {}: {}", r.id, status.status().message()));
  r.status = *status;
  r.current_step = row.ColumnText(5);
  Result<Value> input = DecodeColumn(row, 6, fmt::format("instance {} input", r.id));
  Result<Value> output = DecodeColumn(row, 7, fmt::format("instance {} output", r.id));
  if (input.ok() && output.ok()) {
    r.input = std::move(input).value();
    r.output = std::move(output).value();
  } else {
    r.decode_error = (input.ok() ? output : input).status().message();
  }
  r.error_code = row.ColumnText(8);
  r.error_message = row.ColumnText(9);
  r.state = std::string(row.ColumnBlob(10));
  r.idempotency_key = row.ColumnText(11);
  r.requested_by = row.ColumnText(12);
  r.traceparent = row.ColumnText(13);
  r.version = row.ColumnInt(14);
  r.created_at = row.ColumnInt(15);
  r.updated_at = row.ColumnInt(16);
  r.deadline_at = row.ColumnInt(17);
  r.links = DecodeInstanceLinks(row.ColumnText(18));
  r.started_by = row.ColumnText(19);
  r.search_keys = DecodeSearchKeys(row.ColumnText(20));
  r.priority = static_cast<int>(row.ColumnInt(21));
  r.parent_id = row.ColumnText(22);
  r.parent_step = row.ColumnText(23);
  return r;
}

template <class Row>
Result<TaskRecord> TaskFromRow(const Row& row) {
  TaskRecord t;
  t.id = row.ColumnInt(0);
  t.instance_id = row.ColumnText(1);
  Result<TaskKind> kind = TaskKindFromInt(row.ColumnInt(2));
  if (!kind.ok()) return Status::Corruption(fmt::format("task {}: {}", t.id, kind.status().message()));
  t.kind = *kind;
  t.step_id = row.ColumnText(3);
  t.attempt = static_cast<int>(row.ColumnInt(4));
  t.due_at = row.ColumnInt(5);
  t.lease_owner = row.ColumnText(6);
  t.lease_until = row.ColumnInt(7);
  t.lease_token = row.ColumnInt(8);
  t.step_started_at = row.ColumnInt(9);
  t.activity = row.ColumnText(10);
  t.priority = static_cast<int>(row.ColumnInt(11));
  return t;
}

template <class Row>
Result<HistoryEvent> HistoryEventFromRow(const Row& row) {
  HistoryEvent e;
  e.instance_id = row.ColumnText(0);
  e.seq = row.ColumnInt(1);
  e.at = row.ColumnInt(2);
  e.type = row.ColumnText(3);
  e.step_id = row.ColumnText(4);
  e.attempt = static_cast<int>(row.ColumnInt(5));
  Result<Value> data =
      record_rows_detail::DecodeColumn(row, 6, fmt::format("history {}#{} data", e.instance_id, e.seq));
  if (data.ok()) {
    e.data = std::move(data).value();
  } else {
    e.decode_error = data.status().message();
    e.data = Value::Map{{"decode_error", e.decode_error}};
  }
  return e;
}

template <class Row>
Result<SignalRecord> SignalFromRow(const Row& row) {
  SignalRecord s;
  s.id = row.ColumnInt(0);
  s.instance_id = row.ColumnText(1);
  s.name = row.ColumnText(2);
  SF_ASSIGN_OR_RETURN(s.payload,
                      record_rows_detail::DecodeColumn(row, 3, fmt::format("signal {} payload", s.id)));
  s.idempotency_key = row.ColumnText(4);
  s.principal = row.ColumnText(5);
  s.received_at = row.ColumnInt(6);
  s.consumed = row.ColumnInt(7) != 0;
  return s;
}

template <class Row>
BulkOperationRecord BulkOperationFromRow(const Row& row) {
  BulkOperationRecord op;
  op.id = row.ColumnText(0);
  op.action = row.ColumnText(1);
  op.filter = row.ColumnText(2);
  op.reason = row.ColumnText(3);
  op.principal = row.ColumnText(4);
  op.state = row.ColumnText(5);
  op.total = row.ColumnInt(6);
  op.done = row.ColumnInt(7);
  op.skipped = row.ColumnInt(8);
  op.failed = row.ColumnInt(9);
  op.failures = DecodeBulkFailures(row.ColumnText(10));
  op.cursor = row.ColumnText(11);
  op.created_at = row.ColumnInt(12);
  op.updated_at = row.ColumnInt(13);
  op.finished_at = row.ColumnInt(14);
  return op;
}

template <class Row>
ScheduleState ScheduleFromRow(const Row& row) {
  ScheduleState s;
  s.name = row.ColumnText(0);
  s.workflow = row.ColumnText(1);
  s.cursor_at = row.ColumnInt(2);
  s.paused = row.ColumnInt(3) != 0;
  s.paused_by = row.ColumnText(4);
  s.pause_reason = row.ColumnText(5);
  s.paused_at = row.ColumnInt(6);
  s.last_instance_id = row.ColumnText(7);
  s.created_at = row.ColumnInt(8);
  s.updated_at = row.ColumnInt(9);
  return s;
}

template <class Row>
Result<ScheduleTick> ScheduleTickFromRow(const Row& row) {
  ScheduleTick t;
  t.schedule = row.ColumnText(0);
  const int64_t kind = row.ColumnInt(1);
  const int64_t outcome = row.ColumnInt(3);
  if ((kind != 1 && kind != 2) || (outcome != 1 && outcome != 2)) {
    return Status::Corruption(fmt::format("schedule_ticks row of '{}' at {}: unknown kind {} or outcome {}",
                                          t.schedule, row.ColumnInt(2), kind, outcome));
  }
  t.kind = static_cast<TickKind>(kind);
  t.tick_at = row.ColumnInt(2);
  t.outcome = static_cast<TickOutcome>(outcome);
  t.reason = row.ColumnText(4);
  t.instance_id = row.ColumnText(5);
  t.ticks = row.ColumnInt(6);
  t.principal = row.ColumnText(7);
  t.recorded_at = row.ColumnInt(8);
  return t;
}

}  // namespace steadfast

#endif  // STEADFAST_STORE_RECORD_ROWS_H_
