// A refund test on one backend (SQLite, or the PostgreSQL cluster named by
// STEADFAST_TEST_PG_URL: skipped without one): a database of its own, the
// refund tables opened as `serve` opens them, and activities run against
// them with their checkpoint writes (ActivityTestRun).
#ifndef STEADFAST_TESTS_UNIT_REFUND_REFUND_BACKEND_TEST_H_
#define STEADFAST_TESTS_UNIT_REFUND_REFUND_BACKEND_TEST_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "backend_database.h"
#include "refund/refund_store.h"
#include "steadfast/testing.h"

namespace steadfast::refund::testing_backends {

class RefundBackendTest : public ::testing::TestWithParam<testing_support::StoreBackend> {
 protected:
  // Creates the database "<name>_<pid>.db" (or its PostgreSQL schema) and,
  // with `schemas`, opens a store on it (store_). Check IsSkipped() after.
  void CreateDatabase(const std::string& name, std::vector<PluginSchema> schemas = {RefundStore::Schema()}) {
    path_ = ::testing::TempDir() + "/" + name + "_" + std::to_string(::getpid()) + ".db";
    Remove();
    db_.Create(GetParam(), path_);
    if (IsSkipped() || HasFatalFailure() || schemas.empty()) return;
    auto store = db_.Open(&clock_, std::move(schemas));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    db_.Drop();
    Remove();
  }
  // Runs `fn` as step `step` of `workflow` (attempt `attempt`), its
  // checkpoint writes applied.
  ActivityResult Run(ActivityFn fn, const std::string& workflow, const std::string& step, Value input,
                     int attempt = 1) {
    ActivityTestRun run;
    run.workflow_id = workflow;
    run.step_id = step;
    run.attempt = attempt;
    run.storage = store_->plugin_storage();
    run.input = std::move(input);
    struct FnActivity : Activity {
      ActivityFn fn;
      ActivityResult Run(ActivityContext& c) override { return fn(c); }
    } activity;
    activity.fn = std::move(fn);
    return run.Run(activity);
  }

  std::string path_;
  ManualClock clock_{1'000'000};
  testing_support::BackendDatabase db_;
  std::unique_ptr<Store> store_;

 private:
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
};

}  // namespace steadfast::refund::testing_backends

#endif  // STEADFAST_TESTS_UNIT_REFUND_REFUND_BACKEND_TEST_H_
