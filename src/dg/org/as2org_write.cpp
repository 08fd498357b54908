#include "dg/org/as2org_write.hpp"

#include <nlohmann/json.hpp>

namespace dg::org {
namespace {

void append_field(std::string& out, std::string_view value) {
    for (const char c : value) {
        out.push_back(c == '|' || c == '\n' || c == '\r' ? ' ' : c);
    }
}

} // namespace

As2orgRows rows_of(const OrgTable& table) {
    As2orgRows rows;
    rows.orgs.reserve(table.organisation_count());
    for (const Organisation& o : table.organisations()) {
        rows.orgs.push_back(OrgRow{std::string(o.id), std::string(o.changed), std::string(o.name),
                                   std::string(o.country), std::string(o.source)});
    }
    rows.ases.reserve(table.as_count());
    for (const AsOrg& a : table.ases()) {
        rows.ases.push_back(AsRow{a.asn.value(), std::string(a.changed), std::string(a.name),
                                  std::string(a.org_id), std::string(a.opaque_id),
                                  std::string(a.source)});
    }
    return rows;
}

std::string write_caida_text(const As2orgRows& rows) {
    std::string out;
    out.reserve(64 * (rows.orgs.size() + rows.ases.size()) + 256);
    for (const std::string& h : rows.header) {
        out += "# ";
        append_field(out, h);
        out += '\n';
    }
    out += "# format:org_id|changed|org_name|country|source\n";
    for (const OrgRow& o : rows.orgs) {
        for (const std::string* f : {&o.id, &o.changed, &o.name, &o.country, &o.source}) {
            if (f != &o.id) {
                out += '|';
            }
            append_field(out, *f);
        }
        out += '\n';
    }
    out += "# format:aut|changed|aut_name|org_id|opaque_id|source\n";
    for (const AsRow& a : rows.ases) {
        out += std::to_string(a.asn);
        for (const std::string* f : {&a.changed, &a.name, &a.org_id, &a.opaque_id, &a.source}) {
            out += '|';
            append_field(out, *f);
        }
        out += '\n';
    }
    return out;
}

std::string write_caida_jsonl(const As2orgRows& rows) {
    std::string out;
    out.reserve(160 * (rows.orgs.size() + rows.ases.size()));
    // nlohmann::json objects are std::maps: keys come out in alphabetical order, which is
    // CAIDA's order.
    for (const OrgRow& o : rows.orgs) {
        nlohmann::json j;
        j["changed"] = o.changed;
        j["country"] = o.country;
        j["name"] = o.name;
        j["organizationId"] = o.id;
        j["source"] = o.source;
        j["type"] = "Organization";
        out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        out += '\n';
    }
    for (const AsRow& a : rows.ases) {
        nlohmann::json j;
        j["asn"] = std::to_string(a.asn);
        j["changed"] = a.changed;
        j["name"] = a.name;
        j["opaqueId"] = a.opaque_id;
        j["organizationId"] = a.org_id;
        j["source"] = a.source;
        j["type"] = "ASN";
        out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        out += '\n';
    }
    return out;
}

} // namespace dg::org
