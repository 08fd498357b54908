// WHOIS bulk-dump reader and the inference over arbitrary bytes. Invariants: every object has at
// least one attribute, a non-empty key, lower-case names of the allowed characters; the report
// counts what was returned; the inference never fails other than "no AS record", and every AS it
// writes reads back through OrgTable.
#include "dg/org/as2org_write.hpp"
#include "dg/org/infer.hpp"
#include "dg/org/org_table.hpp"
#include "dg/org/whois_reader.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto reader = dg::org::whois::Reader::from_memory(text, "fuzz");
    std::uint64_t objects = 0;
    while (true) {
        auto next = reader.next();
        if (!next || *next == nullptr) {
            break;
        }
        ++objects;
        const auto& o = **next;
        DG_REQUIRE(!o.attributes.empty());
        DG_REQUIRE(!o.key().empty());
        for (const auto& a : o.attributes) {
            DG_REQUIRE(!a.name.empty());
            for (const char c : a.name) {
                DG_REQUIRE(!(c >= 'A' && c <= 'Z'));
                DG_REQUIRE(c != ':' && c != ' ' && c != '\n');
            }
        }
    }
    DG_REQUIRE(reader.report().objects == objects);

    dg::org::Inference inf(dg::org::InferOptions{});
    if (!inf.add_text(text, "fuzz")) {
        return 0;
    }
    auto run = inf.run();
    if (!run) {
        DG_REQUIRE(run.error().code == dg::ErrorCode::Malformed);
        return 0;
    }
    auto table = dg::org::OrgTable::parse(dg::org::write_caida_text(inf.rows()), "fuzz");
    DG_REQUIRE(table.has_value());
    DG_REQUIRE(table->as_count() == inf.rows().ases.size());
    for (const auto& as : inf.rows().ases) {
        DG_REQUIRE(table->org_of(dg::Asn(as.asn)) != nullptr);
        (void)inf.explain(dg::Asn(as.asn));
    }
    return 0;
}
