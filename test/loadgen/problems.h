// A count of problems of one kind, with the first few described.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace loadgen {

struct Problems {
    static constexpr std::size_t kMaxExamples = 5;

    std::uint64_t count = 0;
    std::vector<std::string> examples;

    void add(const std::string& what);
    void merge(const Problems& other);
};

} // namespace loadgen
