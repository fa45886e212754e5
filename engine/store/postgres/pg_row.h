// PgRow: one row of a PgResult seen through the getters the store's row
// decoders use (store/record_rows.h): ColumnInt, ColumnText, ColumnBlob.
//
// Those getters cannot fail, so a value PgResult refuses (NULL, not an
// integer, not bytea) reads as 0 / "" and the first such error is kept:
// RecordFromRow() reports it instead of the record, so a bad value is never
// taken for a real one.
#ifndef STEADFAST_STORE_POSTGRES_PG_ROW_H_
#define STEADFAST_STORE_POSTGRES_PG_ROW_H_

#include <cstdint>
#include <string>
#include <utility>

#include "steadfast/status.h"
#include "store/postgres/pg_result.h"

namespace steadfast {

class PgRow {
 public:
  PgRow(const PgResult& result, int row) : result_(result), row_(row) {}

  int64_t ColumnInt(int column) const { return Take(result_.Int64(row_, column), int64_t{0}); }
  std::string ColumnText(int column) const { return Take(result_.Text(row_, column), std::string()); }
  std::string ColumnBlob(int column) const { return Take(result_.Bytea(row_, column), std::string()); }

  const Status& status() const { return error_; }

 private:
  template <class T>
  T Take(Result<T> value, T fallback) const {
    if (value.ok()) return std::move(value).value();
    if (error_.ok()) error_ = value.status();
    return fallback;
  }

  const PgResult& result_;
  const int row_;
  mutable Status error_;
};

// The record decoded from row `row` by from_row (a store/record_rows.h
// decoder), or the first value PgResult refused.
template <class FromRow>
auto RecordFromRow(const PgResult& result, int row, FromRow from_row) -> decltype(from_row(PgRow(result, row))) {
  PgRow r(result, row);
  auto record = from_row(r);
  if (!r.status().ok()) return r.status();
  return record;
}

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_ROW_H_
