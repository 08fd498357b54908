#pragma once
// Text forms of PTR results (docs/cli/ptr.md): JSON Lines, CSV, and CAIDA's DNS-names layout
// (`unix_time<TAB>ip<TAB>name`, failures as FAIL.*.in-addr.arpa pseudo-names).

#include "dg/core/result.hpp"
#include "dg/ptr/sweep.hpp"

#include <string>
#include <string_view>

namespace dg::ptr {

enum class OutputFormat : std::uint8_t { Jsonl, Csv, Caida };
/// "jsonl", "csv", "caida". Errors: InvalidArgument.
Result<OutputFormat> parse_output_format(std::string_view text);

/// {"ip":...,"status":...,"names":[...],"cname":... (only when set),"resolver":...,
///  "attempts":N,"queried_at":unix_seconds}
void append_jsonl(std::string& out, const PtrResult& r);
/// "ip,status,names,cname,resolver,attempts,queried_at\n"
std::string_view csv_header();
/// One row; names joined with ' '.
void append_csv(std::string& out, const PtrResult& r);
/// One line per name; an address without names gets one line with CAIDA's pseudo-name for
/// its status (NXDOMAIN/NODATA: FAIL.NON-AUTHORITATIVE, SERVFAIL/REFUSED/FORMERR/MALFORMED:
/// FAIL.SERVER-FAILURE, TIMEOUT: FAIL.TIMEOUT, all ".in-addr.arpa").
void append_caida(std::string& out, const PtrResult& r);
/// The header line of a format ("" when it has none).
std::string_view header_of(OutputFormat format);
void append_result(std::string& out, OutputFormat format, const PtrResult& r);

/// The inverse of dns::status_name ("NOERROR" -> NoError). Errors: InvalidArgument.
Result<dns::Status> parse_status(std::string_view name);

} // namespace dg::ptr
