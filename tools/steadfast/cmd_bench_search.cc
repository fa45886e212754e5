// steadfast bench-search: how fast instances are found among many.
//
// Fills a fresh database with --instances refund-like instances through the
// store's own start path (rows, history, search keys: the same writes a
// real start makes, group-committed from --writers threads), then times, on
// the filled file: a lookup by a unique search key (reservation_id), by a
// shared one (customer_id, ~10 instances each), the first page of filtered
// lists (status; status + error code; workflow + step; a created range),
// deep pagination, and a filtered count. Prints a table, or --json.
// docs/PERFORMANCE.md has the method and the figures; tools/bench_search.sh
// runs it at 1 million instances.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <thread>

#include <fmt/format.h>

#include "cli_context.h"
#include "commands.h"
#include "percentile.h"
#include "store/sqlite/sqlite_store.h"

namespace steadfast::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr TimeMs kEpoch = 1'790'000'000'000;  // 2026-09: the fill's first created_at
constexpr int kCustomers = 10;                // instances per customer, on average

// Deterministic spread of statuses and errors: mostly finished, some parked.
InstanceStatus StatusOf(int64_t i) {
  switch (i % 100) {
    case 0: case 1: return InstanceStatus::kPaused;
    case 2: return InstanceStatus::kFailed;
    case 3: case 4: case 5: return InstanceStatus::kWaitingApproval;
    case 6: return InstanceStatus::kRunning;
    default: return InstanceStatus::kCompleted;
  }
}

StartRequest MakeInstance(int64_t i) {
  StartRequest req;
  InstanceRecord& r = req.instance;
  r.id = fmt::format("wf-bench-{:09}", i);
  r.workflow_name = i % 3 == 0 ? "return_refund" : "reservation_refund";
  r.workflow_version = 1;
  r.definition_hash = "bench";
  r.status = StatusOf(i);
  r.current_step = r.status == InstanceStatus::kCompleted ? "" : (r.status == InstanceStatus::kWaitingApproval ? "review" : "psp");
  r.error_code = r.status == InstanceStatus::kPaused || r.status == InstanceStatus::kFailed
                     ? (i % 7 == 0 ? "psp_auth_failed" : "psp_unavailable")
                     : "";
  r.input = Value::Map{{"reservation", Value::Map{{"id", fmt::format("R-{}", i)},
                                                  {"customer", Value::Map{{"id", fmt::format("guest-{}", i / kCustomers)}}},
                                                  {"currency", "EUR"},
                                                  {"lines", Value::Map{{"rental", 21000}, {"tax", 2200}}}}}};
  r.requested_by = fmt::format("agent-{}", i % 50);
  r.created_at = kEpoch + i * 10;  // 100 starts a second
  r.updated_at = r.created_at + 5000;
  r.search_keys = {SearchKey{"customer_id", fmt::format("guest-{}", i / kCustomers)},
                   SearchKey{"reservation_id", fmt::format("R-{}", i)}};
  HistoryEvent started;
  started.type = "workflow_started";
  started.at = r.created_at;
  started.data = Value::Map{{"input_bytes", 180}};
  req.events.push_back(std::move(started));
  return req;
}

Status Fill(Store& store, int64_t n, int writers) {
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  Status first_error;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&] {
      while (!failed.load()) {
        int64_t i = next.fetch_add(1);
        if (i >= n) return;
        Result<StartResult> r = store.StartInstance(MakeInstance(i));
        if (!r.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          if (!failed.exchange(true)) first_error = r.status();
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  return failed.load() ? first_error : Status::Ok();
}

struct Timing {
  std::string name;
  int64_t rows = 0;  // rows the last run returned (or the count)
  std::vector<double> ms;
};

Result<Timing> Time(const std::string& name, int runs, const std::function<Result<int64_t>(int)>& query) {
  Timing t{name, 0, {}};
  for (int run = 0; run < runs; ++run) {
    auto start = SteadyClock::now();
    SF_ASSIGN_OR_RETURN(t.rows, query(run));
    t.ms.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count());
  }
  return t;
}

}  // namespace

void DeclareBenchSearch(CommandSpec& spec) {
  spec.Summary("fills a database with N instances, then times key search and filtered lists")
      .Details("docs/PERFORMANCE.md, \"Finding instances\"; tools/bench_search.sh runs it at 1,000,000.")
      .Option("db", "PATH", "the database to fill (removed first, and afterwards unless --keep)")
      .Option("instances", "N", "instances to fill (default 1000000)")
      .Option("queries", "Q", "runs of each query (default 200)")
      .Option("writers", "W", "threads starting instances during the fill (default 32)")
      .Switch("keep", "keep the filled database")
      .Switch("reuse", "time an earlier --keep fill of the same size again, without filling")
      .Json();
}

