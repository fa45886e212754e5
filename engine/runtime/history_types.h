// The names of history events (the audit trail), history::k*: public, in
// steadfast/history.h, so plugins observing committed events use the same
// names. Listed with their data in docs/history.md.
#ifndef STEADFAST_RUNTIME_HISTORY_TYPES_H_
#define STEADFAST_RUNTIME_HISTORY_TYPES_H_

#include "steadfast/history.h"

#endif  // STEADFAST_RUNTIME_HISTORY_TYPES_H_
