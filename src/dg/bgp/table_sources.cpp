#include "dg/bgp/table_sources.hpp"

#include "dg/bgp/mrt_reader.hpp"
#include "dg/core/paths.hpp"
#include "dg/core/progress.hpp"
#include "dg/core/sockaddr.hpp"
#include "dg/core/text.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cctype>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>
#include <xxhash.h>

namespace dg::bgp {
namespace {

constexpr std::string_view kMmdbMarker = "\xAB\xCD\xEFMaxMind.com";

// Splits a byte source into lines (without the end-of-line characters).
class LineReader {
public:
    explicit LineReader(io::ByteSource& source) : source_(source) {}
    // false at the end; an error of the source is returned through `error`.
    bool next(std::string_view& line, std::optional<Error>& error) {
        for (;;) {
            const auto nl =
                std::find(buffer_.begin() + static_cast<std::ptrdiff_t>(pos_), buffer_.end(), '\n');
            if (nl != buffer_.end()) {
                const auto end = static_cast<std::size_t>(nl - buffer_.begin());
                line = std::string_view(buffer_.data() + pos_, end - pos_);
                pos_ = end + 1;
                ++number_;
                strip_cr(line);
                return true;
            }
            if (eof_) {
                if (pos_ < buffer_.size()) {
                    line = std::string_view(buffer_.data() + pos_, buffer_.size() - pos_);
                    pos_ = buffer_.size();
                    ++number_;
                    strip_cr(line);
                    return true;
                }
                return false;
            }
            buffer_.erase(0, pos_);
            pos_ = 0;
            std::array<std::uint8_t, 1 << 16> chunk{};
            auto n = source_.read(chunk);
            if (!n) {
                error = n.error();
                eof_ = true;
                continue;
            }
            if (*n == 0) {
                eof_ = true;
                continue;
            }
            buffer_.append(reinterpret_cast<const char*>(chunk.data()), *n);
        }
    }
    [[nodiscard]] std::uint64_t number() const { return number_; }

private:
    static void strip_cr(std::string_view& line) {
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
    }
    io::ByteSource& source_;
    std::string buffer_;
    std::size_t pos_ = 0;
    std::uint64_t number_ = 0;
    bool eof_ = false;
};

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t p = s.find(sep, start);
        out.push_back(
            s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
        if (p == std::string_view::npos) {
            return out;
        }
        start = p + 1;
    }
}

std::optional<std::uint32_t> parse_u32(std::string_view s) {
    s = trim(s);
    std::uint32_t v = 0;
    const auto* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, v);
    if (s.empty() || ec != std::errc() || p != end) {
        return std::nullopt;
    }
    return v;
}

bool is_comment_or_blank(std::string_view line) {
    line = trim(line);
    return line.empty() || line.front() == ';' || line.front() == '#';
}

std::function<void(const std::string&)> make_warn(const SourceOptions& options) {
    if (options.warn) {
        return options.warn;
    }
    auto count = std::make_shared<std::uint64_t>(0);
    const std::uint64_t max = options.max_warnings;
    return [count, max](const std::string& message) {
        ++*count;
        if (*count <= max) {
            std::fprintf(stderr, "domaingraph: warning: %s\n", message.c_str());
        } else if (*count == max + 1) {
            std::fprintf(stderr, "domaingraph: warning: further warnings are only counted\n");
        }
    };
}

// Text-table driver: calls `parse(line, builder)` for each data line; it returns an error reason
// for a malformed line.
template <class ParseLine>
Result<PrefixTable> read_text(io::ByteSource& source,
                              const std::function<void(const std::string&)>& warn,
                              SourceReport& report, ParseLine parse) {
    LineReader reader(source);
    PrefixTableBuilder builder;
    std::string_view line;
    std::optional<Error> error;
    while (reader.next(line, error)) {
        ++report.lines;
        if (is_comment_or_blank(line)) {
            continue;
        }
        if (auto reason = parse(line, builder)) {
            ++report.malformed;
            if (warn) {
                warn(source.name() + ":" + std::to_string(reader.number()) + ": " + *reason);
            }
        }
    }
    if (error) {
        report.damaged = true;
        if (warn) {
            warn(error->to_string());
        }
    }
    report.build = builder.stats();
    PrefixTable t = builder.build();
    report.build = builder.stats();
    return t;
}

