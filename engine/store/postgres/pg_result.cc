// Reading typed values out of a libpq result.
#include "store/postgres/pg_result.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstring>
#include <string>

#include <fmt/format.h>

namespace steadfast {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

PgResult::PgResult(pg_result* res) : res_(res) {}

PgResult::~PgResult() { PQclear(res_); }

PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    PQclear(res_);
    res_ = other.res_;
    other.res_ = nullptr;
  }
  return *this;
}

int PgResult::rows() const { return res_ == nullptr ? 0 : PQntuples(res_); }

int PgResult::columns() const { return res_ == nullptr ? 0 : PQnfields(res_); }

Result<int> PgResult::Column(std::string_view name) const {
  for (int c = 0; c < columns(); ++c) {
    if (name == PQfname(res_, c)) return c;
  }
  return Status::NotFound(fmt::format("result has no column '{}'", name));
}

int64_t PgResult::affected() const {
  if (res_ == nullptr) return 0;
  const char* n = PQcmdTuples(res_);
  int64_t v = 0;
  if (n == nullptr || *n == '\0') return 0;
  std::from_chars(n, n + std::strlen(n), v);
  return v;
}

std::string PgResult::command_tag() const { return res_ == nullptr ? std::string() : PQcmdStatus(res_); }

unsigned PgResult::ColumnType(int column) const {
  return res_ == nullptr || column < 0 || column >= columns() ? 0 : PQftype(res_, column);
}

bool PgResult::IsNull(int row, int column) const {
  return res_ == nullptr || row < 0 || row >= rows() || column < 0 || column >= columns() ||
         PQgetisnull(res_, row, column) != 0;
}

Status PgResult::Check(int row, int column, std::string_view want) const {
  if (row < 0 || row >= rows() || column < 0 || column >= columns()) {
    return Status::Internal(fmt::format("{} of row {} column {}: the result has {} rows and {} columns", want, row,
                                        column, rows(), columns()));
  }
  if (PQgetisnull(res_, row, column) != 0) {
    return Status::Internal(fmt::format("{} of column '{}' (row {}): it is NULL", want, PQfname(res_, column), row));
  }
  if (PQfformat(res_, column) != 0) {
    return Status::Internal(fmt::format("{} of column '{}': not in text format", want, PQfname(res_, column)));
  }
  return Status::Ok();
}

Result<int64_t> PgResult::Int64(int row, int column) const {
  SF_RETURN_IF_ERROR(Check(row, column, "integer"));
  const char* text = PQgetvalue(res_, row, column);
  const size_t len = static_cast<size_t>(PQgetlength(res_, row, column));
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text, text + len, v);
  if (ec != std::errc() || end != text + len || len == 0) {
    return Status::Internal(fmt::format("column '{}' (row {}) holds '{}', not a 64-bit integer",
                                        PQfname(res_, column), row, std::string_view(text, len)));
  }
  return v;
}

Result<std::string> PgResult::Text(int row, int column) const {
  SF_RETURN_IF_ERROR(Check(row, column, "text"));
  return std::string(PQgetvalue(res_, row, column), static_cast<size_t>(PQgetlength(res_, row, column)));
}

Result<std::string> PgResult::Bytea(int row, int column) const {
  SF_RETURN_IF_ERROR(Check(row, column, "bytea"));
  const char* text = PQgetvalue(res_, row, column);
  const size_t len = static_cast<size_t>(PQgetlength(res_, row, column));
  // bytea_output = hex (the default since 9.0, and set by PgConnection):
  // "\x" then two hex digits per byte.
  if (len < 2 || text[0] != '\\' || text[1] != 'x' || len % 2 != 0) {
    return Status::Internal(
        fmt::format("column '{}' (row {}) is not hex-format bytea", PQfname(res_, column), row));
  }
  std::string out;
  out.reserve((len - 2) / 2);
  for (size_t i = 2; i < len; i += 2) {
    int hi = HexDigit(text[i]);
    int lo = HexDigit(text[i + 1]);
    if (hi < 0 || lo < 0) {
      return Status::Internal(fmt::format("column '{}' (row {}) has a bad hex digit at {}", PQfname(res_, column),
                                          row, i));
    }
    out += static_cast<char>((hi << 4) | lo);
  }
  return out;
}

}  // namespace steadfast
