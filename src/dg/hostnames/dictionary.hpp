#pragma once
// The compiled hostname dictionary (data/hostnames/hostnames.dict.gz, built by
// scripts/build-hostname-dict): typed keys -> places and vocabularies, memory-mapped.
// File layout: docs/cli/hostnames.md, "Dictionary file".

#include "dg/core/result.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dg::hostnames {

/// What a key means. The numbers are part of the file format.
enum class EntryType : std::uint8_t {
    City = 1,     ///< GeoNames city name (letters only)
    CityAlt,      ///< GeoNames alternate name of a city of >= 300,000
    Iata,         ///< IATA airport code
    Icao,         ///< ICAO airport code
    Locode,       ///< UN/LOCODE country + location ("usqas")
    State,        ///< US state code or name
    Country,      ///< ISO 3166-1 alpha-2 / alpha-3
    Word,         ///< English word
    Interface,    ///< interface-type token
    Role,         ///< router-role token
    Psl,          ///< Public Suffix List rule
    PslWildcard,  ///< PSL "*.rule"
    PslException, ///< PSL "!rule"
    Metro,        ///< IATA metropolitan-area code
    Region,       ///< US state / Canadian province ("usca") or country ("@nl") -> its cities
};

enum class PlaceKind : std::uint8_t { City = 1, Airport, Locode, State, Country, Metro };

/// A place record; views point into the mapped file.
struct Place {
    double lat = 0;
    double lon = 0;
    std::string_view name;    ///< city (airports: the served city)
    std::string_view region;  ///< admin1 name or code; airports: the airport name
    std::string_view country; ///< ISO 3166-1 alpha-2 ("ZZ" unknown)
    PlaceKind kind = PlaceKind::City;
    std::uint8_t population_code = 0; ///< population ~= 1.08^code (ranking only)
    /// Whether lat/lon are meaningful (countries and states carry none).
    [[nodiscard]] bool has_coordinates() const {
        return kind != PlaceKind::State && kind != PlaceKind::Country;
    }
};

struct InterfaceInfo {
    std::string_view canonical; ///< vendor name, e.g. "Bundle-Ether"
    std::string_view family;    ///< first vendor family, e.g. "cisco"
    std::string_view type;      ///< contract type, e.g. "aggregated-ethernet"
    double speed_gbps = 0;      ///< 0 when the token implies no speed
};

struct RoleInfo {
    std::string_view meaning;
    std::string_view cls;  ///< router-role, link-role, device, platform, access-tech
    std::string_view role; ///< contract role ("core", "edge" ...), empty when none
};

/// One dictionary entry of a key.
struct Entry {
    EntryType type;
    std::uint32_t value; ///< place index, info index, or 0
};

/// A read-only dictionary. Cheap to copy (shares the mapping). Thread-safe for reads.
class Dictionary {
public:
    /// Opens `path`: an uncompressed `.dict` is mapped; a gzip-compressed one is decompressed
    /// once into the user cache directory (DOMAINGRAPH_CACHE_DIR) and mapped from there
    /// (in memory when the cache is not writable). Every offset is checked on open.
    /// Errors: NotFound, Io, Malformed (bad magic, version, section bounds).
    static Result<Dictionary> open(const std::string& path);
    /// Finds and opens the dictionary: `dir` (a directory holding hostnames.dict[.gz], or the
    /// file itself) when given, else $DOMAINGRAPH_HOSTNAMES_DICT, else the installed copy beside
    /// the executable (../share/domaingraph/hostnames/), else the source tree's data/hostnames/.
    /// Errors: NotFound (saying where it looked), and open()'s.
    static Result<Dictionary> find(const std::string& dir = "");
    /// Like open() on bytes in memory (tests, fuzzing).
    static Result<Dictionary> from_bytes(std::vector<std::uint8_t> bytes, std::string name);

