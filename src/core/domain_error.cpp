#include "domain_error.hpp"

namespace ticketing {

std::string quoted(std::string_view text) {
    if (text.size() <= max_quoted_bytes) {
        return "\"" + std::string(text) + "\"";
    }
    std::size_t cut = max_quoted_bytes;
    // Back up over UTF-8 continuation bytes (10xxxxxx) to a character's first byte.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    return "\"" + std::string(text.substr(0, cut)) + "...\" (" + std::to_string(text.size()) +
           " bytes)";
}

} // namespace ticketing
