// Plugin writes inside a store's transaction (store/plugin_write.h).
#include "store/plugin_write.h"

#include <exception>

#include <fmt/format.h>

#include "core/crash_point.h"

namespace steadfast {
namespace {

thread_local bool t_in_plugin_write = false;

// Marks the current thread as running plugin write code for its lifetime.
class PluginWriteScope {
 public:
  PluginWriteScope() : outer_(t_in_plugin_write) { t_in_plugin_write = true; }
  ~PluginWriteScope() { t_in_plugin_write = outer_; }
  PluginWriteScope(const PluginWriteScope&) = delete;
  PluginWriteScope& operator=(const PluginWriteScope&) = delete;

 private:
  bool outer_;
};

}  // namespace

bool InPluginWrite() { return t_in_plugin_write; }

Status RunPluginWrite(const PluginWrite& write, PluginTransaction& tx) {
  if (!write) return Status::Ok();
  try {
    PluginWriteScope scope;
    return write(tx);
  } catch (const std::exception& e) {
    return Status::Internal(fmt::format("the plugin write threw: {}", e.what()));
  } catch (...) {
    return Status::Internal("the plugin write threw a non-standard exception");
  }
}

Status RunCheckpointWrites(const std::vector<PluginWrite>& writes, PluginTransaction& tx,
                           const std::function<bool()>& transaction_alive) {
  if (writes.empty()) return Status::Ok();
  for (size_t i = 0; i < writes.size(); ++i) {
    Status s = RunPluginWrite(writes[i], tx);
    // The store's own failure took the whole transaction down: the commit
    // fails with it, as for any write.
    if (!transaction_alive()) {
      return s.ok() ? Status::Internal("a checkpoint write ended the store's transaction (BEGIN/COMMIT/ROLLBACK "
                                       "are not allowed in plugin writes)")
                    : s;
    }
    if (!s.ok()) {
      return Status::Aborted(fmt::format("checkpoint write {} of {} failed: {}", i + 1, writes.size(), s.ToString()));
    }
  }
  CrashPoint("store.plugin_writes");
  return Status::Ok();
}

}  // namespace steadfast
