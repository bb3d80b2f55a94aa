// The code printed on a sold ticket (a QR code at the door): who may enter with it is
// decided by a MAC, so a sale writes nothing for it and a code cannot be guessed.
//
//   code = "TK1." + base64url(varint(event_id) varint(ticket_id) mac)
//
// where mac is HMAC-SHA256 truncated to 128 bits, under a server-side secret, over
// mac_message(event_id, ticket_id, owner, sold_at): the ticket, its owner and the time of
// the sale (tickets.updated_at of the sold row). A transfer, a release and resale, or a
// rotated secret change what the MAC is over or under, so the old code stops matching.
// This file is the format only (encoding, strict decoding, the message); the MAC is
// hmac_sha256.hpp's, under the secret the backend reads (src/backend/ticket_codes.cpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ticketing {

inline constexpr std::string_view code_prefix = "TK1.";
inline constexpr std::size_t code_mac_bytes = 16; // 128 bits of HMAC-SHA256
// The longest code the format allows: the prefix and two 9-byte varints plus the MAC in
// base64url. Longer text is never a code.
inline constexpr std::size_t max_code_chars = 4 + (9 + 9 + 16 + 2) / 3 * 4;

using CodeMac = std::array<std::uint8_t, code_mac_bytes>;

struct CodeFields {
    std::int64_t event_id;
    std::int64_t ticket_id;
    CodeMac mac;
};

// The code for `fields` (ids must be positive).
std::string encode_code(const CodeFields& fields);

// The fields of a well-formed code; nothing for anything else: another prefix, a
// character outside base64url, padding, non-canonical base64 or varints, ids that are
// not positive, trailing bytes. Every ticket therefore has exactly one spelling.
std::optional<CodeFields> decode_code(std::string_view code);

// The bytes the MAC is computed over: a version tag, the ids and the sale time as 8-byte
// big-endian integers, then the owner (last, so its length needs no prefix).
std::string mac_message(std::int64_t event_id, std::int64_t ticket_id, std::string_view owner,
                        std::int64_t sold_at_micros);

// Compares two MACs in time that does not depend on where they differ.
bool same_mac(const CodeMac& a, const CodeMac& b);

// base64url without padding (RFC 4648 section 5), and its strict inverse: nothing for a
// character outside the alphabet, a length of 1 mod 4, or non-zero unused bits.
std::string base64url_encode(const std::uint8_t* bytes, std::size_t length);
std::optional<std::string> base64url_decode(std::string_view text);

} // namespace ticketing
