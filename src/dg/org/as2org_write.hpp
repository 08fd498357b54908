#pragma once
// Writers of CAIDA's AS Organizations formats (text `as-org2info.txt` and JSON Lines), used by
// `as2org infer` and for round trips of files read by OrgTable (docs in src/dg/org/README.md).

#include "dg/org/org_table.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace dg::org {

/// One organisation line.
struct OrgRow {
    std::string id;
    std::string changed; ///< YYYYMMDD or empty
    std::string name;
    std::string country;
    std::string source;
    bool operator==(const OrgRow&) const = default;
};

/// One AS line.
struct AsRow {
    std::uint32_t asn = 0;
    std::string changed;
    std::string name;
    std::string org_id;
    std::string opaque_id;
    std::string source;
    bool operator==(const AsRow&) const = default;
};

/// A whole file's content: organisations ascending by id, ASes ascending by number.
struct As2orgRows {
    /// Comment lines written before the sections (text format only), without the leading "# ".
    std::vector<std::string> header;
    std::vector<OrgRow> orgs;
    std::vector<AsRow> ases;
};

/// The rows of a loaded table (ascending, as OrgTable keeps them; no header).
As2orgRows rows_of(const OrgTable& table);

/// CAIDA's text format, the current layout: header comments, then
/// `# format:org_id|changed|org_name|country|source` and its lines, then
/// `# format:aut|changed|aut_name|org_id|opaque_id|source` and its lines. A `|` or line end inside
/// a value (which the format cannot carry) is replaced by a space.
std::string write_caida_text(const As2orgRows& rows);

/// CAIDA's JSON Lines variant: `{"changed","country","name","organizationId","source",
/// "type":"Organization"}` lines, then `{"asn" (a string),"changed","name","opaqueId",
/// "organizationId","source","type":"ASN"}` lines; keys in CAIDA's (alphabetical) order. No
/// header (JSON Lines has no comments).
std::string write_caida_jsonl(const As2orgRows& rows);

} // namespace dg::org
