#pragma once
// The human-readable form of a scan result (`scan --format text`), one block per domain:
//
//   example.com  NOERROR
//     A     93.184.216.34   93.184.216.0/24  AS15133 (Edgecast)
//     CNAME www.example.net
//     NS    a.iana-servers.net  199.43.135.53 AS396566
//     MX 10 mail.example.com    ...

#include "dg/model/model.hpp"

#include <string>

namespace dg::scan {

/// Appends the block of `r` (ending with a newline) to `out`.
void append_text(std::string& out, const model::DomainResult& r);

} // namespace dg::scan
