// Opening libpq connections and running statements.
#include "store/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "store/postgres/pg_status.h"
#include "store/postgres/pg_url.h"

namespace steadfast {
namespace {

// The first 80 characters of a statement, for messages.
std::string_view Brief(std::string_view sql) { return sql.substr(0, 80); }

// The keywords conninfo sets, and the password it holds (for scrubbing).
struct ParsedConninfo {
  std::set<std::string> keywords;
  std::string password;
};

// A server that vanishes without a word (host lost, network cut) is noticed
// by TCP: keepalive probes after 5 s of silence, every 2 s, 3 unanswered
// ones end the connection (~11 s); data unacknowledged for 15 s ends it
// too. Without these a statement waits for the kernel's defaults (hours).
// Only where the connection string says nothing of its own.
constexpr std::pair<const char*, const char*> kClientKeepalives[] = {
    {"keepalives", "1"},
    {"keepalives_idle", "5"},
    {"keepalives_interval", "2"},
    {"keepalives_count", "3"},
    {"tcp_user_timeout", "15000"},
};
// The same, from the server's side: a session of a vanished client, and the
// row locks and node lock it holds, end after the same time instead of the
// server's defaults (hours). Without effect on a Unix socket.
constexpr const char* kServerKeepalives =
    "; SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3; "
    "SET tcp_user_timeout = 15000";

Result<ParsedConninfo> Parse(const std::string& url, const std::string& redacted) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    // libpq may quote the password here ("invalid percent-encoded token:
    // \"<it>\"") or the whole string: scrubbed before it goes anywhere.
    std::string message = ScrubConnectionSecrets(error != nullptr ? error : "out of memory", url);
    PQfreemem(error);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Status::InvalidArgument(fmt::format("bad PostgreSQL connection string {}: {}", redacted, message));
  }
  ParsedConninfo parsed;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    std::string_view key = o->keyword;
    parsed.keywords.insert(std::string(key));
    if (key == "password") parsed.password = o->val;
  }
  PQconninfoFree(options);
  return parsed;
}

}  // namespace

Result<std::unique_ptr<PgConnection>> PgConnection::Open(const PgConnectionOptions& options) {
  std::string redacted = RedactConnectionString(options.url);
  SF_ASSIGN_OR_RETURN(ParsedConninfo parsed, Parse(options.url, redacted));
  // Keywords after "dbname" override what the expanded string says, so the
  // defaults go only where the string is silent.
  std::vector<const char*> keys = {"dbname"};
  std::vector<const char*> values = {options.url.c_str()};
  auto unless_given = [&](const char* key, const char* value) {
    if (parsed.keywords.count(key) == 0) {
      keys.push_back(key);
      values.push_back(value);
    }
  };
  std::string timeout = std::to_string(options.default_connect_timeout_s);
  if (options.default_connect_timeout_s > 0) unless_given("connect_timeout", timeout.c_str());
  if (!options.application_name.empty()) unless_given("application_name", options.application_name.c_str());
  for (const auto& [key, value] : kClientKeepalives) unless_given(key, value);
  keys.push_back("client_encoding");
  values.push_back("UTF8");
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* raw = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (raw == nullptr) return Status::ResourceExhausted("out of memory opening a PostgreSQL connection");
  std::vector<std::string> secrets = ConnectionStringSecrets(options.url);
  if (!parsed.password.empty()) secrets.push_back(std::move(parsed.password));
  std::sort(secrets.begin(), secrets.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  std::unique_ptr<PgConnection> conn(new PgConnection(raw, std::move(redacted), std::move(secrets)));
  conn->max_prepared_ = options.max_prepared_statements;
  // libpq prints server notices ("table does not exist, skipping") on
  // stderr by default; the engine logs through its own logger, and a
  // notice is never an error it must act on.
  PQsetNoticeProcessor(raw, [](void*, const char*) {}, nullptr);
  if (PQstatus(raw) != CONNECTION_OK) {
    return Status::Unavailable(fmt::format("cannot connect to PostgreSQL {}: {}", conn->redacted_url_,
                                           conn->Scrub(PQerrorMessage(raw))));
  }
  // The session the typed readers rely on: hex bytea, UTC for any server-side
  // time function (the engine's times are integers anyway).
  std::string session = std::string("SET bytea_output = 'hex'; SET TIME ZONE 'UTC'") + kServerKeepalives;
  if (options.statement_timeout_ms > 0) {
    session += fmt::format("; SET statement_timeout = {}", options.statement_timeout_ms);
  }
  SF_RETURN_IF_ERROR(conn->Exec(session).status());
  return conn;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

Result<const std::string*> PgConnection::Prepared(const std::string& sql, const std::vector<Oid>& types) {
  if (max_prepared_ <= 0) return nullptr;
  std::string key = sql;
  for (Oid t : types) key += fmt::format("\x1f{}", t);  // the same text with other parameter types is another statement
  if (auto it = prepared_.find(key); it != prepared_.end()) return &it->second;
  // A statement made from variable text (a list of n values) would fill the
  // cache with one-offs: past the bound, statements run unprepared.
  if (static_cast<int>(prepared_.size()) >= max_prepared_) return nullptr;
  std::string name = fmt::format("sf{}", prepared_.size());
  // A statement the server refuses (bad SQL, a table that is not there, an
  // aborted transaction) fails here with the error it would have run into.
  SF_RETURN_IF_ERROR(
      Finish(PQprepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(types.size()), types.data()), sql).status());
  return &prepared_.emplace(std::move(key), std::move(name)).first->second;
}

std::string PgConnection::Scrub(std::string_view message) const {
  std::string out(message);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  for (const std::string& secret : secrets_) {
    for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + 3)) {
      out.replace(at, secret.size(), "***");
    }
  }
  return out;
}