int RunBenchSearch(const Flags& flags) {
  const char* usage = "--db PATH is required; --instances at least 100, --queries and --writers at least 1";
  auto instances = flags.GetInt("instances", 1'000'000);
  auto queries = flags.GetInt("queries", 200);
  auto writers = flags.GetInt("writers", 32);
  if (!flags.Get("db") || !instances.ok() || !queries.ok() || !writers.ok() || *instances < 100 || *queries < 1 ||
      *writers < 1) {
    return Fail(kExitUsage, usage);
  }
  const std::string path = *flags.Get("db");
  // --reuse times an earlier fill of the same size again (the fill takes long at 1M).
  if (!flags.Has("reuse")) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
  SqliteStoreOptions o;
  o.path = path;
  o.sync = SyncMode::kNormal;
  auto opened = OpenSqliteStore(o);
  if (!opened.ok()) return Fail(kExitError, opened.status().message());
  Store& store = **opened;
  double fill_s = 0;
  if (!flags.Has("reuse")) {
    auto start = SteadyClock::now();
    Status filled = Fill(store, *instances, static_cast<int>(*writers));
    if (!filled.ok()) return Fail(kExitError, "filling: " + filled.ToString());
    fill_s = std::chrono::duration<double>(SteadyClock::now() - start).count();
  }
  auto all = store.CountInstances(ListFilter{.created_from = kEpoch});
  if (!all.ok()) return Fail(kExitError, all.status().ToString());
  if (*all != *instances) {
    return Fail(kExitUsage, fmt::format("{} holds {} instances, not {} (drop --reuse)", path, *all, *instances));
  }

  const int q = static_cast<int>(*queries);
  const int64_t n = *instances;
  auto list = [&](ListFilter f) -> Result<int64_t> {
    SF_ASSIGN_OR_RETURN(std::vector<InstanceRecord> page, store.ListInstances(f));
    return static_cast<int64_t>(page.size());
  };
  // Spread the probes over the whole file (a fixed stride, no randomness: runs compare).
  auto probe = [&](int run) { return (static_cast<int64_t>(run) * 7919 * 127) % n; };
  std::vector<std::pair<std::string, std::function<Result<int64_t>(int)>>> cases = {
      {"key reservation_id (1 match)",
       [&](int run) { return list(ListFilter{.keys = {{"reservation_id", fmt::format("R-{}", probe(run))}}, .limit = 50}); }},
      {"key customer_id (~10 matches)",
       [&](int run) {
         return list(ListFilter{.keys = {{"customer_id", fmt::format("guest-{}", probe(run) / kCustomers)}}, .limit = 50});
       }},
      {"key + status (paused)",
       [&](int run) {
         return list(ListFilter{.keys = {{"customer_id", fmt::format("guest-{}", probe(run) / kCustomers)}},
                                .statuses = {InstanceStatus::kPaused},
                                .limit = 50});
       }},
      {"status=paused, first page of 50",
       [&](int) { return list(ListFilter{.statuses = {InstanceStatus::kPaused}, .limit = 50}); }},
      {"status=paused,failed + error_code, page of 50",
       [&](int) {
         return list(ListFilter{.statuses = {InstanceStatus::kPaused, InstanceStatus::kFailed},
                                .error_code = "psp_auth_failed",
                                .limit = 50});
       }},
      {"workflow + step=review, page of 50",
       [&](int) { return list(ListFilter{.workflow_name = "return_refund", .current_step = "review", .limit = 50}); }},
      {"created range (1 hour), page of 50",
       [&](int run) {
         TimeMs from = kEpoch + probe(run) * 10;
         return list(ListFilter{.created_from = from, .created_before = from + 3'600'000, .limit = 50});
       }},
      {"page of 50 after a cursor deep in the list",
       [&](int run) { return list(ListFilter{.after_id = fmt::format("wf-bench-{:09}", probe(run)), .limit = 50}); }},
      {"count status=paused (bulk dry run)",
       [&](int) { return store.CountInstances(ListFilter{.statuses = {InstanceStatus::kPaused}}); }},
  };
  std::vector<Timing> timings;
  for (const auto& [name, fn] : cases) {
    // Costly scans get fewer runs; the first run also warms the page cache.
    auto t = Time(name, name.starts_with("count") || name.starts_with("status=paused,failed") ? std::min(q, 20) : q, fn);
    if (!t.ok()) return Fail(kExitError, name + ": " + t.status().ToString());
    timings.push_back(std::move(*t));
  }
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(path, ec);
  if (flags.Has("json")) {
    Value::List rows;
    for (const Timing& t : timings) {
      rows.push_back(Value::Map{{"query", t.name},
                                {"runs", static_cast<int64_t>(t.ms.size())},
                                {"rows", t.rows},
                                {"p50_ms", Percentile(t.ms, 0.5)},
                                {"p99_ms", Percentile(t.ms, 0.99)},
                                {"max_ms", Percentile(t.ms, 1.0)}});
    }
    Value out = Value::Map{{"instances", n}, {"fill_seconds", fill_s},
                           {"database_bytes", ec ? int64_t{0} : static_cast<int64_t>(bytes)},
                           {"queries", Value(std::move(rows))}};
    std::printf("%s\n", out.ToPrettyJson().c_str());
  } else {
    std::printf("%lld instances in %s (%.0f MB)%s\n", static_cast<long long>(n), path.c_str(),
                ec ? 0.0 : static_cast<double>(bytes) / 1e6,
                fill_s > 0 ? fmt::format(", filled in {:.1f} s ({:.0f} starts/s)", fill_s, n / fill_s).c_str() : "");
    std::printf("%-48s %6s %6s %9s %9s %9s\n", "query", "runs", "rows", "p50 ms", "p99 ms", "max ms");
    for (const Timing& t : timings) {
      std::printf("%-48s %6zu %6lld %9.3f %9.3f %9.3f\n", t.name.c_str(), t.ms.size(), static_cast<long long>(t.rows),
                  Percentile(t.ms, 0.5), Percentile(t.ms, 0.99), Percentile(t.ms, 1.0));
    }
  }
  opened->reset();
  if (!flags.Has("keep") && !flags.Has("reuse")) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
  return kExitOk;
}

}  // namespace steadfast::cli
