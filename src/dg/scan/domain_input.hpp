#pragma once
// The scan's input: a domain list read line by line (plain/gz/bz2/zstd/stdin), validated,
// de-duplicated, and without the names a resumed scan already finished. Memory: one 8-byte
// fingerprint per distinct name (a 10-million-name list needs ~256 MiB at most).

#include "dg/core/byte_source.hpp"
#include "dg/core/result.hpp"
#include "dg/dns/name_input.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dg::scan {

/// A set of 64-bit name fingerprints (XXH3) in one open-addressing array. False positives are
/// possible in theory (about 3e-6 for 10 million names) and would skip one name.
class FingerprintSet {
public:
    /// True when `name` was not in the set yet.
    bool insert(std::string_view name);
    [[nodiscard]] bool contains(std::string_view name) const;
    [[nodiscard]] std::size_t size() const { return size_; }

private:
    static std::uint64_t fingerprint(std::string_view name);
    void grow();
    std::vector<std::uint64_t> slots_; ///< 0 = empty (a zero fingerprint is stored as 1)
    std::size_t size_ = 0;
};

/// One line of the list: a valid name, or an invalid one recorded with its reason.
struct InputItem {
    bool valid = true;
    std::string name; ///< canonical name; for an invalid line its text made printable (≤ 255)
    std::uint64_t line = 0;
    std::string error; ///< why the line is not a valid name
};

struct InputStats {
    std::uint64_t lines = 0;        ///< non-blank, non-comment lines read
    std::uint64_t invalid = 0;      ///< of which not a valid name
    std::uint64_t duplicates = 0;   ///< skipped: seen earlier in the list
    std::uint64_t already_done = 0; ///< skipped: finished by the scan being resumed
};

class DomainInput {
public:
    /// Opens `path` ("-" = stdin). Errors: as io::open.
    static Result<DomainInput> open(const std::string& path);
    /// A list from memory (the repair pass; tests).
    static DomainInput from_names(std::vector<std::string> names);

    /// Names already finished: they are skipped (and not counted as duplicates).
    void mark_done(std::string_view name) { done_.insert(name); }
    /// The next name to scan; nullopt at the end. Errors: Io/Malformed from the byte source
    /// (lines before the error were delivered).
    Result<std::optional<InputItem>> next();

    [[nodiscard]] const InputStats& stats() const { return stats_; }
    [[nodiscard]] const std::string& source_name() const { return source_name_; }

private:
    DomainInput() = default;
    std::unique_ptr<dns::NameLineReader> reader_;
    std::vector<std::string> names_;
    std::size_t next_name_ = 0;
    FingerprintSet seen_;
    FingerprintSet done_;
    InputStats stats_;
    std::string source_name_;
};

/// `text` with every byte outside printable ASCII written as \xNN, cut at `limit` bytes ("...").
std::string printable(std::string_view text, std::size_t limit = 255);

/// Counts the non-blank, non-comment lines of `path` (for the progress bar's total); nullopt for
/// stdin or when the file cannot be read.
std::optional<std::uint64_t> count_lines(const std::string& path);

} // namespace dg::scan
