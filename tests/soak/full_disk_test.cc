// A real full disk: the engine's database on a small filesystem of its own
// (tmpfs, or a loop-mounted ext4 image where tmpfs is refused), which the
// running `steadfast serve` fills up while workflows run. Checks that:
//
//   - the HTTP API answers 503 `resource_exhausted` with Retry-After, the
//     log says the disk is full and names the database;
//   - the workers do not spin while the disk stays full;
//   - no acknowledged checkpoint is lost (every start answered 201 and every
//     signal answered 200 is in the store afterwards, and histories read
//     while the disk was full are prefixes of the final ones);
//   - `PRAGMA integrity_check` is ok, while full and at the end;
//   - once a filler file is deleted, the workflows continue and complete,
//     without a restart and across a kill -9 and restart.
//
// Mounting needs root (CI runs as root); elsewhere the test is skipped and
// says why.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "definition/content_hash.h"
#include "serve_api.h"
#include "store/sqlite/sqlite_store.h"
#include "subprocess.h"

namespace steadfast::soak {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kToken = "full-disk-operator-token-0123456789";

// A small filesystem mounted for the test, unmounted by the destructor.
class SmallFilesystem {
 public:
  // Tries tmpfs, then a loop-mounted ext4 image; `why_not` says what failed.
  bool Mount(const std::string& dir, int megabytes, std::string* why_not) {
    dir_ = dir;
    std::filesystem::create_directories(dir);
    // STEADFAST_FULL_DISK_FS=ext4 skips tmpfs, to try the loop mount.
    const char* only = std::getenv("STEADFAST_FULL_DISK_FS");
    testing::RunResult tmpfs{1, "not tried (STEADFAST_FULL_DISK_FS=ext4)"};
    if (only == nullptr || std::string(only) != "ext4") {
      tmpfs = testing::RunCommand(
          {"/bin/mount", "-t", "tmpfs", "-o", "size=" + std::to_string(megabytes) + "m", "tmpfs", dir});
    }
    if (tmpfs.exit_code == 0) {
      kind_ = "tmpfs";
      return true;
    }
    image_ = dir + ".img";
    testing::RunResult made = testing::RunCommand({"/usr/bin/truncate", "-s", std::to_string(megabytes) + "M", image_});
    testing::RunResult fs = testing::RunCommand({"/sbin/mkfs.ext4", "-q", "-F", image_});
    testing::RunResult loop = testing::RunCommand({"/bin/mount", "-o", "loop", image_, dir});
    if (made.exit_code == 0 && fs.exit_code == 0 && loop.exit_code == 0) {
      kind_ = "ext4 on a loop device";
      return true;
    }
    *why_not = "mount -t tmpfs: " + tmpfs.output + "; mount -o loop (ext4 image): " + made.output + fs.output +
               loop.output;
    return false;
  }
  ~SmallFilesystem() {
    if (!kind_.empty()) testing::RunCommand({"/bin/umount", "-l", dir_});
    if (!image_.empty()) std::remove(image_.c_str());
  }
  const std::string& kind() const { return kind_; }

  int64_t FreeBytes() const {
    struct statvfs s {};
    if (statvfs(dir_.c_str(), &s) != 0) return -1;
    return static_cast<int64_t>(s.f_bavail) * static_cast<int64_t>(s.f_frsize);
  }

 private:
  std::string dir_, image_, kind_;
};

// Writes `path` until the filesystem refuses, keeping `keep_free` bytes
// unwritten.
void FillUp(const std::string& path, int64_t free_bytes, int64_t keep_free) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  const std::string chunk(4096, 'f');
  for (int64_t left = free_bytes - keep_free; left > 0 && out; left -= static_cast<int64_t>(chunk.size())) {
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  }
}

std::string IntegrityCheck(const std::string& db) {
  sqlite3* handle = nullptr;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::string e = handle ? sqlite3_errmsg(handle) : "cannot open";
    sqlite3_close(handle);
    return e;
  }
  sqlite3_busy_timeout(handle, 5000);
  std::string result;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(handle, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) result += reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  } else {
    result = sqlite3_errmsg(handle);
  }
  sqlite3_finalize(st);
  sqlite3_close(handle);
  return result;
}

// CPU time (user + system, in clock ticks) a process has used.
int64_t CpuTicks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close_paren = text.rfind(')');
  if (close_paren == std::string::npos) return -1;
  std::istringstream fields(text.substr(close_paren + 2));
  std::string f;
  int64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stoll(f);
    if (i == 15) stime = std::stoll(f);
  }
  return utime + stime;
}

class FullDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why_not;
    if (geteuid() != 0 || !fs_.Mount(dir_.File("disk"), 16, &why_not)) {
      GTEST_SKIP() << "cannot mount a small filesystem here (needs root: tmpfs or a loop device): "
                   << (geteuid() != 0 ? "not root" : why_not);
    }
    std::cout << "database on " << fs_.kind() << " of 16 MiB" << std::endl;
    db_ = dir_.File("disk") + "/engine.db";
    filler_ = dir_.File("disk") + "/filler";
    std::filesystem::create_directories(dir_.File("workflows"));
    // Ten checkpoints of ~2 KiB each, with a signal in the middle.
    std::string steps;
    for (int i = 0; i < 10; ++i) {
      if (i == 5) steps += "  - id: wait\n    signal: go\n";
      steps += "  - id: s" + std::to_string(i) + "\n    activity: std.echo\n    with: { blob: \"${input.blob}\", n: " +
               std::to_string(i) + " }\n";
    }
    // A step timeout under the lease: no lease renewal, so an attempt whose
    // checkpoint the full disk refused runs again within the 2 s lease.
    testing::WriteFile(dir_.File("workflows/chain.yaml"),
                       "name: chain\ninput:\n  blob: string\ndefaults:\n  timeout: 1s\nsteps:\n" + steps);
    config_ = dir_.File("steadfast.yaml");
    WriteConfig();
  }

  void WriteConfig() {
    testing::WriteFile(config_, "database: " + db_ + "\nworkflows_dir: " + dir_.File("workflows") +
                                    "\nworkers: 2\nnode_name: fulldisk\nlease: 2s\npoll_interval: 50ms\n"
                                    "log_level: info\nhttp:\n  listen: 127.0.0.1:0\n"
                                    "  rate_limit: { per_principal_per_s: 0, burst: 1 }\n  tokens:\n"
                                    "    - { name: ops, sha256: " + Sha256Hex(kToken) + ", roles: [operator] }\n");
  }

  // Starts serve and waits for the port it logs.
  void StartServe() {
    const std::string log = dir_.File("serve.log");
    const size_t before = testing::ReadFile(log).size();
    serve_ = std::make_unique<testing::Subprocess>(
        std::vector<std::string>{STEADFAST_BIN, "serve", "--config", config_}, std::map<std::string, std::string>{},
        log);
    for (auto deadline = Clock::now() + std::chrono::seconds(20); Clock::now() < deadline;) {
      const std::string text = testing::ReadFile(log).substr(before);
      const size_t at = text.find("listening on http://127.0.0.1:");
      if (at != std::string::npos) {
        port_ = std::stoi(text.substr(at + std::string("listening on http://127.0.0.1:").size()));
        api_ = std::make_unique<ServeApi>("http://127.0.0.1:" + std::to_string(port_));
        return;
      }
      if (serve_->Wait(0).has_value()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "serve did not start:\n" << testing::ReadFile(log).substr(before);
  }

  ApiReply Start(const std::string& id) {
    return api_->Post("/v1/workflows", kToken,
                      Value::Map{{"workflow", "chain"}, {"id", id}, {"input", Value::Map{{"blob", blob_}}}});
  }

  // Starts workflows until the disk is full (a start answered 503) and a
  // few more; returns the ids acknowledged with 201.
  std::vector<std::string> StartUntilFull(const std::string& prefix, ApiReply* refused) {
    std::vector<std::string> acknowledged;
    int after_full = 0;
    for (int i = 0; i < 2000 && after_full < 5; ++i) {
      const std::string id = prefix + std::to_string(i);
      ApiReply r = Start(id);
      if (r.status == 201) {
        acknowledged.push_back(id);
      } else {
        EXPECT_EQ(r.status, 503) << r.text;
        *refused = r;
        ++after_full;
      }
    }
    return acknowledged;
  }

  std::unique_ptr<Store> OpenStore() {
    SqliteStoreOptions opts;
    opts.path = db_;
    auto s = OpenSqliteStore(opts);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  // Signals `go` (retrying a refused signal) to each waiting instance until
  // all are completed, or the timeout.
  bool DriveToCompletion(const std::vector<std::string>& ids, std::map<std::string, bool>* signalled, int timeout_s) {
    auto store = OpenStore();
    if (!store) return false;
    for (auto deadline = Clock::now() + std::chrono::seconds(timeout_s); Clock::now() < deadline;) {
      bool all = true;
      for (const std::string& id : ids) {
        auto rec = store->GetInstance(id);
        if (!rec.ok() || !*rec) {
          all = false;
          continue;
        }
        if ((*rec)->status == InstanceStatus::kCompleted) continue;
        all = false;
        if ((*rec)->status == InstanceStatus::kWaitingSignal && !(*signalled)[id]) {
          ApiReply r = api_->Post("/v1/workflows/" + id + "/signals/go", kToken, Value::Map{{"ok", true}}, id + "/go");
          if (r.status == 200) (*signalled)[id] = true;
        }
      }
      if (all) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  testing::TempDir dir_;
  SmallFilesystem fs_;
  std::string db_, filler_, config_;
  int port_ = 0;
  std::unique_ptr<testing::Subprocess> serve_;
  std::unique_ptr<ServeApi> api_;
  const std::string blob_ = std::string(2048, 'b');
};

TEST_F(FullDiskTest, ClearErrorsNoLostCheckpointAndWorkflowsContinueOnceSpaceIsFreed) {
  StartServe();
  // Leave 512 KiB: the database fills it while workflows run.
  FillUp(filler_, fs_.FreeBytes(), 512 * 1024);
  ApiReply refused;
  std::vector<std::string> first = StartUntilFull("wf-a-", &refused);
  ASSERT_FALSE(first.empty()) << "no workflow started before the disk was full";
  ASSERT_EQ(refused.status, 503) << "the disk never filled up";

  // The API's answer: 503 resource_exhausted, retry later.
  EXPECT_EQ(refused.ErrorCode(), "resource_exhausted") << refused.text;
  EXPECT_NE(refused.text.find("out of storage"), std::string::npos) << refused.text;
  ApiReply signal = api_->Post("/v1/workflows/" + first.front() + "/signals/go", kToken, Value::Map{}, "probe");
  EXPECT_TRUE(signal.status == 503 || signal.status == 200) << signal.text;
  std::map<std::string, bool> signalled{{first.front(), signal.status == 200}};
  // The log says what is wrong and where.
  const std::string log = testing::ReadFile(dir_.File("serve.log"));
  EXPECT_NE(log.find("database or disk is full: " + db_), std::string::npos) << log.substr(0, 4000);

  // Full, the engine waits without spinning: under a quarter of a core.
  const int64_t ticks_before = CpuTicks(serve_->pid());
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const int64_t used = CpuTicks(serve_->pid()) - ticks_before;
  EXPECT_LT(used, sysconf(_SC_CLK_TCK) * 3 / 4) << "serve used " << used << " ticks in 3 s while the disk was full";
  EXPECT_EQ(api_->Get("/healthz").status, 200);
  EXPECT_EQ(IntegrityCheck(db_), "ok");

  // Histories as acknowledged while full: nothing of them may be lost.
  std::map<std::string, size_t> history_len;
  {
    auto store = OpenStore();
    ASSERT_TRUE(store);
    for (const std::string& id : first) {
      auto h = store->GetHistory(id, 0, 0);
      ASSERT_TRUE(h.ok()) << id;
      history_len[id] = h->size();
      EXPECT_FALSE(h->empty()) << id << " was acknowledged and is not in the store";
    }
  }

  // A worker whose checkpoint the full disk refused says so, and when the
  // attempt runs again.
  const std::string full_log = testing::ReadFile(dir_.File("serve.log"));
  int refused_checkpoints = 0;
  for (size_t at = full_log.find("checkpoint of "); at != std::string::npos;
       at = full_log.find("checkpoint of ", at + 1)) {
    const std::string line = full_log.substr(at, full_log.find('\n', at) - at);
    ++refused_checkpoints;
    EXPECT_NE(line.find("database or disk is full"), std::string::npos) << line;
    EXPECT_NE(line.find("runs again once its lease expires, in "), std::string::npos) << line;
  }

  // Space comes back: the same process carries on.
  std::filesystem::remove(filler_);
  const auto freed = Clock::now();
  ASSERT_TRUE(DriveToCompletion(first, &signalled, 90)) << testing::ReadFile(dir_.File("serve.log")).substr(0, 6000);
  std::cout << "full disk: " << refused_checkpoints << " checkpoint(s) refused while full; completed "
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - freed).count()
            << " ms after the space was freed, without a restart" << std::endl;
  EXPECT_FALSE(serve_->Wait(0).has_value()) << "serve exited";

  // Full again, then kill -9 while full, free the space, restart.
  FillUp(filler_, fs_.FreeBytes(), 256 * 1024);
  std::vector<std::string> second = StartUntilFull("wf-b-", &refused);
  ASSERT_EQ(refused.status, 503);
  serve_->Kill(SIGKILL);
  serve_->Wait(10000);
  EXPECT_EQ(IntegrityCheck(db_), "ok");
  std::filesystem::remove(filler_);
  StartServe();
  std::vector<std::string> all = first;
  all.insert(all.end(), second.begin(), second.end());
  ASSERT_TRUE(DriveToCompletion(all, &signalled, 90)) << testing::ReadFile(dir_.File("serve.log")).substr(0, 6000);
  serve_->Kill(SIGTERM);
  EXPECT_EQ(serve_->Wait(20000).value_or(-1), 0);

  EXPECT_EQ(IntegrityCheck(db_), "ok");
  auto store = OpenStore();
  ASSERT_TRUE(store);
  for (const std::string& id : all) {
    auto rec = store->GetInstance(id);
    ASSERT_TRUE(rec.ok() && *rec) << id << " was acknowledged and is lost";
    EXPECT_EQ((*rec)->status, InstanceStatus::kCompleted) << id;
    auto h = store->GetHistory(id, 0, 0);
    ASSERT_TRUE(h.ok());
    EXPECT_GE(h->size(), history_len[id]) << id << " lost history it had while the disk was full";
    for (size_t i = 0; i < h->size(); ++i) EXPECT_EQ((*h)[i].seq, static_cast<int64_t>(i + 1)) << id;
    int signals = 0;
    for (const HistoryEvent& e : *h) signals += e.type == history::kSignalReceived;
    EXPECT_EQ(signals, 1) << id;
  }
  std::cout << "full disk: " << first.size() << " + " << second.size() << " workflows acknowledged, all completed"
            << std::endl;
}

}  // namespace
}  // namespace steadfast::soak
