// Decoding of selected rows into store records.
#include "store/sqlite/rows.h"

#include <fmt/format.h>

#include "steadfast/value_codec.h"

namespace steadfast {
namespace {

Result<Value> DecodeColumn(const Statement& stmt, int column, std::string_view what) {
  Result<Value> v = DecodeValue(stmt.ColumnBlob(column));
  if (!v.ok()) return Status::Corruption(fmt::format("{}: {}", what, v.status().message()));
  return v;
}

}  // namespace

Result<InstanceStatus> InstanceStatusFromInt(int64_t value) {
  if (value < static_cast<int>(InstanceStatus::kRunning) || value > static_cast<int>(kLastInstanceStatus)) {
    return Status::Corruption(fmt::format("unknown instance status {}", value));
  }
  return static_cast<InstanceStatus>(value);
}

Result<TaskKind> TaskKindFromInt(int64_t value) {
  if (value < static_cast<int>(TaskKind::kRunStep) || value > static_cast<int>(TaskKind::kStopChild)) {
    return Status::Corruption(fmt::format("unknown task kind {}", value));
  }
  return static_cast<TaskKind>(value);
}

DefinitionRecord ReadDefinitionRow(const Statement& stmt) {
  DefinitionRecord d;
  d.hash = stmt.ColumnText(0);
  d.name = stmt.ColumnText(1);
  d.version = static_cast<int>(stmt.ColumnInt(2));
  d.source = stmt.ColumnText(3);
  d.created_at = stmt.ColumnInt(4);
  return d;
}

Result<InstanceRecord> ReadInstanceRow(const Statement& stmt) {
  InstanceRecord r;
  r.id = stmt.ColumnText(0);
  r.workflow_name = stmt.ColumnText(1);
  r.workflow_version = static_cast<int>(stmt.ColumnInt(2));
  r.definition_hash = stmt.ColumnText(3);
  Result<InstanceStatus> status = InstanceStatusFromInt(stmt.ColumnInt(4));
  if (!status.ok()) return Status::Corruption(fmt::format("instance {}: {}", r.id, status.status().message()));
  r.status = *status;
  r.current_step = stmt.ColumnText(5);
  Result<Value> input = DecodeColumn(stmt, 6, fmt::format("instance {} input", r.id));
  Result<Value> output = DecodeColumn(stmt, 7, fmt::format("instance {} output", r.id));
  if (input.ok() && output.ok()) {
    r.input = std::move(input).value();
    r.output = std::move(output).value();
  } else {
    r.decode_error = (input.ok() ? output : input).status().message();
  }
  r.error_code = stmt.ColumnText(8);
  r.error_message = stmt.ColumnText(9);
  r.state = std::string(stmt.ColumnBlob(10));
  r.idempotency_key = stmt.ColumnText(11);
  r.requested_by = stmt.ColumnText(12);
  r.traceparent = stmt.ColumnText(13);
  r.version = stmt.ColumnInt(14);
  r.created_at = stmt.ColumnInt(15);
  r.updated_at = stmt.ColumnInt(16);
  r.deadline_at = stmt.ColumnInt(17);
  r.links = DecodeInstanceLinks(stmt.ColumnText(18));
  r.started_by = stmt.ColumnText(19);
  r.search_keys = DecodeSearchKeys(stmt.ColumnText(20));
  r.priority = static_cast<int>(stmt.ColumnInt(21));
  r.parent_id = stmt.ColumnText(22);
  r.parent_step = stmt.ColumnText(23);
  return r;
}

Result<TaskRecord> ReadTaskRow(const Statement& stmt) {
  TaskRecord t;
  t.id = stmt.ColumnInt(0);
  t.instance_id = stmt.ColumnText(1);
  Result<TaskKind> kind = TaskKindFromInt(stmt.ColumnInt(2));
  if (!kind.ok()) return Status::Corruption(fmt::format("task {}: {}", t.id, kind.status().message()));
  t.kind = *kind;
  t.step_id = stmt.ColumnText(3);
  t.attempt = static_cast<int>(stmt.ColumnInt(4));
  t.due_at = stmt.ColumnInt(5);
  t.lease_owner = stmt.ColumnText(6);
  t.lease_until = stmt.ColumnInt(7);
  t.lease_token = stmt.ColumnInt(8);
  t.step_started_at = stmt.ColumnInt(9);
  t.activity = stmt.ColumnText(10);
  t.priority = static_cast<int>(stmt.ColumnInt(11));
  return t;
}

Result<HistoryEvent> ReadHistoryRow(const Statement& stmt) {
  HistoryEvent e;
  e.instance_id = stmt.ColumnText(0);
  e.seq = stmt.ColumnInt(1);
  e.at = stmt.ColumnInt(2);
  e.type = stmt.ColumnText(3);
  e.step_id = stmt.ColumnText(4);
  e.attempt = static_cast<int>(stmt.ColumnInt(5));
  Result<Value> data = DecodeColumn(stmt, 6, fmt::format("history {}#{} data", e.instance_id, e.seq));
  if (data.ok()) {
    e.data = std::move(data).value();
  } else {
    e.decode_error = data.status().message();
    e.data = Value::Map{{"decode_error", e.decode_error}};
  }
  return e;
}

Result<SignalRecord> ReadSignalRow(const Statement& stmt) {
  SignalRecord s;
  s.id = stmt.ColumnInt(0);
  s.instance_id = stmt.ColumnText(1);
  s.name = stmt.ColumnText(2);
  SF_ASSIGN_OR_RETURN(s.payload, DecodeColumn(stmt, 3, fmt::format("signal {} payload", s.id)));
  s.idempotency_key = stmt.ColumnText(4);
  s.principal = stmt.ColumnText(5);
  s.received_at = stmt.ColumnInt(6);
  s.consumed = stmt.ColumnInt(7) != 0;
  return s;
}

}  // namespace steadfast
