// The DNS message decoder (dg::dns::decode_message) on arbitrary bytes: never crashes, and
// what it accepts is consistent (addresses parse, the question name survives re-encoding).
#include "dg/core/assert.hpp"
#include "dg/core/ip_address.hpp"
#include "dg/dns/message.hpp"

#include <array>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto m = dg::dns::decode_message(std::span<const std::uint8_t>(data, size));
    if (!m) {
        return 0;
    }
    for (const auto* section : {&m->answers, &m->authority}) {
        for (const auto& r : *section) {
            if (r.type == 1 || r.type == 28) {
                DG_REQUIRE(dg::IpAddress::parse(r.data).has_value());
            }
        }
    }
    if (!m->qname.empty()) {
        std::array<std::uint8_t, 512> buf{};
        auto n = dg::dns::encode_query(m->id, m->qname, m->qtype, 1232, buf);
        DG_REQUIRE(n.has_value());
        auto again = dg::dns::decode_message(std::span<const std::uint8_t>(buf.data(), *n));
        DG_REQUIRE(again.has_value());
        DG_REQUIRE(again->qname == m->qname && again->qtype == m->qtype);
    }
    return 0;
}
