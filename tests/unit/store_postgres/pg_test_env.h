// The PostgreSQL cluster the tests run against, and a fresh database per
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

// url with its database replaced by db (URI or key/value form).
std::string WithDatabase(const std::string& url, const std::string& db);
// url (a URI) with its user and password replaced.
std::string WithUser(const std::string& url, const std::string& user, const std::string& password);

// Connects or fails the test (ASSERT-style: check HasFatalFailure()).
std::unique_ptr<PgConnection> MustConnect(const std::string& url);

// A fixture with a database of its own, created in SetUp and dropped (with
// its connections) in TearDown. url() is the database's URL, admin() a
// connection to the cluster's own database (create roles, kill backends).
class PgTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  const std::string& url() const { return url_; }
  PgConnection& admin() { return *admin_; }
  std::unique_ptr<PgConnection> Connect() { return MustConnect(url_); }

 private:
  std::string db_;
  std::string url_;
  std::unique_ptr<PgConnection> admin_;
};

}  // namespace steadfast::pgtest

#endif  // STEADFAST_TESTS_UNIT_STORE_POSTGRES_PG_TEST_ENV_H_
