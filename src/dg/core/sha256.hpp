#pragma once
// SHA-256 (FIPS 180-4) of a byte string, as lower-case hex: checksums of the files domaingraph
// writes and reads (a CAIDA dataset's distribution, a distributed scan's Parquet files).

#include <array>
#include <string>
#include <string_view>

namespace dg {

/// The SHA-256 digest of `data`, 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);
/// The 32 bytes of the SHA-256 digest of `data`.
std::array<unsigned char, 32> sha256_digest(std::string_view data);
/// HMAC-SHA256 (RFC 2104) of `message` under `key`, 64 lower-case hex digits: the signature of
/// a watch's webhook body (X-Domaingraph-Signature: sha256=<hex>).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

} // namespace dg
