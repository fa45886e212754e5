// IdGenerator: Stripe-shaped object ids ("re_" + 24 alphanumerics).
//
// Seeded, so a sandbox started with --seed produces the same ids in the same
// order (handy when comparing two runs). Not thread-safe: SandboxService
// calls it under its mutex.
#ifndef STEADFAST_TOOLS_SANDBOX_ID_GENERATOR_H_
#define STEADFAST_TOOLS_SANDBOX_ID_GENERATOR_H_

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace steadfast::sandbox {

class IdGenerator {
 public:
  explicit IdGenerator(uint64_t seed) : rng_(seed) {}

  // prefix + "_" + `length` characters from [0-9A-Za-z].
  std::string Next(std::string_view prefix, int length = 24) {
    static constexpr std::string_view kAlphabet =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
    std::string id(prefix);
    id += '_';
    for (int i = 0; i < length; ++i) id += kAlphabet[pick(rng_)];
    return id;
  }

  // A uniform draw in [0, 1), for settlement outcomes.
  double Uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }

 private:
  std::mt19937_64 rng_;
};

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_ID_GENERATOR_H_
