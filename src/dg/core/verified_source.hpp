#pragma once
// Compressed input whose damaged blocks are never delivered (issue 19 item 10): io::open hands
// over everything decodable, which suits MRT dumps (a truncated RIB still yields its records),
// but a domain list read that way had the names decoded from a corrupt gz/bz2 block scanned and
// stored before the damage was noticed (bzip2 checks a block's CRC after writing the block out;
// gzip's CRC-32 covers the whole member).

#include "dg/core/byte_source.hpp"

#include <memory>
#include <string>
#include <vector>

namespace dg::io {

/// Opens `path` ("-" for stdin) as io::open does, except that compressed bytes are delivered
/// only once they checked out: gzip member by member (held until the member's CRC-32 and length
/// matched: deflate blocks have no check of their own; past 64 MiB held, what ended at a deflate
/// block boundary goes first), bzip2 block by block (once libbzip2 checked the block's CRC).
/// Then comes the error, with the offset of the first byte not delivered: nothing of a damaged
/// block is seen. A truncated file delivers what was decoded before the cut, then the error.
/// zstd as io::open. No read-ahead thread. Errors: NotFound, Io; read(): Malformed.
Result<std::unique_ptr<ByteSource>> open_verified(const std::string& path);
/// The same over bytes in memory (tests).
std::unique_ptr<ByteSource> from_memory_verified(std::vector<std::uint8_t> bytes, std::string name);

} // namespace dg::io
