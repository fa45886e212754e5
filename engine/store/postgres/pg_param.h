// PgParam: one parameter of a parameterised statement ($1, $2, ...).
//
// Integers and text travel in libpq's text format, with their type given
// (int8, text) so `SELECT $1` and comparisons are typed by us, not guessed
// by the server; bytea travels in binary format, so blobs are sent as they
// are, with no escaping and no doubling in size. A value is never spliced
// into SQL text.
#ifndef STEADFAST_STORE_POSTGRES_PG_PARAM_H_
#define STEADFAST_STORE_POSTGRES_PG_PARAM_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace steadfast {

// PostgreSQL type OIDs (pg_type.dat) of the parameter kinds.
inline constexpr unsigned kPgByteaOid = 17;
inline constexpr unsigned kPgInt8Oid = 20;
inline constexpr unsigned kPgTextOid = 25;

class PgParam {
 public:
  static PgParam Int64(int64_t v) { return PgParam(std::to_string(v), kPgInt8Oid, /*binary=*/false, false); }
  static PgParam Text(std::string_view v) { return PgParam(std::string(v), kPgTextOid, false, false); }
  static PgParam Bytea(std::string_view bytes) { return PgParam(std::string(bytes), kPgByteaOid, true, false); }
  // Text whose type the server infers from where the parameter stands (as
  // a literal in quotes would be): plugin statements, whose parameters are
  // untyped like SQLite's.
  static PgParam Untyped(std::string_view v) { return PgParam(std::string(v), 0, false, false); }
  // SQL NULL of a type the server infers from the statement.
  static PgParam Null() { return PgParam(std::string(), 0, false, true); }

  const std::string& value() const { return value_; }
  unsigned type_oid() const { return type_oid_; }
  bool binary() const { return binary_; }
  bool is_null() const { return is_null_; }

 private:
  PgParam(std::string value, unsigned type_oid, bool binary, bool is_null)
      : value_(std::move(value)), type_oid_(type_oid), binary_(binary), is_null_(is_null) {}
  std::string value_;
  unsigned type_oid_;
  bool binary_;
  bool is_null_;
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_PARAM_H_
