// SeededRandom: the engine's Random (ids, retry jitter) from a seed, so a
// run's every draw is fixed by its seed. Single-threaded, as the simulation.
#ifndef STEADFAST_TESTS_SIM_SIM_RANDOM_H_
#define STEADFAST_TESTS_SIM_SIM_RANDOM_H_

#include <cstdint>
#include <random>

#include "core/random.h"

namespace steadfast::sim {

class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : gen_(seed) {}
  // 53 random bits scaled to [0, 1): the same on every standard library.
  double NextUnit() override { return static_cast<double>(gen_() >> 11) * 0x1.0p-53; }
  uint64_t NextU64() override { return gen_(); }

 private:
  std::mt19937_64 gen_;
};

}  // namespace steadfast::sim

#endif  // STEADFAST_TESTS_SIM_SIM_RANDOM_H_
