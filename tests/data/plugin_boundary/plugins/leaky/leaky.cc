// A plugin that reaches around the public API (tests/plugin_boundary_test.sh).
#include <string>

#include "leaky/own.h"
#include "metrics/registry.h"
#include "steadfast/registry.h"
#include "steadfast/no_such_header.h"
