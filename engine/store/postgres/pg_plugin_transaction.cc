// Plugin statements on PostgreSQL (store/postgres/pg_plugin_transaction.h).
#include "store/postgres/pg_plugin_transaction.h"

#include <charconv>
#include <string>

#include <fmt/format.h>

#include "store/postgres/pg_plugin_sql.h"

namespace steadfast {
namespace {

// pg_type.dat OIDs of the result types read as numbers.
constexpr unsigned kBoolOid = 16;
constexpr unsigned kInt2Oid = 21;
constexpr unsigned kInt4Oid = 23;
constexpr unsigned kFloat4Oid = 700;
constexpr unsigned kFloat8Oid = 701;
constexpr unsigned kNumericOid = 1700;

Result<std::vector<PgParam>> Params(const std::vector<Value>& values, size_t expected) {
  if (values.size() != expected) {
    return Status::InvalidArgument(
        fmt::format("the statement has {} parameters, {} were given", expected, values.size()));
  }
  std::vector<PgParam> out;
  out.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const Value& v = values[i];
    if (v.is_null()) out.push_back(PgParam::Null());
    else if (v.is_bool()) out.push_back(PgParam::Untyped(v.AsBool() ? "1" : "0"));
    else if (v.is_int()) out.push_back(PgParam::Untyped(std::to_string(v.AsInt())));
    else if (v.is_double()) out.push_back(PgParam::Untyped(fmt::format("{}", v.AsDouble())));  // shortest exact
    else if (v.is_string()) out.push_back(PgParam::Untyped(v.AsString()));
    else {
      return Status::InvalidArgument(fmt::format(
          "parameter {} is a {}: only null, bool, int, double and string can be bound (store lists and maps as JSON)",
          i + 1, Value::TypeName(v.type())));
    }
  }
  return out;
}

Result<Value> ColumnValue(const PgResult& res, int row, int column) {
  if (res.IsNull(row, column)) return Value();
  switch (res.ColumnType(column)) {
    case kPgInt8Oid:
    case kInt4Oid:
    case kInt2Oid: {
      SF_ASSIGN_OR_RETURN(int64_t v, res.Int64(row, column));
      return Value(v);
    }
    case kBoolOid: {
      SF_ASSIGN_OR_RETURN(std::string v, res.Text(row, column));
      return Value(int64_t{v == "t" ? 1 : 0});
    }
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid: {
      SF_ASSIGN_OR_RETURN(std::string text, res.Text(row, column));
      double v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return Status::Internal(fmt::format("column {} holds '{}', not a number", column + 1, text));
      }
      return Value(v);
    }
    case kPgByteaOid: {
      SF_ASSIGN_OR_RETURN(std::string bytes, res.Bytea(row, column));
      return Value(std::move(bytes));
    }
    default: {
      SF_ASSIGN_OR_RETURN(std::string text, res.Text(row, column));
      return Value(std::move(text));
    }
  }
}

// A constraint violation is the plugin's business (a row someone else
// wrote), and SQL the server cannot take (class 42: syntax, unknown table
// or column, several statements at once) is the plugin's mistake, as
// SQLite reports both; every other failure keeps the store's own mapping.
Status PluginStatus(const PgConnection& conn, const Status& s) {
  const std::string& state = conn.last_sqlstate();
  if (state.rfind("23", 0) == 0) return Status::Conflict(s.message());
  if (state.rfind("42", 0) == 0) return Status::InvalidArgument(s.message());
  return s;
}

Status ExecuteWithRows(std::string_view sql) {
  return Status::InvalidArgument(
      fmt::format("Execute runs statements without results; use Query for: {}", std::string(sql.substr(0, 80))));
}

}  // namespace

Result<PgResult> PgPluginTransaction::Run(std::string_view sql, const std::vector<Value>& values, bool no_rows) {
  const PgPlaceholderSql text = PgPlaceholders(sql);
  SF_ASSIGN_OR_RETURN(std::vector<PgParam> params, Params(values, text.parameters));
  if (read_only_) {
    Result<PgResult> res = conn_.Query(text.sql, params);
    if (!res.ok()) return PluginStatus(conn_, res.status());
    if (no_rows && res->columns() > 0) return ExecuteWithRows(sql);
    return res;
  }
  SF_RETURN_IF_ERROR(conn_.Exec("SAVEPOINT plugin_statement").status());
  Result<PgResult> res = conn_.Query(text.sql, params);
  if (!res.ok()) {
    const Status failed = PluginStatus(conn_, res.status());
    // A broken connection has no transaction left to roll back to.
    if (conn_.healthy()) SF_RETURN_IF_ERROR(conn_.Exec("ROLLBACK TO SAVEPOINT plugin_statement").status());
    return failed;
  }
  if (!conn_.InTransaction()) {
    return Status::Internal("a plugin statement ended the store's transaction (BEGIN/COMMIT/ROLLBACK are not allowed)");
  }
  if (no_rows && res->columns() > 0) {
    // SQLite refuses such a statement before it runs: undo it here.
    SF_RETURN_IF_ERROR(conn_.Exec("ROLLBACK TO SAVEPOINT plugin_statement").status());
    return ExecuteWithRows(sql);
  }
  SF_RETURN_IF_ERROR(conn_.Exec("RELEASE SAVEPOINT plugin_statement").status());
  return res;
}

Result<std::vector<Row>> PgPluginTransaction::Query(std::string_view sql, const std::vector<Value>& params) {
  SF_ASSIGN_OR_RETURN(PgResult res, Run(sql, params, /*no_rows=*/false));
  std::vector<Row> rows;
  rows.reserve(static_cast<size_t>(res.rows()));
  for (int r = 0; r < res.rows(); ++r) {
    Row row;
    row.reserve(static_cast<size_t>(res.columns()));
    for (int c = 0; c < res.columns(); ++c) {
      SF_ASSIGN_OR_RETURN(Value v, ColumnValue(res, r, c));
      row.push_back(std::move(v));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<int64_t> PgPluginTransaction::Execute(std::string_view sql, const std::vector<Value>& params) {
  SF_ASSIGN_OR_RETURN(PgResult res, Run(sql, params, /*no_rows=*/true));
  return res.affected();
}

}  // namespace steadfast
