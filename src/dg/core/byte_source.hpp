#pragma once
// Streaming byte input: plain files, gzip, bzip2, zstd (detected by magic bytes) and stdin.

#include "dg/core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace dg::io {

enum class Compression { None, Gzip, Bzip2, Zstd };

/// A forward-only stream of (decompressed) bytes.
class ByteSource {
public:
    virtual ~ByteSource() = default;
    /// Reads up to `out.size()` bytes. Returns 0 at the end of the stream. Errors: Io, Malformed
    /// (corrupt or truncated compressed data; everything decodable before it was delivered).
    virtual Result<std::size_t> read(std::span<std::uint8_t> out) = 0;
    /// Name for messages ("stdin", a path).
    [[nodiscard]] virtual const std::string& name() const = 0;
    /// Size of the underlying (possibly compressed) file, if known.
    [[nodiscard]] virtual std::optional<std::uint64_t> raw_size() const { return std::nullopt; }
    /// Bytes consumed from the underlying file so far (for progress on compressed input).
    [[nodiscard]] virtual std::uint64_t raw_position() const = 0;

    /// Reads until `out` is full or the stream ends; returns the count read.
    Result<std::size_t> read_fully(std::span<std::uint8_t> out);
};

struct OpenOptions {
    /// Compressed input is decompressed on a background thread, up to 1 MiB ahead of the
    /// reader. Off for callers that read only the first bytes (format sniffing).
    bool read_ahead = true;
};

/// Opens `path` ("-" for stdin) and decompresses transparently by magic bytes.
/// Errors: NotFound, Io.
Result<std::unique_ptr<ByteSource>> open(const std::string& path, OpenOptions options);
inline Result<std::unique_ptr<ByteSource>> open(const std::string& path) {
    return open(path, OpenOptions{});
}
/// A source over bytes in memory (copied). Compressed data is detected as with files.
std::unique_ptr<ByteSource> from_memory(std::vector<std::uint8_t> bytes, std::string name);
/// Reads a whole source into memory (limit: `max_bytes`). Errors: as read(), ResourceExhausted.
Result<std::vector<std::uint8_t>> read_all(ByteSource& source,
                                           std::size_t max_bytes = std::size_t{1} << 34);
/// Detects the compression of a buffer's first bytes.
Compression detect_compression(std::span<const std::uint8_t> head);

} // namespace dg::io
