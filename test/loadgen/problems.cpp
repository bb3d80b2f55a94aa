#include "problems.h"

namespace loadgen {

void Problems::add(const std::string& what) {
    ++count;
    if (examples.size() < kMaxExamples) {
        examples.push_back(what);
    }
}

void Problems::merge(const Problems& other) {
    count += other.count;
    for (const std::string& example : other.examples) {
        if (examples.size() < kMaxExamples) {
            examples.push_back(example);
        }
    }
}

} // namespace loadgen
