// A loopback port for a server a test kills and restarts.
#ifndef STEADFAST_TESTS_SOAK_FREE_PORT_H_
#define STEADFAST_TESTS_SOAK_FREE_PORT_H_

namespace steadfast::soak {

// A port nobody listens on now, kept for every restart of the server so
// that clients find it again. Taken below the kernel's ephemeral range
// (32768 and up by default), so no other process's port-0 bind takes it
// while the server is down between a kill and its restart. Fails the test
// (and returns 0) when none is found.
int FreePort();

}  // namespace steadfast::soak

#endif  // STEADFAST_TESTS_SOAK_FREE_PORT_H_
