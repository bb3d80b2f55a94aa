#include "hmac_sha256.hpp"

#include <algorithm>
#include <new>
#include <stdexcept>
#include <string>

#include <openssl/evp.h>

namespace ticketing {

namespace {

constexpr std::size_t sha256_block_bytes = 64;

void check(int ok, const char* what) {
    if (ok != 1) {
        throw std::runtime_error(std::string("ticketing: OpenSSL could not ") + what);
    }
}

// SHA-256 of one padded key block, left open for more input.
void start_with(EVP_MD_CTX* context, const std::array<std::uint8_t, sha256_block_bytes>& block) {
    check(EVP_DigestInit_ex(context, EVP_sha256(), nullptr), "start SHA-256");
    check(EVP_DigestUpdate(context, block.data(), block.size()), "hash a key block");
}

// Ends `context` (a copy of a started one, fed) into `digest`.
void finish(EVP_MD_CTX* context, Sha256Digest& digest) {
    unsigned int length = 0;
    check(EVP_DigestFinal_ex(context, digest.data(), &length), "finish SHA-256");
    if (length != digest.size()) {
        throw std::runtime_error("ticketing: SHA-256 gave a digest of an unexpected length");
    }
}

} // namespace

void HmacSha256::FreeContext::operator()(EVP_MD_CTX* context) const noexcept {
    EVP_MD_CTX_free(context);
}

HmacSha256::HmacSha256(const std::uint8_t* key, std::size_t length)
    : inner_(EVP_MD_CTX_new()), outer_(EVP_MD_CTX_new()), work_(EVP_MD_CTX_new()) {
    if (!inner_ || !outer_ || !work_) {
        throw std::bad_alloc();
    }
    std::array<std::uint8_t, sha256_block_bytes> padded{}; // the key, zero-padded
    if (length > padded.size()) {
        Sha256Digest hashed{};
        check(EVP_DigestInit_ex(work_.get(), EVP_sha256(), nullptr), "start SHA-256");
        check(EVP_DigestUpdate(work_.get(), key, length), "hash the key");
        finish(work_.get(), hashed);
        std::copy(hashed.begin(), hashed.end(), padded.begin());
    } else if (length > 0) {
        std::copy(key, key + length, padded.begin());
    }
    std::array<std::uint8_t, sha256_block_bytes> block{};
    for (std::size_t i = 0; i < block.size(); ++i) {
        block[i] = static_cast<std::uint8_t>(padded[i] ^ 0x36U);
    }
    start_with(inner_.get(), block);
    for (std::size_t i = 0; i < block.size(); ++i) {
        block[i] = static_cast<std::uint8_t>(padded[i] ^ 0x5cU);
    }
    start_with(outer_.get(), block);
}

Sha256Digest HmacSha256::mac(std::string_view message) {
    Sha256Digest inner{};
    check(EVP_MD_CTX_copy_ex(work_.get(), inner_.get()), "copy a SHA-256 state");
    check(EVP_DigestUpdate(work_.get(), message.data(), message.size()), "hash the message");
    finish(work_.get(), inner);
    Sha256Digest digest{};
    check(EVP_MD_CTX_copy_ex(work_.get(), outer_.get()), "copy a SHA-256 state");
    check(EVP_DigestUpdate(work_.get(), inner.data(), inner.size()), "hash the inner digest");
    finish(work_.get(), digest);
    return digest;
}

} // namespace ticketing
