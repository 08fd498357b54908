#pragma once
// Reads a name list line by line from any ByteSource (plain, gzip, bzip2, zstd, stdin) with
// flat memory: one read buffer, whatever the file size.

#include "dg/core/byte_source.hpp"
#include "dg/core/result.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dg::dns {

struct InputLine {
    std::uint64_t number = 0; ///< 1-based
    std::string text;         ///< trimmed; never empty, never a '#' comment
};

class NameLineReader {
public:
    explicit NameLineReader(std::unique_ptr<io::ByteSource> source);
    /// The next non-blank, non-comment line; nullopt at the end. Errors: as ByteSource::read
    /// (Io, Malformed for corrupt compressed input); lines before the error were delivered.
    Result<std::optional<InputLine>> next();
    [[nodiscard]] const std::string& name() const { return source_->name(); }

private:
    std::unique_ptr<io::ByteSource> source_;
    std::vector<std::uint8_t> buf_;
    std::size_t pos_ = 0;
    std::size_t end_ = 0;
    bool eof_ = false;
    std::uint64_t line_ = 0;
    std::string partial_;
};

} // namespace dg::dns
