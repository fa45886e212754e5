// The coalescing VFS shim: WAL writes gathered, handed on as one.
#include "store/sqlite/coalescing_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace steadfast {
namespace {

// The unix VFS writes at most 128 KiB - 1 bytes per call (a longer write
// comes back short and is reported as a full disk), so the buffer is
// handed on in pieces of 64 KiB: 16 frames per write instead of 2 writes
// per frame.
constexpr size_t kMaxWriteBytes = size_t{64} << 10;
constexpr size_t kMaxBufferBytes = size_t{1} << 20;

std::atomic<int64_t> g_wal_writes{0};
std::atomic<int64_t> g_base_writes{0};

// Writes of a WAL file not yet handed to the base VFS: `bytes` belong at
// file offset `offset`, contiguous.
struct PendingWrites {
  sqlite3_int64 offset = 0;
  std::string bytes;
};

// Our part of the file, followed in the same allocation by the base VFS's.
struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;
  PendingWrites* pending;  // WAL files only; null otherwise
};

ShimFile* Shim(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f); }
sqlite3_file* Real(sqlite3_file* f) { return Shim(f)->real; }

// Hands the gathered writes to the base VFS. On failure they are dropped:
// the commit they belong to fails, and SQLite writes its frames again.
int Flush(sqlite3_file* f) {
  PendingWrites* p = Shim(f)->pending;
  if (p == nullptr || p->bytes.empty()) return SQLITE_OK;
  int rc = SQLITE_OK;
  for (size_t done = 0; done < p->bytes.size() && rc == SQLITE_OK; done += kMaxWriteBytes) {
    const size_t n = std::min(kMaxWriteBytes, p->bytes.size() - done);
    g_base_writes.fetch_add(1, std::memory_order_relaxed);
    rc = Real(f)->pMethods->xWrite(Real(f), p->bytes.data() + done, static_cast<int>(n),
                                   p->offset + static_cast<sqlite3_int64>(done));
  }
  p->bytes.clear();
  return rc;
}

int Close(sqlite3_file* f) {
  const int flushed = Flush(f);
  delete Shim(f)->pending;
  Shim(f)->pending = nullptr;
  const int rc = Real(f)->pMethods->xClose(Real(f));
  return flushed != SQLITE_OK ? flushed : rc;
}

int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  const PendingWrites* p = Shim(f)->pending;
  if (p != nullptr && !p->bytes.empty() && off < p->offset + static_cast<sqlite3_int64>(p->bytes.size()) &&
      off + n > p->offset) {
    if (const int rc = Flush(f); rc != SQLITE_OK) return rc;
  }
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}

int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  PendingWrites* p = Shim(f)->pending;
  if (p == nullptr) return Real(f)->pMethods->xWrite(Real(f), buf, n, off);
  g_wal_writes.fetch_add(1, std::memory_order_relaxed);
  const bool continues = !p->bytes.empty() && off == p->offset + static_cast<sqlite3_int64>(p->bytes.size());
  if (!continues || p->bytes.size() + static_cast<size_t>(n) > kMaxBufferBytes) {
    if (const int rc = Flush(f); rc != SQLITE_OK) return rc;
    p->offset = off;
  }
  p->bytes.append(static_cast<const char*>(buf), static_cast<size_t>(n));
  return SQLITE_OK;
}

int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (const int rc = Flush(f); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xTruncate(Real(f), size);
}

int Sync(sqlite3_file* f, int flags) {
  if (const int rc = Flush(f); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xSync(Real(f), flags);
}

int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  if (const int rc = Flush(f); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xFileSize(Real(f), size);
}

int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) { return Real(f)->pMethods->xCheckReservedLock(Real(f), out); }
int FileControl(sqlite3_file* f, int op, void* arg) {
  // A file control may look at or change the file (size hints, persisting
  // or replacing it): let it see everything written so far.
  if (const int rc = Flush(f); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) { return Real(f)->pMethods->xDeviceCharacteristics(Real(f)); }
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int delete_flag) { return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag); }
int Fetch(sqlite3_file* f, sqlite3_int64 off, int amt, void** pp) {
  return Real(f)->pMethods->xFetch(Real(f), off, amt, pp);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) { return Real(f)->pMethods->xUnfetch(Real(f), off, p); }

// One table per io_methods version: SQLite calls no method beyond the
// version a file declares, so a base file without shared memory (version
// 1) or memory mapping (2) is never forwarded a call it cannot take.
constexpr sqlite3_io_methods MethodsOfVersion(int version) {
  return {version, Close,  Read,   Write,   Truncate, Sync,       FileSize, Lock,      Unlock, CheckReservedLock,
          FileControl, SectorSize, DeviceCharacteristics, ShmMap, ShmLock, ShmBarrier, ShmUnmap, Fetch, Unfetch};
}
constexpr sqlite3_io_methods kMethods[] = {MethodsOfVersion(1), MethodsOfVersion(2), MethodsOfVersion(3)};

