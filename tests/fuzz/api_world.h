// ApiWorld: what the store-backed fuzz targets (http_api, stored_row) run
// against. A catalog with the HTTP test workflows and the real refund
// workflows, and a template SQLite database holding one instance in each
// state a route acts on:
//   held-1  waits for one approval of step `review` (amount 500)
//   dual-1  waits for two approvals of `review` (four-eyes, amount 900)
//   wait-1  waits for the signal `item_received` (and has one buffered `extra`)
//   low-1   runs (its approval was skipped, `after` is scheduled)
//   done-1  was cancelled
// Each input gets a fresh copy of the template (FreshStore), so runs do not
// depend on one another and a crash replays from its input alone.
#ifndef STEADFAST_TESTS_FUZZ_API_WORLD_H_
#define STEADFAST_TESTS_FUZZ_API_WORLD_H_

#include <filesystem>
#include <memory>
#include <string>

#include "http/api_handler.h"
#include "runtime/workflow_catalog.h"
#include "steadfast/clock.h"
#include "store/store.h"

namespace steadfast::fuzz {

class ApiWorld {
 public:
  // The process's one world, built on first use in a private temporary
  // directory that is removed at exit.
  static ApiWorld& Get();

  // The path of a fresh copy of the template database (the same path every
  // time; the previous copy and its WAL are replaced).
  std::string FreshCopy();
  // Opens a database file as the engine does (synchronous off: scratch data).
  std::unique_ptr<Store> Open(const std::string& path);
  // A handler with four principals: t-ops (operator), t-rita and t-rob
  // (reviewers), t-root (admin); no rate limit, 64 KiB bodies.
  std::unique_ptr<http::ApiHandler> Handler(WorkflowService& service);

  WorkflowCatalog& catalog() { return *catalog_; }
  ManualClock& clock() { return clock_; }
  const std::filesystem::path& template_db() const { return template_db_; }

 private:
  ApiWorld();

  std::filesystem::path dir_;
  std::filesystem::path template_db_;
  std::filesystem::path work_db_;
  ManualClock clock_{1'800'000'000'000};
  std::unique_ptr<ActivityRegistry> registry_;
  std::unique_ptr<WorkflowCatalog> catalog_;
};

}  // namespace steadfast::fuzz

#endif  // STEADFAST_TESTS_FUZZ_API_WORLD_H_
