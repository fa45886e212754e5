// Names and predicates of the store's lifecycle enums and their checked
// conversions from stored integers; the stored form of instance links.
#include "store/store.h"

#include <cstdio>

#include <fmt/format.h>

#include "store/record_rows.h"

namespace steadfast {

std::string_view TickKindName(TickKind k) { return k == TickKind::kManual ? "manual" : "scheduled"; }

std::string_view TickOutcomeName(TickOutcome o) { return o == TickOutcome::kSkipped ? "skipped" : "started"; }

std::string_view InstanceStatusName(InstanceStatus s) {
  switch (s) {
    case InstanceStatus::kRunning: return "running";
    case InstanceStatus::kWaitingSignal: return "waiting_signal";
    case InstanceStatus::kWaitingApproval: return "waiting_approval";
    case InstanceStatus::kPaused: return "paused";
    case InstanceStatus::kCompensating: return "compensating";
    case InstanceStatus::kCompleted: return "completed";
    case InstanceStatus::kFailed: return "failed";
    case InstanceStatus::kCompensated: return "compensated";
    case InstanceStatus::kCancelled: return "cancelled";
    case InstanceStatus::kSleeping: return "sleeping";
    case InstanceStatus::kContinued: return "continued";
    case InstanceStatus::kWaitingChild: return "waiting_child";
  }
  return "unknown";
}

std::optional<InstanceStatus> ParseInstanceStatus(std::string_view name) {
  for (int i = static_cast<int>(InstanceStatus::kRunning); i <= static_cast<int>(kLastInstanceStatus); ++i) {
    auto s = static_cast<InstanceStatus>(i);
    if (InstanceStatusName(s) == name) return s;
  }
  return std::nullopt;
}

std::string ArchivedRunId(const std::string& id, int64_t run) {
  return id + kRunSeparator + std::to_string(run);
}

std::string ChildInstanceId(const std::string& parent, int64_t run, const std::string& step) {
  std::string id = (run > 1 ? ArchivedRunId(parent, run) : parent) + kRunSeparator + step;
  if (id.size() <= kMaxChildIdLength) return id;
  // FNV-1a over the whole id: the kept head still says whose child it is.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : id) h = (h ^ c) * 1099511628211ull;
  char tail[18];
  std::snprintf(tail, sizeof(tail), "~%016llx", static_cast<unsigned long long>(h));
  return id.substr(0, kMaxChildIdLength - 17) + tail;
}

Result<std::vector<TaskRecord>> ClaimTasks(Store& store, const std::string& owner, TimeMs now, TimeMs lease_until,
                                           int limit) {
  ClaimRequest request;
  request.owner = owner;
  request.now = now;
  request.lease_until = lease_until;
  request.limit = limit;
  SF_ASSIGN_OR_RETURN(ClaimResult r, store.ClaimDueTasks(request));
  return std::move(r.tasks);
}

bool IsTerminal(InstanceStatus s) {
  switch (s) {
    case InstanceStatus::kCompleted:
    case InstanceStatus::kFailed:
    case InstanceStatus::kCompensated:
    case InstanceStatus::kCancelled:
    case InstanceStatus::kContinued:
      return true;
    case InstanceStatus::kRunning:
    case InstanceStatus::kWaitingSignal:
    case InstanceStatus::kWaitingApproval:
    case InstanceStatus::kPaused:
    case InstanceStatus::kCompensating:
    case InstanceStatus::kSleeping:
    case InstanceStatus::kWaitingChild:
      return false;
  }
  return false;
}

std::string EncodeInstanceLinks(const std::vector<InstanceLink>& links) {
  std::string text;
  for (const InstanceLink& l : links) text += l.instance_id + " " + l.traceparent + "\n";
  return text;
}

std::vector<InstanceLink> DecodeInstanceLinks(std::string_view text) {
  std::vector<InstanceLink> links;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    size_t space = line.rfind(' ');  // a traceparent has no spaces
    if (space == 0 || space == std::string_view::npos || space + 1 == line.size()) continue;
    links.push_back(InstanceLink{std::string(line.substr(0, space)), std::string(line.substr(space + 1))});
  }
  return links;
}

std::string EncodeSearchKeys(const std::vector<SearchKey>& keys) {
  if (keys.empty()) return "";
  Value::Map map;
  for (const SearchKey& k : keys) map[k.name] = k.value;
  return Value(std::move(map)).ToJson();
}

std::vector<SearchKey> DecodeSearchKeys(std::string_view text) {
  std::vector<SearchKey> keys;
  if (text.empty()) return keys;
  Result<Value> v = Value::FromJson(text);
  if (!v.ok() || !v->is_map()) return keys;
  for (const auto& [name, value] : v->AsMap()) {
    if (value.is_string()) keys.push_back(SearchKey{name, value.AsString()});
  }
  return keys;
}

Result<InstanceStatus> InstanceStatusFromInt(int64_t value) {
  if (value < static_cast<int>(InstanceStatus::kRunning) || value > static_cast<int>(kLastInstanceStatus)) {
    return Status::Corruption(fmt::format("unknown instance status {}", value));
  }
  return static_cast<InstanceStatus>(value);
}

Result<TaskKind> TaskKindFromInt(int64_t value) {
  if (value < static_cast<int>(TaskKind::kRunStep) || value > static_cast<int>(TaskKind::kStopChild)) {
    return Status::Corruption(fmt::format("unknown task kind {}", value));
  }
  return static_cast<TaskKind>(value);
}

std::string EncodeBulkFailures(const std::vector<BulkFailure>& failures) {
  Value::List list;
  for (const BulkFailure& f : failures) list.push_back(Value::Map{{"instance_id", f.instance_id}, {"reason", f.reason}});
  return Value(std::move(list)).ToJson();
}

std::vector<BulkFailure> DecodeBulkFailures(std::string_view text) {
  std::vector<BulkFailure> out;
  Result<Value> v = Value::FromJson(text);
  if (!v.ok() || !v->is_list()) return out;
  for (const Value& f : v->AsList()) {
    out.push_back(BulkFailure{f.Get("instance_id").StringOr(""), f.Get("reason").StringOr("")});
  }
  return out;
}

Status CheckClaimRequest(const ClaimRequest& request) {
  if (request.owner.empty()) return Status::InvalidArgument("a lease needs an owner");
  if (request.lease_until <= request.now) {
    return Status::InvalidArgument(fmt::format(
        "lease_until ({}) must be after now ({}): the lease would already be expired", request.lease_until, request.now));
  }
  return Status::Ok();
}

}  // namespace steadfast
