// SqliteStore: the Store interface on SQLite, glued from the pieces beside
// it. Writes are encoded on the calling thread and handed to the
// GroupCommitter; reads lease a connection from the ReaderPool.
#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "core/crash_point.h"
#include "store/plugin_write.h"
#include "store/sqlite/bulk_ops.h"
#include "store/sqlite/coalescing_vfs.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/deployed_definition_ops.h"
#include "store/sqlite/group_committer.h"
#include "store/sqlite/node_lock_file.h"
#include "store/sqlite/owner_only_file.h"
#include "store/sqlite/plugin_migrations.h"
#include "store/sqlite/plugin_transaction.h"
#include "store/sqlite/read_ops.h"
#include "store/sqlite/reader_pool.h"
#include "store/sqlite/schedule_ops.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/shard_layout.h"
#include "store/sqlite/shard_member.h"
#include "store/sqlite/shard_redo.h"
#include "store/sqlite/sharded_store.h"
#include "store/sqlite/write_ops.h"

namespace steadfast {
namespace {

// The value of a write whose only result is its Status.
struct Done {};

// Idle reader connections kept open with warm statement caches; beyond
// this many concurrent readers, extra connections are opened and closed.
constexpr size_t kMaxIdleReaders = 32;

// Keeps the WAL file from staying at its high-water mark after a burst.
constexpr int64_t kJournalSizeLimitBytes = 64 << 20;

std::string_view SyncPragmaValue(SyncMode mode) {
  switch (mode) {
    case SyncMode::kFull: return "FULL";
    case SyncMode::kNormal: return "NORMAL";
    case SyncMode::kOff: return "OFF";
  }
  return "FULL";
}

Status ToStatus(const Result<Done>& r) { return r.ok() ? Status::Ok() : r.status(); }

// Applies the writer connection's pragmas and checks the ones that can
// silently not take effect.
constexpr int64_t kWalSwitchRetryMs = 10;

Status ConfigureWriter(Connection& conn, const SqliteStoreOptions& options) {
  // WAL is what lets readers run beside the writer and makes a commit one
  // append + one fsync. SQLite answers with the mode it actually chose:
  // a file system without shared memory support keeps "delete".
  // Switching a new file to WAL needs an exclusive lock, and SQLite answers
  // SQLITE_BUSY at once (no busy handler: it could deadlock) while another
  // process opening the same new file holds a shared one. Wait that out.
  Result<std::string> switched = conn.QueryText("PRAGMA journal_mode = WAL");
  for (int64_t waited_ms = 0; !switched.ok() && switched.status().code() == StatusCode::kBusy &&
                              waited_ms < std::max<int64_t>(options.busy_timeout_ms, kWalSwitchRetryMs);
       waited_ms += kWalSwitchRetryMs) {
    std::this_thread::sleep_for(std::chrono::milliseconds(kWalSwitchRetryMs));
    switched = conn.QueryText("PRAGMA journal_mode = WAL");
  }
  SF_ASSIGN_OR_RETURN(std::string mode, std::move(switched));
  std::transform(mode.begin(), mode.end(), mode.begin(), [](unsigned char ch) { return std::tolower(ch); });
  if (mode != "wal") {
    return Status::FailedPrecondition(fmt::format(
        "cannot enable WAL journaling on {} (SQLite kept journal_mode={}); the store needs a local file "
        "system that supports shared memory",
        conn.path(), mode));
  }
  SF_RETURN_IF_ERROR(conn.Exec(fmt::format("PRAGMA synchronous = {}", SyncPragmaValue(options.sync))));
  SF_RETURN_IF_ERROR(conn.Exec(fmt::format("PRAGMA journal_size_limit = {}", kJournalSizeLimitBytes)));
  if (options.max_page_count > 0) {
    SF_RETURN_IF_ERROR(conn.Exec(fmt::format("PRAGMA max_page_count = {}", options.max_page_count)));
  }
  return Status::Ok();
}

class SqliteStoreImpl final : public ShardMember, public PluginStorage, public DeployedDefinitionStore {
 public:
  SqliteStoreImpl(const SqliteStoreOptions& options, const ConnectionOptions& reader_options,
                  std::unique_ptr<Connection> writer)
      : path_(options.path),
        clock_(options.clock != nullptr ? options.clock : &SystemClock::Instance()),
        logger_(options.logger != nullptr ? options.logger : &NullLogger::Instance()),
        writer_(std::move(writer)),
        readers_(reader_options, kMaxIdleReaders),
        committer_(std::make_unique<GroupCommitter>(writer_.get(), options.max_batch)) {}
  SqliteStoreImpl(const SqliteStoreImpl&) = delete;
  SqliteStoreImpl& operator=(const SqliteStoreImpl&) = delete;
  // Members are destroyed in reverse order: the committer (waiting until
  // everything queued is committed) goes before the connection it uses.
  ~SqliteStoreImpl() override = default;

