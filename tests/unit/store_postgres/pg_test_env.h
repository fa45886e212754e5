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

// A schema of its own on the cluster, for one test: Create() makes it (in
// SetUp; then check IsSkipped() / HasFatalFailure()), Drop() removes it with
// everything in it. url() is the cluster's URL with `options=-c
// search_path=<it>`, so every table the test makes, a store's included,
// lands there. A schema, not a database: CREATE DATABASE costs about 250 ms
// with fsync on (PostgreSQL 15 WAL-logs the template's 7 MB), a schema
// under 1 ms. Without STEADFAST_TEST_PG_URL, Create() skips the test saying
// how to run it, or fails it when CI is set. admin() is a connection of the
// cluster's URL (create roles, kill backends).
class TestSchema {
 public:
  void Create();
  void Drop();

  const std::string& url() const { return url_; }
  const std::string& name() const { return schema_; }
  PgConnection& admin() { return *admin_; }

 private:
  std::string schema_;
  std::string url_;
  std::unique_ptr<PgConnection> admin_;
};

// A fixture with a TestSchema made in SetUp and dropped in TearDown.
class PgTest : public ::testing::Test {
 protected:
  void SetUp() override { schema_.Create(); }
  void TearDown() override { schema_.Drop(); }

  const std::string& url() const { return schema_.url(); }
  const std::string& schema() const { return schema_.name(); }
  PgConnection& admin() { return schema_.admin(); }
  std::unique_ptr<PgConnection> Connect() { return MustConnect(url()); }

 private:
  TestSchema schema_;
};

}  // namespace steadfast::pgtest

#endif  // STEADFAST_TESTS_UNIT_STORE_POSTGRES_PG_TEST_ENV_H_
