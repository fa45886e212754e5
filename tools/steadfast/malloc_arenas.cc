#include "malloc_arenas.h"

#include <algorithm>
#include <cstdlib>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace steadfast::cli {

int LimitMallocArenas() {
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
  if (std::getenv("MALLOC_ARENA_MAX") != nullptr) return 0;
  const int limit = std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  return mallopt(M_ARENA_MAX, limit) == 1 ? limit : 0;
#else
  return 0;
#endif
}

}  // namespace steadfast::cli
