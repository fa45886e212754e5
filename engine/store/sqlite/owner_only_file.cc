// Creating a database file owner-only before SQLite opens it.
#include "store/sqlite/owner_only_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace steadfast {

void CreateOwnerOnlyIfAbsent(const std::string& path) {
  // O_EXCL: a file that is already there is left exactly as it is.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kOwnerOnlyFileMode);
  if (fd < 0) return;
  // The umask may have taken bits off; set exactly 0600.
  (void)::fchmod(fd, kOwnerOnlyFileMode);
  ::close(fd);
}

}  // namespace steadfast
