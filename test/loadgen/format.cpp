#include "format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

namespace loadgen {

std::string with_commas(std::uint64_t value) {
    std::string digits = std::to_string(value);
    std::string out;
    const std::size_t n = digits.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0 && (n - i) % 3 == 0) {
            out.push_back(',');
        }
        out.push_back(digits[i]);
    }
    return out;
}

std::string with_commas(std::int64_t value) {
    if (value < 0) {
        return "-" + with_commas(static_cast<std::uint64_t>(-(value + 1)) + 1);
    }
    return with_commas(static_cast<std::uint64_t>(value));
}

std::string rate(double per_second) {
    if (!std::isfinite(per_second) || per_second < 0) {
        return "0";
    }
    return with_commas(static_cast<std::uint64_t>(std::llround(per_second)));
}

std::string fixed(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

void Table::add(const std::string& label, const std::string& value) {
    rows_.emplace_back(label, value);
}

void Table::print(std::ostream& out) const {
    std::size_t label_width = 0;
    std::size_t value_width = 0;
    for (const auto& [label, value] : rows_) {
        label_width = std::max(label_width, label.size());
        value_width = std::max(value_width, value.size());
    }
    for (const auto& [label, value] : rows_) {
        out << label << std::string(label_width - label.size() + 2, ' ')
            << std::string(value_width - value.size(), ' ') << value << '\n';
    }
}

} // namespace loadgen
