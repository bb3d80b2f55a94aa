#include "ticket_code.hpp"

namespace ticketing {

namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int sextet(char c) {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '-') {
        return 62;
    }
    if (c == '_') {
        return 63;
    }
    return -1;
}

// Unsigned LEB128: seven bits a byte, low bits first.
void put_varint(std::string& out, std::uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<char>((value & 0x7F) | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

// A positive int64 in canonical LEB128 (no redundant trailing zero groups), advancing
// `pos`; nothing when it is not one.
std::optional<std::int64_t> take_varint(const std::string& bytes, std::size_t& pos) {
    std::uint64_t value = 0;
    for (int shift = 0, n = 0; n < 10; ++n, shift += 7) {
        if (pos >= bytes.size()) {
            return std::nullopt;
        }
        const auto byte = static_cast<std::uint8_t>(bytes[pos++]);
        const std::uint64_t group = byte & 0x7F;
        if (shift == 63 && group > 1) {
            return std::nullopt; // past 64 bits
        }
        value |= group << shift;
        if ((byte & 0x80) == 0) {
            if (group == 0 && n > 0) {
                return std::nullopt; // overlong: a last group of zeros
            }
            if (value == 0 || value > static_cast<std::uint64_t>(INT64_MAX)) {
                return std::nullopt;
            }
            return static_cast<std::int64_t>(value);
        }
    }
    return std::nullopt;
}

void put_be64(std::string& out, std::uint64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8) {
        out.push_back(static_cast<char>((value >> shift) & 0xFF));
    }
}

} // namespace

std::string base64url_encode(const std::uint8_t* bytes, std::size_t length) {
    std::string out;
    out.reserve((length + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= length; i += 3) {
        const std::uint32_t n =
            (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
        out.push_back(alphabet[(n >> 18) & 63]);
        out.push_back(alphabet[(n >> 12) & 63]);
        out.push_back(alphabet[(n >> 6) & 63]);
        out.push_back(alphabet[n & 63]);
    }
    if (length - i == 1) {
        const std::uint32_t n = std::uint32_t{bytes[i]} << 16;
        out.push_back(alphabet[(n >> 18) & 63]);
        out.push_back(alphabet[(n >> 12) & 63]);
    } else if (length - i == 2) {
        const std::uint32_t n =
            (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8);
        out.push_back(alphabet[(n >> 18) & 63]);
        out.push_back(alphabet[(n >> 12) & 63]);
        out.push_back(alphabet[(n >> 6) & 63]);
    }
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    if (text.size() % 4 == 1) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(text.size() / 4 * 3 + 2);
    std::uint32_t bits = 0;
    int count = 0;
    for (const char c : text) {
        const int value = sextet(c);
        if (value < 0) {
            return std::nullopt;
        }
        bits = (bits << 6) | static_cast<std::uint32_t>(value);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out.push_back(static_cast<char>((bits >> count) & 0xFF));
        }
    }
    // The bits left over must be zero: one spelling per byte string.
    if ((bits & ((1u << count) - 1)) != 0) {
        return std::nullopt;
    }
    return out;
}

std::string encode_code(const CodeFields& fields) {
    std::string payload;
    put_varint(payload, static_cast<std::uint64_t>(fields.event_id));
    put_varint(payload, static_cast<std::uint64_t>(fields.ticket_id));
    payload.append(reinterpret_cast<const char*>(fields.mac.data()), fields.mac.size());
    return std::string(code_prefix) +
           base64url_encode(reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size());
}

std::optional<CodeFields> decode_code(std::string_view code) {
    if (code.size() > max_code_chars || code.substr(0, code_prefix.size()) != code_prefix) {
        return std::nullopt;
    }
    const auto payload = base64url_decode(code.substr(code_prefix.size()));
    if (!payload) {
        return std::nullopt;
    }
    std::size_t pos = 0;
    const auto event_id = take_varint(*payload, pos);
    if (!event_id) {
        return std::nullopt;
    }
    const auto ticket_id = take_varint(*payload, pos);
    if (!ticket_id || payload->size() - pos != code_mac_bytes) {
        return std::nullopt;
    }
    CodeFields fields{*event_id, *ticket_id, {}};
    for (std::size_t i = 0; i < code_mac_bytes; ++i) {
        fields.mac[i] = static_cast<std::uint8_t>((*payload)[pos + i]);
    }
    return fields;
}

std::string mac_message(std::int64_t event_id, std::int64_t ticket_id, std::string_view owner,
                        std::int64_t sold_at_micros) {
    std::string message("ticketing code v1");
    message.push_back('\0');
    put_be64(message, static_cast<std::uint64_t>(event_id));
    put_be64(message, static_cast<std::uint64_t>(ticket_id));
    put_be64(message, static_cast<std::uint64_t>(sold_at_micros));
    message.append(owner.data(), owner.size());
    return message;
}

bool same_mac(const CodeMac& a, const CodeMac& b) {
    std::uint8_t difference = 0;
    for (std::size_t i = 0; i < code_mac_bytes; ++i) {
        difference |= static_cast<std::uint8_t>(a[i] ^ b[i]);
    }
    return difference == 0;
}

} // namespace ticketing