Result<PgResult> PgConnection::Finish(pg_result* res, std::string_view sql) {
  PgResult result(res);  // owns res from here, whatever happens
  ExecStatusType st = res == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(res);
  last_sqlstate_.clear();
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) return result;
  const char* state = res == nullptr ? nullptr : PQresultErrorField(res, PG_DIAG_SQLSTATE);
  if (state != nullptr) last_sqlstate_ = state;
  // The engine's own precondition errors carry their message alone; any
  // other keeps the server's whole text ("ERROR:  ...", DETAIL, HINT).
  const char* primary = state != nullptr && IsPgPreconditionSqlState(state)
                            ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                            : nullptr;
  std::string detail = primary != nullptr ? primary : res != nullptr ? PQresultErrorMessage(res) : "";
  if (detail.empty()) detail = PQerrorMessage(conn_);
  if (st != PGRES_FATAL_ERROR && st != PGRES_NONFATAL_ERROR) {
    // COPY, pipeline or single-row results: not used by this layer.
    return Status::Internal(fmt::format("PostgreSQL on {}: unexpected result {} for {}", redacted_url_,
                                        PQresStatus(st), Brief(sql)));
  }
  return PgStatus(state != nullptr ? state : "", PQstatus(conn_) == CONNECTION_BAD, Brief(sql), Scrub(detail),
                  redacted_url_);
}

Result<PgResult> PgConnection::Exec(std::string_view sql) {
  std::string text(sql);
  return Finish(PQexec(conn_, text.c_str()), sql);
}

Result<PgConnection::Bound> PgConnection::Bind(std::string_view sql, std::span<const PgParam> params) {
  const size_t n = params.size();
  Bound bound;
  bound.types.resize(n);
  bound.values.resize(n);
  bound.lengths.resize(n);
  bound.formats.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const PgParam& p = params[i];
    // Text-format values are read up to their first NUL by libpq, and text
    // columns cannot hold one: refuse rather than store a truncated value.
    if (!p.binary() && !p.is_null() && p.value().find('\0') != std::string::npos) {
      return Status::InvalidArgument(
          fmt::format("parameter ${} of {} holds a NUL byte, which PostgreSQL text cannot store", i + 1, Brief(sql)));
    }
    bound.types[i] = p.type_oid();
    bound.values[i] = p.is_null() ? nullptr : p.value().data();
    bound.lengths[i] = static_cast<int>(p.value().size());
    bound.formats[i] = p.binary() ? 1 : 0;
  }
  SF_ASSIGN_OR_RETURN(bound.prepared_name, Prepared(std::string(sql), bound.types));
  return bound;
}

Result<PgResult> PgConnection::Query(std::string_view sql, std::span<const PgParam> params) {
  std::string text(sql);
  SF_ASSIGN_OR_RETURN(Bound b, Bind(sql, params));
  const int n = static_cast<int>(params.size());
  if (b.prepared_name != nullptr) {
    return Finish(PQexecPrepared(conn_, b.prepared_name->c_str(), n, b.values.data(), b.lengths.data(),
                                 b.formats.data(), /*resultFormat=*/0),
                  sql);
  }
  return Finish(PQexecParams(conn_, text.c_str(), n, b.types.data(), b.values.data(), b.lengths.data(),
                             b.formats.data(), /*resultFormat=*/0),
                sql);
}

int PgConnection::backend_pid() const { return PQbackendPID(conn_); }

bool PgConnection::healthy() const { return !abandoned_ && PQstatus(conn_) == CONNECTION_OK; }

bool PgConnection::InTransaction() const {
  PGTransactionStatusType t = PQtransactionStatus(conn_);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

}  // namespace steadfast
