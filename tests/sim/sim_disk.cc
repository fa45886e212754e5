// SimDisk's VFS: files, durability, locks and shared memory in memory.
#include "sim_disk.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>

namespace steadfast::sim {
namespace {

constexpr int kSector = 512;

// One open file of one connection.
struct Handle {
  sqlite3_file base;           // must be first: SQLite hands us this pointer
  std::string* name;           // owned
  int lock = SQLITE_LOCK_NONE;
  bool delete_on_close = false;
  bool shm_attached = false;
  uint8_t shm_shared = 0;      // slots this handle holds shared
  uint8_t shm_exclusive = 0;   // slots this handle holds exclusively
};

SimDisk& Disk() { return SimDisk::Instance(); }
Handle* H(sqlite3_file* f) { return reinterpret_cast<Handle*>(f); }
SimDisk::File& FileOf(sqlite3_file* f) {
  SimDisk::File* file = Disk().Find(*H(f)->name);
  return file != nullptr ? *file : Disk().Create(*H(f)->name);
}

void ReleaseShm(Handle* h, SimDisk::File& file) {
  for (int i = 0; i < 8; ++i) {
    if (h->shm_shared & (1 << i)) --file.shm_shared[i];
    if ((h->shm_exclusive & (1 << i)) && file.shm_exclusive[i] == h) file.shm_exclusive[i] = nullptr;
  }
  h->shm_shared = h->shm_exclusive = 0;
}

int Unlock(sqlite3_file* f, int level);

int Close(sqlite3_file* f) {
  Handle* h = H(f);
  if (SimDisk::File* file = Disk().Find(*h->name)) {
    Unlock(f, SQLITE_LOCK_NONE);
    if (h->shm_attached) {
      ReleaseShm(h, *file);
      --file->shm_users;
    }
    if (h->delete_on_close) Disk().Delete(*h->name);
  }
  delete h->name;
  h->name = nullptr;
  return SQLITE_OK;
}

int Read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  if (Disk().dead()) return SQLITE_IOERR_READ;
  const std::string& live = FileOf(f).live;
  std::memset(out, 0, static_cast<size_t>(amount));
  if (offset >= static_cast<sqlite3_int64>(live.size())) return SQLITE_IOERR_SHORT_READ;
  size_t n = std::min<size_t>(static_cast<size_t>(amount), live.size() - static_cast<size_t>(offset));
  std::memcpy(out, live.data() + offset, n);
  return n < static_cast<size_t>(amount) ? SQLITE_IOERR_SHORT_READ : SQLITE_OK;
}

int WriteFile(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  DiskFault fault = Disk().NextIo(false);
  if (Disk().dead()) return SQLITE_IOERR_WRITE;
  if (fault == DiskFault::kWriteFull) return SQLITE_FULL;
  if (fault == DiskFault::kWriteIoErr) return SQLITE_IOERR_WRITE;
  SimDisk::File& file = FileOf(f);
  SimDisk::Write w;
  w.offset = offset;
  w.bytes.assign(static_cast<const char*>(data), static_cast<size_t>(amount));
  w.old_size = file.live.size();
  if (static_cast<size_t>(offset) < w.old_size) w.old = file.live.substr(static_cast<size_t>(offset), w.bytes.size());
  size_t end = static_cast<size_t>(offset) + w.bytes.size();
  if (file.live.size() < end) file.live.resize(end, '\0');
  std::memcpy(file.live.data() + offset, w.bytes.data(), w.bytes.size());
  file.pending.push_back(std::move(w));
  return SQLITE_OK;
}

int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (Disk().dead()) return SQLITE_IOERR_TRUNCATE;
  SimDisk::File& file = FileOf(f);
  if (static_cast<size_t>(size) >= file.live.size()) return SQLITE_OK;
  SimDisk::Write w;
  w.truncate = true;
  w.offset = size;
  w.old_size = file.live.size();
  w.old = file.live.substr(static_cast<size_t>(size));
  file.live.resize(static_cast<size_t>(size));
  file.pending.push_back(std::move(w));
  return SQLITE_OK;
}

int Sync(sqlite3_file* f, int) {
  DiskFault fault = Disk().NextIo(true);
  if (Disk().dead() || fault == DiskFault::kSyncIoErr) return SQLITE_IOERR_FSYNC;
  SimDisk::File& file = FileOf(f);
  if (!file.pending.empty()) {
    file.last_synced_offset = file.pending.back().offset;
    file.has_last_synced = true;
  }
  file.pending.clear();
  return SQLITE_OK;
}

