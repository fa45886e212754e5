// A Logger that writes one line per message to stderr, above a level.
#ifndef STEADFAST_CORE_STDERR_LOGGER_H_
#define STEADFAST_CORE_STDERR_LOGGER_H_

#include <mutex>

#include "steadfast/logger.h"

namespace steadfast {

class StderrLogger final : public Logger {
 public:
  explicit StderrLogger(LogLevel min_level = LogLevel::kInfo) : min_level_(min_level) {}
  void Log(LogLevel level, std::string_view message) override;

 private:
  LogLevel min_level_;
  std::mutex mu_;  // keeps lines whole
};

}  // namespace steadfast

#endif  // STEADFAST_CORE_STDERR_LOGGER_H_
