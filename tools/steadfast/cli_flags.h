// Command-line flags: the CLI parses its own verbs' arguments exactly as
// plugin verbs do, with the public CommandFlags (steadfast/command_flags.h).
#ifndef STEADFAST_TOOLS_CLI_FLAGS_H_
#define STEADFAST_TOOLS_CLI_FLAGS_H_

#include "steadfast/command_flags.h"

namespace steadfast::cli {

using Flags = CommandFlags;
using steadfast::ReadArgOrFile;

}  // namespace steadfast::cli

#endif  // STEADFAST_TOOLS_CLI_FLAGS_H_
