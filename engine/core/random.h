// Random: the engine's only source of randomness (retry jitter, ids).
// Tests inject a fixed sequence so jittered delays are exact.
#ifndef STEADFAST_CORE_RANDOM_H_
#define STEADFAST_CORE_RANDOM_H_

#include <cstdint>
#include <mutex>
#include <random>
#include <vector>

namespace steadfast {

class Random {
 public:
  virtual ~Random() = default;
  // Uniform in [0, 1). Thread-safe.
  virtual double NextUnit() = 0;
  // 64 random bits. Thread-safe.
  virtual uint64_t NextU64() = 0;
};

// Seeded from std::random_device; mutex-protected mt19937_64.
class SystemRandom final : public Random {
 public:
  SystemRandom() : gen_(std::random_device{}()) {}
  double NextUnit() override {
    std::lock_guard<std::mutex> lock(mu_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(gen_);
  }
  uint64_t NextU64() override {
    std::lock_guard<std::mutex> lock(mu_);
    return gen_();
  }

 private:
  std::mutex mu_;
  std::mt19937_64 gen_;  // GUARDED_BY(mu_)
};

// Returns the given units in a cycle (for tests).
class SequenceRandom final : public Random {
 public:
  explicit SequenceRandom(std::vector<double> units) : units_(std::move(units)) {}
  double NextUnit() override {
    std::lock_guard<std::mutex> lock(mu_);
    double u = units_.empty() ? 0.5 : units_[next_++ % units_.size()];
    return u;
  }
  uint64_t NextU64() override {
    std::lock_guard<std::mutex> lock(mu_);
    return 0x9e3779b97f4a7c15ULL * ++counter_;
  }

 private:
  std::mutex mu_;
  std::vector<double> units_;
  size_t next_ = 0;       // GUARDED_BY(mu_)
  uint64_t counter_ = 0;  // GUARDED_BY(mu_)
};

}  // namespace steadfast

#endif  // STEADFAST_CORE_RANDOM_H_
