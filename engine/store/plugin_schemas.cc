// Plugin schema validation, the host's schema list and the late-bound storage handle.
#include "store/plugin_schemas.h"

#include <fmt/format.h>

namespace steadfast {
namespace {

constexpr size_t kMaxPluginNameLength = 64;

bool IsPluginNameChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

Status NotOpen() {
  return Status::FailedPrecondition(
      "plugin storage is not available: the engine has not opened its store (or this command opens none)");
}

}  // namespace

Status CheckPluginSchemaNotNewer(std::string_view database, const PluginSchema& schema, int version) {
  const int known = static_cast<int>(schema.migrations.size());
  if (version <= known) return Status::Ok();
  return Status::FailedPrecondition(fmt::format(
      "database {} has version {} of the '{}' plugin's tables, newer than version {} that this steadfast binary's "
      "'{}' plugin knows; run a release whose '{}' plugin knows version {} (or newer), or restore a backup made "
      "before the upgrade",
      database, version, schema.plugin, known, schema.plugin, schema.plugin, version));
}

Status ValidatePluginSchema(const PluginSchema& schema) {
  const std::string& name = schema.plugin;
  if (name.empty() || name.size() > kMaxPluginNameLength) {
    return Status::InvalidArgument(fmt::format("plugin schema: the plugin name must have 1 to {} characters, got '{}'",
                                               kMaxPluginNameLength, name));
  }
  for (char c : name) {
    if (!IsPluginNameChar(c)) {
      return Status::InvalidArgument(
          fmt::format("plugin schema: plugin name '{}' may contain only a-z, 0-9 and '_'", name));
    }
  }
  if (schema.migrations.empty()) {
    return Status::InvalidArgument(fmt::format("plugin schema of '{}' has no migrations", name));
  }
  for (size_t i = 0; i < schema.migrations.size(); ++i) {
    const PluginMigration& m = schema.migrations[i];
    const int expected = static_cast<int>(i) + 1;
    if (m.version != expected) {
      return Status::InvalidArgument(fmt::format(
          "plugin schema of '{}': migration #{} has version {}, expected {} (versions are 1, 2, 3, ... in order)",
          name, i + 1, m.version, expected));
    }
    if (m.sql.find_first_not_of(" \t\r\n;") == std::string::npos) {
      return Status::InvalidArgument(fmt::format("plugin schema of '{}': migration {} has no SQL", name, m.version));
    }
  }
  return Status::Ok();
}

Status DeclaredPluginSchemas::Declare(PluginSchema schema) {
  SF_RETURN_IF_ERROR(ValidatePluginSchema(schema));
  std::lock_guard<std::mutex> lock(mu_);
  for (const PluginSchema& s : schemas_) {
    if (s.plugin == schema.plugin) {
      return Status::AlreadyExists(fmt::format("a schema for plugin '{}' was declared already", schema.plugin));
    }
  }
  schemas_.push_back(std::move(schema));
  return Status::Ok();
}

std::vector<PluginSchema> DeclaredPluginSchemas::schemas() const {
  std::lock_guard<std::mutex> lock(mu_);
  return schemas_;
}

Result<std::vector<Row>> PluginStorageHandle::Query(std::string_view sql, const std::vector<Value>& params) {
  PluginStorage* target = target_.load(std::memory_order_acquire);
  if (target == nullptr) return NotOpen();
  return target->Query(sql, params);
}

Status PluginStorageHandle::Transact(const PluginWrite& write) {
  PluginStorage* target = target_.load(std::memory_order_acquire);
  if (target == nullptr) return NotOpen();
  return target->Transact(write);
}

}  // namespace steadfast
