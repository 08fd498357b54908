#pragma once
// DNS messages: our small answer model, the query encoder and the response decoder. The wire
// format is handled by libknot (docs/design/0003-dns-wire-format.md); nothing outside
// message.cpp includes a libknot header.

#include "dg/core/result.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dg::dns {

/// RR types the engine understands by name (values are the IANA codes).
enum class RecordType : std::uint16_t {
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    PTR = 12,
    MX = 15,
    TXT = 16,
    AAAA = 28,
};

/// "A", "AAAA", ...; "TYPE<n>" for others.
std::string type_name(std::uint16_t type);
/// Parses "A", "aaaa", "mx" ... (only the types above). Errors: InvalidArgument.
Result<RecordType> parse_type(std::string_view text);

/// One resource record in presentation-like form.
struct Record {
    std::string owner; ///< lower case, no trailing dot ("" is the root)
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    std::string data;             ///< A/AAAA: address text; NS/CNAME/PTR/MX: target name (lower,
                                  ///< no trailing dot); TXT: strings concatenated; SOA: "mname
                                  ///< rname serial refresh retry expire minimum"; others: hex
    std::uint16_t preference = 0; ///< MX only
};

/// A decoded message (queries and responses alike).
struct Message {
    std::uint16_t id = 0;
    bool qr = false;
    bool aa = false;
    bool tc = false;
    bool rd = false;
    bool ra = false;
    std::uint16_t rcode = 0; ///< extended when an OPT record is present
    std::string qname;       ///< lower case, no trailing dot
    std::uint16_t qtype = 0;
    std::uint16_t qclass = 0;
    std::optional<std::uint16_t> edns_udp_size;
    std::vector<Record> answers;
    std::vector<Record> authority; ///< SOA of negative answers, NS of referrals
};

/// Decodes `wire`. Never trusts a length from the input; errors: Malformed with the reason
/// (the caller reports the query as MALFORMED).
Result<Message> decode_message(std::span<const std::uint8_t> wire);

/// Reads only the 16-bit ID of a message, nullopt when shorter than a header.
std::optional<std::uint16_t> peek_id(std::span<const std::uint8_t> wire);

/// Encodes a recursive query (RD=1) with an EDNS0 OPT record advertising `edns_size` (0 = no
/// EDNS). `qname` is canonical ASCII without trailing dot. Writes into `out` and returns the size.
/// Errors: InvalidArgument (name does not fit the wire format).
Result<std::size_t> encode_query(std::uint16_t id, std::string_view qname, std::uint16_t qtype,
                                 std::uint16_t edns_size, std::span<std::uint8_t> out);

/// Builds response messages; used by tests, the scenario runner and the fuzz corpus.
struct ResponseSpec {
    std::uint16_t id = 0;
    std::string qname;
    std::uint16_t qtype = 1;
    std::uint16_t rcode = 0;
    bool tc = false;
    bool edns = true;
    bool no_question = false;    ///< omit the question section (some error answers do)
    std::vector<Record> answers; ///< data in the form decode_message produces
    std::vector<Record> authority;
};
/// Encodes `spec` (A, AAAA, NS, CNAME, PTR, MX, TXT, SOA records). Errors: InvalidArgument.
Result<std::vector<std::uint8_t>> encode_response(const ResponseSpec& spec);

} // namespace dg::dns