    /// Index range [first, last) of the entries of `key` (lower-case); empty when absent.
    [[nodiscard]] std::pair<std::uint32_t, std::uint32_t> range(std::string_view key) const;
    [[nodiscard]] Entry entry(std::uint32_t index) const;
    /// The key of entry `index` (entries of one key are contiguous).
    [[nodiscard]] std::string_view key(std::uint32_t index) const;
    [[nodiscard]] std::uint32_t entry_count() const { return entry_count_; }
    /// First entry of `key` of type `type`, if any.
    [[nodiscard]] bool find(std::string_view key, EntryType type, std::uint32_t* value) const;
    [[nodiscard]] bool has(std::string_view key, EntryType type) const {
        return find(key, type, nullptr);
    }
    [[nodiscard]] Place place(std::uint32_t index) const;
    [[nodiscard]] std::uint32_t place_count() const { return place_count_; }
    [[nodiscard]] InterfaceInfo interface_info(std::uint32_t index) const;
    [[nodiscard]] RoleInfo role_info(std::uint32_t index) const;
    /// Places of a Region entry ("usca", "@nl"), most populous first.
    [[nodiscard]] std::vector<std::uint32_t> region_places(std::string_view region_key) const;
    /// Calls `f(place_index)` for the places of a region, most populous first, until f returns
    /// false.
    template <class F> void for_region(std::string_view region_key, F&& f) const {
        std::uint32_t info = 0;
        if (!find(region_key, EntryType::Region, &info)) {
            return;
        }
        const auto [start, count] = region_span(info);
        for (std::uint32_t i = 0; i < count; ++i) {
            if (!f(info_field(start + i, 0))) {
                return;
            }
        }
    }
    /// Length in bytes of the registrable domain at the end of `host` (public suffix + one
    /// label, by the PSL algorithm), or of the whole name when it has no label left of its
    /// public suffix. `host` is lower-case without a trailing dot.
    [[nodiscard]] std::size_t registrable_length(std::string_view host) const;
    /// Total bytes of the mapped file.
    [[nodiscard]] std::size_t size() const;

    struct Storage; ///< the mapping or the bytes (dictionary.cpp)

private:
    static Result<Dictionary> from_storage(std::shared_ptr<Storage> storage, std::string name);
    [[nodiscard]] std::string_view str(std::uint32_t offset) const;
    [[nodiscard]] std::pair<std::uint32_t, std::uint32_t> probe(std::string_view key,
                                                                std::uint32_t hash) const;
    [[nodiscard]] std::pair<std::uint32_t, std::uint32_t> range(std::string_view key,
                                                                std::uint32_t hash) const;
    [[nodiscard]] bool is_psl_parent(std::uint32_t hash) const;
    [[nodiscard]] std::uint32_t info_field(std::uint32_t index, int field) const;
    [[nodiscard]] std::pair<std::uint32_t, std::uint32_t> region_span(std::uint32_t info) const;

    std::shared_ptr<Storage> storage_;
    std::uint64_t id_ = 0; ///< unique per opened dictionary (keys the lookup cache)
    const std::uint8_t* base_ = nullptr;
    std::uint32_t place_count_ = 0;
    const std::uint8_t* places_ = nullptr;
    std::uint32_t info_count_ = 0;
    const std::uint8_t* infos_ = nullptr;
    std::uint32_t entry_count_ = 0;
    const std::uint8_t* entries_ = nullptr;
    std::uint32_t slot_count_ = 0;
    const std::uint8_t* slots_ = nullptr;
    const std::uint8_t* strings_ = nullptr;
    std::uint32_t strings_size_ = 0;
    /// fnv1a of every proper suffix of a Public Suffix List rule ("amazonaws.com" of
    /// "s3.amazonaws.com"), sorted: a longer rule can only match below one of them.
    std::shared_ptr<const std::vector<std::uint32_t>> psl_parents_;
};

/// FNV-1a 32-bit hash (the file's key hash).
std::uint32_t fnv1a(std::string_view s);

} // namespace dg::hostnames
