// steadfast bench --db postgres://...: the same no-op workflows run by N
// engine processes on one PostgreSQL database (docs/PERFORMANCE.md,
// "On PostgreSQL"). The parent makes a fresh schema, starts N children
// (`steadfast bench --bench-child ...`, each an engine with its own
// clients, as N `serve` processes behind a load balancer would be), waits
// until every one has warmed up, starts them at once, and adds up what
// they report: workflows/s over the span from the first start to the last
// end, latency percentiles over every workflow.
#include "cmd_bench_fleet.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli_context.h"
#include "percentile.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_store.h"

namespace steadfast::cli {
namespace {

// One child: its pid and the pipes to its stdin and from its stdout.
struct Child {
  pid_t pid = -1;
  int to = -1;
  FILE* from = nullptr;
};

Result<Child> Spawn(const std::vector<std::string>& argv) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) return Status::Internal("pipe failed");
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    return Status::Internal("pipe failed");
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return Status::Internal("fork failed");
  if (pid == 0) {
    dup2(in[0], STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    execv("/proc/self/exe", args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  Child c;
  c.pid = pid;
  c.to = in[1];
  c.from = fdopen(out[0], "r");
  return c;
}

// The child's next line on stdout, without its newline ("" at its end).
std::string ReadLine(FILE* from) {
  std::string line;
  for (int ch = std::fgetc(from); ch != EOF && ch != '\n'; ch = std::fgetc(from)) line.push_back(static_cast<char>(ch));
  return line;
}

// url with search_path set to the bench's schema (a URI: libpq's options=).
std::string InSchema(const std::string& url, const std::string& schema) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-c%20search_path%3D" + schema;
}

// Drops and recreates the bench's schema, then migrates it once (so the
// children do not race to).
Status FreshSchema(const std::string& url, const std::string& schema, const std::string& schema_url) {
  PgConnectionOptions options;
  options.url = url;
  SF_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Open(options));
  SF_RETURN_IF_ERROR(conn->Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE").status());
  SF_RETURN_IF_ERROR(conn->Exec("CREATE SCHEMA " + schema).status());
  PgStoreOptions so;
  so.url = schema_url;
  so.max_connections = 1;
  SF_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenPgStore(so));
  return Status::Ok();
}

}  // namespace

