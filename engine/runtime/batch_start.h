// Batch start: one workflow instance per line of a JSON Lines file
// (`steadfast start --batch FILE.jsonl WORKFLOW`, POST /v1/workflows:batch).
//
// Every line is the input of one instance and gets its own idempotency key,
// so running the same file again starts nothing twice: the key is
// "batch:<workflow>:<value of the key field>" when a key field is named
// (a dotted path into the line, e.g. reservation.id), else
// "batch:<workflow>:sha256:<hash of the line's JSON>". A line that is not a
// JSON object, lacks its key, or whose input the workflow refuses is
// reported with its line number and the reason; the other lines still start.
#ifndef STEADFAST_RUNTIME_BATCH_START_H_
#define STEADFAST_RUNTIME_BATCH_START_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/workflow_service.h"
#include "steadfast/batch_preview.h"

namespace steadfast {

// At most this many lines in one batch (a bigger file is split by the caller).
inline constexpr size_t kMaxBatchLines = 100000;

struct BatchLine {
  int line = 0;          // 1-based line in the file
  Value input;
  std::string key;       // the instance's idempotency key
};

struct BatchRejection {
  int line = 0;
  std::string reason;
};

struct ParsedBatch {
  std::vector<BatchLine> lines;          // well-formed lines, in file order
  std::vector<BatchRejection> rejected;  // malformed lines: bad JSON, not an object, no key
  int total = 0;                         // non-blank lines read
};

// Splits JSON Lines text into inputs with their keys. Blank lines are
// skipped. InvalidArgument for more than kMaxBatchLines lines.
Result<ParsedBatch> ParseBatch(std::string_view text, const std::string& workflow, const std::string& key_field);

struct BatchStarted {
  int line = 0;
  std::string instance_id;
  bool created = false;  // false: the key had started it before
};

struct BatchReport {
  int total = 0;                         // non-blank lines
  std::vector<BatchStarted> started;     // created or already there, in file order
  std::vector<BatchRejection> rejected;  // by line number
  int created() const;
  int existing() const { return static_cast<int>(started.size()) - created(); }
};

// Called after each line with (lines handled, lines in all).
using BatchProgress = std::function<void(int done, int total)>;

// Starts every line of `batch` with `base` (workflow, version, principals)
// and the line's input and key. A line the service refuses (input invalid,
// the key used with other input) is rejected with the service's message;
// an error of the store itself stops the batch and is returned (the lines
// before it are started; running the batch again finishes it).
Result<BatchReport> RunBatch(WorkflowService& service, const StartOptions& base, const ParsedBatch& batch,
                             const BatchProgress& progress);

// The report as JSON: {total, created, existing, rejected: [{line, reason}],
// instances: [{line, id, created}]}.
Value BatchReportToValue(const BatchReport& report);

// Checks every line against the workflow's declared input, starting
// nothing, and asks `preview` (a plugin's, or null) what the valid lines
// would do: {workflow, total, valid, rejected: [{line, reason}], preview:
// <its json> | null, preview_text: <its text> | ""}. A preview that fails
// is reported in preview_text, never as an error of the batch.
Value PreviewBatch(const WorkflowDef& def, const ParsedBatch& batch, const BatchPreviewFn* preview);

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_BATCH_START_H_