  Status PutDefinition(const DefinitionRecord& def) override {
    if (def.hash.empty()) return Status::InvalidArgument("definition hash is empty");
    const TimeMs now = clock_->NowMs();
    return ToStatus(committer_->Submit<Done>([&def, now](Connection& c) -> Result<Done> {
      SF_RETURN_IF_ERROR(WritePutDefinition(c, def, now));
      return Done{};
    }));
  }

  Result<std::optional<DefinitionRecord>> GetDefinition(const std::string& hash) override {
    return WithReader([&](Connection& c) { return ReadDefinition(c, hash); });
  }

  // DeployedDefinitionStore.
  Result<DeployedDefinition> DeployDefinition(const DeployedDefinition& deployed) override {
    if (deployed.definition.hash.empty()) return Status::InvalidArgument("definition hash is empty");
    DeployedDefinition request = deployed;
    if (request.deployed_at == 0) request.deployed_at = clock_->NowMs();
    return committer_->Submit<DeployedDefinition>(
        [&request](Connection& c) { return WriteDeployDefinition(c, request); });
  }

  Result<std::vector<DeployedDefinition>> ListDeployedDefinitions() override {
    return WithReader([&](Connection& c) { return ReadDeployedDefinitions(c); });
  }

  Result<StartResult> StartInstance(StartRequest req) override {
    if (req.instance.id.empty()) return Status::InvalidArgument("cannot start an instance without an id");
    SF_ASSIGN_OR_RETURN(EncodedStart start, EncodeStart(std::move(req), clock_->NowMs()));
    if (!start.request.schedule_tick.has_value()) {
      return committer_->Submit<StartResult>([&start](Connection& c) { return WriteStart(c, start); });
    }
    return committer_->Submit<StartResult>([&start](Connection& c) -> Result<StartResult> {
      const ScheduleTickWrite& tick = *start.request.schedule_tick;
      // The tick's preconditions first: a tick handled already starts nothing.
      SF_RETURN_IF_ERROR(WriteScheduleTicks(c, ScheduleTickWrite{tick.schedule, tick.expect_cursor_at,
                                                                 std::nullopt, {}, ""},
                                            "", start.now));
      SF_ASSIGN_OR_RETURN(StartResult result, WriteStart(c, start));
      if (result.outcome == StartOutcome::kCreated) {
        SF_RETURN_IF_ERROR(WriteScheduleTicks(c, tick, result.instance.id, start.now));
      }
      return result;
    });
  }

  Status EnsureSchedules(const std::vector<ScheduleState>& schedules) override {
    const TimeMs now = clock_->NowMs();
    return ToStatus(committer_->Submit<Done>([&](Connection& c) -> Result<Done> {
      SF_RETURN_IF_ERROR(WriteEnsureSchedules(c, schedules, now));
      return Done{};
    }));
  }

  Result<std::vector<ScheduleState>> ListSchedules() override {
    return WithReader([&](Connection& c) { return ReadSchedules(c); });
  }

  Status RecordScheduleTicks(ScheduleTickWrite write) override {
    const TimeMs now = clock_->NowMs();
    return ToStatus(committer_->Submit<Done>([&](Connection& c) -> Result<Done> {
      SF_RETURN_IF_ERROR(WriteScheduleTicks(c, write, write.started_instance, now));
      return Done{};
    }));
  }

