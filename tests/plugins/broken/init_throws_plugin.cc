// A plugin whose init throws instead of returning a Status: the engine must
// report it as a load failure naming the file and what(), not terminate.
#include <stdexcept>

#include "steadfast/registry.h"

STEADFAST_PLUGIN(ctx, registry) {
  (void)ctx;
  (void)registry;
  throw std::runtime_error("cannot parse the rules file");
}
