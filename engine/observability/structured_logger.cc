// JSON lines via nlohmann::json (never hand-escaped), or aligned text.
#include "observability/structured_logger.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>

#include "observability/log_redaction.h"

namespace steadfast {
namespace {

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

std::string Timestamp(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char ts[40];
  size_t n = std::strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(ts + n, sizeof(ts) - n, ".%03dZ", static_cast<int>(ms % 1000));
  return ts;
}

LogFormat Decide(LogFormat format, std::FILE* out) {
  if (format != LogFormat::kAuto) return format;
  return isatty(fileno(out)) ? LogFormat::kText : LogFormat::kJson;
}

}  // namespace

Result<LogFormat> ParseLogFormat(std::string_view text) {
  if (text == "auto") return LogFormat::kAuto;
  if (text == "json") return LogFormat::kJson;
  if (text == "text") return LogFormat::kText;
  return Status::InvalidArgument("log_format must be auto, json or text (got '" + std::string(text) + "')");
}

Result<std::unique_ptr<StructuredLogger>> StructuredLogger::Open(LogFormat format, const std::string& file,
                                                                 LogLevel min_level) {
  if (file.empty()) return std::make_unique<StructuredLogger>(stderr, format, min_level);
  // A new log file is owner-only (0600 less the umask): lines are redacted,
  // but still name instances, principals and paths.
  const int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  std::FILE* f = fd >= 0 ? ::fdopen(fd, "a") : nullptr;
  if (f == nullptr) {
    if (fd >= 0) ::close(fd);
    return Status::FailedPrecondition("cannot open log_file " + file + ": " + std::strerror(errno));
  }
  auto logger = std::make_unique<StructuredLogger>(f, format, min_level);
  logger->owns_ = true;
  return logger;
}

StructuredLogger::StructuredLogger(std::FILE* out, LogFormat format, LogLevel min_level)
    : out_(out), format_(Decide(format, out)), min_level_(min_level) {}

StructuredLogger::~StructuredLogger() {
  if (owns_) std::fclose(out_);
}

std::string StructuredLogger::FormatLine(LogFormat format, int64_t time_ms, LogLevel level, const LogFields& fields,
                                         std::string_view message) {
  const std::string text = RedactSecrets(message);
  if (format == LogFormat::kJson) {
    nlohmann::ordered_json j;
    j["time"] = Timestamp(time_ms);
    j["level"] = LevelName(level);
    j["message"] = text;
    if (!fields.workflow_id.empty()) j["workflow_id"] = fields.workflow_id;
    if (!fields.step.empty()) j["step"] = fields.step;
    if (fields.attempt > 0) j["attempt"] = fields.attempt;
    if (!fields.trace_id.empty()) j["trace_id"] = fields.trace_id;
    // Invalid UTF-8 is replaced, never allowed to throw out of a log call.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string level_name = LevelName(level);
  for (char& c : level_name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  level_name.resize(5, ' ');
  std::string line = Timestamp(time_ms) + " " + level_name + " ";
  if (!fields.workflow_id.empty()) {
    line += "[" + fields.workflow_id;
    if (!fields.step.empty()) line += " " + fields.step;
    if (fields.attempt > 0) line += " #" + std::to_string(fields.attempt);
    line += "] ";
  }
  // One record per line: a newline inside a message cannot forge another record.
  for (char c : text) line += c == '\n' ? ' ' : c;
  return line;
}

void StructuredLogger::Log(LogLevel level, std::string_view message) { LogWith(level, LogFields{}, message); }

void StructuredLogger::LogWith(LogLevel level, const LogFields& fields, std::string_view message) {
  if (level < min_level_) return;
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  std::string line = FormatLine(format_, now, level, fields, message);
  line += '\n';
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace steadfast
