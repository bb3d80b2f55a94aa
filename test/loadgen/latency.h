// Per-call latency samples with exact percentiles.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace loadgen {

class LatencySamples {
  public:
    void add(std::chrono::nanoseconds elapsed);
    void merge(const LatencySamples& other);
    std::size_t count() const { return micros_.size(); }
    // Nearest-rank percentile (0 < p <= 100) in milliseconds; 0 if there are no samples.
    double percentile_ms(double p) const;

  private:
    std::vector<std::uint32_t> micros_; // saturates at ~71 minutes
};

} // namespace loadgen
