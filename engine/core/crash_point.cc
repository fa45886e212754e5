// Crash point selection, parsed once from the environment.
#include "core/crash_point.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

namespace steadfast {
namespace {

struct CrashSpec {
  bool armed = false;
  std::string point;
  std::string step;  // "" = any step
  long nth = 1;
  std::atomic<long> hits{0};
};

CrashSpec& Spec() {
  static CrashSpec spec;
  return spec;
}

void Load(CrashSpec& s) {
  s.armed = false;
  s.hits = 0;
  const char* env = std::getenv("STEADFAST_CRASH_AT");
  if (env == nullptr || *env == '\0') return;
  std::string v(env);
  size_t at = v.find('@');
  s.nth = 1;
  if (at != std::string::npos) {
    s.nth = std::strtol(v.c_str() + at + 1, nullptr, 10);
    if (s.nth < 1) s.nth = 1;
    v.resize(at);
  }
  size_t colon = v.find(':');
  s.point = v.substr(0, colon);
  s.step = colon == std::string::npos ? "" : v.substr(colon + 1);
  s.armed = true;
}

std::once_flag g_once;

}  // namespace

void CrashPoint(std::string_view point, std::string_view step) {
  CrashSpec& s = Spec();
  std::call_once(g_once, [&] { Load(s); });
  if (!s.armed || point != s.point) return;
  if (!s.step.empty() && step != s.step) return;
  if (s.hits.fetch_add(1) + 1 != s.nth) return;
  std::fprintf(stderr, "steadfast: crash point %.*s reached, exiting 137\n", static_cast<int>(point.size()),
               point.data());
  std::fflush(stderr);
  _exit(137);
}

void ReloadCrashPointsForTest() {
  std::call_once(g_once, [] {});
  Load(Spec());
}

}  // namespace steadfast