// A data-line reason or nullopt.
using Reason = std::optional<std::string>;

Reason add_asn_list(PrefixTableBuilder& b, const Prefix& prefix, std::string_view asns) {
    // MOAS groups separated by '_', AS_SET members by ','.
    std::vector<std::pair<std::uint32_t, bool>> origins;
    for (const auto group : split(asns, '_')) {
        const auto members = split(group, ',');
        std::optional<std::uint32_t> smallest;
        for (const auto m : members) {
            const auto v = parse_u32(m);
            if (!v) {
                return "bad AS number '" + std::string(m) + "'";
            }
            smallest = smallest ? std::min(*smallest, *v) : *v;
        }
        origins.emplace_back(*smallest, members.size() > 1);
    }
    for (const auto& [asn, as_set] : origins) {
        b.add_origin(prefix, asn, as_set);
    }
    return std::nullopt;
}

bool looks_like_mrt(std::span<const std::uint8_t> head) {
    if (head.size() < 12) {
        return false;
    }
    const unsigned type = (unsigned{head[4]} << 8U) | head[5];
    const std::uint32_t length = (std::uint32_t{head[8]} << 24U) | (std::uint32_t{head[9]} << 16U) |
                                 (std::uint32_t{head[10]} << 8U) | head[11];
    const bool known = type == 11 || type == 12 || type == 13 || type == 16 || type == 17 ||
                       type == 32 || type == 33 || type == 48 || type == 49;
    return known && length <= 64U * 1024U * 1024U;
}

/// Whether a MaxMind database type names an IP-to-AS database ("GeoLite2-ASN", "GeoIP2-ISP",
/// "DBIP-ASN-Lite (compat=GeoLite2-ASN)", "ipinfo asn.mmdb" ...): it mentions ASN or ISP.
bool names_asn_database(std::string_view type) {
    std::string lower(type);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower.find("asn") != std::string::npos || lower.find("isp") != std::string::npos;
}

bool file_has_mmdb_marker(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return false;
    }
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::int64_t>(in.tellg());
    const std::int64_t window = std::min<std::int64_t>(size, 128 * 1024);
    if (window <= 0) {
        return false;
    }
    in.seekg(size - window);
    std::string tail(static_cast<std::size_t>(window), '\0');
    in.read(tail.data(), window);
    return tail.find(kMmdbMarker) != std::string::npos;
}

} // namespace

const char* source_format_name(SourceFormat format) {
    switch (format) {
    case SourceFormat::Mrt:
        return "mrt";
    case SourceFormat::CachedTable:
        return "cached-table";
    case SourceFormat::Prefix2As:
        return "prefix2as";
    case SourceFormat::PyasnDat:
        return "pyasn-dat";
    case SourceFormat::Mmdb:
        return "mmdb";
    }
    return "unknown";
}

Result<Policy> parse_policy(std::string_view text) {
    if (text == "default") {
        return Policy::Default;
    }
    if (text == "pyasn") {
        return Policy::Pyasn;
    }
    return make_error(ErrorCode::InvalidArgument,
                      "unknown policy '" + std::string(text) + "' (default, pyasn)");
}

const char* policy_name(Policy policy) {
    return policy == Policy::Pyasn ? "pyasn" : "default";
}

