// The redo of checkpoints whose plugin writes live in the home file.
#include "store/sqlite/shard_redo.h"

// The session extension is in Debian's libsqlite3; its declarations are
// behind these macros.
#ifndef SQLITE_ENABLE_SESSION
#define SQLITE_ENABLE_SESSION 1
#endif
#ifndef SQLITE_ENABLE_PREUPDATE_HOOK
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#endif
#include <sqlite3.h>

#include <random>
#include <set>

#include <fmt/format.h>

#include "store/sqlite/transaction.h"

namespace steadfast {
namespace {

// Any conflict means the shard is not in the state the changeset was taken
// from: stop rather than write half of it.
int AbortOnConflict(void* ctx, int conflict, sqlite3_changeset_iter* iter) {
  (void)iter;
  *static_cast<int*>(ctx) = conflict;
  return SQLITE_CHANGESET_ABORT;
}

Result<std::set<int64_t>> Markers(Connection& shard, const std::vector<int64_t>& ids) {
  std::set<int64_t> present;
  SF_ASSIGN_OR_RETURN(StatementRef stmt, shard.Prepare("SELECT 1 FROM shard_redo_applied WHERE id = ?1"));
  for (int64_t id : ids) {
    stmt->BindInt(1, id);
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    stmt->Reset();
    if (row) present.insert(id);
  }
  return present;
}

// Runs `sql` (a DELETE with the id as ?1) for each id.
Status DeleteRows(Connection& conn, const std::string& sql, const std::vector<int64_t>& ids) {
  SF_ASSIGN_OR_RETURN(StatementRef del, conn.Prepare(sql));
  for (int64_t id : ids) {
    del->BindInt(1, id);
    SF_RETURN_IF_ERROR(del->Run());
    del->Reset();
  }
  return Status::Ok();
}

}  // namespace

Result<ChangeCapture> ChangeCapture::Start(Connection& conn) {
  sqlite3_session* session = nullptr;
  if (sqlite3session_create(conn.raw(), "main", &session) != SQLITE_OK) {
    return Status::Internal(fmt::format("cannot record the changes of a checkpoint on {}", conn.path()));
  }
  ChangeCapture capture(session);
  if (sqlite3session_attach(session, nullptr) != SQLITE_OK) {
    return Status::Internal(fmt::format("cannot record the changes of a checkpoint on {}", conn.path()));
  }
  return capture;
}

ChangeCapture::~ChangeCapture() {
  if (session_ != nullptr) sqlite3session_delete(session_);
}

Result<std::string> ChangeCapture::Take() {
  int size = 0;
  void* data = nullptr;
  const int rc = sqlite3session_changeset(session_, &size, &data);
  if (rc != SQLITE_OK) return Status::Internal(fmt::format("cannot take a checkpoint's changeset: {}", sqlite3_errstr(rc)));
  std::string changeset(static_cast<const char*>(data), static_cast<size_t>(size));
  sqlite3_free(data);
  return changeset;
}

int64_t NewRedoId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return static_cast<int64_t>(rng() >> 1) | 1;
}

Status WriteRedoMarker(Connection& shard, int64_t id) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, shard.Prepare("INSERT INTO shard_redo_applied (id) VALUES (?1)"));
  stmt->BindInt(1, id);
  return stmt->Run();
}

Status WriteOwedRedo(Connection& home, int64_t id, int shard, const std::string& changeset,
                     const std::vector<int64_t>& forget) {
  {
    SF_ASSIGN_OR_RETURN(StatementRef stmt,
                        home.Prepare("INSERT INTO shard_redo (id, shard, changeset) VALUES (?1, ?2, ?3)"));
    stmt->BindInt(1, id);
    stmt->BindInt(2, shard);
    stmt->BindBlob(3, changeset);
    SF_RETURN_IF_ERROR(stmt->Run());
  }
  return DeleteRows(home, "DELETE FROM shard_redo WHERE id = ?1", forget);
}

Result<int64_t> ApplyOwedRedo(Connection& shard_conn, Connection& home, int shard) {
  std::vector<std::pair<int64_t, std::string>> owed;
  {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, home.Prepare("SELECT id, changeset FROM shard_redo WHERE shard = ?1"));
    stmt->BindInt(1, shard);
    while (true) {
      SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      owed.emplace_back(stmt->ColumnInt(0), std::string(stmt->ColumnBlob(1)));
    }
  }
  if (owed.empty()) return int64_t{0};
  std::vector<int64_t> ids;
  for (const auto& o : owed) ids.push_back(o.first);
  SF_ASSIGN_OR_RETURN(std::set<int64_t> present, Markers(shard_conn, ids));
  int64_t applied = 0;
  for (auto& [id, changeset] : owed) {
    if (present.count(id) != 0) continue;
    int conflict = 0;
    const int rc = sqlite3changeset_apply(shard_conn.raw(), static_cast<int>(changeset.size()), changeset.data(),
                                          nullptr, &AbortOnConflict, &conflict);
    if (rc != SQLITE_OK) {
      return Status::Corruption(fmt::format(
          "{}: the checkpoint {} that the home file holds for shard {} does not apply ({}, conflict {}): the shard "
          "changed without it",
          shard_conn.path(), id, shard, sqlite3_errstr(rc), conflict));
    }
    ++applied;
  }
  return applied;
}

Status ForgetAppliedRedo(Connection& shard_conn, Connection& home_writer, int shard) {
  std::vector<int64_t> ids;
  {
    SF_ASSIGN_OR_RETURN(StatementRef stmt, home_writer.Prepare("SELECT id FROM shard_redo WHERE shard = ?1"));
    stmt->BindInt(1, shard);
    while (true) {
      SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      ids.push_back(stmt->ColumnInt(0));
    }
  }
  SF_ASSIGN_OR_RETURN(std::set<int64_t> present, Markers(shard_conn, ids));
  if (present.empty()) return Status::Ok();
  const std::vector<int64_t> done(present.begin(), present.end());
  {
    SF_ASSIGN_OR_RETURN(WriteTransaction txn, WriteTransaction::Begin(home_writer));
    SF_RETURN_IF_ERROR(DeleteRows(home_writer, "DELETE FROM shard_redo WHERE id = ?1", done));
    SF_RETURN_IF_ERROR(txn.Commit());
  }
  SF_ASSIGN_OR_RETURN(WriteTransaction txn, WriteTransaction::Begin(shard_conn));
  SF_RETURN_IF_ERROR(DeleteRedoMarkers(shard_conn, done));
  return txn.Commit();
}

Status DeleteRedoMarkers(Connection& shard, const std::vector<int64_t>& ids) {
  return DeleteRows(shard, "DELETE FROM shard_redo_applied WHERE id = ?1", ids);
}

}  // namespace steadfast
