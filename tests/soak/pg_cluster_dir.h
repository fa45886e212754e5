// PgClusterDir: a PostgreSQL cluster of a test's own, from
// tools/pg_cluster.sh (`start`, or `start-pair` for a primary with a
// synchronous standby), in a directory directly under /tmp (its servers
// run as the postgres user when the test runs as root, and must reach it).
// Stopped and deleted on destruction.
#ifndef STEADFAST_TESTS_SOAK_PG_CLUSTER_DIR_H_
#define STEADFAST_TESTS_SOAK_PG_CLUSTER_DIR_H_

#include <map>
#include <string>

namespace steadfast::soak {

class PgClusterDir {
 public:
  PgClusterDir() = default;
  ~PgClusterDir();
  PgClusterDir(const PgClusterDir&) = delete;
  PgClusterDir& operator=(const PgClusterDir&) = delete;

  // Runs `pg_cluster.sh <verb>` ("start" or "start-pair") with env added;
  // the URL it printed, or "" (and a gtest failure) if it failed.
  std::string Start(const std::string& verb, const std::map<std::string, std::string>& env = {});
  // Another verb on the started directory ("kill-primary", "promote"); a
  // gtest failure if it fails.
  void Run(const std::string& verb);

 private:
  std::string dir_;
};

}  // namespace steadfast::soak

#endif  // STEADFAST_TESTS_SOAK_PG_CLUSTER_DIR_H_
