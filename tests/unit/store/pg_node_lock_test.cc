// Node identities on PostgreSQL when the session holding one ends while
// its process lives on (server restart, failover, a terminated backend):
// NodeLock::Check() notices without a round trip, re-takes the name while
// it is free, refuses while another process took it meanwhile, and the
// session is findable by operators in pg_stat_activity.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

#include "pg_test_env.h"
#include "store/postgres/pg_store.h"

namespace steadfast {
namespace {

using ::testing::HasSubstr;

// What a check said, readably: "throughout", "retaken" or the error.
std::string Describe(const Result<NodeLock::Held>& r) {
  if (!r.ok()) return r.status().ToString();
  return *r == NodeLock::Held::kThroughout ? "throughout" : "retaken";
}

class PgNodeLockTest : public pgtest::PgTest {
 protected:
  std::unique_ptr<Store> Open() {
    PgStoreOptions options;
    options.url = url();
    options.max_connections = 2;
    Result<std::unique_ptr<Store>> store = OpenPgStore(options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  // Ends the sessions holding `node` (their application_name names it) and
  // waits until their processes are gone: the cluster runs on this host,
  // and a backend's socket closes only when its process exits (it leaves
  // pg_stat_activity a little earlier).
  int64_t TerminateHolder(const std::string& node) {
    Result<PgResult> killed = admin().Query(
        "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
        {PgParam::Text("steadfast node " + node)});
    EXPECT_TRUE(killed.ok()) << killed.status().ToString();
    if (!killed.ok()) return -1;
    for (int row = 0; row < killed->rows(); ++row) {
      const pid_t pid = static_cast<pid_t>(*killed->Int64(row, 0));
      for (int i = 0; i < 500 && (kill(pid, 0) == 0 || errno == EPERM); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    return killed->rows();
  }
};

TEST_F(PgNodeLockTest, ALostSessionIsNoticedAndTheNameReTakenOnlyWhileFree) {
  // Unique across concurrent runs on the cluster: node keys include the schema, names do not.
  const std::string node = schema() + "-a";
  std::unique_ptr<Store> a = Open();
  std::unique_ptr<Store> b = Open();
  ASSERT_TRUE(a && b);
  Result<std::unique_ptr<NodeLock>> held = a->LockNode(node);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_EQ(Describe((*held)->Check()), "throughout");

  ASSERT_EQ(TerminateHolder(node), 1) << "the hold's session is named after its node";
  // While the hold is lost, another process may take the name...
  Result<std::unique_ptr<NodeLock>> other = b->LockNode(node);
  ASSERT_TRUE(other.ok()) << "the server dropped the lock with the session: " << other.status().ToString();
  // ...and then the first one must not go on as if it held it.
  Result<NodeLock::Held> taken = (*held)->Check();
  EXPECT_EQ(taken.status().code(), StatusCode::kAlreadyExists) << taken.status().ToString();
  EXPECT_THAT(taken.status().message(), HasSubstr("node '" + node + "' is already running"));
  EXPECT_EQ((*held)->Check().status().code(), StatusCode::kAlreadyExists) << "still refused on the next check";

  // Once the other lets go, the first takes its name back.
  other->reset();
  EXPECT_EQ(Describe((*held)->Check()), "retaken");
  EXPECT_EQ(b->LockNode(node).status().code(), StatusCode::kAlreadyExists) << "and holds it again";

  // A lost session whose name nobody took is re-taken at the next check.
  // (b's refused tries may still be closing: they are listed too.)
  ASSERT_GE(TerminateHolder(node), 1);
  EXPECT_EQ(Describe((*held)->Check()), "retaken");
  EXPECT_EQ(Describe((*held)->Check()), "throughout");
  EXPECT_EQ(b->LockNode(node).status().code(), StatusCode::kAlreadyExists);
}

TEST_F(PgNodeLockTest, ACheckOfAHealthySessionCostsNoRoundTrip) {
  const std::string node = schema() + "-b";
  std::unique_ptr<Store> a = Open();
  ASSERT_NE(a, nullptr);
  Result<std::unique_ptr<NodeLock>> held = a->LockNode(node);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  // The holder's session, idle after the statement that took the lock.
  auto statements = [&] {
    Result<PgResult> r = admin().Query(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle' "
        "AND query LIKE 'SELECT pg_try_advisory_lock%'",
        {PgParam::Text("steadfast node " + node)});
    return r.ok() ? *r->Int64(0, 0) : -1;
  };
  for (int i = 0; i < 100; ++i) ASSERT_EQ(Describe((*held)->Check()), "throughout");
  // The session's last statement is still the lock it took: Check() sent nothing.
  EXPECT_EQ(statements(), 1);
}

}  // namespace
}  // namespace steadfast
