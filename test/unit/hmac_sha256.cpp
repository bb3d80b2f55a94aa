// HMAC-SHA256 with the key's blocks hashed once: RFC 4231's test cases (keys shorter
// than, equal to and longer than SHA-256's 64-byte block), and MACs that stay right when
// one key makes many, in any order.
#include "hmac_sha256.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

using namespace ticketing;

namespace {

std::string hex(const Sha256Digest& digest) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (std::uint8_t byte : digest) {
        out.push_back(digits[byte >> 4U]);
        out.push_back(digits[byte & 0x0fU]);
    }
    return out;
}

std::string mac_hex(const std::vector<std::uint8_t>& key, const std::string& message) {
    HmacSha256 hmac(key.data(), key.size());
    return hex(hmac.mac(message));
}

std::vector<std::uint8_t> repeated(std::uint8_t byte, std::size_t count) {
    return std::vector<std::uint8_t>(count, byte);
}

const std::string larger_key_message = "Test Using Larger Than Block-Size Key - Hash Key First";

} // namespace

BOOST_AUTO_TEST_SUITE(hmac_sha256)

BOOST_AUTO_TEST_CASE(rfc4231_short_keys) {
    BOOST_TEST(mac_hex(repeated(0x0b, 20), "Hi There") ==
               "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    const std::string jefe = "Jefe";
    BOOST_TEST(mac_hex(std::vector<std::uint8_t>(jefe.begin(), jefe.end()),
                       "what do ya want for nothing?") ==
               "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    BOOST_TEST(mac_hex(repeated(0xaa, 20), std::string(50, '\xdd')) ==
               "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
}

BOOST_AUTO_TEST_CASE(rfc4231_keys_longer_than_a_block) {
    BOOST_TEST(mac_hex(repeated(0xaa, 131), larger_key_message) ==
               "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    BOOST_TEST(mac_hex(repeated(0xaa, 131),
                       "This is a test using a larger than block-size key and a larger than "
                       "block-size data. The key needs to be hashed before being used by the "
                       "HMAC algorithm.") ==
               "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

BOOST_AUTO_TEST_CASE(key_of_exactly_one_block) {
    // openssl dgst -sha256 -mac HMAC -macopt hexkey:000102...3f <<< abc (no newline)
    std::vector<std::uint8_t> key(64);
    std::iota(key.begin(), key.end(), std::uint8_t{0});
    BOOST_TEST(mac_hex(key, "abc") ==
               "6ab541b4869dca71c4ca11d8bb1b02533b789a557583161429292c7404bc21f6");
}

BOOST_AUTO_TEST_CASE(one_key_many_macs) {
    // The key's hashed blocks are copied, never consumed: a MAC does not depend on the
    // ones made before it with the same key.
    const auto key = repeated(0xaa, 131);
    HmacSha256 hmac(key.data(), key.size());
    const std::string first = hex(hmac.mac(larger_key_message));
    BOOST_TEST(hex(hmac.mac("Hi There")) == mac_hex(key, "Hi There"));
    BOOST_TEST(hex(hmac.mac("")) == mac_hex(key, ""));
    BOOST_TEST(hex(hmac.mac(larger_key_message)) == first);
    BOOST_TEST(first == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

BOOST_AUTO_TEST_SUITE_END()
