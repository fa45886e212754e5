// Plugin schemas and storage as the host (CLI, tests) wires them.
//
// DeclaredPluginSchemas collects what plugins declare during init
// (PluginContext::schemas); the host hands the list to the store it opens,
// which migrates the plugins' tables. PluginStorageHandle is the
// PluginContext::storage a plugin keeps: it forwards to the store once the
// host has bound one, and refuses with FailedPrecondition before (plugins
// are initialised before the store is opened, and `steadfast validate`
// opens none).
#ifndef STEADFAST_STORE_PLUGIN_SCHEMAS_H_
#define STEADFAST_STORE_PLUGIN_SCHEMAS_H_

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "steadfast/storage.h"

namespace steadfast {

// FailedPrecondition when `database` (named as in messages: a path, or a
// redacted URL) holds version `version` of the plugin's tables, newer than
// its schema declares: naming both versions and what to do. Every store's
// plugin migrations check it before writing anything.
Status CheckPluginSchemaNotNewer(std::string_view database, const PluginSchema& schema, int version);

class DeclaredPluginSchemas final : public PluginSchemas {
 public:
  Status Declare(PluginSchema schema) override;
  // Every declared schema, in declaration order. Thread-safe.
  std::vector<PluginSchema> schemas() const;

 private:
  mutable std::mutex mu_;
  std::vector<PluginSchema> schemas_;  // GUARDED_BY(mu_)
};

class PluginStorageHandle final : public PluginStorage {
 public:
  // Forwards to `storage` from now on (null: refuse again). The bound
  // storage must outlive the binding; unbind before destroying it. Calls
  // in progress while rebinding are the host's to avoid.
  void Bind(PluginStorage* storage) { target_.store(storage, std::memory_order_release); }

  Result<std::vector<Row>> Query(std::string_view sql, const std::vector<Value>& params = {}) override;
  Status Transact(const PluginWrite& write) override;

 private:
  std::atomic<PluginStorage*> target_{nullptr};
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_PLUGIN_SCHEMAS_H_
