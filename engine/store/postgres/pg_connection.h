// PgConnection: one libpq connection (PGconn), closed on destruction.
//
// Opened from a connection string (a postgres:// URI or key/value text);
// every libpq keyword in it passes through (sslmode, connect_timeout,
// target_session_attrs, a host list, application_name, ...). The options
// below only add what the string does not say. Used by one thread at a
// time. Every failure is a Status from PgStatus (store/postgres/pg_status.h)
// whose message names the database with its password redacted.
#ifndef STEADFAST_STORE_POSTGRES_PG_CONNECTION_H_
#define STEADFAST_STORE_POSTGRES_PG_CONNECTION_H_

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "steadfast/status.h"
#include "store/postgres/pg_param.h"
#include "store/postgres/pg_result.h"

struct pg_conn;

namespace steadfast {

struct PgStatement;        // store/postgres/pg_pipeline.h
struct PgPipelineOutcome;  // store/postgres/pg_pipeline.h

struct PgConnectionOptions {
  std::string url;  // libpq connection string; may hold a password
  // Used when the string sets no connect_timeout: libpq would wait for ever.
  int default_connect_timeout_s = 10;
  // SET statement_timeout after connecting; 0 leaves the server's setting.
  int statement_timeout_ms = 0;
  // Used when the string sets no application_name (pg_stat_activity shows it).
  std::string application_name = "steadfast";
  // Query() prepares each distinct statement once per connection (the
  // server parses and analyses it once, not on every call), up to this
  // many; 0 runs every statement unprepared.
  int max_prepared_statements = 256;
};

class PgConnection {
 public:
  // Connects and checks the session (UTF8 client encoding, hex bytea).
  // InvalidArgument for a string libpq cannot parse; Unavailable when the
  // server cannot be reached or refuses the login (wrong password, unknown
  // database: libpq gives no SQLSTATE at connect, so these are one code;
  // the message says which).
  static Result<std::unique_ptr<PgConnection>> Open(const PgConnectionOptions& options);
  ~PgConnection();  // PQfinish
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs SQL without parameters (DDL, SET, BEGIN; several statements
  // separated by ';' allowed). The result of the last statement.
  Result<PgResult> Exec(std::string_view sql);
  // Runs one statement with $1..$n bound to params (the statement and the
  // values travel apart, never spliced): prepared on first use.
  Result<PgResult> Query(std::string_view sql, std::span<const PgParam> params);
  Result<PgResult> Query(std::string_view sql, std::initializer_list<PgParam> params) {
    return Query(sql, std::span<const PgParam>(params.begin(), params.size()));
  }

  // The server process serving this connection (pg_backend_pid()).
  int backend_pid() const;
  // False once libpq has seen the connection break, or once the
  // connection was abandoned in a state it cannot be reused in.
  bool healthy() const;
  // Marks the connection not to be reused (a pool closes it): a pipeline
  // that could not be ended cleanly.
  void Abandon() { abandoned_ = true; }
  // True inside BEGIN ... COMMIT/ROLLBACK (also when the transaction failed
  // and only ROLLBACK is possible).
  bool InTransaction() const;
  // The SQLSTATE of the last statement if it failed with one, else "".
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  // The connection string with its password redacted: for messages.
  const std::string& redacted_url() const { return redacted_url_; }
  pg_conn* raw() const { return conn_; }

 private:
  friend Result<PgPipelineOutcome> RunPgPipeline(PgConnection& conn, std::span<const PgStatement> statements,
                                                 const std::function<void()>& before_sync);
  // A statement's parameters as libpq takes them, and its prepared name
  // (null: run unprepared).
  struct Bound {
    std::vector<unsigned int> types;
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    const std::string* prepared_name = nullptr;
  };
  // Checks params for sql and prepares sql if it is not yet (the server's
  // error if it refuses it).
  Result<Bound> Bind(std::string_view sql, std::span<const PgParam> params);

  PgConnection(pg_conn* conn, std::string redacted_url, std::vector<std::string> secrets)
      : conn_(conn), redacted_url_(std::move(redacted_url)), secrets_(std::move(secrets)) {}
  // Turns a result (possibly null) into the result or its Status.
  Result<PgResult> Finish(pg_result* res, std::string_view sql);
  // libpq's message with the password removed, should it ever quote it.
  std::string Scrub(std::string_view message) const;
  // The name of sql prepared with these parameter types on this
  // connection, preparing it now if need be; null: run it unprepared (the
  // cache is off or full); the server's error if it refuses the statement.
  Result<const std::string*> Prepared(const std::string& sql, const std::vector<unsigned int>& types);

  pg_conn* conn_;
  const std::string redacted_url_;
  // The password as written in the string and as libpq decoded it: only to
  // scrub messages; never printed.
  const std::vector<std::string> secrets_;
  std::string last_sqlstate_;
  int max_prepared_ = 0;
  bool abandoned_ = false;
  std::unordered_map<std::string, std::string> prepared_;  // SQL and parameter types -> statement name
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_CONNECTION_H_