  Status SetSchedulePaused(const std::string& name, bool paused, const std::string& principal,
                           const std::string& reason, TimeMs at) override {
    return ToStatus(committer_->Submit<Done>([&](Connection& c) -> Result<Done> {
      SF_RETURN_IF_ERROR(WriteSchedulePaused(c, name, paused, principal, reason, at));
      return Done{};
    }));
  }

  Result<std::vector<ScheduleTick>> ListScheduleTicks(const std::string& name, int limit) override {
    return WithReader([&](Connection& c) { return ReadScheduleTicks(c, name, limit); });
  }

  Result<CommitResult> Apply(Commit commit) override {
    if (commit.instance_id.empty()) return Status::InvalidArgument("commit names no instance");
    const bool plugin_writes = !commit.plugin_writes.empty();
    SF_ASSIGN_OR_RETURN(EncodedCommit encoded, EncodeCommit(std::move(commit), clock_->NowMs()));
    return committer_->Submit<CommitResult>([&encoded](Connection& c) { return WriteCommit(c, encoded); },
                                            plugin_writes);
  }

  Result<std::vector<TaskRecord>> ClaimDueTasks(const std::string& owner, TimeMs now, TimeMs lease_until,
                                                int limit) override {
    return ClaimTasks(*this, owner, now, lease_until, limit);
  }

  Result<ClaimResult> ClaimDueTasks(const ClaimRequest& request) override {
    if (request.limit <= 0) return ClaimResult();
    SF_RETURN_IF_ERROR(CheckClaimRequest(request));
    return committer_->Submit<ClaimResult>([&](Connection& c) { return WriteClaim(c, request); });
  }

  Status HoldActivity(const ActivityHold& hold) override {
    if (hold.activity.empty()) return Status::InvalidArgument("a hold needs an activity name (or * for all)");
    const TimeMs now = clock_->NowMs();
    return ToStatus(committer_->Submit<Done>([&](Connection& c) -> Result<Done> {
      SF_RETURN_IF_ERROR(WriteHoldActivity(c, hold, now));
      return Done{};
    }));
  }

  Result<bool> ReleaseActivity(const std::string& activity, const std::string& principal,
                               const std::string& reason) override {
    const TimeMs now = clock_->NowMs();
    return committer_->Submit<bool>(
        [&](Connection& c) { return WriteReleaseActivity(c, activity, principal, reason, now); });
  }

  Result<std::vector<ActivityHold>> ListActivityHolds() override {
    return WithReader([&](Connection& c) { return ReadActivityHolds(c); });
  }

  Result<std::vector<ActivityHoldEvent>> ListActivityHoldLog(int limit) override {
    return WithReader([&](Connection& c) { return ReadActivityHoldLog(c, limit); });
  }

  Result<int64_t> ReleaseLeases(const std::string& owner_prefix, const std::string& except_owner) override {
    return committer_->Submit<int64_t>(
        [&](Connection& c) { return WriteReleaseLeases(c, owner_prefix, except_owner); });
  }

  Result<std::unique_ptr<NodeLock>> LockNode(const std::string& node_name) override {
    return LockNodeFile(path_, node_name);
  }

  Status RenewLease(int64_t task_id, int64_t lease_token, TimeMs lease_until) override {
    return ToStatus(committer_->Submit<Done>([&](Connection& c) -> Result<Done> {
      SF_RETURN_IF_ERROR(WriteRenewLease(c, task_id, lease_token, lease_until));
      return Done{};
    }));
  }

  Status ReturnUnstartedTask(const TaskRecord& task) override {
    return ToStatus(committer_->Submit<Done>([&](Connection& c) -> Result<Done> {
      SF_RETURN_IF_ERROR(WriteReturnUnstartedTask(c, task));
      return Done{};
    }));
  }

  Result<std::optional<TimeMs>> NextDueAt(TimeMs now) override {
    return WithReader([&](Connection& c) { return ReadNextDueAt(c, now); });
  }

  Result<std::optional<InstanceRecord>> GetInstance(const std::string& id) override {
    return WithReader([&](Connection& c) { return ReadInstance(c, id); });
  }

