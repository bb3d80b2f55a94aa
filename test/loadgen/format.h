// Plain-text formatting helpers for progress lines and result tables.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace loadgen {

// 1234567 -> "1,234,567"
std::string with_commas(std::uint64_t value);
std::string with_commas(std::int64_t value);
// Rounded to a whole number, with thousands separators.
std::string rate(double per_second);
// Fixed-point with `decimals` digits.
std::string fixed(double value, int decimals);

// Two-column table: labels left-aligned, values right-aligned.
class Table {
  public:
    void add(const std::string& label, const std::string& value);
    void print(std::ostream& out) const;

  private:
    std::vector<std::pair<std::string, std::string>> rows_;
};

} // namespace loadgen
