// FreePort (free_port.h).
#include "free_port.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>

namespace steadfast::soak {

int FreePort() {
  std::random_device entropy;  // not the schedule's generator: the seed must not depend on it
  for (int tries = 0; tries < 200; ++tries) {
    const int port = 20000 + static_cast<int>(entropy() % 12000);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    close(fd);
    if (free) return port;
  }
  ADD_FAILURE() << "no free port in 20000..31999";
  return 0;
}

}  // namespace steadfast::soak
