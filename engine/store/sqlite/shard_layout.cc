// Shard routing, the shard_layout row, and moving instances between files.
#include "store/sqlite/shard_layout.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "store/sqlite/transaction.h"
#include "store/store.h"

namespace steadfast {
namespace {

// The tables that hold an instance's rows, and the column naming it.
struct InstanceTable {
  const char* name;
  const char* id_column;
};
constexpr InstanceTable kInstanceTables[] = {
    {"instances", "id"},         {"history", "instance_id"},       {"signals", "instance_id"},
    {"tasks", "instance_id"},    {"instance_keys", "instance_id"}, {"instance_inputs", "instance_id"},
};

uint64_t Fnv1a64(std::string_view text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// steadfast_shard(id, shards): ShardOf in SQL, for the moves' statements.
void ShardFunction(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  (void)argc;
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const int bytes = sqlite3_value_bytes(argv[0]);
  const int shards = sqlite3_value_int(argv[1]);
  sqlite3_result_int(ctx, ShardOf(std::string_view(text != nullptr ? text : "", static_cast<size_t>(bytes)), shards));
}

// The columns of a table in `conn`'s main database, comma-separated;
// without `skip` (tasks get new ids in their new file).
Result<std::string> ColumnList(Connection& conn, const std::string& table, const std::string& skip) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare("SELECT name FROM pragma_table_info(?1)"));
  stmt->BindText(1, table);
  std::string columns;
  while (true) {
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    std::string name = stmt->ColumnText(0);
    if (name == skip) continue;
    if (!columns.empty()) columns += ", ";
    columns += name;
  }
  if (columns.empty()) return Status::Internal(fmt::format("{} has no table {}", conn.path(), table));
  return columns;
}

// Copies src's instances of shard `target` that main lacks into main (one
// transaction), then deletes from src those main has (another).
Result<int64_t> MoveInstances(Connection& conn, int target, int shards) {
  int64_t moved = 0;
  {
    SF_ASSIGN_OR_RETURN(WriteTransaction txn, WriteTransaction::Begin(conn));
    SF_RETURN_IF_ERROR(conn.Exec("CREATE TEMP TABLE IF NOT EXISTS moving (id TEXT PRIMARY KEY); DELETE FROM moving"));
    SF_RETURN_IF_ERROR(conn.Exec(fmt::format(
        "INSERT INTO temp.moving SELECT id FROM src.instances WHERE steadfast_shard(id, {}) = {} "
        "AND id NOT IN (SELECT id FROM main.instances)",
        shards, target)));
    SF_ASSIGN_OR_RETURN(moved, conn.QueryInt("SELECT count(*) FROM temp.moving"));
    for (const InstanceTable& t : kInstanceTables) {
      const std::string skip = std::string(t.name) == "tasks" ? "id" : "";
      SF_ASSIGN_OR_RETURN(std::string columns, ColumnList(conn, t.name, skip));
      SF_RETURN_IF_ERROR(conn.Exec(fmt::format("INSERT INTO main.{0} ({1}) SELECT {1} FROM src.{0} WHERE {2} IN temp.moving",
                                               t.name, columns, t.id_column)));
    }
    SF_RETURN_IF_ERROR(txn.Commit());
  }
  SF_ASSIGN_OR_RETURN(WriteTransaction txn, WriteTransaction::Begin(conn));
  for (const InstanceTable& t : kInstanceTables) {
    SF_RETURN_IF_ERROR(conn.Exec(fmt::format(
        "DELETE FROM src.{0} WHERE steadfast_shard({1}, {2}) = {3} AND {1} IN (SELECT id FROM main.instances)", t.name,
        t.id_column, shards, target)));
  }
  SF_RETURN_IF_ERROR(txn.Commit());
  return moved;
}

}  // namespace