Result<SourceFormat> detect_source_format(const std::string& path) {
    if (path != "-" && file_has_mmdb_marker(path)) {
        return SourceFormat::Mmdb;
    }
    DG_TRY(auto source, io::open(path, io::OpenOptions{.read_ahead = false}));
    std::vector<std::uint8_t> head(64 * 1024);
    DG_TRY(const std::size_t n, source->read_fully(head));
    head.resize(n);
    if (PrefixTable::has_magic(head)) {
        return SourceFormat::CachedTable;
    }
    if (looks_like_mrt(head)) {
        return SourceFormat::Mrt;
    }
    // Text: look at the first data line.
    const std::string_view text(reinterpret_cast<const char*>(head.data()), head.size());
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (is_comment_or_blank(line)) {
            continue;
        }
        const auto fields = split(trim(line), '\t');
        if (fields.size() == 3 && parse_u32(fields[1]) && IpAddress::parse(trim(fields[0]))) {
            return SourceFormat::Prefix2As;
        }
        if (fields.size() == 2 && fields[0].find('/') != std::string_view::npos &&
            Prefix::parse(trim(fields[0]), true)) {
            return SourceFormat::PyasnDat;
        }
        break;
    }
    return make_error(ErrorCode::Unsupported,
                      "unknown table format (expected an MRT RIB dump, a domaingraph cache "
                      "file, a CAIDA prefix2as file, a pyasn .dat file or a MaxMind .mmdb)")
        .at(path);
}

Result<std::string> content_hash(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
        return make_error(ErrorCode::Io, std::string("cannot open: ") + std::strerror(errno))
            .at(path);
    }
    XXH3_state_t* state = XXH3_createState();
    XXH3_128bits_reset(state);
    std::vector<char> buf(1 << 20);
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
        XXH3_128bits_update(state, buf.data(), n);
    }
    const bool failed = std::ferror(f) != 0;
    std::fclose(f);
    const XXH128_hash_t h = XXH3_128bits_digest(state);
    XXH3_freeState(state);
    if (failed) {
        return make_error(ErrorCode::Io, "read error").at(path);
    }
    char hex[33];
    std::snprintf(hex, sizeof(hex), "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                  static_cast<unsigned long long>(h.low64));
    return std::string(hex);
}

namespace {

// The content hash of a big dump costs ~0.3 s per GB. It is remembered per file identity: device,
// inode, size, mtime and ctime (nanoseconds; ctime cannot be set back by users), so an unchanged
// file is not re-read, and any change to the file (even with its mtime restored) re-hashes it.
std::string file_identity(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return {};
    }
    return std::to_string(st.st_dev) + " " + std::to_string(st.st_ino) + " " +
           std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec) + " " + std::to_string(st.st_ctim.tv_sec) + "." +
           std::to_string(st.st_ctim.tv_nsec);
}

Result<std::string> remembered_content_hash(const std::string& path, const std::string& dir) {
    char* real = ::realpath(path.c_str(), nullptr);
    const std::string canonical = real != nullptr ? real : path;
    std::free(real);
    char name[17];
    std::snprintf(name, sizeof(name), "%016llx",
                  static_cast<unsigned long long>(XXH3_64bits(canonical.data(), canonical.size())));
    const std::string memo = dir + "/hash-" + name + ".txt";
    const std::string before = file_identity(path);
    if (!before.empty()) {
        std::ifstream in(memo);
        std::string identity;
        std::string hash;
        if (std::getline(in, identity) && std::getline(in, hash) && identity == before &&
            hash.size() == 32 && hash.find_first_not_of("0123456789abcdef") == std::string::npos) {
            return hash;
        }
    }
    DG_TRY(auto hash, content_hash(path));
    const std::string after = file_identity(path);
    if (!before.empty() && before == after) {
        const std::string tmp = memo + ".tmp." + std::to_string(getpid());
        {
            std::ofstream out(tmp);
            out << after << "\n" << hash << "\n";
        }
        if (std::rename(tmp.c_str(), memo.c_str()) != 0) {
            std::remove(tmp.c_str());
        }
    }
    return hash;
}

} // namespace

