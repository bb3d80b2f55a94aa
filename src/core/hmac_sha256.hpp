// HMAC-SHA256 (RFC 2104) under one key, for the ticket codes' MACs. The two padded key
// blocks are hashed once, when the key is set; each MAC then hashes only its message and
// the inner digest, from copies of those two states. PostgreSQL's pg_hmac makes a new
// context per MAC instead (an allocation, the algorithm looked up, the key hashed
// again): 2-10 µs of a backend's CPU per sold ticket, against well under 1 µs here.
// SHA-256 is OpenSSL's (EVP), as PostgreSQL's own HMAC uses.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

// OpenSSL's digest context, declared here so that only hmac_sha256.cpp includes OpenSSL.
struct evp_md_ctx_st;

namespace ticketing {

inline constexpr std::size_t sha256_digest_bytes = 32;
using Sha256Digest = std::array<std::uint8_t, sha256_digest_bytes>;

class HmacSha256 {
  public:
    // Any key length (a key longer than SHA-256's 64-byte block is hashed first, as RFC
    // 2104 says). Throws std::bad_alloc, or std::runtime_error if OpenSSL fails.
    HmacSha256(const std::uint8_t* key, std::size_t length);

    // The MAC of `message`. Not for concurrent use (one context is reused per call).
    Sha256Digest mac(std::string_view message);

  private:
    struct FreeContext {
        void operator()(evp_md_ctx_st* context) const noexcept;
    };
    using Context = std::unique_ptr<evp_md_ctx_st, FreeContext>;

    Context inner_; // SHA-256 after (key XOR ipad)
    Context outer_; // SHA-256 after (key XOR opad)
    Context work_;
};

} // namespace ticketing
