#pragma once
// One JSON object per name (JSON Lines), the contract of `domaingraph resolve`
// (docs/cli/resolve.md). Hand-written for speed: it runs once per name at 100k names/s.

#include "dg/dns/resolver.hpp"

#include <string>
#include <string_view>

namespace dg::dns {

/// Appends `result` as one line (with '\n') to `out`. `upstreams` names the resolvers by
/// index; `input` is the name as written when it differs from result.name (IDN), else empty.
void append_json(std::string& out, const NameResult& result, const std::vector<Endpoint>& upstreams,
                 std::string_view input = {});
/// Appends the object for an input line that is not a valid domain name.
void append_invalid_json(std::string& out, std::string_view input, std::string_view reason,
                         std::uint64_t line);
/// Appends `s` as a JSON string (with quotes), escaping control characters and invalid UTF-8.
void append_json_string(std::string& out, std::string_view s);

} // namespace dg::dns