  Result<std::optional<int64_t>> GetInstanceVersion(const std::string& id) override {
    return WithReader([&](Connection& c) { return ReadInstanceVersion(c, id); });
  }

  Result<std::vector<InstanceRecord>> ListInstances(const ListFilter& filter) override {
    return WithReader([&](Connection& c) { return ReadInstances(c, filter, *logger_); });
  }

  Result<int64_t> CountInstances(const ListFilter& filter) override {
    return WithReader([&](Connection& c) { return ReadCountInstances(c, filter); });
  }

  Result<int64_t> PurgeInstances(const std::vector<std::string>& ids) override {
    if (ids.empty()) return int64_t{0};
    return committer_->Submit<int64_t>([&](Connection& c) { return WritePurgeInstances(c, ids); });
  }

  Status PutBulkOperation(const BulkOperationRecord& op) override {
    if (op.id.empty()) return Status::InvalidArgument("bulk operation id is empty");
    return ToStatus(committer_->Submit<Done>([&op](Connection& c) -> Result<Done> {
      SF_RETURN_IF_ERROR(WritePutBulkOperation(c, op));
      return Done{};
    }));
  }

  Result<std::optional<BulkOperationRecord>> GetBulkOperation(const std::string& id) override {
    return WithReader([&](Connection& c) { return ReadBulkOperation(c, id); });
  }

  Result<std::vector<BulkOperationRecord>> ListBulkOperations(const std::string& state, const std::string& before_id,
                                                              int limit) override {
    return WithReader([&](Connection& c) { return ReadBulkOperations(c, state, before_id, limit); });
  }

  Result<std::vector<std::pair<InstanceStatus, int64_t>>> CountByStatus() override {
    return WithReader([&](Connection& c) { return ReadCountByStatus(c); });
  }

  Result<std::vector<HistoryEvent>> GetHistory(const std::string& instance_id, int64_t after_seq,
                                               int limit) override {
    return WithReader([&](Connection& c) { return ReadHistory(c, instance_id, after_seq, limit, *logger_); });
  }

  Result<std::vector<TaskRecord>> GetTasks(const std::string& instance_id) override {
    return WithReader([&](Connection& c) { return ReadTasks(c, instance_id); });
  }

  Result<std::vector<SignalRecord>> GetPendingSignals(const std::string& instance_id,
                                                      const std::string& name) override {
    return WithReader([&](Connection& c) { return ReadPendingSignals(c, instance_id, name); });
  }

  Result<std::optional<SignalRecord>> FindSignalByKey(const std::string& instance_id,
                                                      const std::string& idempotency_key) override {
    return WithReader([&](Connection& c) { return ReadSignalByKey(c, instance_id, idempotency_key); });
  }

  bool ChangedExternally() override {
    // Asked of the writer connection on purpose: data_version moves when a
    // *different* connection commits, so this store's own commits (all made
    // on that connection) never count as external changes.
    std::lock_guard<std::mutex> lock(data_version_mu_);
    Result<int64_t> version = writer_->DataVersion();
    if (!version.ok()) return true;  // unknown: let the caller look
    const bool changed = !last_data_version_.has_value() || *last_data_version_ != *version;
    last_data_version_ = *version;
    return changed;
  }

  void SetCommitBatchObserver(std::function<void(int64_t requests)> observer) override {
    committer_->SetBatchObserver(std::move(observer));
  }

  Result<StoreSchemaVersions> SchemaVersions() override {
    return WithReader([&](Connection& c) -> Result<StoreSchemaVersions> {
      StoreSchemaVersions v;
      v.engine_known = kSqliteSchemaVersion;
      SF_ASSIGN_OR_RETURN(v.engine, ReadSchemaVersion(c));
      SF_ASSIGN_OR_RETURN(std::vector<PluginSchemaVersion> plugins, ReadPluginSchemaVersions(c));
      for (PluginSchemaVersion& p : plugins) v.plugins.emplace_back(std::move(p.plugin), p.version);
      return v;
    });
  }

