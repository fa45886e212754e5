// SQLite rows -> records: the functions that turn a selected row into a
// record (store/record_rows.h says how damaged rows are reported).
// The column lists are in store/record_rows.h, shared by both backends.
#ifndef STEADFAST_STORE_SQLITE_ROWS_H_
#define STEADFAST_STORE_SQLITE_ROWS_H_

#include "steadfast/status.h"
#include "store/sqlite/statement.h"
#include "store/record_rows.h"
#include "store/store.h"

namespace steadfast {

// Each reads the current row of stmt, which selected the matching columns.
DefinitionRecord ReadDefinitionRow(const Statement& stmt);
Result<InstanceRecord> ReadInstanceRow(const Statement& stmt);
Result<TaskRecord> ReadTaskRow(const Statement& stmt);
Result<HistoryEvent> ReadHistoryRow(const Statement& stmt);
Result<SignalRecord> ReadSignalRow(const Statement& stmt);

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_ROWS_H_
