// RawDb: SQLite calls with their failures reported to GoogleTest.
#include "raw_db.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <string>

namespace steadfast::testing_support {

RawDb::RawDb(const std::string& path) {
  int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  EXPECT_EQ(rc, SQLITE_OK) << path;
  sqlite3_busy_timeout(db_, 5000);
}

RawDb::~RawDb() { sqlite3_close_v2(db_); }

void RawDb::Exec(const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (message != nullptr ? message : "");
  sqlite3_free(message);
}

int RawDb::TryExec(const std::string& sql) { return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); }

std::string RawDb::QueryText(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql << ": " << sqlite3_errmsg(db_);
  std::string out;
  if (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  return out;
}

void RollBackEngineSchema(const std::string& path, int version) {
  // undo[v] takes version v back to v - 1.
  static const std::map<int, std::string> undo = {
      {4, "DROP TABLE plugin_migrations;"},
      {5, "DROP TABLE schedules; DROP TABLE schedule_ticks;"},
      {6, "DROP TABLE instance_keys; ALTER TABLE instances DROP COLUMN search_keys;"},
      {7, "DROP TABLE bulk_operations;"},
      {8, "DROP TABLE activity_holds; DROP TABLE activity_hold_log; DROP TABLE activity_rates; "
          "DROP INDEX tasks_activity; ALTER TABLE tasks DROP COLUMN activity;"},
      {9, "DROP TABLE deployed_definitions;"},
      {10, "DROP INDEX tasks_priority; ALTER TABLE tasks DROP COLUMN priority; "
           "ALTER TABLE instances DROP COLUMN priority; DROP TABLE activity_fair_turns;"},
      {11, "DROP INDEX instances_parent; ALTER TABLE instances DROP COLUMN parent_step; "
           "ALTER TABLE instances DROP COLUMN parent_id;"},
      {12, "UPDATE instances SET input = (SELECT ii.input FROM instance_inputs ii WHERE ii.instance_id = instances.id) "
           "WHERE length(input) = 0; DROP TABLE instance_inputs;"},
      // 13 changed no table; its compact blobs stay (this binary reads both encodings).
      {13, ""},
      {14, "DROP TABLE shard_layout; DROP TABLE shard_redo; DROP TABLE shard_redo_applied;"},
  };
  RawDb db(path);
  const int current = std::stoi(db.QueryText("SELECT version FROM schema_version"));
  ASSERT_LE(current, undo.rbegin()->first) << "RollBackEngineSchema does not know how to undo version " << current;
  for (int v = current; v > version; --v) {
    auto it = undo.find(v);
    ASSERT_NE(it, undo.end()) << "RollBackEngineSchema cannot undo version " << v;
    db.Exec(it->second);
  }
  db.Exec("UPDATE schema_version SET version = " + std::to_string(version));
}

}  // namespace steadfast::testing_support
