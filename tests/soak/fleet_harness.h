// FleetHarness: `steadfast serve` processes on one PostgreSQL database
// running refund workflows against the real sandbox PSP, and the checks a
// fleet must pass once they are drained (tests/soak/pg_fleet_test.cc,
// tests/soak/pg_failover_test.cc). Workflow i is "fleet-<i>", refunding
// charge "ch_fleet_<i>" of 270.00 EUR in full.
#ifndef STEADFAST_TESTS_SOAK_FLEET_HARNESS_H_
#define STEADFAST_TESTS_SOAK_FLEET_HARNESS_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sandbox_process.h"
#include "serve_api.h"
#include "store/store.h"
#include "subprocess.h"

namespace steadfast::soak {

// The integer in environment variable `name` (a test's size or seed), or fallback.
int64_t EnvInt(const char* name, int64_t fallback);

class FleetHarness {
 public:
  static constexpr const char* kOps = "fleet-ops-token-0123456789abcdef";

  struct Node {
    int port = 0;
    std::string netns;  // "" = this host's network
    std::string log;    // serve's output, every run of it appended
    std::string config;
    std::unique_ptr<ServeApi> api;
    std::unique_ptr<testing::Subprocess> serve;
    int64_t attempts_seen = 0;  // steadfast_activity_attempts_total summed over its runs
    int64_t attempts_this_run = 0;
  };

  // Where a process runs when it is not on this host's loopback: in a
  // network namespace of its own (a host of its own, for the test), with
  // the database's address as seen from there and the address its HTTP
  // port is reached at from here.
  struct Placement {
    std::string netns;
    std::string database_url;
    std::string api_host;
  };

  // Writes one config per process (node "fleet-<i>", its own port) for
  // database_url; starts the sandbox with sandbox_args (its faults).
  // placements (empty, or one per process) put processes elsewhere.
  // Fatal gtest failures on error: check HasFatalFailure().
  void SetUp(const std::string& database_url, int processes, const std::vector<std::string>& sandbox_args,
             const std::vector<Placement>& placements = {});
  // SIGKILLs every process still running.
  void TearDown();

  void StartServe(Node& n);
  void KillServe(Node& n);  // SIGKILL, and waits for it
  // SIGTERM to each, expecting a clean exit.
  void StopAll();
  // Reads the process's attempt counter (a restart starts it again at 0).
  void ScrapeAttempts(Node& n);
  // Seeds the charge and starts workflow i on whichever process answers
  // (the same id and input is a safe retry on another), for up to
  // `patience` of refusals and 503s; only on process `only` when >= 0.
  void StartWorkflow(int i, std::chrono::milliseconds patience = std::chrono::seconds(4), int only = -1);
  // The sandbox's faults off (for the drain and reconcile).
  void FaultsOff();
  // A store on the database, with the refund plugin's tables.
  std::unique_ptr<Store> OpenStore();
  // Instances not yet terminal (-1 when the store cannot tell).
  int64_t Unfinished(Store& store);

  // The drained fleet's checks (gtest failures): exactly `workflows`
  // instances, all completed; one succeeded refund of the full amount per
  // charge at the PSP; every ledger transaction balanced; `steadfast
  // reconcile` finds no drift; no attempt ran twice at once.
  void ExpectFleetSound(Store& store, int workflows);

  std::vector<Node>& nodes() { return nodes_; }
  ServeApi& sandbox_api() { return *sandbox_api_; }
  const std::string& database_url() const { return database_url_; }

 private:
  std::string Config(int i, int port, const std::string& database_url, const std::string& listen_host) const;

  std::string database_url_;
  testing::TempDir dir_;
  integration::SandboxProcess sandbox_;
  std::unique_ptr<ServeApi> sandbox_api_;
  std::vector<Node> nodes_;
};

}  // namespace steadfast::soak

#endif  // STEADFAST_TESTS_SOAK_FLEET_HARNESS_H_
