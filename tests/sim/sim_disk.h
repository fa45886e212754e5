// SimDisk: a SQLite VFS that keeps the simulation's database in memory and
// models what a disk promises and what it does not.
//
// Like SQLite's src/test6.c and LevelDB's fault-injection Env: a write is
// volatile until the file's xSync; PowerCut() keeps, drops or tears (a
// prefix of 512-byte sectors) each unsynced write by the seeded random
// source, forgets the shared-memory index, and so leaves exactly what a
// machine losing power could leave. While the "process" lives, scheduled
// faults fail the Nth write (SQLITE_FULL or SQLITE_IOERR), the Nth sync, or
// make the next lock attempts busy. Crash() marks the disk dead: every later
// operation fails and changes nothing, as for a process that died there,
// until the simulation power-cuts and reopens.
//
// Files, locks (file and shm, across connections) and time are all held
// here, so one seed's run touches no real file and is fast. Single-threaded,
// like the simulation. One instance is registered as VFS kName.
#ifndef STEADFAST_TESTS_SIM_SIM_DISK_H_
#define STEADFAST_TESTS_SIM_SIM_DISK_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace steadfast::sim {

enum class DiskFault : int {
  kNone = 0,
  kWriteFull = 1,   // the write returns SQLITE_FULL (ENOSPC)
  kWriteIoErr = 2,  // the write returns SQLITE_IOERR_WRITE
  kSyncIoErr = 3,   // the sync returns SQLITE_IOERR_FSYNC (the data stays volatile)
  kLockBusy = 4,    // lock attempts return SQLITE_BUSY
};

struct DiskStats {
  int64_t writes = 0;
  int64_t syncs = 0;
  int64_t faults = 0;
  int64_t power_cuts = 0;
  int64_t torn_writes = 0;
  int64_t dropped_writes = 0;
};

class SimDisk {
 public:
  static constexpr const char* kName = "steadfast_sim";
  // The registered instance (registered on first use).
  static SimDisk& Instance();

  // Forgets every file and schedule; `seed` drives power-cut choices.
  void Reset(uint64_t seed);
  // The k-th write or sync (k >= 1) from now fails with `fault`; for
  // kLockBusy, the next k lock attempts are busy.
  void ScheduleFault(DiskFault fault, int64_t k);
  // After `k` more writes or syncs (k >= 1) the disk dies (see Crash()).
  void ScheduleCrash(int64_t k);
  void ClearFaults();
  // The process died: every later operation fails and changes nothing.
  void Crash() { dead_ = true; }
  bool dead() const { return dead_; }
  // Power loss: unsynced writes kept, dropped or torn; shm forgotten; the
  // disk lives again. Requires every connection closed.
  void PowerCut();
  // A deliberately broken disk for the self-test: the next PowerCut also
  // drops the last synced write (an acknowledged commit vanishes).
  void BreakDurabilityOnce() { break_durability_ = true; }

  const DiskStats& stats() const { return stats_; }
  // FNV-1a over every file's bytes, in name order (the digest).
  uint64_t Digest() const;
  // Milliseconds for SQLite's xCurrentTime (the simulated clock).
  void SetTimeSource(std::function<int64_t()> now_ms) { now_ms_ = std::move(now_ms); }

  // --- used by the VFS callbacks ---
  // A change since the last sync, with what it replaced (to undo it).
  struct Write {
    bool truncate = false;
    int64_t offset = 0;   // where it starts (a truncate: the new size)
    std::string bytes;    // what it wrote
    std::string old;      // the bytes it overwrote (a truncate: the tail it cut)
    size_t old_size = 0;  // the file's size before it
  };
  struct File {
    std::string live;            // what reads see
    std::vector<Write> pending;  // changes since the last sync, in order: volatile
    int64_t last_synced_offset = 0;  // for BreakDurabilityOnce
    bool has_last_synced = false;
    // Locks across connections.
    int shared = 0;
    void* reserved = nullptr;
    void* pending_lock = nullptr;
    void* exclusive = nullptr;
    // Shared memory (the WAL index).
    std::vector<std::unique_ptr<char[]>> shm;
    int shm_region_size = 0;
    int shm_users = 0;
    int shm_shared[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    void* shm_exclusive[8] = {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
  };
  File* Find(const std::string& name);
  File& Create(const std::string& name);
  void Delete(const std::string& name) { files_.erase(name); }
  // Counts an I/O operation and returns the fault it draws (kNone when it
  // proceeds). Dies when a scheduled crash is due.
  DiskFault NextIo(bool is_sync);
  bool NextLockBusy();
  void CountTorn() { ++stats_.torn_writes; }
  int64_t NowMs() const { return now_ms_ ? now_ms_() : 0; }
  uint64_t NextRandom() { return rng_(); }

 private:
  SimDisk() = default;
  std::map<std::string, File> files_;
  std::mt19937_64 rng_{1};
  std::function<int64_t()> now_ms_;
  DiskStats stats_;
  int64_t io_count_ = 0;
  int64_t fault_at_ = 0;  // io_count_ at which fault_ fires (0 = none)
  DiskFault fault_ = DiskFault::kNone;
  int64_t busy_locks_ = 0;
  int64_t crash_at_ = 0;  // io_count_ at which the disk dies (0 = none)
  bool dead_ = false;
  bool break_durability_ = false;
};

}  // namespace steadfast::sim

#endif  // STEADFAST_TESTS_SIM_SIM_DISK_H_
