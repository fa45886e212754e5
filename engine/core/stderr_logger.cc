// Timestamped stderr lines: "2026-11-23T18:00:00.123Z WARN message".
#include "core/stderr_logger.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace steadfast {

void StderrLogger::Log(LogLevel level, std::string_view message) {
  if (level < min_level_) return;
  static const char* kNames[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char ts[32];
  std::strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
  std::lock_guard<std::mutex> lock(mu_);
  std::fprintf(stderr, "%s.%03dZ %s %.*s\n", ts, ms, kNames[static_cast<int>(level)], static_cast<int>(message.size()),
               message.data());
}

}  // namespace steadfast
