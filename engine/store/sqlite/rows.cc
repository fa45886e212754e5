// Decoding of selected SQLite rows into store records (store/record_rows.h).
#include "store/sqlite/rows.h"

#include <fmt/format.h>

namespace steadfast {

DefinitionRecord ReadDefinitionRow(const Statement& stmt) { return DefinitionFromRow(stmt); }
Result<InstanceRecord> ReadInstanceRow(const Statement& stmt) { return InstanceFromRow(stmt); }
Result<TaskRecord> ReadTaskRow(const Statement& stmt) { return TaskFromRow(stmt); }
Result<HistoryEvent> ReadHistoryRow(const Statement& stmt) { return HistoryEventFromRow(stmt); }
Result<SignalRecord> ReadSignalRow(const Statement& stmt) { return SignalFromRow(stmt); }

}  // namespace steadfast