  Result<std::optional<std::string>> FindInstanceIdByIdempotencyKey(const std::string& key) override {
    return WithReader([&](Connection& c) -> Result<std::optional<std::string>> {
      SF_ASSIGN_OR_RETURN(StatementRef stmt, c.Prepare("SELECT id FROM instances WHERE idempotency_key = ?1"));
      stmt->BindText(1, key);
      SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) return std::optional<std::string>();
      return std::optional<std::string>(stmt->ColumnText(0));
    });
  }

  Result<int64_t> CountLeasedAttempts(const std::string& activity, TimeMs now) override {
    return WithReader([&](Connection& c) { return ReadCountLeasedAttempts(c, activity, now); });
  }

  int ShardCount() const override { return 1; }

  Result<std::vector<int64_t>> PeekClaimRanks(const ClaimRequest& request) override {
    return WithReader([&](Connection& c) { return ReadClaimRanks(c, request); });
  }

  Result<int64_t> RateBucketTat(const std::string& activity) override {
    return WithReader([&](Connection& c) { return ReadRateBucketTat(c, activity); });
  }

  Result<CommitResult> ApplyWithHomeWrites(Commit commit, int64_t redo_id, const std::vector<int64_t>& forget_markers,
                                           const std::function<Status(const std::string&)>& commit_home) override {
    commit.plugin_writes.clear();
    SF_ASSIGN_OR_RETURN(EncodedCommit encoded, EncodeCommit(std::move(commit), clock_->NowMs()));
    return committer_->Submit<CommitResult>(
        [&](Connection& c) -> Result<CommitResult> {
          SF_RETURN_IF_ERROR(DeleteRedoMarkers(c, forget_markers));
          SF_ASSIGN_OR_RETURN(ChangeCapture capture, ChangeCapture::Start(c));
          SF_ASSIGN_OR_RETURN(CommitResult result, WriteCommit(c, encoded));
          SF_RETURN_IF_ERROR(WriteRedoMarker(c, redo_id));
          SF_ASSIGN_OR_RETURN(std::string changeset, capture.Take());
          SF_RETURN_IF_ERROR(commit_home(changeset));
          CrashPoint("store.shard_redo_owed");
          return result;
        },
        true);
  }

  Status CommitOwedRedo(const std::vector<PluginWrite>& writes, int64_t redo_id, int shard,
                        const std::string& changeset, const std::vector<int64_t>& forget) override {
    return ToStatus(committer_->Submit<Done>(
        [&](Connection& c) -> Result<Done> {
          SF_RETURN_IF_ERROR(RunPluginWrites(c, writes));
          SF_RETURN_IF_ERROR(WriteOwedRedo(c, redo_id, shard, changeset, forget));
          return Done{};
        },
        true));
  }

  void OweFromHome(std::unique_ptr<Connection> home, int shard) override {
    owed_from_ = std::move(home);
    committer_->SetBeforeBatch([this, shard](Connection& c) -> Status {
      SF_ASSIGN_OR_RETURN(int64_t applied, ApplyOwedRedo(c, *owed_from_, shard));
      if (applied > 0) {
        logger_->Warn(fmt::format("store {}: applied {} checkpoint(s) the home file held for this shard after a crash",
                                  path_, applied));
      }
      return Status::Ok();
    });
  }

  Status Sync() override {
    return ToStatus(committer_->Submit<Done>([](Connection&) -> Result<Done> { return Done{}; }));
  }

  // The file's shard_layout row (shard_layout.h), read and written by
  // OpenSqliteStore while it lays the files out.
  Result<ShardLayoutRow> Layout() {
    return WithReader([&](Connection& c) { return ReadShardLayout(c); });
  }
  Status SetLayout(const ShardLayoutRow& row) {
    return ToStatus(committer_->Submit<Done>([&row](Connection& c) -> Result<Done> {
      SF_RETURN_IF_ERROR(WriteShardLayout(c, row));
      return Done{};
    }));
  }
  Result<int64_t> CountAllInstances() {
    return WithReader([&](Connection& c) { return c.QueryInt("SELECT count(*) FROM instances"); });
  }
  // Kept until the store closes (a store of one file holds it shared).
  void HoldLayoutLock(std::unique_ptr<NodeLock> lock) { layout_lock_ = std::move(lock); }

  PluginStorage* plugin_storage() override { return this; }

