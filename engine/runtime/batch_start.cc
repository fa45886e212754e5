// Batch start: JSON Lines in, one instance per line with its own key.
#include "runtime/batch_start.h"

#include <algorithm>

#include <fmt/format.h>

#include "definition/content_hash.h"

namespace steadfast {
namespace {

// The value at a dotted path ("reservation.id") of a line, as key text.
Result<std::string> KeyValue(const Value& line, const std::string& field) {
  const Value* v = &line;
  size_t start = 0;
  while (start <= field.size()) {
    size_t dot = field.find('.', start);
    std::string part = field.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    v = v->is_map() ? v->Find(part) : nullptr;
    if (v == nullptr) return Status::InvalidArgument("no '" + field + "' in the line (the key field)");
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (v->is_string() && !v->AsString().empty()) return v->AsString();
  if (v->is_int()) return std::to_string(v->AsInt());
  return Status::InvalidArgument("the key field '" + field + "' must be a non-empty string or an integer, not " +
                                 std::string(Value::TypeName(v->type())));
}

}  // namespace

int BatchReport::created() const {
  return static_cast<int>(std::count_if(started.begin(), started.end(), [](const BatchStarted& s) { return s.created; }));
}

Result<ParsedBatch> ParseBatch(std::string_view text, const std::string& workflow, const std::string& key_field) {
  ParsedBatch batch;
  int number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view raw = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    ++number;
    if (raw.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (++batch.total > static_cast<int>(kMaxBatchLines)) {
      return Status::InvalidArgument(fmt::format("a batch holds at most {} lines; split the file", kMaxBatchLines));
    }
    Result<Value> parsed = Value::FromJson(raw);
    if (!parsed.ok()) {
      batch.rejected.push_back({number, "bad JSON: " + std::string(ValueTooDeepMessage(parsed.status()))});
      continue;
    }
    if (!parsed->is_map()) {
      batch.rejected.push_back(
          {number, "the line must be a JSON object (the input), not " + std::string(Value::TypeName(parsed->type()))});
      continue;
    }
    std::string key;
    if (key_field.empty()) {
      key = "batch:" + workflow + ":sha256:" + Sha256Hex(parsed->ToJson());
    } else {
      Result<std::string> value = KeyValue(*parsed, key_field);
      if (!value.ok()) {
        batch.rejected.push_back({number, value.status().message()});
        continue;
      }
      key = "batch:" + workflow + ":" + *value;
    }
    batch.lines.push_back({number, std::move(parsed).value(), std::move(key)});
  }
  return batch;
}

Result<BatchReport> RunBatch(WorkflowService& service, const StartOptions& base, const ParsedBatch& batch,
                             const BatchProgress& progress) {
  BatchReport report;
  report.total = batch.total;
  report.rejected = batch.rejected;
  const int total = static_cast<int>(batch.lines.size() + batch.rejected.size());
  int done = static_cast<int>(batch.rejected.size());
  for (const BatchLine& line : batch.lines) {
    StartOptions options = base;
    options.input = line.input;
    options.idempotency_key = line.key;
    options.id.clear();
    Result<StartResult> r = service.Start(options);
    if (r.ok()) {
      report.started.push_back({line.line, r->instance.id, r->outcome == StartOutcome::kCreated});
    } else {
      switch (r.status().code()) {
        case StatusCode::kInvalidArgument:
        case StatusCode::kConflict:
        case StatusCode::kAlreadyExists:
          report.rejected.push_back({line.line, r.status().message()});
          break;
        default:
          // The store or the definition failed: the lines after this one
          // would fail alike. What started stays started; a re-run goes on.
          return Status(r.status().code(), fmt::format("line {}: {}", line.line, r.status().message()));
      }
    }
    ++done;
    if (progress) progress(done, total);
  }
  std::sort(report.rejected.begin(), report.rejected.end(),
            [](const BatchRejection& a, const BatchRejection& b) { return a.line < b.line; });
  return report;
}

Value BatchReportToValue(const BatchReport& report) {
  Value::List rejected;
  for (const BatchRejection& r : report.rejected) rejected.push_back(Value::Map{{"line", r.line}, {"reason", r.reason}});
  Value::List instances;
  for (const BatchStarted& s : report.started) {
    instances.push_back(Value::Map{{"line", s.line}, {"id", s.instance_id}, {"created", s.created}});
  }
  return Value::Map{{"total", report.total},
                    {"created", report.created()},
                    {"existing", report.existing()},
                    {"rejected", Value(std::move(rejected))},
                    {"instances", Value(std::move(instances))}};
}

Value PreviewBatch(const WorkflowDef& def, const ParsedBatch& batch, const BatchPreviewFn* preview) {
  std::vector<BatchRejection> rejected = batch.rejected;
  std::vector<BatchPreviewItem> items;
  for (const BatchLine& line : batch.lines) {
    Status valid = ValidateInput(def, line.input);
    if (!valid.ok()) {
      rejected.push_back({line.line, valid.message()});
      continue;
    }
    items.push_back({line.line, line.input});
  }
  std::sort(rejected.begin(), rejected.end(),
            [](const BatchRejection& a, const BatchRejection& b) { return a.line < b.line; });
  Value::List rejected_list;
  for (const BatchRejection& r : rejected) rejected_list.push_back(Value::Map{{"line", r.line}, {"reason", r.reason}});
  Value out = Value::Map{{"workflow", def.name},
                         {"total", batch.total},
                         {"valid", static_cast<int64_t>(items.size())},
                         {"rejected", Value(std::move(rejected_list))},
                         {"preview", Value()},
                         {"preview_text", ""}};
  if (preview != nullptr) {
    Result<BatchPreview> said = (*preview)(items);
    if (said.ok()) {
      out["preview"] = said->json;
      out["preview_text"] = said->text;
    } else {
      out["preview_text"] = "the preview failed: " + said.status().message() + "\n";
    }
  }
  return out;
}

}  // namespace steadfast
