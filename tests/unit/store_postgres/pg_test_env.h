// The PostgreSQL cluster the tests run against, and a fresh schema per
// test on it.
//
// STEADFAST_TEST_PG_URL names a server where the URL's role may create
// databases and roles (tools/pg_cluster.sh starts one; tools/test.sh does it
// for the whole run). Without it the tests skip, saying how to run them,
// unless CI is set: CI must never pass by skipping them.
#ifndef STEADFAST_TESTS_UNIT_STORE_POSTGRES_PG_TEST_ENV_H_
#define STEADFAST_TESTS_UNIT_STORE_POSTGRES_PG_TEST_ENV_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/postgres/pg_connection.h"

namespace steadfast::pgtest {

// STEADFAST_TEST_PG_URL, or "".
std::string ClusterUrl();

// url (a URI) with one more query parameter ("key=value", already encoded).
std::string WithParam(const std::string& url, const std::string& param);
// url (a URI) with its user and password replaced.
std::string WithUser(const std::string& url, const std::string& user, const std::string& password);

// Connects or fails the test (ASSERT-style: check HasFatalFailure()).
std::unique_ptr<PgConnection> MustConnect(const std::string& url);

// A fixture with a schema of its own, created in SetUp and dropped in
// TearDown: url() is the cluster's URL with `options=-c search_path=<it>`,
// so every table the test makes, the store's included, lands there. A
// schema, not a database: CREATE DATABASE costs about 250 ms with fsync on
// (PostgreSQL 15 WAL-logs the template's 7 MB), a schema under 1 ms.
// admin() is a connection of the cluster's URL (create roles, kill
// backends); schema() the schema's name.
class PgTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  const std::string& url() const { return url_; }
  const std::string& schema() const { return schema_; }
  PgConnection& admin() { return *admin_; }
  std::unique_ptr<PgConnection> Connect() { return MustConnect(url_); }

 private:
  std::string schema_;
  std::string url_;
  std::unique_ptr<PgConnection> admin_;
};

}  // namespace steadfast::pgtest

#endif  // STEADFAST_TESTS_UNIT_STORE_POSTGRES_PG_TEST_ENV_H_