  // PluginStorage: reads on a leased reader (query_only: writes are
  // refused by SQLite), transactions through the group commit like any write.
  Result<std::vector<Row>> Query(std::string_view sql, const std::vector<Value>& params) override {
    return WithReader([&](Connection& c) { return SqlitePluginTransaction(c).Query(sql, params); });
  }

  Status Transact(const PluginWrite& write) override {
    if (!write) return Status::InvalidArgument("Transact needs a write function");
    if (InPluginWrite()) {
      return Status::FailedPrecondition(
          "Transact called from inside a plugin write: use the PluginTransaction that write was given");
    }
    return ToStatus(committer_->Submit<Done>([&write](Connection& c) -> Result<Done> {
      SqlitePluginTransaction tx(c);
      Status s = RunPluginWrite(write, tx);
      if (s.ok() && !c.InTransaction()) {
        return Status::Internal("a plugin write ended the store's transaction (BEGIN/COMMIT/ROLLBACK are not allowed)");
      }
      SF_RETURN_IF_ERROR(s);
      return Done{};
    }));
  }

  SqliteStoreStats Stats() const override {
    GroupCommitCounters c = committer_->Counters();
    SqliteStoreStats s;
    s.transactions = c.transactions;
    s.requests = c.requests;
    s.failed_transactions = c.failed_transactions;
    s.largest_batch = c.largest_batch;
    s.pages_written = c.pages_written;
    return s;
  }

 private:
  template <class Fn>
  auto WithReader(Fn&& fn) -> decltype(fn(std::declval<Connection&>())) {
    Result<ReaderPool::Lease> lease = readers_.Acquire();
    if (!lease.ok()) return lease.status();
    return fn(**lease);
  }

  const std::string path_;  // the database file; node lock files live beside it
  const Clock* const clock_;
  Logger* const logger_;
  const std::unique_ptr<Connection> writer_;  // used by the committing leader, and by ChangedExternally
  ReaderPool readers_;
  std::mutex data_version_mu_;
  std::optional<int64_t> last_data_version_;  // GUARDED_BY(data_version_mu_)
  std::unique_ptr<NodeLock> layout_lock_;
  std::unique_ptr<Connection> owed_from_;  // a reader of the home file (a shard's), used by the leader
  const std::unique_ptr<GroupCommitter> committer_;  // last: destroyed first
};

// One file as a store: OpenSqliteStore without the layout.
Result<std::unique_ptr<SqliteStoreImpl>> OpenSqliteFile(const SqliteStoreOptions& options) {
  if (options.path.empty()) return Status::InvalidArgument("the SQLite store needs a database file path");
  if (options.path == ":memory:" || options.path.rfind("file::memory:", 0) == 0) {
    // Readers use connections of their own; an in-memory database is
    // private to one connection.
    return Status::InvalidArgument("the SQLite store needs a file, not an in-memory database");
  }
  if (options.max_batch < 1) {
    return Status::InvalidArgument(fmt::format("max_batch must be at least 1, got {}", options.max_batch));
  }

  if (options.must_exist && !std::filesystem::exists(options.path)) {
    return Status::NotFound("no database at " + options.path);
  }
  for (const PluginSchema& schema : options.plugin_schemas) SF_RETURN_IF_ERROR(ValidatePluginSchema(schema));
  // Owner-only from the first byte, and so are SQLite's -wal and -shm.
  // (A test's VFS may keep its files elsewhere: it gets the path as is.)
  if (options.vfs.empty() && options.path.rfind("file:", 0) != 0) CreateOwnerOnlyIfAbsent(options.path);

  ConnectionOptions writer_options;
  writer_options.path = options.path;
  writer_options.vfs = options.vfs;
  if (options.sync == SyncMode::kFull && options.coalesce_wal_writes) {
    // One write per commit instead of two per frame (coalescing_vfs.h:
    // only at FULL, where every commit syncs before readers can see it).
    SF_ASSIGN_OR_RETURN(writer_options.vfs, CoalescingVfsName(options.vfs));
  }
  writer_options.busy_timeout_ms = options.busy_timeout_ms;
  writer_options.create = true;
  writer_options.serialized = true;  // ChangedExternally probes it from other threads
  SF_ASSIGN_OR_RETURN(std::unique_ptr<Connection> writer, Connection::Open(writer_options));
  SF_RETURN_IF_ERROR(ConfigureWriter(*writer, options));
  SF_RETURN_IF_ERROR(MigrateSchema(*writer));
  const Clock* clock = options.clock != nullptr ? options.clock : &SystemClock::Instance();
  SF_RETURN_IF_ERROR(MigratePluginSchemas(*writer, options.plugin_schemas, clock->NowMs()));

  ConnectionOptions reader_options = writer_options;
  reader_options.vfs = options.vfs;  // readers never write the WAL
  reader_options.create = false;
  reader_options.serialized = false;  // a leased reader is used by one thread at a time
  reader_options.query_only = true;
  // Open one reader now so a problem shows at open, not on the first read.
  SF_ASSIGN_OR_RETURN(std::unique_ptr<Connection> probe, Connection::Open(reader_options));
  probe.reset();

  return std::make_unique<SqliteStoreImpl>(options, reader_options, std::move(writer));
}

bool FileExists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

void RemoveDatabaseFiles(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ec);
}

