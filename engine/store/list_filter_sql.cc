// ListFilter -> FROM/WHERE text and binds (store/list_filter_sql.h).
#include "store/list_filter_sql.h"

#include <utility>

#include <fmt/format.h>

namespace steadfast {

std::string FilterSql::Next(std::variant<int64_t, std::string> value) {
  binds.push_back(std::move(value));
  return fmt::format("{}{}", dialect.placeholder, binds.size());
}

FilterSql BuildFilterSql(const ListFilter& f, SqlDialect dialect) {
  FilterSql q(dialect);
  if (f.keys.empty()) {
    q.from = " FROM instances";
  } else {
    q.from = fmt::format(" FROM instance_keys k0 {} instances ON instances.id = k0.instance_id", dialect.key_join);
    q.order_columns = "k0.key_created_at, k0.instance_id";
    q.where += " AND k0.key_name = " + q.Next(f.keys[0].name);
    q.where += " AND k0.key_value = " + q.Next(f.keys[0].value);
    for (size_t i = 1; i < f.keys.size(); ++i) {
      q.where += " AND EXISTS (SELECT 1 FROM instance_keys k WHERE k.key_name = " + q.Next(f.keys[i].name);
      q.where += " AND k.key_value = " + q.Next(f.keys[i].value);
      q.where += " AND k.key_created_at = instances.created_at AND k.instance_id = instances.id)";
    }
  }
  if (!f.statuses.empty()) {
    std::string list;
    for (InstanceStatus s : f.statuses) list += (list.empty() ? "" : ", ") + q.Next(int64_t{static_cast<int>(s)});
    q.where += f.statuses.size() == 1 ? " AND status = " + list : " AND status IN (" + list + ")";
  }
  if (!f.workflow_name.empty()) q.where += " AND workflow_name = " + q.Next(f.workflow_name);
  if (f.workflow_version != 0) q.where += " AND workflow_version = " + q.Next(int64_t{f.workflow_version});
  if (!f.current_step.empty()) q.where += " AND current_step = " + q.Next(f.current_step);
  if (!f.error_code.empty()) q.where += " AND error_code = " + q.Next(f.error_code);
  if (!f.requested_by.empty()) q.where += " AND requested_by = " + q.Next(f.requested_by);
  // The repeated "<> ''" lets the planner use the partial index
  // instances_parent (without it a parent's children were found by scanning
  // instances_created).
  if (!f.parent_id.empty()) q.where += " AND parent_id = " + q.Next(f.parent_id) + " AND parent_id <> ''";
  if (f.created_from != 0) q.where += " AND created_at >= " + q.Next(int64_t{f.created_from});
  if (f.created_before != 0) q.where += " AND created_at < " + q.Next(int64_t{f.created_before});
  if (f.updated_from != 0) q.where += " AND updated_at >= " + q.Next(int64_t{f.updated_from});
  if (f.updated_before != 0) q.where += " AND updated_at < " + q.Next(int64_t{f.updated_before});
  return q;
}

}  // namespace steadfast
