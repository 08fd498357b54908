#include "dg/ptr/output.hpp"

#include "dg/dns/result_json.hpp"

namespace dg::ptr {
namespace {

void append_csv_cell(std::string& out, std::string_view cell) {
    if (cell.find_first_of(",\"\n\r") == std::string_view::npos) {
        out += cell;
        return;
    }
    out += '"';
    for (const char c : cell) {
        if (c == '"') {
            out += '"';
        }
        out += c;
    }
    out += '"';
}

const char* caida_failure(dns::Status s) {
    switch (s) {
    case dns::Status::Timeout:
        return "FAIL.TIMEOUT.in-addr.arpa";
    case dns::Status::NxDomain:
    case dns::Status::NoData:
    case dns::Status::NoError:
        return "FAIL.NON-AUTHORITATIVE.in-addr.arpa";
    default:
        return "FAIL.SERVER-FAILURE.in-addr.arpa";
    }
}

} // namespace

Result<OutputFormat> parse_output_format(std::string_view text) {
    if (text == "jsonl" || text == "ndjson") {
        return OutputFormat::Jsonl;
    }
    if (text == "csv") {
        return OutputFormat::Csv;
    }
    if (text == "caida") {
        return OutputFormat::Caida;
    }
    return make_error(ErrorCode::InvalidArgument,
                      "unknown format '" + std::string(text) + "' (use jsonl, csv or caida)");
}

void append_jsonl(std::string& out, const PtrResult& r) {
    out += "{\"ip\":\"";
    out += r.ip.to_string();
    out += "\",\"status\":\"";
    out += dns::status_name(r.status);
    out += "\",\"names\":[";
    for (std::size_t i = 0; i < r.names.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        dns::append_json_string(out, r.names[i]);
    }
    out += ']';
    if (!r.cname.empty()) {
        out += ",\"cname\":";
        dns::append_json_string(out, r.cname);
    }
    out += ",\"resolver\":";
    dns::append_json_string(out, r.resolver);
    out += ",\"attempts\":";
    out += std::to_string(r.attempts);
    out += ",\"queried_at\":";
    out += std::to_string(r.queried_at);
    out += "}\n";
}

std::string_view csv_header() {
    return "ip,status,names,cname,resolver,attempts,queried_at\n";
}

void append_csv(std::string& out, const PtrResult& r) {
    out += r.ip.to_string();
    out += ',';
    out += dns::status_name(r.status);
    out += ',';
    std::string names;
    for (std::size_t i = 0; i < r.names.size(); ++i) {
        if (i > 0) {
            names += ' ';
        }
        names += r.names[i];
    }
    append_csv_cell(out, names);
    out += ',';
    append_csv_cell(out, r.cname);
    out += ',';
    append_csv_cell(out, r.resolver);
    out += ',';
    out += std::to_string(r.attempts);
    out += ',';
    out += std::to_string(r.queried_at);
    out += '\n';
}

void append_caida(std::string& out, const PtrResult& r) {
    const std::string prefix = std::to_string(r.queried_at) + "\t" + r.ip.to_string() + "\t";
    if (r.names.empty()) {
        out += prefix;
        out += caida_failure(r.status);
        out += '\n';
        return;
    }
    for (const auto& n : r.names) {
        out += prefix;
        out += n;
        out += '\n';
    }
}

std::string_view header_of(OutputFormat format) {
    return format == OutputFormat::Csv ? csv_header() : std::string_view();
}

void append_result(std::string& out, OutputFormat format, const PtrResult& r) {
    switch (format) {
    case OutputFormat::Csv:
        append_csv(out, r);
        break;
    case OutputFormat::Caida:
        append_caida(out, r);
        break;
    default:
        append_jsonl(out, r);
        break;
    }
}

Result<dns::Status> parse_status(std::string_view name) {
    for (std::size_t i = 0; i < dns::kStatusCount; ++i) {
        if (name == dns::status_name(static_cast<dns::Status>(i))) {
            return static_cast<dns::Status>(i);
        }
    }
    return make_error(ErrorCode::InvalidArgument, "unknown status '" + std::string(name) + "'");
}

} // namespace dg::ptr