// A connection of the store's own for the work of opening (the redo's
// bookkeeping): its VFS and busy timeout, nothing cached.
Result<std::unique_ptr<Connection>> OpenPlain(const SqliteStoreOptions& options, const std::string& path,
                                              bool read_only) {
  ConnectionOptions o;
  o.path = path;
  o.vfs = options.vfs;
  o.busy_timeout_ms = options.busy_timeout_ms;
  o.query_only = read_only;
  return Connection::Open(o);
}

// Opens the files of a store laid out over `options.shards` (or as many as
// it has), re-spreading its instances first when it was laid out for
// another number (shard_layout.h).
Result<std::unique_ptr<Store>> OpenLaidOut(const SqliteStoreOptions& options, std::unique_ptr<SqliteStoreImpl> home,
                                           std::unique_ptr<LayoutLock> lock) {
  SF_ASSIGN_OR_RETURN(ShardLayoutRow layout, home->Layout());
  if (layout.shard != 0) {
    return Status::FailedPrecondition(fmt::format(
        "{} is shard {} of a store spread over {} files, not its home file: open {}", options.path, layout.shard,
        layout.shards, options.path.substr(0, options.path.rfind(".shard-"))));
  }
  const int shards = options.shards == 0 ? layout.shards : options.shards;
  // Files of shards beyond the count: left by a larger layout, or by a
  // re-spread that stopped halfway. Their instances are moved too.
  std::vector<std::string> paths(kMaxShards);
  bool stray = false;
  for (int k = 0; k < kMaxShards; ++k) {
    const std::string path = ShardPath(options.path, k);
    if (k < shards || (lock != nullptr && FileExists(path))) paths[static_cast<size_t>(k)] = path;
    if (k >= shards && !paths[static_cast<size_t>(k)].empty()) stray = true;
  }
  if (shards == 1 && layout.shards == 1 && !stray) {
    if (lock != nullptr) home->HoldLayoutLock(std::move(lock));
    return std::unique_ptr<Store>(std::move(home));
  }
  std::vector<std::unique_ptr<SqliteStoreImpl>> files;  // the files that exist, in shard order
  std::vector<int> file_shard;                           // and the shard of each
  files.push_back(std::move(home));
  file_shard.push_back(0);
  for (int k = 1; k < kMaxShards; ++k) {
    if (paths[static_cast<size_t>(k)].empty()) continue;
    SqliteStoreOptions shard_options = options;
    shard_options.path = paths[static_cast<size_t>(k)];
    shard_options.plugin_schemas.clear();
    shard_options.must_exist = false;
    if (options.vfs.empty()) CreateOwnerOnlyIfAbsent(shard_options.path);
    SF_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStoreImpl> file, OpenSqliteFile(shard_options));
    SF_ASSIGN_OR_RETURN(ShardLayoutRow row, file->Layout());
    if (row.shards > 1 && row.shard != k) {
      return Status::FailedPrecondition(fmt::format("{} says it is shard {} of {}, not shard {}", shard_options.path,
                                                    row.shard, row.shards, k));
    }
    files.push_back(std::move(file));
    file_shard.push_back(k);
  }
  // What a crash left owed to the shards first (shard_redo.h): each shard's
  // writer applies it before anything else, from now on.
  if (files.size() > 1) {
    SF_ASSIGN_OR_RETURN(std::unique_ptr<Connection> home_writer, OpenPlain(options, options.path, false));
    for (size_t i = 1; i < files.size(); ++i) {
      const int k = file_shard[i];
      SF_ASSIGN_OR_RETURN(std::unique_ptr<Connection> home_reader, OpenPlain(options, options.path, true));
      files[i]->OweFromHome(std::move(home_reader), k);
      SF_RETURN_IF_ERROR(files[i]->Sync());
      SF_ASSIGN_OR_RETURN(std::unique_ptr<Connection> shard_conn,
                          OpenPlain(options, paths[static_cast<size_t>(k)], false));
      SF_RETURN_IF_ERROR(ForgetAppliedRedo(*shard_conn, *home_writer, k));
    }
  }
  if (shards != layout.shards || stray) {
    if (lock == nullptr && options.vfs.empty()) {
      return Status::FailedPrecondition(fmt::format(
          "cannot re-spread {} over {} shards: its directory has no room for the lock file", options.path, shards));
    }
    if (lock != nullptr) SF_RETURN_IF_ERROR(lock->Exclusive());
    SF_ASSIGN_OR_RETURN(int64_t moved, RespreadInstances(paths, shards, options.vfs, options.busy_timeout_ms));
    // Each shard's row before the home file's: the home's is what says the move is done.
    for (size_t i = 1; i < files.size(); ++i) {
      if (file_shard[i] < shards) SF_RETURN_IF_ERROR(files[i]->SetLayout(ShardLayoutRow{file_shard[i], shards}));
    }
    SF_RETURN_IF_ERROR(files[0]->SetLayout(ShardLayoutRow{0, shards}));
    // Files beyond the count are empty now: gone.
    while (file_shard.back() >= shards) {
      const std::string& path = paths[static_cast<size_t>(file_shard.back())];
      SF_ASSIGN_OR_RETURN(int64_t left, files.back()->CountAllInstances());
      if (left != 0) return Status::Internal(fmt::format("{} still holds {} instances after the re-spread", path, left));
      files.pop_back();
      file_shard.pop_back();
      RemoveDatabaseFiles(path);
    }
    if (lock != nullptr) lock->Shared();
    if (options.logger != nullptr) {
      options.logger->Info(fmt::format("store {}: spread over {} shards (was {}); moved {} instances", options.path,
                                       shards, layout.shards, moved));
    }
  }
  if (shards == 1) {
    if (lock != nullptr) files[0]->HoldLayoutLock(std::move(lock));
    return std::unique_ptr<Store>(std::move(files[0]));
  }
  std::vector<std::unique_ptr<ShardMember>> stores;
  for (auto& f : files) stores.push_back(std::move(f));
  SF_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> sharded, MakeShardedStore(std::move(stores), std::move(lock)));
  return std::unique_ptr<Store>(std::move(sharded));
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options) {
  if (options.shards < 0 || options.shards > kMaxShards) {
    return Status::InvalidArgument(
        fmt::format("shards must be between 1 and {}, got {}", kMaxShards, options.shards));
  }
  SF_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStoreImpl> home, OpenSqliteFile(options));
  // The lock file goes beside the database, unless a test's VFS keeps it elsewhere.
  std::unique_ptr<LayoutLock> lock;
  if (options.vfs.empty() && options.path.rfind("file:", 0) != 0) {
    SF_ASSIGN_OR_RETURN(lock, LayoutLock::Acquire(options.path));
  }
  return OpenLaidOut(options, std::move(home), std::move(lock));
}

Result<std::unique_ptr<Store>> OpenExistingStore(const std::string& path, std::vector<PluginSchema> plugin_schemas) {
  SqliteStoreOptions options;
  options.path = path;
  options.must_exist = true;
  options.plugin_schemas = std::move(plugin_schemas);
  return OpenSqliteStore(options);
}

}  // namespace steadfast
