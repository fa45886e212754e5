// steadfast bench: throughput and latency of no-op workflows on a fresh
// database, optionally next to raw SQLite single-row commits on the same
// disk and sync mode (the floor group commit is measured against).
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "cli_context.h"
#include "cmd_bench_fleet.h"
#include "commands.h"
#include "config/database_url.h"
#include "percentile.h"
#include "builtin/std_activities.h"
#include "runtime/engine.h"
#include "tracing/tracing_setup.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/shard_layout.h"

namespace steadfast::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Raw SQLite: one INSERT per transaction, WAL, the given synchronous mode.
Result<double> BaselineCommitsPerSecond(const std::string& dir, SyncMode sync, int n) {
  std::string path = dir + "/baseline.db";
  std::filesystem::remove(path);
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    return Status::Internal("cannot open baseline database " + path);
  }
  const char* mode = sync == SyncMode::kFull ? "FULL" : sync == SyncMode::kNormal ? "NORMAL" : "OFF";
  std::string setup = std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=") + mode +
                      "; CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB);";
  sqlite3_exec(db, setup.c_str(), nullptr, nullptr, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t(v) VALUES(?)", -1, &st, nullptr);
  std::string blob(100, 'x');
  auto start = SteadyClock::now();
  for (int i = 0; i < n; ++i) {
    sqlite3_bind_blob(st, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_reset(st);
  }
  double secs = std::chrono::duration<double>(SteadyClock::now() - start).count();
  sqlite3_finalize(st);
  sqlite3_close(db);
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  return n / secs;
}

// The bytes of the database's pages in use (page_count less the free
// list, times page_size) as a reader sees it: committed WAL frames count,
// pages not yet checkpointed into the file too.
Result<int64_t> DatabaseBytesInUse(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return Status::Internal("cannot open " + path);
  }
  int64_t out = -1;
  sqlite3_stmt* st = nullptr;
  const char* sql =
      "SELECT (p.page_count - f.freelist_count) * s.page_size "
      "FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s";
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    out = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  if (out < 0) return Status::Internal("cannot read the page count of " + path);
  return out;
}

// Resident set size now, from /proc/self/statm (pages -> MiB).
double CurrentRssMib() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  long size = 0, resident = 0;
  int n = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  return n == 2 ? static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0) : 0;
}

const char* kWaitingWorkflow = R"(name: bench_waiting
version: 1
steps:
  - id: received
    signal: item_received
    timeout: 30d
)";

// Fills the store with `count` instances parked on a signal (without an
// engine), then measures how much an engine grows when it starts on them.
int BenchWaiting(const std::string& dir, SyncMode sync, int64_t count, bool json) {
  std::string db = dir + "/waiting.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  ActivityRegistry registry;
  WorkflowCatalog catalog(&registry);
  if (!catalog.AddSource(kWaitingWorkflow, "bench_waiting.yaml").ok()) return Fail(kExitError, "bad bench workflow");
  SqliteStoreOptions so;
  so.path = db;
  so.sync = sync;
  auto store = OpenSqliteStore(so);
  if (!store.ok()) return Fail(kExitError, store.status().message());
  SystemRandom random;
  StderrLogger logger(LogLevel::kWarn);
  {
    WorkflowService service(**store, catalog, SystemClock::Instance(), random);
    std::atomic<int64_t> next{0};
    std::vector<std::thread> fillers;
    for (int t = 0; t < 32; ++t) {
      fillers.emplace_back([&] {
        for (int64_t n = next++; n < count; n = next++) {
          StartOptions opts;
          opts.workflow = "bench_waiting";
          opts.id = "waiting-" + std::to_string(n);
          opts.input = Value::Map{};
          (void)service.Start(opts);
        }
      });
    }
    for (auto& t : fillers) t.join();
  }
  auto counts = (*store)->CountByStatus();
  int64_t waiting = 0;
  if (counts.ok()) {
    for (const auto& [status, n] : *counts) {
      if (status == InstanceStatus::kWaitingSignal) waiting = n;
    }
  }
  double before = CurrentRssMib();
  EngineOptions eo;
  eo.workers = 8;
  eo.node_name = "bench-waiting";
  Engine engine(eo, **store, catalog, registry, SystemClock::Instance(), random, logger);
  if (!engine.Start().ok()) return Fail(kExitError, "engine did not start");
  std::this_thread::sleep_for(std::chrono::seconds(3));  // several scheduler passes over the store
  double after = CurrentRssMib();
  engine.Stop();
  if (json) {
    std::printf("%s\n", Value(Value::Map{{"waiting_instances", waiting}, {"rss_before_engine_mib", before},
                                         {"rss_after_engine_mib", after}}).ToJson().c_str());
  } else {
    std::printf("waiting instances:     %lld\n", static_cast<long long>(waiting));
    std::printf("RSS before engine:     %.1f MiB\n", before);
    std::printf("RSS with engine (3 s): %.1f MiB (+%.1f MiB)\n", after, after - before);
  }
  return kExitOk;
}

