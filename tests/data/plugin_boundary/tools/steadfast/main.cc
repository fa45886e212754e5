// A CLI that includes a plugin's header (tests/plugin_boundary_test.sh).
#include "leaky/own.h"
