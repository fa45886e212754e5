// Durations as ops people write them ("500ms", "30s", "5m", "72h", "7d"):
// the grammar of every time field of a workflow definition. Declared in the
// public steadfast/time_text.h, which plugins share; implemented in
// duration.cc.
#ifndef STEADFAST_DEFINITION_DURATION_H_
#define STEADFAST_DEFINITION_DURATION_H_

#include "steadfast/time_text.h"

#endif  // STEADFAST_DEFINITION_DURATION_H_
