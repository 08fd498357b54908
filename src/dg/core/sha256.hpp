#pragma once
// SHA-256 (FIPS 180-4) of a byte string, as lower-case hex: checksums of the files domaingraph
// writes and reads (a CAIDA dataset's distribution, a distributed scan's Parquet files).

#include <string>
#include <string_view>

namespace dg {

/// The SHA-256 digest of `data`, 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);

} // namespace dg