int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  if (Disk().dead()) return SQLITE_IOERR_FSTAT;
  *size = static_cast<sqlite3_int64>(FileOf(f).live.size());
  return SQLITE_OK;
}

int Lock(sqlite3_file* f, int level) {
  Handle* h = H(f);
  if (level <= h->lock) return SQLITE_OK;
  if (Disk().dead()) return SQLITE_IOERR_LOCK;
  if (Disk().NextLockBusy()) return SQLITE_BUSY;
  SimDisk::File& file = FileOf(f);
  switch (level) {
    case SQLITE_LOCK_SHARED:
      if ((file.pending_lock != nullptr && file.pending_lock != h) ||
          (file.exclusive != nullptr && file.exclusive != h)) {
        return SQLITE_BUSY;
      }
      ++file.shared;
      break;
    case SQLITE_LOCK_RESERVED:
      if (file.reserved != nullptr && file.reserved != h) return SQLITE_BUSY;
      file.reserved = h;
      break;
    case SQLITE_LOCK_EXCLUSIVE:
      if (file.pending_lock != nullptr && file.pending_lock != h) return SQLITE_BUSY;
      file.pending_lock = h;
      if (file.shared > 1) {
        h->lock = SQLITE_LOCK_PENDING;
        return SQLITE_BUSY;
      }
      file.exclusive = h;
      break;
    default:
      break;
  }
  h->lock = level;
  return SQLITE_OK;
}

int Unlock(sqlite3_file* f, int level) {
  Handle* h = H(f);
  if (level >= h->lock) return SQLITE_OK;
  SimDisk::File* file = Disk().Find(*h->name);
  if (file != nullptr) {
    if (file->exclusive == h) file->exclusive = nullptr;
    if (file->pending_lock == h) file->pending_lock = nullptr;
    if (file->reserved == h) file->reserved = nullptr;
    if (level == SQLITE_LOCK_NONE && h->lock >= SQLITE_LOCK_SHARED) --file->shared;
  }
  h->lock = level;
  return SQLITE_OK;
}

int CheckReservedLock(sqlite3_file* f, int* out) {
  SimDisk::File& file = FileOf(f);
  *out = (file.reserved != nullptr || file.pending_lock != nullptr || file.exclusive != nullptr) ? 1 : 0;
  return SQLITE_OK;
}

int FileControl(sqlite3_file*, int, void*) { return SQLITE_NOTFOUND; }
int SectorSize(sqlite3_file*) { return kSector; }
int DeviceCharacteristics(sqlite3_file*) { return 0; }  // promise nothing: no atomic or ordered writes

int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  Handle* h = H(f);
  if (Disk().dead()) return SQLITE_IOERR_SHMMAP;
  SimDisk::File& file = FileOf(f);
  if (!h->shm_attached) {
    h->shm_attached = true;
    ++file.shm_users;
  }
  file.shm_region_size = size;
  if (static_cast<size_t>(region) >= file.shm.size()) {
    if (!extend) {
      *out = nullptr;
      return SQLITE_OK;
    }
    while (file.shm.size() <= static_cast<size_t>(region)) {
      auto mem = std::make_unique<char[]>(static_cast<size_t>(size));
      std::memset(mem.get(), 0, static_cast<size_t>(size));
      file.shm.push_back(std::move(mem));
    }
  }
  *out = file.shm[static_cast<size_t>(region)].get();
  return SQLITE_OK;
}

int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  Handle* h = H(f);
  SimDisk::File& file = FileOf(f);
  const uint8_t mask = static_cast<uint8_t>(((1 << (offset + n)) - 1) & ~((1 << offset) - 1));
  if (flags & SQLITE_SHM_UNLOCK) {
    for (int i = offset; i < offset + n; ++i) {
      if (h->shm_shared & (1 << i)) --file.shm_shared[i];
      if ((h->shm_exclusive & (1 << i)) && file.shm_exclusive[i] == h) file.shm_exclusive[i] = nullptr;
    }
    h->shm_shared = static_cast<uint8_t>(h->shm_shared & ~mask);
    h->shm_exclusive = static_cast<uint8_t>(h->shm_exclusive & ~mask);
    return SQLITE_OK;
  }
  if (Disk().dead()) return SQLITE_IOERR_SHMLOCK;
  if (flags & SQLITE_SHM_SHARED) {
    for (int i = offset; i < offset + n; ++i) {
      if (file.shm_exclusive[i] != nullptr && file.shm_exclusive[i] != h) return SQLITE_BUSY;
    }
    for (int i = offset; i < offset + n; ++i) {
      if (!(h->shm_shared & (1 << i))) ++file.shm_shared[i];
    }
    h->shm_shared |= mask;
    return SQLITE_OK;
  }
  for (int i = offset; i < offset + n; ++i) {
    if (file.shm_exclusive[i] != nullptr && file.shm_exclusive[i] != h) return SQLITE_BUSY;
    int others = file.shm_shared[i] - ((h->shm_shared & (1 << i)) ? 1 : 0);
    if (others > 0) return SQLITE_BUSY;
  }
  for (int i = offset; i < offset + n; ++i) file.shm_exclusive[i] = h;
  h->shm_exclusive |= mask;
  return SQLITE_OK;
}

