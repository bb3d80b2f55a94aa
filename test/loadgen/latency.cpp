#include "latency.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace loadgen {

void LatencySamples::add(std::chrono::nanoseconds elapsed) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
    const auto cap = static_cast<long long>(std::numeric_limits<std::uint32_t>::max());
    micros_.push_back(static_cast<std::uint32_t>(std::clamp<long long>(micros, 0, cap)));
}

void LatencySamples::merge(const LatencySamples& other) {
    micros_.insert(micros_.end(), other.micros_.begin(), other.micros_.end());
}

double LatencySamples::percentile_ms(double p) const {
    if (micros_.empty()) {
        return 0.0;
    }
    const auto n = micros_.size();
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(n)));
    rank = std::clamp<std::size_t>(rank, 1, n);
    std::vector<std::uint32_t> sorted = micros_;
    const auto nth = sorted.begin() + static_cast<std::ptrdiff_t>(rank - 1);
    std::nth_element(sorted.begin(), nth, sorted.end());
    return *nth / 1000.0;
}

} // namespace loadgen
