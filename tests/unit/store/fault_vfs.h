// FaultVfs: a SQLite VFS for tests that wraps the default one and, when
// told to, fails syncs (as a dying disk does) or writes (as a full disk
// does). In the spirit of SQLite's own src/test6.c: the store under test
// runs on the real file system, and only the failure is simulated.
#ifndef STEADFAST_TESTS_UNIT_STORE_FAULT_VFS_H_
#define STEADFAST_TESTS_UNIT_STORE_FAULT_VFS_H_

#include <atomic>
#include <cstdint>

namespace steadfast::testing_support {

class FaultVfs {
 public:
  // Registers the VFS (not as default) on first use. Thread-safe.
  static FaultVfs& Instance();
  static constexpr const char* kName = "steadfast_fault";

  // While set, xSync returns SQLITE_IOERR_FSYNC.
  void FailSyncs(bool on) { fail_syncs_.store(on); }
  // While set, xWrite returns SQLITE_FULL (ENOSPC).
  void FailWritesAsFull(bool on) { fail_writes_full_.store(on); }
  int64_t syncs() const { return syncs_.load(); }

  bool fail_syncs() const { return fail_syncs_.load(); }
  bool fail_writes_full() const { return fail_writes_full_.load(); }
  void CountSync() { syncs_.fetch_add(1); }

 private:
  FaultVfs();
  std::atomic<bool> fail_syncs_{false};
  std::atomic<bool> fail_writes_full_{false};
  std::atomic<int64_t> syncs_{0};
};

}  // namespace steadfast::testing_support

#endif  // STEADFAST_TESTS_UNIT_STORE_FAULT_VFS_H_