void ShmBarrier(sqlite3_file*) {}

int ShmUnmap(sqlite3_file* f, int delete_flag) {
  Handle* h = H(f);
  if (!h->shm_attached) return SQLITE_OK;
  SimDisk::File& file = FileOf(f);
  ReleaseShm(h, file);
  h->shm_attached = false;
  if (--file.shm_users == 0 && delete_flag) file.shm.clear();
  return SQLITE_OK;
}

const sqlite3_io_methods kIoMethods = {
    2,           Close,      Read,     WriteFile,  Truncate,  Sync,         FileSize,
    Lock,        Unlock,     CheckReservedLock,    FileControl, SectorSize, DeviceCharacteristics,
    ShmMap,      ShmLock,    ShmBarrier,           ShmUnmap,    nullptr,    nullptr,
};

int temp_counter = 0;

int Open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  Handle* h = H(f);
  h->base.pMethods = nullptr;
  std::string path = name != nullptr ? name : "/sim/temp-" + std::to_string(++temp_counter);
  if (Disk().dead()) return SQLITE_CANTOPEN;
  if (Disk().Find(path) == nullptr) {
    if (!(flags & SQLITE_OPEN_CREATE)) return SQLITE_CANTOPEN;
    Disk().Create(path);
  }
  h->name = new std::string(std::move(path));
  h->lock = SQLITE_LOCK_NONE;
  h->delete_on_close = (flags & SQLITE_OPEN_DELETEONCLOSE) != 0 || name == nullptr;
  h->shm_attached = false;
  h->shm_shared = h->shm_exclusive = 0;
  h->base.pMethods = &kIoMethods;
  if (out_flags != nullptr) *out_flags = flags;
  return SQLITE_OK;
}

int DeleteFile(sqlite3_vfs*, const char* name, int) {
  if (Disk().dead()) return SQLITE_IOERR_DELETE;
  Disk().Delete(name);
  return SQLITE_OK;
}

int Access(sqlite3_vfs*, const char* name, int, int* out) {
  // As the unix VFS: an empty file counts as absent (a WAL left empty).
  SimDisk::File* file = Disk().Find(name);
  *out = file != nullptr && !file->live.empty() ? 1 : 0;
  return SQLITE_OK;
}

int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  sqlite3_snprintf(n, out, "%s", name);
  return SQLITE_OK;
}

int Randomness(sqlite3_vfs*, int n, char* out) {
  for (int i = 0; i < n; ++i) out[i] = static_cast<char>(Disk().NextRandom() & 0xff);
  return n;
}

int Sleep(sqlite3_vfs*, int micros) { return micros; }  // busy waits cost no time here

int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  // Julian day in milliseconds.
  *out = static_cast<sqlite3_int64>(210866760000000LL + Disk().NowMs());
  return SQLITE_OK;
}

int CurrentTime(sqlite3_vfs* vfs, double* out) {
  sqlite3_int64 ms = 0;
  CurrentTimeInt64(vfs, &ms);
  *out = static_cast<double>(ms) / 86400000.0;
  return SQLITE_OK;
}

int GetLastError(sqlite3_vfs*, int, char*) { return 0; }

sqlite3_vfs MakeVfs() {
  sqlite3_vfs v{};
  v.iVersion = 2;
  v.szOsFile = sizeof(Handle);
  v.mxPathname = 512;
  v.zName = SimDisk::kName;
  v.xOpen = Open;
  v.xDelete = DeleteFile;
  v.xAccess = Access;
  v.xFullPathname = FullPathname;
  v.xRandomness = Randomness;
  v.xSleep = Sleep;
  v.xCurrentTime = CurrentTime;
  v.xGetLastError = GetLastError;
  v.xCurrentTimeInt64 = CurrentTimeInt64;
  return v;
}

}  // namespace

SimDisk& SimDisk::Instance() {
  static SimDisk* disk = [] {
    static sqlite3_vfs vfs = MakeVfs();
    sqlite3_vfs_register(&vfs, 0);
    return new SimDisk();
  }();
  return *disk;
}

