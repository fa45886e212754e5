// SimRun: one seed's whole simulated life of the engine.
//
// A chaos phase where a seeded loop picks, step by step, what happens next:
// an instance starts, the scheduler claims due tasks, a worker runs one,
// time jumps to the next due task, a reviewer decides, the warehouse
// signals, a cancel races, a disk fault or a crash is armed, the process
// dies (kill -9 and a power cut) and restarts. Then a calm phase: faults
// off, one more power cut, and time runs on until every instance has ended
// (or is declared lost). Then the invariants (invariants.h).
//
// Everything that varies comes from the seed: no wall clock, no threads,
// no iteration over pointers, so a seed replays bit for bit; Digest() covers
// the action trace and the final bytes of the database.
#ifndef STEADFAST_TESTS_SIM_SIM_RUN_H_
#define STEADFAST_TESTS_SIM_SIM_RUN_H_

#include <cstdint>
#include <string>
#include <vector>

namespace steadfast::sim {

// A deliberately broken world for the self-test: the checker must notice.
enum class Breakage : int {
  kNone = 0,
  kPspIgnoresIdempotency = 1,  // the PSP makes a new refund for a repeated key
  kDiskLosesSyncedWrite = 2,   // a power cut also loses the last synced WAL write
};

struct SimOptions {
  uint64_t seed = 1;
  bool verbose = false;        // trace every action and engine log line on stderr
  Breakage breakage = Breakage::kNone;
  std::string source_root;     // workflows/, config/ are read from here
};

struct SimOutcome {
  std::vector<std::string> violations;  // empty: every invariant held
  uint64_t digest = 0;                  // trace + final database bytes
  std::string summary;                  // one line of counts
};

SimOutcome RunSimulation(const SimOptions& options);

}  // namespace steadfast::sim

#endif  // STEADFAST_TESTS_SIM_SIM_RUN_H_
