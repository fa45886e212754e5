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

std::string WithParam(const std::string& url, const std::string& param) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + param;
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

void TestSchema::Create() {
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
  schema_ = fmt::format("sf_t_{}_{}", getpid(), counter++);
  auto created = admin_->Exec(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", schema_));
  ASSERT_TRUE(created.ok()) << info->name() << ": " << created.status().message();
  url_ = WithParam(cluster, "options=-c%20search_path%3D" + schema_);
}

void TestSchema::Drop() {
  if (admin_ != nullptr && !schema_.empty()) {
    auto dropped = admin_->Exec(fmt::format("DROP SCHEMA IF EXISTS {} CASCADE", schema_));
    EXPECT_TRUE(dropped.ok()) << dropped.status().message();
  }
  schema_.clear();
}

}  // namespace steadfast::pgtest
