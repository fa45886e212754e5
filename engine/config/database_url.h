// Which backend a `database:` value (config) or `--db` flag names.
//
// A postgres:// or postgresql:// URL (the prefixes libpq takes as a URI,
// any case, as IsConnectionUri in store/postgres/pg_url.h) selects
// PostgreSQL; anything else is a SQLite file path. The URL is kept exactly
// as written: it is not resolved against the config file's directory as a
// path is. Header-only, so the engine library does not need libpq for it.
#ifndef STEADFAST_CONFIG_DATABASE_URL_H_
#define STEADFAST_CONFIG_DATABASE_URL_H_

#include <cctype>
#include <string_view>

namespace steadfast {

inline bool IsPostgresDatabase(std::string_view database) {
  for (std::string_view prefix : {std::string_view("postgres://"), std::string_view("postgresql://")}) {
    if (database.size() < prefix.size()) continue;
    bool same = true;
    for (size_t i = 0; i < prefix.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(database[i])) == prefix[i];
    }
    if (same) return true;
  }
  return false;
}

}  // namespace steadfast

#endif  // STEADFAST_CONFIG_DATABASE_URL_H_
