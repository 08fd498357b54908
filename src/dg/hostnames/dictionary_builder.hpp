#pragma once
// Builds the router-hostname dictionary that Dictionary opens (`domaingraph hostnames dict build`,
// docs/cli/hostnames.md "Dictionary") from openly licensed sources. Deterministic: the same
// sources give the same bytes, identical to those of the Python script it replaced.

#include "dg/core/result.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace dg::hostnames {

/// The source files of a build, one path each (names as in shared/data/ptr/).
struct DictionarySources {
    std::string cities;      ///< geonames/cities5000_ascii.tsv.gz
    std::string admin1;      ///< geonames/admin1CodesASCII.txt
    std::string iata;        ///< airports/iata_codes.tsv
    std::string openflights; ///< airports/openflights_airports.dat
    std::string locode1;     ///< locode/locodePart1.csv.gz
    std::string locode2;     ///< locode/locodePart2.csv.gz
    std::string locode3;     ///< locode/locodePart3.csv.gz
    std::string countries;   ///< iso/iso3166-1.tsv
    std::string us_states;   ///< iso/us_states.tsv
    std::string words;       ///< words/american-english.gz
    std::string interfaces;  ///< naming/interface_types.tsv
    std::string roles;       ///< naming/router_roles.tsv
    std::string psl;         ///< the Public Suffix List (public_suffix_list.dat)
};

/// Where Debian's `publicsuffix` package puts the Public Suffix List.
inline constexpr const char* kDefaultPslPath = "/usr/share/publicsuffix/public_suffix_list.dat";

/// Resolves the SRC arguments of `dict build`: each is a directory laid out like shared/data/ptr/
/// (geonames/, airports/, locode/, iso/, words/, naming/) or one source file named by its base
/// name (an uncompressed copy of a .gz source may drop the ".gz"; OpenFlights' `airports.dat`
/// and Debian's `american-english` are taken as they are downloaded). A later SRC overrides an
/// earlier one file by file. Errors: InvalidArgument (no SRC, a file of unknown name, a
/// directory holding no source), NotFound (a SRC that does not exist; the sources still missing,
/// all named).
Result<DictionarySources> resolve_dictionary_sources(const std::vector<std::string>& srcs,
                                                     const std::string& psl = kDefaultPslPath);

/// What a build wrote.
struct BuildReport {
    std::uint64_t bytes = 0;           ///< uncompressed size
    std::size_t places = 0;            ///< place records
    std::size_t keys = 0;              ///< distinct keys
    std::size_t entries = 0;           ///< (key, type, value) entries
    std::vector<std::string> warnings; ///< Public Suffix List rules left out (not IDNA-encodable)
};

/// Builds the dictionary from `sources` and writes it to `output` (gzip-compressed, reproducibly,
/// when the name ends in ".gz"; replaced atomically). Malformed lines are skipped as the Python
/// script skipped them; lines it could not have read are errors.
/// Errors: NotFound, Io (reading or writing), Malformed (a line no reading can use, naming file
/// and line; a metro whose city is missing; the format's limits).
Result<BuildReport> build_dictionary(const DictionarySources& sources, const std::string& output);

} // namespace dg::hostnames
