// The store behaviour tests over both backends: one suite, parameterised,
// not a copy per backend. A test written with TEST_P on BackendStoreTest
// and instantiated with STEADFAST_STORE_BACKENDS runs on a SQLite file in
// its own directory and on a schema of its own on PostgreSQL
// (backend_database.h).
#ifndef STEADFAST_TESTS_UNIT_STORE_STORE_BACKENDS_H_
#define STEADFAST_TESTS_UNIT_STORE_STORE_BACKENDS_H_

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "backend_database.h"
#include "store_test_util.h"

namespace steadfast::testing_support {

class BackendStoreTest : public StoreTest, public ::testing::WithParamInterface<StoreBackend> {
 protected:
  // Subclasses call this first, then return if IsSkipped() or HasFatalFailure().
  void SetUp() override;
  void TearDown() override;

  // This test's store on the parameter's backend (the same data each time
  // it is opened), with the manual clock; fails the test and returns null
  // on error.
  std::unique_ptr<Store> OpenBackend(std::vector<PluginSchema> plugin_schemas = {});
  // The same, returning the error instead of failing the test.
  Result<std::unique_ptr<Store>> TryOpenBackend(std::vector<PluginSchema> plugin_schemas = {});
  bool postgres() const { return GetParam() == StoreBackend::kPostgres; }
  bool sharded() const { return GetParam() == StoreBackend::kSqliteSharded; }

 private:
  BackendDatabase db_;
};

}  // namespace steadfast::testing_support

#endif  // STEADFAST_TESTS_UNIT_STORE_STORE_BACKENDS_H_