int ShardOf(std::string_view instance_id, int shards) {
  if (shards <= 1) return 0;
  // At most the head a long child id keeps of its parent's (ChildInstanceId):
  // a child of a long id still hashes as its parent does.
  constexpr size_t kRootKeptByChildren = kMaxChildIdLength - 17;
  const std::string_view root = instance_id.substr(0, std::min(instance_id.find('~'), kRootKeptByChildren));
  return static_cast<int>(Fnv1a64(root) % static_cast<uint64_t>(shards));
}

std::string ShardPath(const std::string& home, int shard) {
  return shard == 0 ? home : fmt::format("{}.shard-{}", home, shard);
}

Result<ShardLayoutRow> ReadShardLayout(Connection& conn) {
  SF_ASSIGN_OR_RETURN(StatementRef stmt, conn.Prepare("SELECT shard, shards FROM shard_layout"));
  SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
  ShardLayoutRow layout;
  if (!row) return layout;
  layout.shard = static_cast<int>(stmt->ColumnInt(0));
  layout.shards = static_cast<int>(stmt->ColumnInt(1));
  if (layout.shards < 1 || layout.shards > kMaxShards || layout.shard < 0 || layout.shard >= layout.shards) {
    return Status::Corruption(fmt::format("database {}: shard_layout says shard {} of {}", conn.path(),
                                          layout.shard, layout.shards));
  }
  return layout;
}

Status WriteShardLayout(Connection& conn, const ShardLayoutRow& row) {
  SF_RETURN_IF_ERROR(conn.Exec("DELETE FROM shard_layout"));
  if (row.shards <= 1) return Status::Ok();
  return conn.Exec(fmt::format("INSERT INTO shard_layout (shard, shards) VALUES ({}, {})", row.shard, row.shards));
}

Result<std::unique_ptr<LayoutLock>> LayoutLock::Acquire(const std::string& home) {
  std::string path = home + ".shards.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return std::unique_ptr<LayoutLock>();  // a read-only directory: nothing can re-spread there
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0) {
    ::close(fd);
    return Status::FailedPrecondition(
        fmt::format("another process is re-spreading the instances of {} over its shards; open it when it is done",
                    home));
  }
  return std::unique_ptr<LayoutLock>(new LayoutLock(fd, std::move(path)));
}

LayoutLock::~LayoutLock() { ::close(fd_); }

Status LayoutLock::Exclusive() {
  if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return Status::Ok();
  ::flock(fd_, LOCK_SH | LOCK_NB);
  return Status::FailedPrecondition(fmt::format(
      "cannot change how the store is spread over shards while another process has it open ({}): stop it first",
      path_));
}

void LayoutLock::Shared() { ::flock(fd_, LOCK_SH | LOCK_NB); }

Result<int64_t> RespreadInstances(const std::vector<std::string>& paths, int shards, const std::string& vfs,
                                  int busy_timeout_ms) {
  int64_t moved = 0;
  for (int target = 0; target < shards; ++target) {
    ConnectionOptions options;
    options.path = paths.at(static_cast<size_t>(target));
    options.vfs = vfs;
    options.busy_timeout_ms = busy_timeout_ms;
    SF_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(options));
    if (sqlite3_create_function_v2(conn->raw(), "steadfast_shard", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                   &ShardFunction, nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Status::Internal(fmt::format("cannot register steadfast_shard on {}", options.path));
    }
    for (size_t source = 0; source < paths.size(); ++source) {
      if (static_cast<int>(source) == target || paths[source].empty()) continue;
      {
        SF_ASSIGN_OR_RETURN(StatementRef attach, conn->Prepare("ATTACH DATABASE ?1 AS src"));
        attach->BindText(1, paths[source]);
        SF_RETURN_IF_ERROR(attach->Run());
      }
      Result<int64_t> n = MoveInstances(*conn, target, shards);
      Status detached = conn->Exec("DETACH DATABASE src");
      SF_RETURN_IF_ERROR(n.status());
      SF_RETURN_IF_ERROR(detached);
      moved += *n;
    }
  }
  return moved;
}

}  // namespace steadfast
