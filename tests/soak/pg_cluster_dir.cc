// A test's own PostgreSQL cluster (tests/soak/pg_cluster_dir.h).
#include "pg_cluster_dir.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <system_error>

#include "subprocess.h"

namespace steadfast::soak {
namespace {

testing::RunResult Script(const std::string& verb, const std::string& dir,
                          const std::map<std::string, std::string>& env = {}) {
  return testing::RunCommand({"/bin/bash", std::string(STEADFAST_SOURCE_ROOT) + "/tools/pg_cluster.sh", verb, dir}, env,
                             120000);
}

}  // namespace

PgClusterDir::~PgClusterDir() {
  if (dir_.empty()) return;
  Script("stop", dir_);
  std::error_code ignored;
  std::filesystem::remove(dir_, ignored);  // left empty by a start that failed early
}

std::string PgClusterDir::Start(const std::string& verb, const std::map<std::string, std::string>& env) {
  char name[] = "/tmp/steadfast-cluster-XXXXXX";
  if (mkdtemp(name) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
    return "";
  }
  dir_ = name;
  testing::RunResult r = Script(verb, dir_, env);
  if (r.exit_code != 0) {
    ADD_FAILURE() << "pg_cluster.sh " << verb << " failed:\n" << r.output;
    return "";
  }
  const std::string url = testing::ReadFile(dir_ + "/url");
  return url.substr(0, url.find('\n'));
}

void PgClusterDir::Run(const std::string& verb) {
  testing::RunResult r = Script(verb, dir_);
  EXPECT_EQ(r.exit_code, 0) << "pg_cluster.sh " << verb << ":\n" << r.output;
}

}  // namespace steadfast::soak
