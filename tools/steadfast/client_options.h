// What the client verbs share (cmd_client.cc, cmd_deploy.cc, and any verb
// that acts on a serving engine): the options for local mode (the store's)
// and --server mode, and talking to the server.
#ifndef STEADFAST_TOOLS_CLIENT_OPTIONS_H_
#define STEADFAST_TOOLS_CLIENT_OPTIONS_H_

#include "cli_flags.h"
#include "http_client.h"

namespace steadfast::cli {

// Adds --config --db --workflows --sync (local mode) and --server URL
// --cacert FILE (HTTP mode, token in STEADFAST_TOKEN).
CommandSpec& ClientOptions(CommandSpec& spec);
// Only --server URL --cacert FILE, for verbs that need a serving engine.
CommandSpec& ServerOptions(CommandSpec& spec);

// --server was given.
bool ServerMode(const Flags& flags);

// A client of --server's API with the token of STEADFAST_TOKEN and the CA
// of --cacert / STEADFAST_CACERT.
ApiClient MakeApiClient(const Flags& flags);

// The exit code and message (printed) for a failed exchange: refusals (4xx)
// are 1, a 400 is 2 when input_is_usage, the rest (5xx, 429, no answer) 3.
int RemoteFail(const Result<ApiReply>& r, bool input_is_usage = false);

}  // namespace steadfast::cli

#endif  // STEADFAST_TOOLS_CLIENT_OPTIONS_H_