Result<PrefixTable> read_prefix2as(io::ByteSource& source,
                                   const std::function<void(const std::string&)>& warn,
                                   SourceReport& report) {
    return read_text(source, warn, report,
                     [](std::string_view line, PrefixTableBuilder& b) -> Reason {
                         const auto f = split(trim(line), '\t');
                         if (f.size() != 3) {
                             return "expected 3 tab-separated fields (network, length, ASNs)";
                         }
                         auto ip = IpAddress::parse(trim(f[0]));
                         if (!ip) {
                             return "bad network '" + std::string(f[0]) + "'";
                         }
                         const auto len = parse_u32(f[1]);
                         if (!len || *len > static_cast<std::uint32_t>(ip->bit_width())) {
                             return "bad prefix length '" + std::string(f[1]) + "'";
                         }
                         return add_asn_list(b, Prefix(*ip, static_cast<int>(*len)), trim(f[2]));
                     });
}

Result<PrefixTable> read_pyasn_dat(io::ByteSource& source,
                                   const std::function<void(const std::string&)>& warn,
                                   SourceReport& report) {
    return read_text(source, warn, report,
                     [](std::string_view line, PrefixTableBuilder& b) -> Reason {
                         const auto f = split(trim(line), '\t');
                         if (f.size() != 2) {
                             return "expected 2 tab-separated fields (prefix, ASN)";
                         }
                         auto p = Prefix::parse(trim(f[0]), true);
                         if (!p) {
                             return "bad prefix '" + std::string(f[0]) + "'";
                         }
                         const auto asn = parse_u32(f[1]);
                         if (!asn) {
                             return "bad AS number '" + std::string(f[1]) + "'";
                         }
                         b.add_origin(*p, *asn, false);
                         return std::nullopt;
                     });
}

/// TABLE_DUMP v1 names each entry's peer by address: numbers them in order of appearance. A
/// collector has tens of peers and a dump lists a peer's entries in runs, so a remembered last
/// hit and a linear scan beat a map.
class V1Peers {
public:
    std::uint32_t index_of(const IpAddress& address) {
        if (last_ < peers_.size() && peers_[last_] == address) {
            return last_;
        }
        const auto it = std::find(peers_.begin(), peers_.end(), address);
        last_ = static_cast<std::uint32_t>(it - peers_.begin());
        if (it == peers_.end()) {
            peers_.push_back(address);
        }
        return last_;
    }

private:
    std::vector<IpAddress> peers_;
    std::uint32_t last_ = 0;
};

Result<PrefixTable> build_from_mrt(const std::string& path, const SourceOptions& options,
                                   SourceReport& report) {
    const auto warn = make_warn(options);
    DG_TRY(auto reader, MrtReader::open(path, MrtReader::Options{false}));
    Progress progress("building prefix table from " + path, reader.raw_size().value_or(0), "B",
                      stderr, false);
    if (!options.show_progress) {
        progress.finish();
    }
    PrefixTableBuilder builder;
    // RIB files hold a prefix per ~10 compressed bytes or more (bview.20020722: 113k prefixes in
    // 1.1 MiB); a generous guess costs address space only.
    builder.reserve(reader.raw_size().value_or(0) / 8);
    PyasnConverter pyasn;
    V1Peers v1_peers; // TABLE_DUMP v1: peers by address
    std::uint64_t n = 0;
    while (const MrtRecord* rec = reader.next()) {
        if ((++n & 0xFFFU) == 0 && options.show_progress) {
            progress.update(reader.raw_position());
        }
        if (rec->outcome == RecordOutcome::RecordError ||
            rec->outcome == RecordOutcome::StreamError) {
            ++report.record_errors;
            if (rec->outcome == RecordOutcome::StreamError) {
                report.damaged = true; // framing lost: nothing after this point was read
            }
            if (rec->error) {
                warn(rec->error->to_string());
            }
        }
        if (rec->kind != RecordKind::Rib || rec->rib_entries.empty()) {
            continue;
        }
        const bool v1 = rec->type == kMrtTableDump;
        const std::uint16_t st = rec->subtype;
        if (!v1 && (st == kRibIpv4Multicast || st == kRibIpv6Multicast ||
                    st == kRibIpv4MulticastAddPath || st == kRibIpv6MulticastAddPath)) {
            continue; // not the unicast routing table
        }
        ++report.rib_records;
        auto peer_of = [&](const RibEntry& e) -> std::uint32_t {
            if (!v1) {
                return e.peer_index;
            }
            return v1_peers.index_of(e.peer.address);
        };
        if (options.policy == Policy::Pyasn) {
            // pyasn reads TABLE_DUMP and TABLE_DUMP_V2 RIB_IPV4/IPV6_UNICAST only.
            if (v1 || st == kRibIpv4Unicast || st == kRibIpv6Unicast) {
                const RibEntry& first = rec->rib_entries.front();
                pyasn.add_record(first.prefix, first.attributes.as_path, peer_of(first));
            }
            continue;
        }
        for (const RibEntry& e : rec->rib_entries) {
            builder.add(e.prefix, path_origin(e.attributes.as_path), peer_of(e));
        }
    }
    progress.finish();
    if (options.policy == Policy::Pyasn) {
        report.pyasn = pyasn.stats();
        return pyasn.build();
    }
    PrefixTable t = builder.build();
    report.build = builder.stats();
    return t;
}

