// Connection strings in messages: the password never reaches a log.
//
// libpq accepts a URI (postgres://user:secret@host:5432/db?sslmode=require)
// or key/value text (host=h user=u password='se cret'). Every message of
// the PostgreSQL layer that names the database uses RedactConnectionString
// on it first; nothing else in the layer prints the string.
#ifndef STEADFAST_STORE_POSTGRES_PG_URL_H_
#define STEADFAST_STORE_POSTGRES_PG_URL_H_

#include <string>
#include <string_view>
#include <vector>

namespace steadfast {

// The connection string with every password replaced by "***": the
// user-info password of a URI (each host of a multi-host URI), a
// `password=` URI query parameter, and a `password` key of key/value text
// (quoted or not). Everything else is kept as written, so the operator
// still sees which host, port, database and options were used.
std::string RedactConnectionString(std::string_view conninfo);

// The passwords of conninfo as written there (percent-encoded in a URI;
// quoted, and unquoted, in key/value text): exactly what
// RedactConnectionString masks. Empty ones are left out.
std::vector<std::string> ConnectionStringSecrets(std::string_view conninfo);

// text with every one of ConnectionStringSecrets(conninfo) replaced by
// "***". For libpq's messages, which may quote a piece of the string, or
// all of it ("invalid percent-encoded token: \"<password>\"").
std::string ScrubConnectionSecrets(std::string_view text, std::string_view conninfo);

// True for a URI (postgres:// or postgresql://), false for key/value text.
bool IsConnectionUri(std::string_view conninfo);

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_URL_H_
