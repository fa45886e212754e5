// SQLSTATE -> Status, with messages that name the (redacted) database.
#include "store/postgres/pg_status.h"

#include <string>

#include <fmt/format.h>

namespace steadfast {
namespace {

// libpq's messages end with a newline (and sometimes carry a "DETAIL:" or
// "HINT:" line); one line per Status keeps logs readable.
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) out += (c == '\n' || c == '\r') ? ' ' : c;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

bool IsPgPreconditionSqlState(std::string_view sqlstate) { return sqlstate.starts_with("SF"); }

bool IsPgPreconditionStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound:
    case StatusCode::kConflict:
    case StatusCode::kLeaseLost:
    case StatusCode::kAlreadyExists:
      return true;
    default:
      return false;
  }
}

bool IsPgRetryableSqlState(std::string_view sqlstate) { return sqlstate == "40001" || sqlstate == "40P01"; }

bool IsPgConnectionSqlState(std::string_view sqlstate) {
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
}

Status PgStatus(std::string_view sqlstate, bool connection_bad, std::string_view what, std::string_view detail,
                std::string_view database) {
  if (IsPgPreconditionSqlState(sqlstate)) {
    std::string message = OneLine(detail);
    if (sqlstate == "SF404") return Status::NotFound(message);
    if (sqlstate == "SF410") return Status::LeaseLost(message);
    if (sqlstate == "SF412" || sqlstate == "SF303") return Status::AlreadyExists(message);
    return Status::Conflict(message);
  }
  std::string cause = OneLine(detail);
  if (!sqlstate.empty()) cause = fmt::format("{} (SQLSTATE {})", cause, sqlstate);
  if (IsPgRetryableSqlState(sqlstate)) {
    return Status::Busy(fmt::format("transaction rolled back by a concurrent one, run it again: {} ({}: {})",
                                    database, what, cause));
  }
  if (IsPgConnectionSqlState(sqlstate) || (sqlstate.empty() && connection_bad)) {
    return Status::Unavailable(fmt::format("connection to PostgreSQL lost: {} ({}: {})", database, what, cause));
  }
  if (sqlstate == "23505") {
    return Status::AlreadyExists(fmt::format("unique constraint violated in {} ({}: {})", database, what, cause));
  }
  if (sqlstate == "57014") {
    return Status::DeadlineExceeded(fmt::format("statement cancelled (statement_timeout?) on {} ({}: {})", database,
                                                what, cause));
  }
  if (sqlstate.starts_with("53")) {
    return Status::ResourceExhausted(
        fmt::format("PostgreSQL is out of a resource: {} ({}: {})", database, what, cause));
  }
  return Status::Internal(fmt::format("PostgreSQL error on {} ({}: {})", database, what, cause));
}

}  // namespace steadfast