sqlite3_vfs* Base(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }

int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  ShimFile* shim = Shim(f);
  shim->real = reinterpret_cast<sqlite3_file*>(shim + 1);
  shim->pending = nullptr;
  const int rc = Base(vfs)->xOpen(Base(vfs), name, shim->real, flags, out_flags);
  // SQLite calls xClose only when pMethods is set: leave it null on failure.
  if (rc != SQLITE_OK || shim->real->pMethods == nullptr) {
    shim->base.pMethods = nullptr;
    return rc;
  }
  const int version = shim->real->pMethods->iVersion;
  shim->base.pMethods = &kMethods[(version < 1 ? 1 : version > 3 ? 3 : version) - 1];
  // Only where SQLite writes nothing after a commit's sync: a file without
  // power-safe overwrite makes it pad the commit to a sector boundary, and
  // the end of that padding is written after the sync yet published with
  // the commit, so it must not wait in a buffer.
  const bool powersafe =
      (shim->real->pMethods->xDeviceCharacteristics(shim->real) & SQLITE_IOCAP_POWERSAFE_OVERWRITE) != 0;
  if ((flags & SQLITE_OPEN_WAL) != 0 && powersafe) shim->pending = new PendingWrites();
  return SQLITE_OK;
}

int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) { return Base(vfs)->xDelete(Base(vfs), name, sync_dir); }
int Access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return Base(vfs)->xAccess(Base(vfs), name, flags, out);
}
int FullPathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  return Base(vfs)->xFullPathname(Base(vfs), name, n, out);
}
int Randomness(sqlite3_vfs* vfs, int n, char* out) { return Base(vfs)->xRandomness(Base(vfs), n, out); }
int Sleep(sqlite3_vfs* vfs, int us) { return Base(vfs)->xSleep(Base(vfs), us); }
int CurrentTime(sqlite3_vfs* vfs, double* out) { return Base(vfs)->xCurrentTime(Base(vfs), out); }
int GetLastError(sqlite3_vfs* vfs, int n, char* out) { return Base(vfs)->xGetLastError(Base(vfs), n, out); }
int CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  if (Base(vfs)->iVersion >= 2 && Base(vfs)->xCurrentTimeInt64 != nullptr) {
    return Base(vfs)->xCurrentTimeInt64(Base(vfs), out);
  }
  double days = 0;
  const int rc = Base(vfs)->xCurrentTime(Base(vfs), &days);
  *out = static_cast<sqlite3_int64>(days * 86400000.0);
  return rc;
}

// A registered shim: SQLite keeps pointers to it and its name for the
// life of the process.
struct Registered {
  std::string name;
  sqlite3_vfs vfs;
};

}  // namespace

Result<std::string> CoalescingVfsName(const std::string& base_vfs) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<Registered>>* shims = new std::map<std::string, std::unique_ptr<Registered>>();
  std::lock_guard<std::mutex> lock(mu);
  auto it = shims->find(base_vfs);
  if (it != shims->end()) return it->second->name;
  sqlite3_vfs* base = sqlite3_vfs_find(base_vfs.empty() ? nullptr : base_vfs.c_str());
  if (base == nullptr) return Status::InvalidArgument("no SQLite VFS named '" + base_vfs + "'");
  auto shim = std::make_unique<Registered>();
  shim->name = "steadfast_coalesce:" + std::string(base->zName);
  std::memset(&shim->vfs, 0, sizeof(shim->vfs));
  shim->vfs.iVersion = 2;
  shim->vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + base->szOsFile;
  shim->vfs.mxPathname = base->mxPathname;
  shim->vfs.zName = shim->name.c_str();
  shim->vfs.pAppData = base;
  shim->vfs.xOpen = Open;
  shim->vfs.xDelete = Delete;
  shim->vfs.xAccess = Access;
  shim->vfs.xFullPathname = FullPathname;
  shim->vfs.xRandomness = Randomness;
  shim->vfs.xSleep = Sleep;
  shim->vfs.xCurrentTime = CurrentTime;
  shim->vfs.xGetLastError = GetLastError;
  shim->vfs.xCurrentTimeInt64 = CurrentTimeInt64;
  if (const int rc = sqlite3_vfs_register(&shim->vfs, 0); rc != SQLITE_OK) {
    return Status::Internal(std::string("cannot register the coalescing VFS: ") + sqlite3_errstr(rc));
  }
  std::string name = shim->name;
  (*shims)[base_vfs] = std::move(shim);
  return name;
}

CoalescingVfsCounts CoalescingVfsCountsSoFar() {
  CoalescingVfsCounts c;
  c.wal_writes = g_wal_writes.load(std::memory_order_relaxed);
  c.base_writes = g_base_writes.load(std::memory_order_relaxed);
  return c;
}

}  // namespace steadfast
