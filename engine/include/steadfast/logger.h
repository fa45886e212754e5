// Logger: how activities and the engine report what they do.
//
// Fields (workflow id, step, attempt) are attached by the engine, so an
// activity only writes the message. Never log secrets or card data.
#ifndef STEADFAST_LOGGER_H_
#define STEADFAST_LOGGER_H_

#include <string>
#include <string_view>
#include <utility>

namespace steadfast {

enum class LogLevel : int { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// What a message is about; empty fields (attempt 0) are left out of the line.
struct LogFields {
  std::string workflow_id;
  std::string step;
  int attempt = 0;
  std::string trace_id;  // 32 hex digits of the W3C trace context, when known
};

// The trace id of a W3C traceparent ("00-<32 hex trace id>-<16 hex span
// id>-<flags>"); "" when it is empty or malformed.
inline std::string TraceIdOf(std::string_view traceparent) {
  if (traceparent.size() < 55 || traceparent[2] != '-' || traceparent[35] != '-') return "";
  return std::string(traceparent.substr(3, 32));
}

class Logger {
 public:
  virtual ~Logger() = default;
  // Thread-safe; must not block for long.
  virtual void Log(LogLevel level, std::string_view message) = 0;
  // The same with fields; loggers that cannot show fields drop them.
  virtual void LogWith(LogLevel level, const LogFields& fields, std::string_view message) {
    (void)fields;
    Log(level, message);
  }

  void Debug(std::string_view m) { Log(LogLevel::kDebug, m); }
  void Info(std::string_view m) { Log(LogLevel::kInfo, m); }
  void Warn(std::string_view m) { Log(LogLevel::kWarn, m); }
  void Error(std::string_view m) { Log(LogLevel::kError, m); }
};

// Attaches fields to every message and passes it on to another logger: the
// engine gives each activity attempt one, so activities write only the message.
class FieldLogger final : public Logger {
 public:
  FieldLogger(Logger& base, LogFields fields) : base_(base), fields_(std::move(fields)) {}
  void Log(LogLevel level, std::string_view message) override { base_.LogWith(level, fields_, message); }
  void LogWith(LogLevel level, const LogFields& fields, std::string_view message) override {
    base_.LogWith(level, fields, message);
  }

 private:
  Logger& base_;
  const LogFields fields_;
};

// Discards everything.
class NullLogger final : public Logger {
 public:
  void Log(LogLevel, std::string_view) override {}
  static NullLogger& Instance();
};

}  // namespace steadfast

#endif  // STEADFAST_LOGGER_H_
