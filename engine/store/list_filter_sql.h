// A ListFilter as SQL, for both backends.
//
// One SQL text per combination of criteria (so each is planned, and cached,
// with the index that serves it) and the values to bind in placeholder
// order. With search keys the first key drives the query: the join walks
// instance_keys' (name, value, created_at, id) range, which is already in
// list order, and fetches each instance by id; further keys are point
// lookups. Without keys, instances are walked in (created_at, id) order or
// through the status/workflow indexes.
#ifndef STEADFAST_STORE_LIST_FILTER_SQL_H_
#define STEADFAST_STORE_LIST_FILTER_SQL_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "store/store.h"

namespace steadfast {

// What differs between the backends' SQL here.
struct SqlDialect {
  char placeholder = '?';  // '?' -> ?1, ?2 (SQLite); '$' -> $1, $2 (PostgreSQL)
  // The join of instance_keys to instances: SQLite's CROSS JOIN keeps its
  // planner from reordering the tables; PostgreSQL has no CROSS JOIN ... ON.
  const char* key_join = "CROSS JOIN";
};
inline constexpr SqlDialect kSqliteDialect{'?', "CROSS JOIN"};
inline constexpr SqlDialect kPostgresDialect{'$', "JOIN"};

struct FilterSql {
  explicit FilterSql(SqlDialect d) : dialect(d) {}
  SqlDialect dialect;
  std::string from;
  std::string where = " WHERE 1 = 1";
  std::string order_columns = "created_at, id";  // the list order (and cursor) columns
  std::vector<std::variant<int64_t, std::string>> binds;

  // The placeholder for the next value. Call it in statement order, never
  // twice in one expression (argument order is unspecified).
  std::string Next(std::variant<int64_t, std::string> value);
};

FilterSql BuildFilterSql(const ListFilter& filter, SqlDialect dialect);

}  // namespace steadfast

#endif  // STEADFAST_STORE_LIST_FILTER_SQL_H_
