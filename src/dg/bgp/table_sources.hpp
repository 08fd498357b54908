#pragma once
// Where a prefix -> origin table comes from (docs/cli/lookup.md): an MRT RIB dump (cached on
// disk, keyed by the dump's XXH3-128 content hash), a cache file itself, a CAIDA RouteViews
// prefix2as file, a pyasn IPASN `.dat` file, or a MaxMind GeoLite2-ASN `.mmdb` database.
// The format is detected from the content, never from the file name.

#include "dg/bgp/prefix_table.hpp"
#include "dg/bgp/pyasn_policy.hpp"
#include "dg/core/byte_source.hpp"
#include "dg/core/result.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace dg::bgp {

enum class SourceFormat { Mrt, CachedTable, Prefix2As, PyasnDat, Mmdb };
const char* source_format_name(SourceFormat format);

/// How origins are chosen from a RIB (text sources are read as they are under both policies).
enum class Policy {
    Default, ///< every origin with its peer count, true last AS, AS_SET flagged
    Pyasn,   ///< pyasn's converter, exactly (pyasn_policy.hpp)
};
/// "default" or "pyasn". Errors: InvalidArgument.
Result<Policy> parse_policy(std::string_view text);
const char* policy_name(Policy policy);

/// Detects the format of `path` from its (decompressed) content. Errors: NotFound, Io,
/// Unsupported (none of the known formats).
Result<SourceFormat> detect_source_format(const std::string& path);

/// XXH3-128 of the file's bytes as stored (compressed or not), 32 hex digits. Errors: Io.
Result<std::string> content_hash(const std::string& path);

struct SourceOptions {
    Policy policy = Policy::Default;
    bool use_cache = true;
    std::string cache_dir; ///< empty: user_cache_dir() + "/prefix-tables"
    bool show_progress = true;
    /// Receives "file:line: reason" / "file @offset N: reason" warnings (malformed lines, damaged
    /// records). Empty: printed on stderr, at most `max_warnings`, then only counted.
    std::function<void(const std::string&)> warn;
    std::uint64_t max_warnings = 20;
};

struct SourceReport {
    SourceFormat format = SourceFormat::Mrt;
    bool from_cache = false;
    std::string cache_path; ///< the cache file used or written ("" if none)
    /// "xxh3-128:<32 hex digits>" of the source file as stored (content_hash), the identity
    /// a scan records for its table; "" when the file could not be read again.
    std::string content_hash;
    std::uint64_t lines = 0;         ///< text sources: lines read
    std::uint64_t malformed = 0;     ///< text sources: malformed lines skipped
    std::uint64_t record_errors = 0; ///< MRT: damaged records (reader RecordError/StreamError)
    std::uint64_t rib_records = 0;   ///< MRT: RIB records used
    /// The stream itself was damaged: an MRT stream lost its framing, or a file could not be read
    /// to its end (the table holds what came before). Record errors alone do not set it
    /// (docs/cli/exit-codes.md: skipped and reported, exit 0).
    bool damaged = false;
    BuildStats build;
    PyasnConverter::Stats pyasn;
};

/// Reads a CAIDA prefix2as stream (`network<TAB>length<TAB>asns`, asns `a_b` = MOAS,
/// `a,b` = AS_SET). Malformed lines are reported through `warn` and counted.
Result<PrefixTable> read_prefix2as(io::ByteSource& source,
                                   const std::function<void(const std::string&)>& warn,
                                   SourceReport& report);
/// Reads a pyasn IPASN stream (`prefix<TAB>asn`, `;` comments).
Result<PrefixTable> read_pyasn_dat(io::ByteSource& source,
                                   const std::function<void(const std::string&)>& warn,
                                   SourceReport& report);
/// Builds the table of an MRT RIB dump under `options.policy` (no cache).
Result<PrefixTable> build_from_mrt(const std::string& path, const SourceOptions& options,
                                   SourceReport& report);

/// A loaded source: a prefix table, or an open .mmdb answered per query.
class IpAsnSource {
public:
    /// Opens and loads `path` (building or reusing the cache for MRT). Errors: NotFound, Io,
    /// Malformed (unreadable), Unsupported (unknown format).
    static Result<IpAsnSource> open(const std::string& path, const SourceOptions& options);

    IpAsnSource(IpAsnSource&&) noexcept;
    IpAsnSource& operator=(IpAsnSource&&) noexcept;
    ~IpAsnSource();

    /// Longest-prefix match. For .mmdb the returned span points into this object and is valid
    /// until the next lookup (not thread-safe).
    [[nodiscard]] std::optional<Route> lookup(const IpAddress& address) const;
    /// The table (nullptr for .mmdb).
    [[nodiscard]] const PrefixTable* table() const;
    [[nodiscard]] const SourceReport& report() const;

    struct Mmdb;

private:
    IpAsnSource();
    std::optional<PrefixTable> table_;
    std::unique_ptr<Mmdb> mmdb_;
    SourceReport report_;
};

} // namespace dg::bgp
