// A plugin that needs a symbol no steadfast binary provides, as one built
// against another version's headers would: dlopen (RTLD_NOW) must refuse it
// and the message must name the symbol, demangled.
#include "steadfast/registry.h"

namespace steadfast {
Status FunctionThisEngineDoesNotHave(int);  // declared, defined nowhere
}  // namespace steadfast

STEADFAST_PLUGIN(ctx, registry) {
  (void)ctx;
  (void)registry;
  return steadfast::FunctionThisEngineDoesNotHave(1);
}