std::string NoopWorkflow(int steps) {
  std::string y = "name: bench_noop\nversion: 1\ndefaults:\n  retry: { max_attempts: 3 }\nsteps:\n";
  for (int i = 1; i <= steps; ++i) y += "  - id: s" + std::to_string(i) + "\n    activity: std.noop\n";
  return y;
}

}  // namespace

void DeclareBench(CommandSpec& spec) {
  spec.Summary("measures checkpoint throughput on a scratch database (PERFORMANCE.md)")
      .Option("steps", "N", "steps per workflow (default 5)")
      .Option("workflows", "N", "workflows to run (default 2000)")
      .Option("concurrency", "N", "workflows in flight (default 32)")
      .Option("workers", "N", "worker threads (default: --concurrency)")
      .Option("warmup", "N", "workflows run first and not measured (default 50)")
      .Option("sync", "full|normal", "SQLite synchronous mode (default full)")
      .Option("dir", "DIR", "where the scratch database goes (default $TMPDIR/steadfast-bench)")
      .Option("db", "URL", "instead: PostgreSQL (postgres://...), in a schema of its own (--schema)")
      .Option("schema", "NAME", "with --db: the schema dropped and made afresh for the run (default steadfast_bench)")
      .Option("processes", "N", "with --db: engine processes sharing the clients and workflows (default 1)")
      .Option("pool", "N", "with --db: connections per process (default 16)")
      .Option("bench-child", "K", "internal: process K of a --processes run")
      .Option("waiting", "N", "instead: list and count N waiting workflows")
      .Option("otlp-endpoint", "URL", "trace every span to this OTLP/HTTP endpoint")
      .Switch("baseline", "also measure a bare SQLite insert loop")
      .Switch("uncoalesced-wal", "with --sync full: SQLite's two writes per WAL frame instead of one per commit")
      .Option("shards", "N", "SQLite files the instances are spread over (default 1; docs/store.md \"Shards\")")
      .Json();
}

