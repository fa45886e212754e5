// Database files readable by their owner only.
//
// SQLite creates a new database file with mode 0644 (less the umask) and
// gives its -wal, -shm and -journal files the database file's own mode. A
// refund engine's database holds customers' inputs and the money it moved,
// so the engine creates the file itself first, empty and 0600 whatever the
// umask: SQLite then takes the empty file as a new database, and every file
// it adds beside it is 0600 too. An existing file keeps the mode its
// operator gave it.
#ifndef STEADFAST_STORE_SQLITE_OWNER_ONLY_FILE_H_
#define STEADFAST_STORE_SQLITE_OWNER_ONLY_FILE_H_

#include <string>

namespace steadfast {

inline constexpr unsigned kOwnerOnlyFileMode = 0600;

// Creates path as an empty 0600 file when nothing is there. Does nothing
// when the file exists, and nothing when it cannot be created (a missing
// directory, no permission): opening it next reports that in SQLite's own
// words. Not for "file:" URIs or in-memory names.
void CreateOwnerOnlyIfAbsent(const std::string& path);

}  // namespace steadfast

#endif  // STEADFAST_STORE_SQLITE_OWNER_ONLY_FILE_H_
