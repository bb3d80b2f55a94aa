// The ticket code's format: encoding, strict decoding (one spelling per ticket), the
// message the MAC covers.
#include "ticket_code.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <string>

using namespace ticketing;

namespace {

CodeFields fields(std::int64_t event_id, std::int64_t ticket_id, std::uint8_t fill = 0xA5) {
    CodeFields f{event_id, ticket_id, {}};
    for (std::size_t i = 0; i < f.mac.size(); ++i) {
        f.mac[i] = static_cast<std::uint8_t>(fill + i);
    }
    return f;
}

std::string bytes(std::initializer_list<int> values) {
    std::string out;
    for (int v : values) {
        out.push_back(static_cast<char>(v));
    }
    return out;
}

// A code whose payload is `payload` (raw bytes), with the right prefix.
std::string code_of(const std::string& payload) {
    return std::string(code_prefix) +
           base64url_encode(reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size());
}

std::string mac_bytes() {
    return std::string(code_mac_bytes, '\x11');
}

} // namespace

BOOST_AUTO_TEST_SUITE(ticket_code)

BOOST_AUTO_TEST_CASE(round_trips_small_and_large_ids) {
    for (const auto& [event_id, ticket_id] :
         {std::pair<std::int64_t, std::int64_t>{1, 1},
          {127, 128},
          {42, 1017},
          {std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::max()}}) {
        const CodeFields original = fields(event_id, ticket_id);
        const std::string code = encode_code(original);
        BOOST_TEST(code.substr(0, 4) == "TK1.");
        BOOST_TEST(code.size() <= max_code_chars);
        const auto decoded = decode_code(code);
        BOOST_REQUIRE(decoded.has_value());
        BOOST_TEST(decoded->event_id == event_id);
        BOOST_TEST(decoded->ticket_id == ticket_id);
        BOOST_TEST(same_mac(decoded->mac, original.mac));
    }
}

BOOST_AUTO_TEST_CASE(small_ids_make_short_codes) {
    // 1 + 2 varint bytes and the MAC: 19 bytes, 26 characters of base64url.
    BOOST_TEST(encode_code(fields(42, 1017)).size() == 4 + 26);
    BOOST_TEST(encode_code(fields(std::numeric_limits<std::int64_t>::max(), 1)).size() == 4 + 35);
}

BOOST_AUTO_TEST_CASE(only_the_exact_prefix_is_a_code) {
    const std::string code = encode_code(fields(3, 4));
    BOOST_TEST(decode_code(code).has_value());
    BOOST_TEST(!decode_code("tk1." + code.substr(4)).has_value());
    BOOST_TEST(!decode_code("TK2." + code.substr(4)).has_value());
    BOOST_TEST(!decode_code(code.substr(4)).has_value());
    BOOST_TEST(!decode_code("").has_value());
    BOOST_TEST(!decode_code("TK1.").has_value());
    BOOST_TEST(!decode_code(" " + code).has_value());
    BOOST_TEST(!decode_code(code + " ").has_value());
}

BOOST_AUTO_TEST_CASE(standard_base64_padding_and_junk_are_refused) {
    const std::string code = encode_code(fields(5, 6, 0xFB)); // bytes that encode to - and _
    std::string standard = code;
    for (char& c : standard) {
        c = c == '-' ? '+' : (c == '_' ? '/' : c);
    }
    BOOST_TEST(code != standard);
    BOOST_TEST(!decode_code(standard).has_value());
    BOOST_TEST(!decode_code(code + "=").has_value());
    BOOST_TEST(!decode_code(code + "==").has_value());
    BOOST_TEST(!decode_code(code.substr(0, 10) + "!" + code.substr(11)).has_value());
    BOOST_TEST(!decode_code(code + std::string(200, 'A')).has_value());
}

BOOST_AUTO_TEST_CASE(every_payload_has_one_spelling) {
    const CodeFields original = fields(42, 1017);
    const std::string code =
        encode_code(original); // 19 bytes: the last character has 4 unused bits
    // Of the 64 characters that could end the code, only the original decodes to the
    // original payload: the others either change the MAC or set unused bits.
    const std::size_t last = code.size() - 1;
    int same_payload = 0;
    int decodable = 0;
    for (char c : std::string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")) {
        std::string variant = code;
        variant[last] = c;
        const auto decoded = decode_code(variant);
        decodable += decoded ? 1 : 0;
        same_payload += decoded && same_mac(decoded->mac, original.mac) ? 1 : 0;
    }
    BOOST_TEST(same_payload == 1);
    BOOST_TEST(decodable == 4); // the 2 used bits' 4 values, unused bits zero
}

