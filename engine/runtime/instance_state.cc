// InstanceState <-> Value map <-> binary blob.
#include "runtime/instance_state.h"

#include <algorithm>

#include "steadfast/value_codec.h"

namespace steadfast {
namespace {

Value StringList(const std::vector<std::string>& v) {
  Value::List l;
  l.reserve(v.size());
  for (const auto& s : v) l.emplace_back(s);
  return Value(std::move(l));
}

std::vector<std::string> ToStringList(const Value& v) {
  std::vector<std::string> out;
  if (!v.is_list()) return out;
  for (const Value& e : v.AsList()) out.push_back(e.StringOr(""));
  return out;
}

Value IntMap(const std::map<std::string, int>& m) {
  Value::Map out;
  for (const auto& [k, n] : m) out.emplace(k, Value(n));
  return Value(std::move(out));
}

std::map<std::string, int> ToIntMap(const Value& v) {
  std::map<std::string, int> out;
  if (!v.is_map()) return out;
  for (const auto& [k, n] : v.AsMap()) out[k] = static_cast<int>(n.IntOr(0));
  return out;
}

}  // namespace

Result<std::string> InstanceState::Encode() const {
  // Only what differs from a fresh instance: Decode gives every missing
  // field its default, and an instance parked on its first step then keeps
  // a few bytes of state instead of eleven empty fields (PERFORMANCE.md,
  // "Bytes per instance").
  Value v = Value::Map{};
  if (!outputs.empty()) v["outputs"] = Value(outputs);
  if (!inputs.empty()) v["inputs"] = Value(inputs);
  if (!completed.empty()) v["completed"] = StringList(completed);
  if (!compensation_queue.empty()) v["compensation_queue"] = StringList(compensation_queue);
  if (!failures.empty()) v["failures"] = IntMap(failures);
  if (!last_attempt.empty()) v["last_attempt"] = IntMap(last_attempt);
  if (!approvals.empty()) v["approvals"] = Value(approvals);
  if (!failed_step.empty()) v["failed_step"] = failed_step;
  if (!failure_code.empty()) v["failure_code"] = failure_code;
  if (!failure_message.empty()) v["failure_message"] = failure_message;
  if (transitions != 0) v["transitions"] = transitions;
  if (!stop.is_null()) {
    v["stop"] = stop;
    v["stop_pending"] = stop_pending;
  }
  if (!pause_request.is_null()) v["pause_request"] = pause_request;
  if (run > 1) {
    v["run"] = run;
    v["run_started_at"] = run_started_at;
  }
  if (!branches.empty()) {
    Value::Map b;
    for (const auto& [id, status] : branches) b.emplace(id, Value(status));
    v["branches"] = Value(std::move(b));
  }
  if (elements_total > 0) {
    v["elements_total"] = elements_total;
    v["elements_started"] = elements_started;
    v["elements_completed"] = elements_completed;
  }
  return EncodeValue(v);
}

Result<InstanceState> InstanceState::Decode(std::string_view blob) {
  InstanceState s;
  if (blob.empty()) return s;
  SF_ASSIGN_OR_RETURN(Value v, DecodeValue(blob));
  if (!v.is_map()) return Status::Corruption("instance state is not a map");
  if (v.Get("outputs").is_map()) s.outputs = v.Get("outputs").AsMap();
  if (v.Get("inputs").is_map()) s.inputs = v.Get("inputs").AsMap();
  s.completed = ToStringList(v.Get("completed"));
  s.compensation_queue = ToStringList(v.Get("compensation_queue"));
  s.failures = ToIntMap(v.Get("failures"));
  s.last_attempt = ToIntMap(v.Get("last_attempt"));
  if (v.Get("approvals").is_map()) s.approvals = v.Get("approvals").AsMap();
  s.failed_step = v.Get("failed_step").StringOr("");
  s.failure_code = v.Get("failure_code").StringOr("");
  s.failure_message = v.Get("failure_message").StringOr("");
  s.transitions = v.Get("transitions").IntOr(0);
  if (v.Get("stop").is_map()) {
    s.stop = v.Get("stop");
    s.stop_pending = v.Get("stop_pending").is_bool() && v.Get("stop_pending").AsBool();
  }
  if (v.Get("pause_request").is_map()) s.pause_request = v.Get("pause_request");
  s.run = std::max<int64_t>(1, v.Get("run").IntOr(1));
  s.run_started_at = v.Get("run_started_at").IntOr(0);
  if (v.Get("branches").is_map()) {
    for (const auto& [id, status] : v.Get("branches").AsMap()) s.branches[id] = status.StringOr("");
  }
  s.elements_total = v.Get("elements_total").IntOr(0);
  s.elements_started = v.Get("elements_started").IntOr(0);
  s.elements_completed = v.Get("elements_completed").IntOr(0);
  return s;
}

}  // namespace steadfast
