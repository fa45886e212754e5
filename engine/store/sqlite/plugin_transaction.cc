// Plugin statements over the store's Statement wrapper: Value binding and rows.
#include "store/sqlite/plugin_transaction.h"

#include <string>

#include <fmt/format.h>
#include <sqlite3.h>

namespace steadfast {
namespace {

Status BindParams(Statement& st, const std::vector<Value>& params) {
  if (static_cast<int>(params.size()) != st.ParameterCount()) {
    return Status::InvalidArgument(
        fmt::format("the statement has {} parameters, {} were given", st.ParameterCount(), params.size()));
  }
  for (size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    const Value& v = params[i];
    if (v.is_null()) st.BindNull(index);
    else if (v.is_bool()) st.BindInt(index, v.AsBool() ? 1 : 0);
    else if (v.is_int()) st.BindInt(index, v.AsInt());
    else if (v.is_double()) st.BindDouble(index, v.AsDouble());
    else if (v.is_string()) st.BindText(index, v.AsString());  // params outlive the statement's use
    else {
      return Status::InvalidArgument(fmt::format(
          "parameter {} is a {}: only null, bool, int, double and string can be bound (store lists and maps as JSON)",
          index, Value::TypeName(v.type())));
    }
  }
  return Status::Ok();
}

Value ColumnValue(const Statement& st, int column) {
  switch (st.ColumnKindOf(column)) {
    case Statement::ColumnKind::kNull: return Value();
    case Statement::ColumnKind::kInt: return Value(st.ColumnInt(column));
    case Statement::ColumnKind::kDouble: return Value(st.ColumnDouble(column));
    case Statement::ColumnKind::kText: return Value(st.ColumnText(column));
    case Statement::ColumnKind::kBlob: return Value(std::string(st.ColumnBlob(column)));
  }
  return Value();
}

// A constraint violation is the plugin's business (a row someone else
// wrote); every other failure keeps the store's own mapping.
Status PluginStatus(const Statement& st, const Status& s) {
  if (st.last_error_code() == SQLITE_CONSTRAINT) return Status::Conflict(s.message());
  return s;
}

}  // namespace

Result<std::vector<Row>> SqlitePluginTransaction::Query(std::string_view sql, const std::vector<Value>& params) {
  SF_ASSIGN_OR_RETURN(StatementRef st, conn_.Prepare(std::string(sql)));
  SF_RETURN_IF_ERROR(BindParams(*st, params));
  std::vector<Row> rows;
  while (true) {
    Result<bool> more = st->Step();
    if (!more.ok()) return PluginStatus(*st, more.status());
    if (!*more) break;
    Row row;
    const int columns = st->ColumnCount();
    row.reserve(static_cast<size_t>(columns));
    for (int c = 0; c < columns; ++c) row.push_back(ColumnValue(*st, c));
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<int64_t> SqlitePluginTransaction::Execute(std::string_view sql, const std::vector<Value>& params) {
  SF_ASSIGN_OR_RETURN(StatementRef st, conn_.Prepare(std::string(sql)));
  SF_RETURN_IF_ERROR(BindParams(*st, params));
  if (st->ColumnCount() > 0) {
    return Status::InvalidArgument(fmt::format("Execute runs statements without results; use Query for: {}",
                                               std::string(sql.substr(0, 80))));
  }
  Status s = st->Run();
  if (!s.ok()) return PluginStatus(*st, s);
  return st->changes();
}

}  // namespace steadfast
