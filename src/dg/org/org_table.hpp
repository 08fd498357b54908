#pragma once
// AS -> organisation table read from CAIDA's AS Organizations dataset (docs in
// src/dg/org/README.md).
//
// Formats (detected from the content, not the file name; compression via dg::io::open):
//  - text `YYYYMMDD.as-org2info.txt[.gz]`: `# format:` lines name the `|`-separated fields of the
//    section that follows (organisations: org_id|changed|org_name|country|source; ASes:
//    aut|changed|aut_name|org_id|opaque_id|source). Fields are found by name, not position.
//  - JSON Lines `YYYYMMDD.as-org2info.jsonl[.gz]`: one object per line with "type":
//    "Organization" (organizationId, name, country, source, changed) or "ASN" (asn, name,
//    organizationId, opaqueId, source, changed).
//  - pyasn's `asnames.json` (FileFormat::PyasnNames).
// Broken lines are reported (file, line, reason) and skipped; a file without any valid row fails.
// A file of another kind (an RPSL WHOIS dump, ARIN bulk data, a binary file such as an MRT dump
// or a MaxMind database) is refused at once with one line saying what it is and what is expected.

#include "dg/core/asn.hpp"
#include "dg/core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dg::org {

/// An organisation record. The views point into the owning OrgTable (valid while it lives, also
/// across moves of the table).
struct Organisation {
    std::string_view id;      ///< CAIDA org_id, e.g. "ORG-EXB1-RIPE", "@family-0042"
    std::string_view name;    ///< org_name
    std::string_view country; ///< ISO 3166 alpha-2 as given (may be empty)
    std::string_view source;  ///< registry the record came from ("ARIN", "RIPE", "JPNIC" ...)
    std::string_view changed; ///< YYYYMMDD as given (may be empty)
};

/// An AS record. Views as in Organisation.
struct AsOrg {
    Asn asn;                    ///< aut
    std::string_view name;      ///< aut_name
    std::string_view org_id;    ///< the organisation's id (may be empty or name no known org)
    std::string_view opaque_id; ///< RIR extended-delegation opaque id (may be empty)
    std::string_view source;    ///< registry the record came from
    std::string_view changed;   ///< YYYYMMDD as given (may be empty)
    /// The AS's own registration country where the source gives one per AS (RIR delegation
    /// files, RPSL `country:`, pyasn names); may be empty. OrgTable::country_of prefers the
    /// organisation's.
    std::string_view country;
};

/// Text and JsonLines: CAIDA's as-org2info; PyasnNames: pyasn's `asnames.json` (one JSON object
/// {"ASN": "HANDLE - Org name, CC"}): each AS gets an organisation of its own, "@asnames-ASN",
/// named by the text between " - " and the trailing ", CC" (the whole text when it has no such
/// parts), with that country.
/// Rpsl: aut-num objects of an RPSL WHOIS dump (RIPE, APNIC, AFRINIC, LACNIC, RADB ...): the AS
/// name is `as-name`; its organisation is the dump's `organisation:` object named by `org:`
/// (`org-name`, `country`), else one of its own, "@rpsl-ASN", named by the first `descr:` (the
/// as-name when there is none), with the aut-num's `country:`.
/// Delegated: an RIR delegation statistics file (`delegated-RIR-[extended-]YYYYMMDD`,
/// `registry|cc|asn|start|count|date|status[|opaque-id]`): each allocated or assigned AS gets
/// its country; ASes of one opaque id (one resource holder) share an organisation
/// "@delegated-REGISTRY-OPAQUEID" (without a name), others get "@delegated-ASN".
enum class FileFormat { Text, JsonLines, PyasnNames, Rpsl, Delegated };

/// What a load saw. Filled also when the load fails.
struct LoadReport {
    std::string source; ///< file name used in messages
    FileFormat format = FileFormat::Text;
    std::uint64_t lines = 0;            ///< lines read, comments and blanks included
    std::uint64_t organisations = 0;    ///< organisation rows kept
    std::uint64_t ases = 0;             ///< AS rows kept
    std::uint64_t skipped = 0;          ///< broken or duplicate rows skipped
    std::uint64_t unknown_org_refs = 0; ///< ASes whose org_id names no organisation (kept)
    /// The first kMaxWarningsKept problems (code Malformed, `source` and `line` set). `skipped`
    /// and `unknown_org_refs` count all of them.
    std::vector<Error> warnings;
};

class OrgTable {
public:
    /// Reads `path` ("-" = stdin; plain/gz/bz2/zstd). `report`, when given, receives counts and
    /// warnings (also on failure). Errors: NotFound, Io (cannot read), Malformed (no valid row,
    /// or corrupt compression), ResourceExhausted (more than kMaxRows rows).
    /// `path` may name several files separated by commas ("rpsl.db.gz,delegated-ripencc-..."):
    /// one table of all, the first file's row of an AS or organisation winning and later files
    /// filling in what it lacks (a name, an organisation, a country).
    static Result<OrgTable> load(const std::string& path, LoadReport* report = nullptr);
    /// As load(), of several files.
    static Result<OrgTable> load_all(const std::vector<std::string>& paths,
                                     LoadReport* report = nullptr);
    /// As load(), from bytes in memory (`name` is used in messages).
    static Result<OrgTable> parse(std::string_view content, const std::string& name,
                                  LoadReport* report = nullptr);

    OrgTable(OrgTable&&) noexcept;
    OrgTable& operator=(OrgTable&&) noexcept;
    ~OrgTable();

    /// The AS record of `asn`, or nullptr. O(log n).
    [[nodiscard]] const AsOrg* as_of(Asn asn) const;
    /// The organisation `asn` belongs to, or nullptr (unknown AS, or its org_id names no
    /// organisation). O(log n).
    [[nodiscard]] const Organisation* org_of(Asn asn) const;
    /// The organisation with id `id`, or nullptr. O(log n).
    [[nodiscard]] const Organisation* organisation(std::string_view id) const;
    /// The country of `asn`: its organisation's, else the AS's own (AsOrg::country); empty when
    /// unknown.
    [[nodiscard]] std::string_view country_of(Asn asn) const;
    /// The ASes of organisation `id`, ascending (siblings by CAIDA's mapping). Empty when unknown.
    [[nodiscard]] std::vector<const AsOrg*> ases_of(std::string_view id) const;

    [[nodiscard]] std::size_t as_count() const;
    [[nodiscard]] std::size_t organisation_count() const;
    /// All AS records, ascending by ASN (lifetime as the table).
    [[nodiscard]] const std::vector<AsOrg>& ases() const;
    /// All organisations, ascending by id.
    [[nodiscard]] const std::vector<Organisation>& organisations() const;
    /// Counts and warnings of the load that built this table.
    [[nodiscard]] const LoadReport& report() const;

    struct Data; // internal/org_data.hpp

private:
    explicit OrgTable(std::unique_ptr<Data> data);
    std::unique_ptr<Data> data_;
};

} // namespace dg::org