// ---------------------------------------------------------------- IpAsnSource

struct IpAsnSource::Mmdb {
    MMDB_s db{};
    bool open = false;
    mutable Origin scratch;
    ~Mmdb() {
        if (open) {
            MMDB_close(&db);
        }
    }
};

IpAsnSource::IpAsnSource() = default;
IpAsnSource::IpAsnSource(IpAsnSource&&) noexcept = default;
IpAsnSource& IpAsnSource::operator=(IpAsnSource&&) noexcept = default;
IpAsnSource::~IpAsnSource() = default;

const PrefixTable* IpAsnSource::table() const {
    return table_ ? &*table_ : nullptr;
}

const SourceReport& IpAsnSource::report() const {
    return report_;
}

std::optional<Route> IpAsnSource::lookup(const IpAddress& address) const {
    if (table_) {
        return table_->lookup(address);
    }
    if (!mmdb_) {
        return std::nullopt;
    }
    sockaddr_storage ss{};
    (void)to_sockaddr(address, 0, ss);
    int mmdb_error = 0;
    MMDB_lookup_result_s res =
        MMDB_lookup_sockaddr(&mmdb_->db, reinterpret_cast<const sockaddr*>(&ss), &mmdb_error);
    if (mmdb_error != MMDB_SUCCESS || !res.found_entry) {
        return std::nullopt;
    }
    MMDB_entry_data_s data{};
    if (MMDB_get_value(&res.entry, &data, "autonomous_system_number", nullptr) != MMDB_SUCCESS ||
        !data.has_data) {
        return std::nullopt;
    }
    std::uint32_t asn = 0;
    switch (data.type) {
    case MMDB_DATA_TYPE_UINT16:
        asn = data.uint16;
        break;
    case MMDB_DATA_TYPE_UINT32:
        asn = data.uint32;
        break;
    case MMDB_DATA_TYPE_INT32:
        asn = static_cast<std::uint32_t>(data.int32);
        break;
    case MMDB_DATA_TYPE_UINT64:
        asn = static_cast<std::uint32_t>(data.uint64);
        break;
    default:
        return std::nullopt;
    }
    int len = res.netmask;
    if (address.is_v4() && len > 32) {
        len -= 96; // IPv4 looked up in an IPv6 tree
    }
    len = std::clamp(len, 0, address.bit_width());
    const Asn a(asn);
    mmdb_->scratch = Origin{asn, 0,
                            (a.is_private() ? std::uint32_t{kOriginPrivate} : 0U) |
                                (a.is_reserved() ? std::uint32_t{kOriginReserved} : 0U)};
    return Route{Prefix(address, len), std::span<const Origin>(&mmdb_->scratch, 1)};
}

