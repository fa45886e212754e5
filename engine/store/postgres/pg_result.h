// PgResult: the rows of one statement, owned (PQclear on destruction).
//
// Results come in libpq's text format; the typed getters parse and check
// each value, so a column of the wrong type or a NULL where a value was
// expected is an Internal error naming the column, never a silent 0 or "".
// bytea columns arrive in the server's hex form (\x0a0b...) and are decoded
// here.
#ifndef STEADFAST_STORE_POSTGRES_PG_RESULT_H_
#define STEADFAST_STORE_POSTGRES_PG_RESULT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "steadfast/status.h"

struct pg_result;

namespace steadfast {

class PgResult {
 public:
  PgResult() = default;  // no rows, no columns
  explicit PgResult(pg_result* res);
  ~PgResult();
  PgResult(PgResult&& other) noexcept : res_(other.res_) { other.res_ = nullptr; }
  PgResult& operator=(PgResult&& other) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;

  int rows() const;
  int columns() const;
  // The column's index by name; NotFound if the result has no such column.
  Result<int> Column(std::string_view name) const;
  // Rows written by INSERT/UPDATE/DELETE (PQcmdTuples); 0 for others.
  int64_t affected() const;
  // The command tag: "INSERT 0 1", "COMMIT", "ROLLBACK", ...
  std::string command_tag() const;

  bool IsNull(int row, int column) const;
  // The type OID of a column (PQftype); 0 when out of range.
  unsigned ColumnType(int column) const;
  // The value of a bigint/integer/smallint column. Internal on NULL, on a
  // value that is not an integer, or on a row or column out of range.
  Result<int64_t> Int64(int row, int column) const;
  // The value of a text (or any text-formatted) column. Internal on NULL.
  Result<std::string> Text(int row, int column) const;
  // The bytes of a bytea column. Internal on NULL or if not hex-format bytea.
  Result<std::string> Bytea(int row, int column) const;

  pg_result* raw() const { return res_; }

 private:
  Status Check(int row, int column, std::string_view want) const;
  pg_result* res_ = nullptr;
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_RESULT_H_
