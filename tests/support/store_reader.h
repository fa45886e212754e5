// StoreReader: the engine's store over a database file another process (a
// `steadfast serve` under test) writes, opened on first use, for tests that
// check instances and history beside the real server.
#ifndef STEADFAST_TESTS_SUPPORT_STORE_READER_H_
#define STEADFAST_TESTS_SUPPORT_STORE_READER_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace steadfast::testing_support {

class StoreReader {
 public:
  explicit StoreReader(std::string path) : path_(std::move(path)) {}

  // Opened the first time it is asked for: the server migrates the file.
  Store& store() {
    if (!store_) {
      SqliteStoreOptions opts;
      opts.path = path_;
      auto s = OpenSqliteStore(opts);
      EXPECT_TRUE(s.ok()) << s.status().ToString();
      store_ = std::move(s).value();
    }
    return *store_;
  }

  // The instance as last committed, or nullopt when there is none (or the
  // read failed).
  std::optional<InstanceRecord> Instance(const std::string& id) {
    auto r = store().GetInstance(id);
    if (!r.ok() || !*r) return std::nullopt;
    return **r;
  }

 private:
  std::string path_;
  std::unique_ptr<Store> store_;
};

}  // namespace steadfast::testing_support

#endif  // STEADFAST_TESTS_SUPPORT_STORE_READER_H_
