// Command-line flags: the CLI declares its own verbs exactly as plugins
// declare theirs, with the public CommandSpec, and gets the public
// CommandFlags parsed by CLI11 (steadfast/command_spec.h, command_flags.h).
#ifndef STEADFAST_TOOLS_CLI_FLAGS_H_
#define STEADFAST_TOOLS_CLI_FLAGS_H_

#include "steadfast/command_flags.h"
#include "steadfast/command_spec.h"

namespace steadfast::cli {

using Flags = CommandFlags;
using steadfast::CommandSpec;
using steadfast::ReadArgOrFile;

}  // namespace steadfast::cli

#endif  // STEADFAST_TOOLS_CLI_FLAGS_H_
