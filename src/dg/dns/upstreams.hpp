#pragma once
// Where the upstream resolvers come from: resolv.conf, a file of addresses, the command line.

#include "dg/core/result.hpp"
#include "dg/dns/transport.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace dg::dns {

/// Parses resolv.conf text: every "nameserver ADDR" line (IPv6 zone suffixes "%eth0" are
/// dropped with the server, since we cannot bind to them portably). Errors: NotFound when
/// there is none.
Result<std::vector<Endpoint>> parse_resolv_conf(std::string_view text, const std::string& source);
/// Reads /etc/resolv.conf (or `path`). Errors: Io, NotFound.
Result<std::vector<Endpoint>> system_resolvers(const std::string& path = "/etc/resolv.conf");
/// A file with one "IP[:PORT]" per line; '#' starts a comment, blank lines are skipped.
/// Errors: Io; InvalidArgument with the line number.
Result<std::vector<Endpoint>> parse_resolver_list(std::string_view text, const std::string& source);

} // namespace dg::dns