int RunBenchFleet(const BenchFleetOptions& o) {
  // A plain identifier: it goes into SQL and a URL as it is.
  const bool plain = !o.schema.empty() && o.schema.size() <= 63 &&
                     std::all_of(o.schema.begin(), o.schema.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                     }) && !(o.schema[0] >= '0' && o.schema[0] <= '9');
  if (!plain) return Fail(kExitUsage, "--schema takes lower-case letters, digits and '_', not starting with a digit");
  const std::string schema_url = InSchema(o.url, o.schema);
  if (Status fresh = FreshSchema(o.url, o.schema, schema_url); !fresh.ok()) {
    return Fail(kExitError, "cannot prepare schema " + o.schema + ": " + fresh.message());
  }
  // Children inherit nothing buffered, and a child that dies must not kill us.
  std::fflush(stdout);
  signal(SIGPIPE, SIG_IGN);
  std::vector<Child> children;
  auto kill_all = [&] {
    for (Child& c : children) {
      kill(c.pid, SIGKILL);
      waitpid(c.pid, nullptr, 0);
    }
  };
  for (int k = 0; k < o.processes; ++k) {
    const int64_t share = o.workflows / o.processes + (k < o.workflows % o.processes ? 1 : 0);
    const int64_t clients = std::max<int64_t>(1, (o.concurrency + o.processes - 1 - k) / o.processes);
    std::vector<std::string> argv = {
        "steadfast", "bench", "--bench-child", std::to_string(k), "--db", schema_url,
        "--steps", std::to_string(o.steps), "--workflows", std::to_string(share),
        "--concurrency", std::to_string(clients), "--workers", std::to_string(std::max<int64_t>(1, o.workers / o.processes)),
        "--warmup", std::to_string(o.warmup), "--pool", std::to_string(o.pool)};
    Result<Child> c = Spawn(argv);
    if (!c.ok()) {
      kill_all();
      return Fail(kExitError, c.status().message());
    }
    children.push_back(*c);
  }
  for (size_t k = 0; k < children.size(); ++k) {
    std::string line = ReadLine(children[k].from);
    if (line != "ready") {
      kill_all();
      return Fail(kExitError, "bench process " + std::to_string(k) + " did not get ready" +
                                  (line.empty() ? std::string() : ": " + line));
    }
  }
  for (Child& c : children) {
    if (write(c.to, "go\n", 3) != 3) {
      kill_all();
      return Fail(kExitError, "cannot start the bench processes");
    }
  }
  std::vector<double> latencies;
  std::vector<Value> per_process;
  int64_t first_start = 0, last_end = 0, failures = 0, done = 0;
  for (size_t k = 0; k < children.size(); ++k) {
    Result<Value> r = Value::FromJson(ReadLine(children[k].from));
    close(children[k].to);
    int status = 0;
    waitpid(children[k].pid, &status, 0);
    std::fclose(children[k].from);
    if (!r.ok() || !r->is_map() || !r->Get("latencies_ms").is_list()) {
      kill_all();
      return Fail(kExitError, "bench process " + std::to_string(k) + " reported nothing readable");
    }
    const int64_t start = r->Get("start_ns").IntOr(0), end = r->Get("end_ns").IntOr(0);
    first_start = k == 0 ? start : std::min(first_start, start);
    last_end = std::max(last_end, end);
    failures += r->Get("failures").IntOr(0);
    done += r->Get("workflows").IntOr(0);
    for (const Value& l : r->Get("latencies_ms").AsList()) latencies.push_back(l.AsDouble());
    per_process.push_back(Value::Map{{"workflows", r->Get("workflows")},
                                     {"workflows_per_s", r->Get("workflows").AsDouble() * 1e9 /
                                                             static_cast<double>(std::max<int64_t>(1, end - start))}});
  }
  children.clear();
  const double secs = static_cast<double>(last_end - first_start) / 1e9;
  const double wf_per_s = secs > 0 ? static_cast<double>(done) / secs : 0;
  Value result = Value::Map{
      {"backend", "postgresql"},
      {"schema", o.schema},
      {"processes", o.processes},
      {"steps", o.steps},
      {"workflows", done},
      {"concurrency", o.concurrency},
      {"workers", o.workers},
      {"pool_per_process", o.pool},
      {"seconds", secs},
      {"workflows_per_s", wf_per_s},
      {"checkpoints_per_s", wf_per_s * static_cast<double>(o.steps)},
      {"p50_ms", Percentile(latencies, 0.50)},
      {"p99_ms", Percentile(latencies, 0.99)},
      {"failures", failures},
      {"per_process", per_process},
  };
  if (o.json) {
    std::printf("%s\n", result.ToJson().c_str());
  } else {
    std::printf("workflows:        %lld x %lld steps, concurrency %lld over %d process(es), PostgreSQL (schema %s)\n",
                static_cast<long long>(done), static_cast<long long>(o.steps), static_cast<long long>(o.concurrency),
                o.processes, o.schema.c_str());
    std::printf("workflows/s:      %.0f\n", wf_per_s);
    std::printf("checkpoints/s:    %.0f\n", wf_per_s * static_cast<double>(o.steps));
    std::printf("latency p50/p99:  %.2f / %.2f ms\n", Percentile(latencies, 0.5), Percentile(latencies, 0.99));
    for (size_t k = 0; k < per_process.size(); ++k) {
      std::printf("process %zu:        %lld workflows, %.0f/s\n", k,
                  static_cast<long long>(per_process[k].Get("workflows").IntOr(0)),
                  per_process[k].Get("workflows_per_s").AsDouble());
    }
    if (failures > 0) std::printf("FAILURES:         %lld\n", static_cast<long long>(failures));
  }
  return failures > 0 ? kExitFailed : kExitOk;
}

}  // namespace steadfast::cli
