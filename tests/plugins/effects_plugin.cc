// effects: a test plugin (built as a .so and loaded by the engine) whose
// activity records a side effect keyed by the idempotency key in its own
// SQLite file, the way a real PSP or ledger would. Crash tests count the
// effects per key to prove exactly-once effects across kill -9.
//
//   effects.apply {sleep_ms?, fail_first?}
//     - records the call (key, attempt) in `calls`;
//     - applies the effect once per key (`effects`), returning the first
//       result on every later call with the same key;
//     - with fail_first, attempt 1 applies the effect and then reports a
//       retryable error, like a PSP whose response was lost.
// Config (plugin_config.effects_plugin): {db: PATH}; or STEADFAST_EFFECTS_DB.
#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include "steadfast/registry.h"

namespace {

class EffectsActivity final : public steadfast::Activity {
 public:
  explicit EffectsActivity(std::string path) : path_(std::move(path)) {}

  steadfast::ActivityResult Run(steadfast::ActivityContext& ctx) override {
    int64_t sleep_ms = ctx.input().Get("sleep_ms").IntOr(0);
    if (sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
    std::lock_guard<std::mutex> lock(mu_);
    sqlite3* db = nullptr;
    if (sqlite3_open(path_.c_str(), &db) != SQLITE_OK) {
      sqlite3_close(db);
      return steadfast::ActivityError::Retryable("effects_db", "cannot open " + path_);
    }
    sqlite3_busy_timeout(db, 10000);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL;"
                 "CREATE TABLE IF NOT EXISTS calls(key TEXT, attempt INT, workflow TEXT, step TEXT);"
                 "CREATE TABLE IF NOT EXISTS effects(key TEXT PRIMARY KEY, workflow TEXT, step TEXT, result TEXT);",
                 nullptr, nullptr, nullptr);
    Exec(db, "INSERT INTO calls VALUES(?,?,?,?)", ctx.idempotency_key(), std::to_string(ctx.attempt()), ctx.workflow_id(),
         ctx.step_id());
    std::string result = "effect:" + ctx.idempotency_key();
    Exec(db, "INSERT OR IGNORE INTO effects VALUES(?,?,?,?)", ctx.idempotency_key(), ctx.workflow_id(), ctx.step_id(),
         result);
    sqlite3_close(db);
    if (ctx.input().Get("fail_first").BoolOr(false) && ctx.attempt() == 1) {
      return steadfast::ActivityError::Retryable("response_lost", "applied, then the response was lost");
    }
    return steadfast::Value(steadfast::Value::Map{{"result", result}, {"attempt", ctx.attempt()}});
  }

 private:
  static void Exec(sqlite3* db, const char* sql, const std::string& a, const std::string& b, const std::string& c,
                   const std::string& d) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
    sqlite3_bind_text(st, 1, a.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, b.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, c.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, d.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(st);
    sqlite3_finalize(st);
  }

  std::string path_;
  std::mutex mu_;
};

}  // namespace

STEADFAST_PLUGIN(ctx, registry) {
  std::string path = ctx.config.Get("db").StringOr("");
  if (const char* env = std::getenv("STEADFAST_EFFECTS_DB"); path.empty() && env != nullptr) path = env;
  if (path.empty()) return steadfast::Status::InvalidArgument("effects plugin needs plugin_config.effects_plugin.db");
  return registry.Register("effects.apply", std::make_unique<EffectsActivity>(path),
                           "records an effect once per idempotency key (tests)");
}
