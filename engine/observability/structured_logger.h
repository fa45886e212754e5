// StructuredLogger: the engine's log lines, as JSON or as text.
//
// JSON (one object per line, for log shippers):
//   {"time":"2026-11-23T18:00:00.123Z","level":"info","message":"...",
//    "workflow_id":"wf-1","step":"psp","attempt":2,"trace_id":"4bf9..."}
// (fields absent when unknown). Text (for a person at a terminal):
//   2026-11-23T18:00:00.123Z INFO  [wf-1 psp #2] message
// Every message goes through RedactSecrets first. Writes to stderr or to a
// file opened for appending; one mutex keeps lines whole.
#ifndef STEADFAST_OBSERVABILITY_STRUCTURED_LOGGER_H_
#define STEADFAST_OBSERVABILITY_STRUCTURED_LOGGER_H_

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "steadfast/logger.h"
#include "steadfast/status.h"

namespace steadfast {

enum class LogFormat : int { kAuto = 0, kJson = 1, kText = 2 };
// "auto" | "json" | "text"; InvalidArgument otherwise.
Result<LogFormat> ParseLogFormat(std::string_view text);

class StructuredLogger final : public Logger {
 public:
  // file "" = stderr. kAuto picks text when writing to a terminal, JSON
  // otherwise. Errors: the file cannot be opened (FailedPrecondition).
  static Result<std::unique_ptr<StructuredLogger>> Open(LogFormat format, const std::string& file, LogLevel min_level);
  // Writes to `out` (not owned, not closed) in `format` (kAuto decided on out).
  StructuredLogger(std::FILE* out, LogFormat format, LogLevel min_level);
  ~StructuredLogger() override;
  StructuredLogger(const StructuredLogger&) = delete;
  StructuredLogger& operator=(const StructuredLogger&) = delete;

  void Log(LogLevel level, std::string_view message) override;
  void LogWith(LogLevel level, const LogFields& fields, std::string_view message) override;

  LogFormat format() const { return format_; }

  // One line (without the newline) as it would be written at `time_ms`.
  static std::string FormatLine(LogFormat format, int64_t time_ms, LogLevel level, const LogFields& fields,
                                std::string_view message);

 private:
  std::FILE* out_;
  bool owns_ = false;
  LogFormat format_;
  LogLevel min_level_;
  std::mutex mu_;
};

}  // namespace steadfast

#endif  // STEADFAST_OBSERVABILITY_STRUCTURED_LOGGER_H_
