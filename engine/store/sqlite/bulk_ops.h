// Queries behind the Store's bulk operation methods (bulk_operations table,
// migration_v7.cc).
#ifndef STEADFAST_STORE_SQLITE_BULK_OPS_H_
#define STEADFAST_STORE_SQLITE_BULK_OPS_H_

#include <optional>
#include <string>
#include <vector>

#include "steadfast/status.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace steadfast {

Status WritePutBulkOperation(Connection& conn, const BulkOperationRecord& op);
Result<std::optional<BulkOperationRecord>> ReadBulkOperation(Connection& conn, const std::string& id);
Result<std::vector<BulkOperationRecord>> ReadBulkOperations(Connection& conn, const std::string& state,
                                                            const std::string& before_id, int limit);

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_BULK_OPS_H_
