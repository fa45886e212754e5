#include "pg_test_env.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include <fmt/format.h>

namespace steadfast::pgtest {

std::string ClusterUrl() {
  const char* url = std::getenv("STEADFAST_TEST_PG_URL");
  return url == nullptr ? std::string() : std::string(url);
}

std::string WithDatabase(const std::string& url, const std::string& db) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url + " dbname=" + db;  // key/value: the last one wins
  size_t path = url.find('/', scheme + 3);
  size_t query = url.find('?', scheme + 3);
  if (path == std::string::npos || (query != std::string::npos && query < path)) {
    size_t at = query == std::string::npos ? url.size() : query;
    return url.substr(0, at) + "/" + db + url.substr(at);
  }
  size_t end = query == std::string::npos ? url.size() : query;
  return url.substr(0, path + 1) + db + url.substr(end);
}

std::string WithUser(const std::string& url, const std::string& user, const std::string& password) {
  size_t scheme = url.find("://");
  size_t start = scheme + 3;
  size_t at = url.find('@', start);
  size_t path = url.find_first_of("/?", start);
  std::string userinfo = password.empty() ? user : user + ":" + password;
  if (at != std::string::npos && (path == std::string::npos || at < path)) {
    return url.substr(0, start) + userinfo + url.substr(at);
  }
  return url.substr(0, start) + userinfo + "@" + url.substr(start);
}

std::unique_ptr<PgConnection> MustConnect(const std::string& url) {
  PgConnectionOptions options;
  options.url = url;
  auto conn = PgConnection::Open(options);
  if (!conn.ok()) {
    ADD_FAILURE() << "connect: " << conn.status().message();
    return nullptr;
  }
  return std::move(*conn);
}

void PgTest::SetUp() {
  std::string cluster = ClusterUrl();
  if (cluster.empty()) {
    constexpr const char* kHow =
        "STEADFAST_TEST_PG_URL is not set: these tests need a PostgreSQL server. tools/test.sh starts one; by hand: "
        "dir=$(mktemp -d); export STEADFAST_TEST_PG_URL=$(bash tools/pg_cluster.sh start $dir); meson test -C build "
        "postgres; bash tools/pg_cluster.sh stop $dir";
    if (std::getenv("CI") != nullptr) GTEST_FAIL() << "CI is set, so this cannot be skipped. " << kHow;
    GTEST_SKIP() << kHow;
  }
  admin_ = MustConnect(cluster);
  ASSERT_NE(admin_, nullptr);
  static std::atomic<int> counter{0};
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  db_ = fmt::format("sf_t_{}_{}", getpid(), counter++);
  auto created = admin_->Exec(fmt::format("CREATE DATABASE {}", db_));
  ASSERT_TRUE(created.ok()) << info->name() << ": " << created.status().message();
  url_ = WithDatabase(cluster, db_);
}

void PgTest::TearDown() {
  if (admin_ != nullptr && !db_.empty()) {
    auto dropped = admin_->Exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", db_));
    EXPECT_TRUE(dropped.ok()) << dropped.status().message();
  }
}

}  // namespace steadfast::pgtest
