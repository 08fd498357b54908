#include "dg/core/domain_name.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size); // NOLINT
    auto name = dg::DomainName::parse(text);
    if (name) {
        // Canonical form must be a fixed point.
        auto again = dg::DomainName::parse(name->text());
        DG_REQUIRE(again && again->text() == name->text());
    }
    return 0;
}
