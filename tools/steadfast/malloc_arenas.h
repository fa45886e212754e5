// How many malloc arenas the steadfast process keeps (glibc).
//
// glibc gives threads their own arena, up to 8 per core: 16 on a 2-core
// machine for a serve with 8 workers, an HTTP pool and a committer. Memory a
// worker frees stays in its arena, so the process's resident size grows
// with every arena that ever held a peak, long after the live heap went back
// down (docs/PERFORMANCE.md, "Fan-out memory": a 10,000-item fan-out grew
// 11 MB while its elements ran with 16 arenas, 2.3 MB with 2, the same at
// 2,000 items; throughput the same). One arena per core keeps contention
// where it was (no more threads run at once than there are cores) and the
// resident size flat.
#ifndef STEADFAST_TOOLS_STEADFAST_MALLOC_ARENAS_H_
#define STEADFAST_TOOLS_STEADFAST_MALLOC_ARENAS_H_

namespace steadfast::cli {

// Limits the arenas to one per core (at least 2), before any thread starts.
// A MALLOC_ARENA_MAX in the environment wins: glibc reads it itself, and
// this leaves it alone. Returns the limit set, or 0 when it set none.
int LimitMallocArenas();

}  // namespace steadfast::cli

#endif  // STEADFAST_TOOLS_STEADFAST_MALLOC_ARENAS_H_
