// Bulk actions by filter (bulk_operations.h).
#include "runtime/bulk_operations.h"

#include <fmt/format.h>

#include <algorithm>

#include "runtime/instance_filter.h"
#include "runtime/views.h"

namespace steadfast {
namespace {

// Instances read, acted on and checkpointed (cursor, counts) at a time.
constexpr int kBulkPageSize = 100;

// The filter as stored in the record: its parameters as a JSON list of
// [name, value] pairs, parsed back by ParseInstanceFilter.
std::string EncodeFilter(const ListFilter& filter) {
  Value::List pairs;
  for (const auto& [name, value] : InstanceFilterParams(filter)) pairs.push_back(Value::List{name, value});
  return Value(std::move(pairs)).ToJson();
}

Result<ListFilter> DecodeFilter(const BulkOperationRecord& op) {
  Result<Value> v = Value::FromJson(op.filter);
  if (!v.ok() || !v->is_list()) return Status::Corruption(fmt::format("bulk operation {}: unreadable filter", op.id));
  FilterParams params;
  for (const Value& pair : v->AsList()) {
    if (!pair.is_list() || pair.AsList().size() != 2) {
      return Status::Corruption(fmt::format("bulk operation {}: unreadable filter", op.id));
    }
    params.emplace_back(pair.AsList()[0].StringOr(""), pair.AsList()[1].StringOr(""));
  }
  return ParseInstanceFilter(params);
}

Status CheckRequest(const BulkRequest& r) {
  if (r.reason.empty()) return Status::InvalidArgument("a bulk operation needs a reason (it is kept in its audit record)");
  if (MatchesEverything(r.filter)) {
    return Status::InvalidArgument(
        "a bulk operation needs a filter (e.g. status=paused or key.reservation_id=...): an empty one would act on "
        "every instance");
  }
  if (!r.filter.after_id.empty()) return Status::InvalidArgument("a bulk operation's filter takes no cursor");
  return Status::Ok();
}

void AddFailure(BulkOperationRecord& op, const std::string& id, std::string reason) {
  ++op.failed;
  if (op.failures.size() < kMaxBulkFailuresKept) op.failures.push_back(BulkFailure{id, std::move(reason)});
}

// What each instance's history records as the reason: the operator's, and
// the operation that acted, so an instance leads back to its audit record.
std::string Audited(const BulkOperationRecord& op) { return fmt::format("{} (bulk operation {})", op.reason, op.id); }

}  // namespace

std::optional<BulkAction> ParseBulkAction(std::string_view name) {
  if (name == "resume") return BulkAction::kResume;
  if (name == "cancel") return BulkAction::kCancel;
  if (name == "pause") return BulkAction::kPause;
  if (name == "retry") return BulkAction::kRetry;
  return std::nullopt;
}

std::string_view BulkActionName(BulkAction action) {
  switch (action) {
    case BulkAction::kResume: return "resume";
    case BulkAction::kCancel: return "cancel";
    case BulkAction::kPause: return "pause";
    case BulkAction::kRetry: return "retry";
  }
  return "?";
}

Value BulkOperationView(const BulkOperationRecord& op) {
  Value filter = Value::Map{};
  Result<ListFilter> parsed = DecodeFilter(op);
  if (parsed.ok()) filter = InstanceFilterView(*parsed);
  Value::List failures;
  for (const BulkFailure& f : op.failures) failures.push_back(Value::Map{{"instance_id", f.instance_id}, {"reason", f.reason}});
  return Value::Map{
      {"id", op.id},
      {"action", op.action},
      {"filter", std::move(filter)},
      {"reason", op.reason},
      {"requested_by", op.principal},
      {"state", op.state},
      {"total", op.total},
      {"done", op.done},
      {"skipped", op.skipped},
      {"failed", op.failed},
      {"failures", Value(std::move(failures))},
      {"created_at", FormatTime(op.created_at)},
      {"updated_at", FormatTime(op.updated_at)},
      {"finished_at", op.finished_at > 0 ? Value(FormatTime(op.finished_at)) : Value()},
  };
}

Result<BulkPreview> BulkOperations::Preview(const BulkRequest& request, int sample_size) {
  SF_RETURN_IF_ERROR(CheckRequest(request));
  BulkPreview preview;
  SF_ASSIGN_OR_RETURN(preview.total, service_.store().CountInstances(request.filter));
  ListFilter first = request.filter;
  first.limit = std::max(sample_size, 1);
  SF_ASSIGN_OR_RETURN(std::vector<InstanceRecord> sample, service_.store().ListInstances(first));
  for (const InstanceRecord& r : sample) preview.sample.push_back(r.id);
  return preview;
}

Result<BulkOperationRecord> BulkOperations::Create(const BulkRequest& request) {
  SF_RETURN_IF_ERROR(CheckRequest(request));
  BulkOperationRecord op;
  op.id = fmt::format("bulk-{:016x}", random_.NextU64());
  op.action = std::string(BulkActionName(request.action));
  op.reason = request.reason;
  op.principal = request.principal;
  op.state = "running";
  op.created_at = clock_.NowMs();
  op.updated_at = op.created_at;
  // Instances started after the operation are not its business.
  ListFilter bounded = request.filter;
  if (bounded.created_before == 0 || bounded.created_before > op.created_at + 1) bounded.created_before = op.created_at + 1;
  op.filter = EncodeFilter(bounded);
  SF_ASSIGN_OR_RETURN(op.total, service_.store().CountInstances(bounded));
  SF_RETURN_IF_ERROR(service_.store().PutBulkOperation(op));
  return op;
}

void BulkOperations::Handle(BulkOperationRecord& op, BulkAction action, const InstanceRecord& rec) {
  switch (action) {
    case BulkAction::kResume: {
      if (rec.status != InstanceStatus::kPaused) {
        ++op.skipped;  // resumed already (an earlier run) or moved on
        return;
      }
      Result<InstanceRecord> r = service_.Resume(rec.id, op.principal, Audited(op));
      if (r.ok()) {
        ++op.done;
      } else if (r.status().code() == StatusCode::kFailedPrecondition) {
        ++op.skipped;  // resumed by someone else between the read and now
      } else {
        AddFailure(op, rec.id, r.status().ToString());
      }
      return;
    }
    case BulkAction::kCancel: {
      if (IsTerminal(rec.status)) {
        ++op.skipped;
        return;
      }
      Result<InstanceRecord> r = service_.Cancel(rec.id, op.principal, Audited(op));
      if (r.ok()) {
        ++op.done;
      } else {
        AddFailure(op, rec.id, r.status().ToString());
      }
      return;
    }
    case BulkAction::kPause: {
      if (rec.status == InstanceStatus::kPaused || IsTerminal(rec.status)) {
        ++op.skipped;  // paused already (an earlier run, or it failed into a pause) or finished
        return;
      }
      Result<InstanceRecord> r = service_.Pause(rec.id, op.principal, Audited(op));
      if (r.ok()) {
        ++op.done;
      } else if (r.status().code() == StatusCode::kFailedPrecondition) {
        ++op.skipped;  // finished, compensating or being cancelled meanwhile: nothing to pause
      } else {
        AddFailure(op, rec.id, r.status().ToString());
      }
      return;
    }
    case BulkAction::kRetry: {
      if (rec.status != InstanceStatus::kPaused && rec.status != InstanceStatus::kFailed) {
        ++op.skipped;  // retried already (an earlier run) or never stopped
        return;
      }
      // A refusal (a compensated instance, a deadline passed) is the
      // operator's to see, so it counts as failed with its reason.
      Result<InstanceRecord> r = service_.Retry(rec.id, "", op.principal, Audited(op));
      if (r.ok()) {
        ++op.done;
      } else {
        AddFailure(op, rec.id, r.status().ToString());
      }
      return;
    }
  }
}

Result<BulkOperationRecord> BulkOperations::Run(const std::string& id,
                                                const std::function<void(const BulkOperationRecord&)>& on_progress,
                                                const std::atomic<bool>* stop) {
  SF_ASSIGN_OR_RETURN(std::optional<BulkOperationRecord> found, service_.store().GetBulkOperation(id));
  if (!found) return Status::NotFound("no bulk operation '" + id + "'");
  BulkOperationRecord op = std::move(*found);
  if (op.state != "running") return op;
  std::optional<BulkAction> action = ParseBulkAction(op.action);
  if (!action) return Status::Corruption(fmt::format("bulk operation {}: unknown action '{}'", op.id, op.action));
  SF_ASSIGN_OR_RETURN(ListFilter filter, DecodeFilter(op));
  filter.limit = kBulkPageSize;
  while (stop == nullptr || !stop->load()) {
    filter.after_id = op.cursor;
    SF_ASSIGN_OR_RETURN(std::vector<InstanceRecord> page, service_.store().ListInstances(filter));
    if (page.empty()) {
      op.state = "completed";
      op.finished_at = clock_.NowMs();
    } else {
      for (const InstanceRecord& rec : page) {
        Handle(op, *action, rec);
        op.cursor = rec.id;
      }
    }
    op.updated_at = clock_.NowMs();
    SF_RETURN_IF_ERROR(service_.store().PutBulkOperation(op));
    if (on_progress) on_progress(op);
    if (op.state != "running") break;
  }
  return op;
}

}  // namespace steadfast