int RunBench(const Flags& flags) {
  auto steps = flags.GetInt("steps", 5);
  auto workflows = flags.GetInt("workflows", 2000);
  auto concurrency = flags.GetInt("concurrency", 32);
  auto warmup = flags.GetInt("warmup", 50);
  if (!steps.ok() || !workflows.ok() || !concurrency.ok() || !warmup.ok() || *steps < 1 || *workflows < 1 ||
      *concurrency < 1) {
    return Fail(kExitUsage, "--steps, --workflows and --concurrency take positive integers");
  }
  auto workers = flags.GetInt("workers", *concurrency);
  if (!workers.ok() || *workers < 1) return Fail(kExitUsage, "--workers takes a positive integer");
  auto sync = ParseSyncMode(flags.GetOr("sync", "full"));
  if (!sync.ok()) return Fail(kExitUsage, sync.status().message());
  auto pool = flags.GetInt("pool", 16);
  if (!pool.ok() || *pool < 1) return Fail(kExitUsage, "--pool takes a positive integer");
  const std::string pg_url = flags.GetOr("db", "");
  if (!pg_url.empty() && !IsPostgresDatabase(pg_url)) {
    return Fail(kExitUsage, "--db takes a postgres:// URL (SQLite runs in --dir)");
  }
  const bool child = flags.Has("bench-child");
  if (!pg_url.empty() && !child) {
    auto processes = flags.GetInt("processes", 1);
    if (!processes.ok() || *processes < 1 || *processes > 16) return Fail(kExitUsage, "--processes takes 1 to 16");
    BenchFleetOptions fo;
    fo.url = pg_url;
    fo.schema = flags.GetOr("schema", "steadfast_bench");
    fo.processes = static_cast<int>(*processes);
    fo.steps = *steps;
    fo.workflows = *workflows;
    fo.concurrency = *concurrency;
    fo.workers = *workers;
    fo.warmup = *warmup;
    fo.pool = static_cast<int>(*pool);
    fo.json = flags.Has("json");
    return RunBenchFleet(fo);
  }
  if (!child && (flags.Has("processes") || flags.Has("schema"))) {
    return Fail(kExitUsage, "--processes and --schema need --db postgres://...");
  }
  std::string dir = flags.GetOr("dir", (std::filesystem::temp_directory_path() / "steadfast-bench").string());
  std::filesystem::create_directories(dir);
  if (flags.Has("waiting")) {
    auto waiting = flags.GetInt("waiting", 100000);
    if (!waiting.ok() || *waiting < 1) return Fail(kExitUsage, "--waiting takes a positive integer");
    return BenchWaiting(dir, *sync, *waiting, flags.Has("json"));
  }
  auto shards = flags.GetInt("shards", 1);
  if (!shards.ok() || *shards < 1 || *shards > kMaxShards) {
    return Fail(kExitUsage, "--shards takes an integer from 1 to " + std::to_string(kMaxShards));
  }
  std::string db = dir + "/bench.db";
  if (pg_url.empty()) {
    for (int k = 0; k < kMaxShards; ++k) {
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(ShardPath(db, k) + suffix);
    }
  }

  ActivityRegistry registry;
  Status s = RegisterStdActivities(registry);
  if (!s.ok()) return Fail(kExitError, s.message());
  WorkflowCatalog catalog(&registry);
  auto def = catalog.AddSource(NoopWorkflow(static_cast<int>(*steps)), "bench_noop.yaml");
  if (!def.ok()) return Fail(kExitError, def.status().message());
  Result<std::unique_ptr<Store>> store = Status::Internal("no store");
  if (pg_url.empty()) {
    SqliteStoreOptions so;
    so.path = db;
    so.sync = *sync;
    so.coalesce_wal_writes = !flags.Has("uncoalesced-wal");
    so.shards = static_cast<int>(*shards);
    store = OpenSqliteStore(so);
  } else {
    PgStoreOptions po;
    po.url = pg_url;  // the parent's schema (cmd_bench_fleet.cc)
    po.max_connections = static_cast<int>(*pool);
    store = OpenPgStore(po);
  }
  if (!store.ok()) return Fail(kExitError, store.status().message());
  SystemRandom random;
  StderrLogger logger(LogLevel::kWarn);
  EngineOptions eo;
  eo.workers = static_cast<int>(*workers);
  eo.node_name = child ? "bench-" + flags.GetOr("bench-child", "0") : "bench";
  // Each process's ids are its own ("bench-<K>-..."), in start order.
  const std::string id_prefix = child ? "bench-" + flags.GetOr("bench-child", "0") + "-" : "bench-";
  // --otlp-endpoint: the same run with tracing on (docs/PERFORMANCE.md).
  std::unique_ptr<tracing::OtlpExporter> exporter;
  std::unique_ptr<tracing::WorkflowTracer> tracer;
  if (auto endpoint = flags.Get("otlp-endpoint")) {
    TracingConfig tc;
    tc.otlp_endpoint = *endpoint;
    auto made = tracing::MakeSpanExporter(tc, "bench", nullptr, &logger, [](const char*) { return std::string(); });
    if (!made.ok()) return Fail(kExitUsage, "--otlp-endpoint: " + made.status().message());
    exporter = std::move(made).value();
  }
  Engine engine(eo, **store, catalog, registry, SystemClock::Instance(), random, logger);
  if (exporter) tracer = AttachTracer(engine, *exporter, **store);

  // One waiter per client call, registered before its Start: a completion
  // wakes only the client waiting for it (a shared condition variable made
  // every completion wake all clients, which cost more than the engine).
  struct Waiter {
    std::condition_variable cv;
    bool done = false;
    bool completed = false;
  };
  std::mutex mu;
  std::map<std::string, Waiter*> waiting;  // GUARDED_BY(mu)
  engine.AddObserver([&](const InstanceRecord& rec, const std::vector<HistoryEvent>&) {
    if (!IsTerminal(rec.status)) return;
    std::lock_guard<std::mutex> lock(mu);
    auto it = waiting.find(rec.id);
    if (it == waiting.end()) return;
    it->second->done = true;
    it->second->completed = rec.status == InstanceStatus::kCompleted;
    it->second->cv.notify_one();
  });
  s = engine.Start();
  if (!s.ok()) return Fail(kExitError, s.message());

  std::atomic<int64_t> next{0};
  std::atomic<int64_t> failures{0};
  auto run_one = [&](int64_t n, std::vector<double>* latencies) {
    StartOptions opts;
    opts.workflow = "bench_noop";
    // Ascending ids, as the engine's own are (time-ordered: NewInstanceId):
    // an instance's rows then go where the newest are, not amid older ones
    // ("bench-10" sorts before "bench-2"), as in a real deployment.
    char id[32];
    std::snprintf(id, sizeof(id), "%010lld", static_cast<long long>(n));
    opts.id = id_prefix + id;
    opts.input = Value::Map{};
    Waiter waiter;
    {
      std::lock_guard<std::mutex> lock(mu);
      waiting[opts.id] = &waiter;
    }
    auto t0 = SteadyClock::now();
    auto r = engine.service().Start(opts);
    std::unique_lock<std::mutex> lock(mu);
    if (r.ok()) waiter.cv.wait(lock, [&] { return waiter.done; });
    waiting.erase(opts.id);
    lock.unlock();
    if (!r.ok() || !waiter.completed) {
      ++failures;
      return;
    }
    if (latencies) latencies->push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
  };
  for (int64_t i = 0; i < *warmup; ++i) run_one(-1 - i, nullptr);
  auto* sqlite_store = dynamic_cast<SqliteStore*>(store->get());
  const SqliteStoreStats before = sqlite_store ? sqlite_store->Stats() : SqliteStoreStats{};

  if (child) {
    // Warm: wait for the parent to start every process at once.
    std::printf("ready\n");
    std::fflush(stdout);
    char go[8];
    if (std::fgets(go, sizeof(go), stdin) == nullptr) return Fail(kExitError, "the bench's parent went away");
  }
  std::vector<std::vector<double>> per_thread(static_cast<size_t>(*concurrency));
  auto start = SteadyClock::now();
  std::vector<std::thread> clients;
  for (int64_t c = 0; c < *concurrency; ++c) {
    clients.emplace_back([&, c] {
      while (true) {
        int64_t n = next.fetch_add(1);
        if (n >= *workflows) break;
        run_one(n, &per_thread[static_cast<size_t>(c)]);
      }
    });
  }
  for (auto& t : clients) t.join();
  const auto end = SteadyClock::now();
  double secs = std::chrono::duration<double>(end - start).count();
  engine.Stop();
  if (child) {
    // The parent adds the processes up (cmd_bench_fleet.cc); steady_clock
    // is CLOCK_MONOTONIC, one clock for every process on the host.
    Value::List latencies;
    for (auto& v : per_thread) {
      for (double l : v) latencies.push_back(l);
    }
    auto ns = [](SteadyClock::time_point t) {
      return static_cast<int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
    };
    std::printf("%s\n", Value(Value::Map{{"workflows", *workflows}, {"failures", failures.load()},
                                         {"start_ns", ns(start)}, {"end_ns", ns(end)},
                                         {"latencies_ms", std::move(latencies)}})
                            .ToJson()
                            .c_str());
    return failures > 0 ? kExitFailed : kExitOk;
  }
  const SqliteStoreStats after = sqlite_store ? sqlite_store->Stats() : SqliteStoreStats{};
  std::vector<double> lat;
  for (auto& v : per_thread) lat.insert(lat.end(), v.begin(), v.end());

  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  double wf_per_s = static_cast<double>(*workflows) / secs;
  Value result = Value::Map{
      {"steps", *steps},
      {"workflows", *workflows},
      {"concurrency", *concurrency},
      {"workers", *workers},
      {"sync", flags.GetOr("sync", "full")},
      {"shards", *shards},
      {"seconds", secs},
      {"workflows_per_s", wf_per_s},
      {"checkpoints_per_s", wf_per_s * static_cast<double>(*steps)},
      {"p50_ms", Percentile(lat, 0.50)},
      {"p99_ms", Percentile(lat, 0.99)},
      {"failures", failures.load()},
      {"peak_rss_mib", static_cast<double>(ru.ru_maxrss) / 1024.0},
  };
  // What the storage layout costs (docs/PERFORMANCE.md, "Pages and bytes"):
  // pages the measured workflows wrote, per workflow and per write request
  // (checkpoints, starts and claims), and the database's size per workflow
  // run (warm-up included: every one of them is in the file).
  const auto measured = static_cast<double>(*workflows);
  const auto requests = static_cast<double>(after.requests - before.requests);
  const auto pages = static_cast<double>(after.pages_written - before.pages_written);
  result["commits"] = after.transactions - before.transactions;
  result["write_requests"] = after.requests - before.requests;
  result["pages_written_per_workflow"] = pages / measured;
  result["pages_written_per_request"] = requests > 0 ? pages / requests : 0.0;
  if (auto used = DatabaseBytesInUse(db); used.ok()) {
    result["db_bytes_per_workflow"] = static_cast<double>(*used) / static_cast<double>(*workflows + *warmup);
  }
  if (exporter) {
    exporter->Flush(std::chrono::seconds(30));
    result["spans_exported"] = exporter->exported();
    result["spans_dropped"] = exporter->dropped();
  }
  if (flags.Has("baseline")) {
    auto base = BaselineCommitsPerSecond(dir, *sync, 2000);
    if (base.ok()) result["baseline_sqlite_commits_per_s"] = *base;
  }
  if (flags.Has("json")) {
    std::printf("%s\n", result.ToJson().c_str());
  } else {
    std::printf("workflows:        %lld x %lld steps, concurrency %lld, %lld workers, synchronous=%s, %lld shard%s\n",
                static_cast<long long>(*workflows), static_cast<long long>(*steps),
                static_cast<long long>(*concurrency), static_cast<long long>(*workers), flags.GetOr("sync", "full").c_str(),
                static_cast<long long>(*shards), *shards == 1 ? "" : "s");
    std::printf("workflows/s:      %.0f\n", wf_per_s);
    std::printf("checkpoints/s:    %.0f\n", wf_per_s * static_cast<double>(*steps));
    std::printf("latency p50/p99:  %.2f / %.2f ms\n", Percentile(lat, 0.5), Percentile(lat, 0.99));
    std::printf("peak RSS:         %.1f MiB\n", static_cast<double>(ru.ru_maxrss) / 1024.0);
    std::printf("pages written:    %.1f per workflow, %.2f per write request (%lld commits)\n",
                result.Get("pages_written_per_workflow").AsDouble(), result.Get("pages_written_per_request").AsDouble(),
                static_cast<long long>(after.transactions - before.transactions));
    if (result.Find("db_bytes_per_workflow")) {
      std::printf("database:         %.0f bytes per workflow\n", result.Get("db_bytes_per_workflow").AsDouble());
    }
    if (result.Find("baseline_sqlite_commits_per_s")) {
      std::printf("baseline:         %.0f raw SQLite single-row commits/s (same disk and sync)\n",
                  result.Get("baseline_sqlite_commits_per_s").AsDouble());
    }
    if (exporter) {
      std::printf("spans:            %lld exported, %lld dropped\n",
                  static_cast<long long>(exporter->exported()), static_cast<long long>(exporter->dropped()));
    }
    if (failures > 0) std::printf("FAILURES:         %lld\n", static_cast<long long>(failures.load()));
  }
  return failures > 0 ? kExitFailed : kExitOk;
}

}  // namespace steadfast::cli
