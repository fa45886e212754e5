// steadfast bench on PostgreSQL with N engine processes (cmd_bench_fleet.cc).
#ifndef STEADFAST_TOOLS_STEADFAST_CMD_BENCH_FLEET_H_
#define STEADFAST_TOOLS_STEADFAST_CMD_BENCH_FLEET_H_

#include <cstdint>
#include <string>

namespace steadfast::cli {

struct BenchFleetOptions {
  std::string url;       // the database (a URI without options=)
  std::string schema = "steadfast_bench";  // dropped and made afresh there: the bench's tables
  int processes = 1;     // engine processes, each with its share of clients and workflows
  int64_t steps = 5;
  int64_t workflows = 2000;   // in all
  int64_t concurrency = 32;   // clients in all, spread over the processes
  int64_t workers = 32;       // worker threads in all, spread over the processes
  int64_t warmup = 50;        // per process, not measured
  int pool = 16;              // connections per process
  bool json = false;
};

// Runs the processes and prints the combined result; the exit code.
int RunBenchFleet(const BenchFleetOptions& options);

}  // namespace steadfast::cli

#endif  // STEADFAST_TOOLS_STEADFAST_CMD_BENCH_FLEET_H_