BOOST_AUTO_TEST_CASE(varints_must_be_canonical_and_positive) {
    const std::string mac = mac_bytes();
    BOOST_TEST(decode_code(code_of(bytes({0x01, 0x02}) + mac)).has_value());
    // Zero ids.
    BOOST_TEST(!decode_code(code_of(bytes({0x00, 0x02}) + mac)).has_value());
    BOOST_TEST(!decode_code(code_of(bytes({0x01, 0x00}) + mac)).has_value());
    // 1 spelled in two bytes.
    BOOST_TEST(!decode_code(code_of(bytes({0x81, 0x00, 0x02}) + mac)).has_value());
    // Past INT64_MAX: 2^63 needs a last group of 1 after nine full groups.
    BOOST_TEST(!decode_code(code_of(bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                           0x01, 0x02}) +
                                    mac))
                    .has_value());
    // A varint that never ends.
    BOOST_TEST(!decode_code(code_of(bytes({0x81, 0x82, 0x83}))).has_value());
}

BOOST_AUTO_TEST_CASE(the_mac_must_be_exactly_128_bits) {
    BOOST_TEST(!decode_code(code_of(bytes({0x01, 0x02}) + mac_bytes().substr(1))).has_value());
    BOOST_TEST(!decode_code(code_of(bytes({0x01, 0x02}) + mac_bytes() + "x")).has_value());
}

BOOST_AUTO_TEST_CASE(mac_message_names_ticket_owner_and_time) {
    const std::string message = mac_message(1, 2, "alice", 3);
    BOOST_TEST(message.size() == 18 + 24 + 5);
    BOOST_TEST(message.substr(0, 18) == std::string("ticketing code v1") + '\0');
    BOOST_TEST(message.substr(18, 8) == bytes({0, 0, 0, 0, 0, 0, 0, 1}));
    BOOST_TEST(message.substr(26, 8) == bytes({0, 0, 0, 0, 0, 0, 0, 2}));
    BOOST_TEST(message.substr(34, 8) == bytes({0, 0, 0, 0, 0, 0, 0, 3}));
    BOOST_TEST(message.substr(42) == "alice");
    // Every field changes the message.
    BOOST_TEST(mac_message(1, 2, "alice", 3) != mac_message(2, 2, "alice", 3));
    BOOST_TEST(mac_message(1, 2, "alice", 3) != mac_message(1, 3, "alice", 3));
    BOOST_TEST(mac_message(1, 2, "alice", 3) != mac_message(1, 2, "alicf", 3));
    BOOST_TEST(mac_message(1, 2, "alice", 3) != mac_message(1, 2, "alice", 4));
    // Negative times (before 2000, PostgreSQL's epoch) are encoded too.
    BOOST_TEST(mac_message(1, 2, "a", -1).substr(34, 8) ==
               bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
}

BOOST_AUTO_TEST_CASE(macs_compare_whole) {
    const CodeMac a = fields(1, 1, 0x10).mac;
    CodeMac b = a;
    BOOST_TEST(same_mac(a, b));
    b[15] ^= 1;
    BOOST_TEST(!same_mac(a, b));
    b = a;
    b[0] ^= 0x80;
    BOOST_TEST(!same_mac(a, b));
}

BOOST_AUTO_TEST_CASE(base64url_matches_rfc_4648_vectors) {
    const auto enc = [](const std::string& s) {
        return base64url_encode(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
    };
    BOOST_TEST(enc("") == "");
    BOOST_TEST(enc("f") == "Zg");
    BOOST_TEST(enc("fo") == "Zm8");
    BOOST_TEST(enc("foo") == "Zm9v");
    BOOST_TEST(enc("foob") == "Zm9vYg");
    BOOST_TEST(enc("fooba") == "Zm9vYmE");
    BOOST_TEST(enc("foobar") == "Zm9vYmFy");
    BOOST_TEST(enc(bytes({0xFB, 0xFF})) == "-_8");
    BOOST_TEST(base64url_decode("Zm9vYmFy").value() == "foobar");
    BOOST_TEST(base64url_decode("-_8").value() == bytes({0xFB, 0xFF}));
    BOOST_TEST(!base64url_decode("Zm9vY").has_value()); // 1 mod 4
    BOOST_TEST(!base64url_decode("Zh").has_value());    // unused bits set
}

BOOST_AUTO_TEST_SUITE_END()
