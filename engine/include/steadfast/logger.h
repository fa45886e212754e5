// Logger: how activities and the engine report what they do.
//
// Fields (workflow id, step, attempt) are attached by the engine, so an
// activity only writes the message. Never log secrets or card data.
#ifndef STEADFAST_LOGGER_H_
#define STEADFAST_LOGGER_H_

#include <string_view>

namespace steadfast {

enum class LogLevel : int { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

class Logger {
 public:
  virtual ~Logger() = default;
  // Thread-safe; must not block for long.
  virtual void Log(LogLevel level, std::string_view message) = 0;

  void Debug(std::string_view m) { Log(LogLevel::kDebug, m); }
  void Info(std::string_view m) { Log(LogLevel::kInfo, m); }
  void Warn(std::string_view m) { Log(LogLevel::kWarn, m); }
  void Error(std::string_view m) { Log(LogLevel::kError, m); }
};

// Discards everything.
class NullLogger final : public Logger {
 public:
  void Log(LogLevel, std::string_view) override {}
  static NullLogger& Instance();
};

}  // namespace steadfast

#endif  // STEADFAST_LOGGER_H_