Result<IpAsnSource> IpAsnSource::open(const std::string& path, const SourceOptions& options) {
    if (path == "-") {
        // Detection reads the head of the input, and the table is read again after it.
        return make_error(ErrorCode::InvalidArgument,
                          "a table cannot be read from stdin; give a file (or /dev/fd/N via a "
                          "temporary file)");
    }
    DG_TRY(const SourceFormat format, detect_source_format(path));
    IpAsnSource out;
    out.report_.format = format;
    const auto warn = make_warn(options);
    const auto identify = [&](const Result<std::string>& hash) {
        if (hash) {
            out.report_.content_hash = "xxh3-128:" + *hash;
        }
    };
    if (format != SourceFormat::Mrt || !options.use_cache) {
        identify(content_hash(path)); // MRT with the cache: the cache key's hash, below
    }
    switch (format) {
    case SourceFormat::CachedTable: {
        DG_TRY(auto t, PrefixTable::load(path));
        out.table_ = std::move(t);
        out.report_.from_cache = true;
        out.report_.cache_path = path;
        return out;
    }
    case SourceFormat::Prefix2As:
    case SourceFormat::PyasnDat: {
        DG_TRY(auto source, io::open(path));
        auto t = format == SourceFormat::Prefix2As ? read_prefix2as(*source, warn, out.report_)
                                                   : read_pyasn_dat(*source, warn, out.report_);
        if (!t) {
            return std::move(t).error();
        }
        out.table_ = std::move(*t);
        return out;
    }
    case SourceFormat::Mmdb: {
        auto m = std::make_unique<Mmdb>();
        const int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &m->db);
        if (status != MMDB_SUCCESS) {
            return make_error(status == MMDB_FILE_OPEN_ERROR ? ErrorCode::Io : ErrorCode::Malformed,
                              std::string("cannot open MaxMind database: ") + MMDB_strerror(status))
                .at(path);
        }
        m->open = true;
        // Only a database whose records carry autonomous_system_number maps addresses to ASes
        // (GeoLite2-ASN, GeoIP2-ISP, DB-IP's and IPinfo's ASN databases); a City or Country
        // database opens fine and then routes nothing, silently: refuse it here.
        const std::string type =
            m->db.metadata.database_type != nullptr ? m->db.metadata.database_type : "";
        if (!names_asn_database(type)) {
            return make_error(ErrorCode::Unsupported,
                              "this MaxMind database is '" + type +
                                  "', which maps addresses to places, not to ASes: give an "
                                  "IP-to-AS database (GeoLite2-ASN or GeoIP2-ISP .mmdb), an "
                                  "MRT RIB dump, a CAIDA prefix2as or a pyasn .dat file")
                .at(path);
        }
        out.mmdb_ = std::move(m);
        return out;
    }
    case SourceFormat::Mrt:
        break;
    }
    // MRT: use the cache keyed by the dump's content hash and the policy.
    std::string cache_path;
    std::string key;
    if (options.use_cache && path != "-") {
        const std::string dir =
            options.cache_dir.empty() ? user_cache_dir() + "/prefix-tables" : options.cache_dir;
        const bool have_dir = static_cast<bool>(ensure_directory(dir));
        auto hash = have_dir ? remembered_content_hash(path, dir) : content_hash(path);
        identify(hash);
        if (hash) {
            key = *hash + ":" + policy_name(options.policy);
            cache_path = dir + "/" + *hash + "-" + policy_name(options.policy) + ".dgpt";
            auto cached = PrefixTable::load(cache_path, key);
            if (cached) {
                out.table_ = std::move(*cached);
                out.report_.from_cache = true;
                out.report_.cache_path = cache_path;
                return out;
            }
            if (cached.error().code != ErrorCode::NotFound) {
                warn(cached.error().to_string() + " (rebuilding the cache)");
            }
            if (!have_dir) {
                cache_path.clear();
            }
        }
    }
    DG_TRY(auto t, build_from_mrt(path, options, out.report_));
    if (!cache_path.empty() && !out.report_.damaged) {
        auto saved = t.save(cache_path, key);
        if (saved) {
            out.report_.cache_path = cache_path;
        } else {
            warn(saved.error().to_string() + " (continuing without cache)");
        }
    }
    out.table_ = std::move(t);
    return out;
}

} // namespace dg::bgp