void SimDisk::Reset(uint64_t seed) {
  files_.clear();
  rng_.seed(seed);
  stats_ = {};
  io_count_ = 0;
  ClearFaults();
  dead_ = false;
  break_durability_ = false;
  temp_counter = 0;
}

void SimDisk::ScheduleFault(DiskFault fault, int64_t k) {
  if (fault == DiskFault::kLockBusy) {
    busy_locks_ = k;
    return;
  }
  fault_ = fault;
  fault_at_ = io_count_ + k;
}

void SimDisk::ScheduleCrash(int64_t k) { crash_at_ = io_count_ + k; }

void SimDisk::ClearFaults() {
  fault_ = DiskFault::kNone;
  fault_at_ = 0;
  busy_locks_ = 0;
  crash_at_ = 0;
}

SimDisk::File* SimDisk::Find(const std::string& name) {
  auto it = files_.find(name);
  return it == files_.end() ? nullptr : &it->second;
}

SimDisk::File& SimDisk::Create(const std::string& name) { return files_[name]; }

DiskFault SimDisk::NextIo(bool is_sync) {
  if (dead_) return DiskFault::kNone;
  ++io_count_;
  is_sync ? ++stats_.syncs : ++stats_.writes;
  if (crash_at_ != 0 && io_count_ >= crash_at_) {
    crash_at_ = 0;
    dead_ = true;
    return DiskFault::kNone;
  }
  if (fault_at_ != 0 && io_count_ >= fault_at_) {
    DiskFault f = fault_;
    // A write fault waits for a write, a sync fault for a sync.
    if ((f == DiskFault::kSyncIoErr) != is_sync) return DiskFault::kNone;
    fault_at_ = 0;
    fault_ = DiskFault::kNone;
    ++stats_.faults;
    return f;
  }
  return DiskFault::kNone;
}

bool SimDisk::NextLockBusy() {
  if (busy_locks_ <= 0) return false;
  --busy_locks_;
  ++stats_.faults;
  return true;
}

namespace {

void Put(std::string& file, int64_t offset, const std::string& bytes) {
  size_t end = static_cast<size_t>(offset) + bytes.size();
  if (file.size() < end) file.resize(end, '\0');
  std::memcpy(file.data() + offset, bytes.data(), bytes.size());
}

}  // namespace

void SimDisk::PowerCut() {
  ++stats_.power_cuts;
  for (auto& [name, file] : files_) {
    // Back to what the last sync made durable...
    for (auto it = file.pending.rbegin(); it != file.pending.rend(); ++it) {
      if (it->truncate) {
        file.live.resize(it->old_size);
        Put(file.live, it->offset, it->old);
      } else {
        Put(file.live, it->offset, it->old);
        file.live.resize(it->old_size);
      }
    }
    if (break_durability_ && file.has_last_synced && name.size() > 4 && name.substr(name.size() - 4) == "-wal") {
      // The broken disk of the self-test: the last synced write is lost.
      file.live.resize(std::min<size_t>(file.live.size(), static_cast<size_t>(file.last_synced_offset)));
      break_durability_ = false;
    }
    // ...then each volatile change kept, dropped or torn, in order.
    for (const Write& w : file.pending) {
      uint64_t choice = rng_() % 3;
      if (choice == 1) {
        ++stats_.dropped_writes;
        continue;
      }
      if (w.truncate) {
        file.live.resize(std::min<size_t>(file.live.size(), static_cast<size_t>(w.offset)));
        continue;
      }
      if (choice == 2) {
        // Torn: only a prefix of its sectors reached the platter.
        size_t sectors = (w.bytes.size() + kSector - 1) / kSector;
        size_t keep = sectors <= 1 ? 0 : static_cast<size_t>(rng_() % sectors) * kSector;
        ++stats_.torn_writes;
        if (keep > 0) Put(file.live, w.offset, w.bytes.substr(0, keep));
        continue;
      }
      Put(file.live, w.offset, w.bytes);
    }
    file.pending.clear();
    file.has_last_synced = false;
    file.shared = 0;
    file.reserved = file.pending_lock = file.exclusive = nullptr;
    file.shm.clear();
    file.shm_users = 0;
    for (int i = 0; i < 8; ++i) {
      file.shm_shared[i] = 0;
      file.shm_exclusive[i] = nullptr;
    }
  }
  break_durability_ = false;
  dead_ = false;
  ClearFaults();
}

uint64_t SimDisk::Digest() const {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;
    h *= 1099511628211ULL;
  };
  for (const auto& [name, file] : files_) {
    mix(name);
    mix(file.live);
  }
  return h;
}

}  // namespace steadfast::sim
