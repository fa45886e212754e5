// Store::LockNode on SQLite: a node identity is held by one open lock file
// at a time (also within one process), is free again when the handle goes
// or the holder is killed, and has one lock file per database however the
// database is named.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/sqlite/node_lock_file.h"
#include "store_test_util.h"

namespace steadfast {
namespace {

using ::testing::HasSubstr;
using testing_support::StoreTest;

class NodeLockTest : public StoreTest {};

TEST_F(NodeLockTest, ANodeIsHeldByOneHandleAtATime) {
  std::unique_ptr<Store> store = Open();
  std::unique_ptr<Store> other = Open();  // another Store object on the same file, as another process would be
  ASSERT_NE(store, nullptr);
  ASSERT_NE(other, nullptr);
  Result<std::unique_ptr<NodeLock>> held = store->LockNode("node-a");
  ASSERT_TRUE(held.ok()) << held.status().ToString();

  for (Store* s : {store.get(), other.get()}) {
    Result<std::unique_ptr<NodeLock>> again = s->LockNode("node-a");
    ASSERT_EQ(again.status().code(), StatusCode::kAlreadyExists);
    EXPECT_THAT(again.status().message(), HasSubstr("node 'node-a' is already running on database " + DbPath()));
    EXPECT_THAT(again.status().message(), HasSubstr("pid " + std::to_string(getpid())));
  }
  EXPECT_TRUE(other->LockNode("node-b").ok());  // other names are free

  held->reset();
  EXPECT_TRUE(other->LockNode("node-a").ok());
}

TEST_F(NodeLockTest, AKilledHoldersNodeIsFreeAtOnce) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  const std::string path = NodeLockPath(DbPath(), "node-a");
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Only system calls in the child: take the lock, say so, wait to be killed.
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    char ok = (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0) ? '1' : '0';
    if (write(ready[1], &ok, 1) != 1) _exit(1);
    for (;;) pause();
  }
  close(ready[1]);
  char ok = 0;
  ASSERT_EQ(read(ready[0], &ok, 1), 1);
  close(ready[0]);
  ASSERT_EQ(ok, '1');
  EXPECT_EQ(store->LockNode("node-a").status().code(), StatusCode::kAlreadyExists);
  kill(child, SIGKILL);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  Result<std::unique_ptr<NodeLock>> taken = store->LockNode("node-a");
  EXPECT_TRUE(taken.ok()) << taken.status().ToString();
}

TEST_F(NodeLockTest, OneLockFilePerDatabaseAndName) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  // Another path to the same file finds the same lock.
  const std::string alias = dir_ + "/alias.db";
  ASSERT_EQ(symlink(DbPath().c_str(), alias.c_str()), 0);
  EXPECT_EQ(NodeLockPath(alias, "n"), NodeLockPath(DbPath(), "n"));
  // Any name makes a file name in the database's directory.
  EXPECT_THAT(NodeLockPath(DbPath(), "a/b c"), HasSubstr("steadfast.db.node-a%2Fb%20c.lock"));
  Result<std::unique_ptr<NodeLock>> odd = store->LockNode("../x y");
  EXPECT_TRUE(odd.ok()) << odd.status().ToString();
  EXPECT_EQ(access((DbPath() + ".node-..%2Fx%20y.lock").c_str(), F_OK), 0);
}

}  // namespace
}  // namespace steadfast
