// Parsing the instance filter from name=value pairs (instance_filter.h).
#include "runtime/instance_filter.h"

#include <fmt/format.h>

#include <charconv>
#include <climits>
#include <set>

#include "definition/workflow_def.h"
#include "steadfast/time_text.h"

namespace steadfast {
namespace {

constexpr std::string_view kKeyPrefix = "key.";
const std::set<std::string, std::less<>> kSingleParams = {
    "workflow", "version", "step", "error_code", "requested_by", "created_after", "created_before",
    "updated_after", "updated_before", "cursor", "parent"};
constexpr const char* kStatusNames =
    "running, waiting_signal, waiting_approval, sleeping, waiting_child, paused, compensating, completed, failed, "
    "compensated, cancelled, continued";

Result<TimeMs> ParseTime(const std::string& name, const std::string& value) {
  Result<TimeMs> at = ParseRfc3339(value);
  if (!at.ok()) {
    return Status::InvalidArgument(fmt::format("{} must be an RFC 3339 time such as 2026-12-01T00:00:00Z, got '{}'",
                                               name, value));
  }
  return *at;
}

Status AddStatuses(const std::string& value, std::vector<InstanceStatus>& out) {
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string::npos) comma = value.size();
    std::string_view name = std::string_view(value).substr(start, comma - start);
    std::optional<InstanceStatus> s = ParseInstanceStatus(name);
    if (!s) return Status::InvalidArgument(fmt::format("unknown status '{}' (expected {})", name, kStatusNames));
    if (std::find(out.begin(), out.end(), *s) == out.end()) out.push_back(*s);
    start = comma + 1;
  }
  return Status::Ok();
}

}  // namespace

bool IsInstanceFilterParam(std::string_view name) {
  return name.starts_with(kKeyPrefix) || name == "status" || kSingleParams.contains(name);
}

Result<ListFilter> ParseInstanceFilter(const FilterParams& params) {
  ListFilter f;
  std::set<std::string, std::less<>> seen;
  for (const auto& [name, value] : params) {
    if (!IsInstanceFilterParam(name)) {
      return Status::InvalidArgument(fmt::format(
          "unknown filter '{}' (filters: key.NAME, workflow, version, status, step, error_code, requested_by, "
          "created_after, created_before, updated_after, updated_before, parent, cursor)",
          name));
    }
    if (value.empty()) return Status::InvalidArgument(fmt::format("filter {} needs a value", name));
    if (name != "status" && !seen.insert(name).second) {
      return Status::InvalidArgument(fmt::format("filter {} given twice", name));
    }
    if (name.starts_with(kKeyPrefix)) {
      std::string key = name.substr(kKeyPrefix.size());
      if (key.empty()) return Status::InvalidArgument("filter key.NAME needs a key name, e.g. key.reservation_id");
      if (f.keys.size() == kMaxSearchKeys) {
        return Status::InvalidArgument(fmt::format("at most {} key.NAME filters", kMaxSearchKeys));
      }
      f.keys.push_back(SearchKey{std::move(key), value});
    } else if (name == "status") {
      SF_RETURN_IF_ERROR(AddStatuses(value, f.statuses));
    } else if (name == "workflow") {
      f.workflow_name = value;
    } else if (name == "version") {
      int v = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || end != value.data() + value.size() || v < 1) {
        return Status::InvalidArgument(fmt::format("version must be a whole number from 1 up, got '{}'", value));
      }
      f.workflow_version = v;
    } else if (name == "step") {
      f.current_step = value;
    } else if (name == "error_code") {
      f.error_code = value;
    } else if (name == "requested_by") {
      f.requested_by = value;
    } else if (name == "parent") {
      f.parent_id = value;
    } else if (name == "created_after") {
      SF_ASSIGN_OR_RETURN(f.created_from, ParseTime(name, value));
    } else if (name == "created_before") {
      SF_ASSIGN_OR_RETURN(f.created_before, ParseTime(name, value));
    } else if (name == "updated_after") {
      SF_ASSIGN_OR_RETURN(f.updated_from, ParseTime(name, value));
    } else if (name == "updated_before") {
      SF_ASSIGN_OR_RETURN(f.updated_before, ParseTime(name, value));
    } else if (name == "cursor") {
      f.after_id = value;
    }
  }
  if (f.workflow_version != 0 && f.workflow_name.empty()) {
    return Status::InvalidArgument("filter version needs workflow (versions are per workflow)");
  }
  return f;
}

FilterParams InstanceFilterParams(const ListFilter& f) {
  FilterParams p;
  for (const SearchKey& k : f.keys) p.emplace_back(std::string(kKeyPrefix) + k.name, k.value);
  if (!f.workflow_name.empty()) p.emplace_back("workflow", f.workflow_name);
  if (f.workflow_version != 0) p.emplace_back("version", std::to_string(f.workflow_version));
  if (!f.statuses.empty()) {
    std::string list;
    for (InstanceStatus s : f.statuses) list += (list.empty() ? "" : ",") + std::string(InstanceStatusName(s));
    p.emplace_back("status", list);
  }
  if (!f.current_step.empty()) p.emplace_back("step", f.current_step);
  if (!f.error_code.empty()) p.emplace_back("error_code", f.error_code);
  if (!f.requested_by.empty()) p.emplace_back("requested_by", f.requested_by);
  if (!f.parent_id.empty()) p.emplace_back("parent", f.parent_id);
  if (f.created_from != 0) p.emplace_back("created_after", FormatRfc3339Utc(f.created_from));
  if (f.created_before != 0) p.emplace_back("created_before", FormatRfc3339Utc(f.created_before));
  if (f.updated_from != 0) p.emplace_back("updated_after", FormatRfc3339Utc(f.updated_from));
  if (f.updated_before != 0) p.emplace_back("updated_before", FormatRfc3339Utc(f.updated_before));
  return p;
}

Value InstanceFilterView(const ListFilter& f) {
  Value v = Value::Map{};
  if (!f.keys.empty()) {
    Value::Map keys;
    for (const SearchKey& k : f.keys) keys[k.name] = k.value;
    v["key"] = std::move(keys);
  }
  if (!f.statuses.empty()) {
    Value::List list;
    for (InstanceStatus s : f.statuses) list.emplace_back(std::string(InstanceStatusName(s)));
    v["status"] = std::move(list);
  }
  for (const auto& [name, value] : InstanceFilterParams(f)) {
    if (name == "status" || name.starts_with(kKeyPrefix)) continue;
    if (name == "version") v[name] = f.workflow_version;
    else v[name] = value;
  }
  return v;
}

bool MatchesEverything(const ListFilter& f) { return InstanceFilterParams(f).empty(); }

}  // namespace steadfast
