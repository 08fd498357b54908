#include "dg/dns/message.hpp"

#include "dg/core/ip_address.hpp"
#include "dg/core/shared_library.hpp"

extern "C" {
#include <libknot/libknot.h>
}

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

namespace dg::dns {

namespace {

/// libknot, opened on first use (dg/core/shared_library.hpp): its GnuTLS, LMDB and XDP
/// dependencies cost every process start otherwise. The functions called here (knot_pkt_put is
/// inline: knot_pkt_put_rotate is what it calls):
#define DG_LIBKNOT_FUNCTIONS(X)                                                                    \
    X(knot_dname_from_str)                                                                         \
    X(knot_rrset_free)                                                                             \
    X(knot_pkt_new)                                                                                \
    X(knot_pkt_begin)                                                                              \
    X(knot_dname_size)                                                                             \
    X(knot_strerror)                                                                               \
    X(knot_rrset_new)                                                                              \
    X(knot_rrset_add_rdata)                                                                        \
    X(knot_pkt_put_question)                                                                       \
    X(knot_pkt_parse)                                                                              \
    X(knot_pkt_free)                                                                               \
    X(knot_pkt_ext_rcode)                                                                          \
    X(knot_pkt_put_rotate)                                                                         \
    X(knot_dname_wire_check)                                                                       \
    X(knot_dname_to_str)

struct LibKnot {
    DG_LIBKNOT_FUNCTIONS(DG_API_MEMBER)
};

void bind_libknot(SharedLibrary& library, LibKnot& api) {
    DG_LIBKNOT_FUNCTIONS(DG_API_BIND)
}

const Result<LibKnot>& libknot() {
    return load_once<LibKnot, bind_libknot>(DG_LIBKNOT_SONAME);
}

/// The loaded library: only after the public function that got here checked libknot().
const LibKnot& knot() {
    return libknot().value();
}

struct PktDeleter {
    void operator()(knot_pkt_t* p) const { knot().knot_pkt_free(p); }
};
using PktPtr = std::unique_ptr<knot_pkt_t, PktDeleter>;

constexpr std::size_t kHeaderSize = 12;

std::uint16_t read_u16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
std::uint32_t read_u32(const std::uint8_t* p) {
    return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
           (static_cast<std::uint32_t>(p[2]) << 8) | static_cast<std::uint32_t>(p[3]);
}
void write_u16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v & 0xff);
}

void lower_ascii(std::string& s) {
    for (char& c : s) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
}

/// Presentation form of a wire name inside [p, end), lower case, no trailing dot; `used` gets
/// its wire size. nullopt when the name is not valid there (no compression allowed: libknot
/// has already decompressed rdata and owners).
std::optional<std::string> name_at(const std::uint8_t* p, const std::uint8_t* end,
                                   std::size_t* used) {
    const int size = knot().knot_dname_wire_check(p, end, nullptr);
    if (size <= 0) {
        return std::nullopt;
    }
    std::array<char, KNOT_DNAME_TXT_MAXLEN + 1> buf{};
    if (knot().knot_dname_to_str(buf.data(), p, buf.size()) == nullptr) {
        return std::nullopt;
    }
    std::string s(buf.data());
    if (!s.empty() && s.back() == '.') {
        s.pop_back();
    }
    lower_ascii(s);
    if (used != nullptr) {
        *used = static_cast<std::size_t>(size);
    }
    return s;
}

std::string hex(const std::uint8_t* p, std::size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    s.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        s.push_back(kDigits[p[i] >> 4]);
        s.push_back(kDigits[p[i] & 0xf]);
    }
    return s;
}

/// Turns one rdata into Record::data; false when it does not follow its type's format.
bool render_rdata(std::uint16_t type, const std::uint8_t* p, std::size_t len, Record& out) {
    const std::uint8_t* end = p + len;
    switch (type) {
    case KNOT_RRTYPE_A: {
        if (len != 4) {
            return false;
        }
        out.data = IpAddress::from_bytes(IpFamily::V4, p).to_string();
        return true;
    }
    case KNOT_RRTYPE_AAAA: {
        if (len != 16) {
            return false;
        }
        out.data = IpAddress::from_bytes(IpFamily::V6, p).to_string();
        return true;
    }
    case KNOT_RRTYPE_NS:
    case KNOT_RRTYPE_CNAME:
    case KNOT_RRTYPE_PTR: {
        auto n = name_at(p, end, nullptr);
        if (!n) {
            return false;
        }
        out.data = std::move(*n);
        return true;
    }
    case KNOT_RRTYPE_MX: {
        if (len < 3) {
            return false;
        }
        out.preference = read_u16(p);
        auto n = name_at(p + 2, end, nullptr);
        if (!n) {
            return false;
        }
        out.data = std::move(*n);
        return true;
    }
    case KNOT_RRTYPE_TXT: {
        std::string s;
        while (p < end) {
            const std::size_t n = *p++;
            if (n > static_cast<std::size_t>(end - p)) {
                return false;
            }
            s.append(reinterpret_cast<const char*>(p), n);
            p += n;
        }
        out.data = std::move(s);
        return true;
    }
    case KNOT_RRTYPE_SOA: {
        std::size_t used1 = 0;
        std::size_t used2 = 0;
        auto mname = name_at(p, end, &used1);
        if (!mname) {
            return false;
        }
        auto rname = name_at(p + used1, end, &used2);
        if (!rname || static_cast<std::size_t>(end - p) != used1 + used2 + 20) {
            return false;
        }
        const std::uint8_t* q = p + used1 + used2;
        std::string soa = std::move(*mname);
        soa.push_back(' ');
        soa.append(*rname);
        for (int i = 0; i < 5; ++i) {
            soa.push_back(' ');
            soa.append(std::to_string(read_u32(q + 4 * i)));
        }
        out.data = std::move(soa);
        return true;
    }
    default:
        out.data = hex(p, len);
        return true;
    }
}

Result<void> collect(const knot_pkt_t* pkt, knot_section_t id, std::vector<Record>& out) {
    const knot_pktsection_t* sec = knot_pkt_section(pkt, id);
    for (std::uint16_t i = 0; i < sec->count; ++i) {
        const knot_rrset_t* rr = knot_pkt_rr(sec, i);
        if (rr->type == KNOT_RRTYPE_OPT || rr->type == KNOT_RRTYPE_TSIG) {
            continue;
        }
        auto owner = name_at(rr->owner, rr->owner + KNOT_DNAME_MAXLEN, nullptr);
        if (!owner) {
            return make_error(ErrorCode::Malformed, "bad owner name");
        }
        const knot_rdata_t* rd = rr->rrs.rdata;
        for (std::uint16_t k = 0; k < rr->rrs.count; ++k) {
            Record rec;
            rec.owner = *owner;
            rec.type = rr->type;
            rec.ttl = rr->ttl;
            if (!render_rdata(rr->type, rd->data, rd->len, rec)) {
                return make_error(ErrorCode::Malformed,
                                  "bad " + type_name(rr->type) + " rdata for " + *owner);
            }
            out.push_back(std::move(rec));
            rd = knot_rdataset_next(const_cast<knot_rdata_t*>(rd));
        }
    }
    return ok();
}

} // namespace

std::string type_name(std::uint16_t type) {
    switch (type) {
    case 1:
        return "A";
    case 2:
        return "NS";
    case 5:
        return "CNAME";
    case 6:
        return "SOA";
    case 12:
        return "PTR";
    case 15:
        return "MX";
    case 16:
        return "TXT";
    case 28:
        return "AAAA";
    default:
        return "TYPE" + std::to_string(type);
    }
}

Result<RecordType> parse_type(std::string_view text) {
    std::string up(text);
    for (char& c : up) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    static constexpr RecordType kAll[] = {RecordType::A,   RecordType::NS,  RecordType::CNAME,
                                          RecordType::SOA, RecordType::PTR, RecordType::MX,
                                          RecordType::TXT, RecordType::AAAA};
    for (RecordType t : kAll) {
        if (type_name(static_cast<std::uint16_t>(t)) == up) {
            return t;
        }
    }
    return make_error(ErrorCode::InvalidArgument,
                      "unknown record type '" + std::string(text) +
                          "' (known: A, AAAA, CNAME, NS, MX, SOA, TXT, PTR)");
}

std::optional<std::uint16_t> peek_id(std::span<const std::uint8_t> wire) {
    if (wire.size() < kHeaderSize) {
        return std::nullopt;
    }
    return read_u16(wire.data());
}

Result<Message> decode_message(std::span<const std::uint8_t> wire) {
    if (!libknot()) {
        return libknot().error();
    }
    if (wire.size() < kHeaderSize) {
        return make_error(ErrorCode::Malformed, "shorter than a DNS header");
    }
    if (wire.size() > 65535) {
        return make_error(ErrorCode::Malformed, "longer than a DNS message");
    }
    // libknot may rewrite the buffer while parsing; parse a private copy.
    thread_local std::vector<std::uint8_t> scratch(65535);
    std::memcpy(scratch.data(), wire.data(), wire.size());
    PktPtr pkt(
        knot().knot_pkt_new(scratch.data(), static_cast<std::uint16_t>(wire.size()), nullptr));
    if (!pkt) {
        throw std::bad_alloc();
    }
    const int rc = knot().knot_pkt_parse(pkt.get(), 0);
    if (rc != KNOT_EOK) {
        return make_error(ErrorCode::Malformed,
                          std::string("unparsable: ") + knot().knot_strerror(rc));
    }
    Message m;
    const std::uint8_t* w = pkt->wire;
    m.id = knot_wire_get_id(w);
    m.qr = knot_wire_get_qr(w) != 0;
    m.aa = knot_wire_get_aa(w) != 0;
    m.tc = knot_wire_get_tc(w) != 0;
    m.rd = knot_wire_get_rd(w) != 0;
    m.ra = knot_wire_get_ra(w) != 0;
    m.rcode = knot().knot_pkt_ext_rcode(pkt.get());
    if (pkt->qname_size > 0) {
        auto q = name_at(knot_pkt_wire_qname(pkt.get()), w + pkt->size, nullptr);
        if (!q) {
            return make_error(ErrorCode::Malformed, "bad question name");
        }
        m.qname = std::move(*q);
        m.qtype = knot_pkt_qtype(pkt.get());
        m.qclass = knot_pkt_qclass(pkt.get());
    }
    if (pkt->opt_rr != nullptr) {
        m.edns_udp_size = knot_edns_get_payload(pkt->opt_rr);
    }
    DG_TRY_VOID(collect(pkt.get(), KNOT_ANSWER, m.answers));
    DG_TRY_VOID(collect(pkt.get(), KNOT_AUTHORITY, m.authority));
    return m;
}

Result<std::size_t> encode_query(std::uint16_t id, std::string_view qname, std::uint16_t qtype,
                                 std::uint16_t edns_size, std::span<std::uint8_t> out) {
    if (!libknot()) {
        return libknot().error();
    }
    if (out.size() < kHeaderSize + KNOT_DNAME_MAXLEN + 4 + 11) {
        return make_error(ErrorCode::InvalidArgument, "query buffer too small");
    }
    if (qname.size() > KNOT_DNAME_TXT_MAXLEN) {
        return make_error(ErrorCode::InvalidArgument, "name too long");
    }
    std::array<char, KNOT_DNAME_TXT_MAXLEN + 2> text{};
    std::memcpy(text.data(), qname.data(), qname.size());
    if (qname.empty()) {
        text[0] = '.';
    }
    std::uint8_t* w = out.data();
    std::memset(w, 0, kHeaderSize);
    knot_wire_set_id(w, id);
    knot_wire_set_rd(w);
    knot_wire_set_qdcount(w, 1);
    if (knot().knot_dname_from_str(w + kHeaderSize, text.data(), KNOT_DNAME_MAXLEN) == nullptr) {
        return make_error(ErrorCode::InvalidArgument,
                          "name does not fit the DNS wire format: " + std::string(qname));
    }
    std::size_t pos = kHeaderSize + knot().knot_dname_size(w + kHeaderSize);
    write_u16(w + pos, qtype);
    write_u16(w + pos + 2, KNOT_CLASS_IN);
    pos += 4;
    if (edns_size != 0) {
        knot_wire_set_arcount(w, 1);
        w[pos] = 0; // root owner
        write_u16(w + pos + 1, KNOT_RRTYPE_OPT);
        write_u16(w + pos + 3, edns_size);
        std::memset(w + pos + 5, 0, 6); // ext-rcode, version, flags, rdlength
        pos += 11;
    }
    return pos;
}

namespace {

Result<std::vector<std::uint8_t>> rdata_wire(const Record& r) {
    if (!libknot()) {
        return libknot().error();
    }
    std::vector<std::uint8_t> out;
    auto put_name = [&out](const std::string& name) -> bool {
        std::array<std::uint8_t, KNOT_DNAME_MAXLEN> buf{};
        const std::string text = name.empty() ? std::string(".") : name;
        if (knot().knot_dname_from_str(buf.data(), text.c_str(), buf.size()) == nullptr) {
            return false;
        }
        out.insert(out.end(), buf.begin(),
                   buf.begin() + static_cast<std::ptrdiff_t>(knot().knot_dname_size(buf.data())));
        return true;
    };
    switch (r.type) {
    case KNOT_RRTYPE_A:
    case KNOT_RRTYPE_AAAA: {
        auto ip = IpAddress::parse(r.data);
        if (!ip || ip->is_v4() != (r.type == KNOT_RRTYPE_A)) {
            return make_error(ErrorCode::InvalidArgument, "bad address " + r.data);
        }
        const auto& b = ip->bytes();
        out.assign(b.begin(), b.begin() + (ip->is_v4() ? 4 : 16));
        return out;
    }
    case KNOT_RRTYPE_NS:
    case KNOT_RRTYPE_CNAME:
    case KNOT_RRTYPE_PTR:
        if (!put_name(r.data)) {
            return make_error(ErrorCode::InvalidArgument, "bad name " + r.data);
        }
        return out;
    case KNOT_RRTYPE_MX:
        out.push_back(static_cast<std::uint8_t>(r.preference >> 8));
        out.push_back(static_cast<std::uint8_t>(r.preference & 0xff));
        if (!put_name(r.data)) {
            return make_error(ErrorCode::InvalidArgument, "bad name " + r.data);
        }
        return out;
    case KNOT_RRTYPE_TXT: {
        std::size_t i = 0;
        do {
            const std::size_t n = std::min<std::size_t>(255, r.data.size() - i);
            out.push_back(static_cast<std::uint8_t>(n));
            out.insert(out.end(), r.data.begin() + static_cast<std::ptrdiff_t>(i),
                       r.data.begin() + static_cast<std::ptrdiff_t>(i + n));
            i += n;
        } while (i < r.data.size());
        return out;
    }
    case KNOT_RRTYPE_SOA: {
        // "mname rname serial refresh retry expire minimum"
        std::vector<std::string> f;
        std::size_t start = 0;
        while (start <= r.data.size()) {
            const std::size_t sp = r.data.find(' ', start);
            f.push_back(
                r.data.substr(start, sp == std::string::npos ? std::string::npos : sp - start));
            if (sp == std::string::npos) {
                break;
            }
            start = sp + 1;
        }
        if (f.size() != 7 || !put_name(f[0]) || !put_name(f[1])) {
            return make_error(ErrorCode::InvalidArgument, "bad SOA " + r.data);
        }
        for (std::size_t i = 2; i < 7; ++i) {
            const auto v = static_cast<std::uint32_t>(std::stoul(f[i]));
            for (int s = 24; s >= 0; s -= 8) {
                out.push_back(static_cast<std::uint8_t>((v >> s) & 0xff));
            }
        }
        return out;
    }
    default:
        return make_error(ErrorCode::Unsupported, "cannot encode " + type_name(r.type));
    }
}

} // namespace

Result<std::vector<std::uint8_t>> encode_response(const ResponseSpec& spec) {
    if (!libknot()) {
        return libknot().error();
    }
    PktPtr pkt(knot().knot_pkt_new(nullptr, 65535, nullptr));
    if (!pkt) {
        throw std::bad_alloc();
    }
    std::uint8_t* w = pkt->wire;
    knot_wire_set_id(w, spec.id);
    knot_wire_set_qr(w);
    knot_wire_set_rd(w);
    knot_wire_set_ra(w);
    knot_wire_set_rcode(w, static_cast<std::uint8_t>(spec.rcode & 0xf));
    if (spec.tc) {
        knot_wire_set_tc(w);
    }
    std::array<std::uint8_t, KNOT_DNAME_MAXLEN> qn{};
    const std::string qtext = spec.qname.empty() ? std::string(".") : spec.qname;
    if (knot().knot_dname_from_str(qn.data(), qtext.c_str(), qn.size()) == nullptr) {
        return make_error(ErrorCode::InvalidArgument, "bad qname " + spec.qname);
    }
    if (!spec.no_question &&
        knot().knot_pkt_put_question(pkt.get(), qn.data(), KNOT_CLASS_IN, spec.qtype) != KNOT_EOK) {
        return make_error(ErrorCode::InvalidArgument, "cannot put question");
    }
    struct RrsetList {
        std::vector<knot_rrset_t*> v;
        void push_back(knot_rrset_t* r) { v.push_back(r); }
        ~RrsetList() {
            for (auto* r : v) {
                knot().knot_rrset_free(r, nullptr);
            }
        }
    } owned;
    auto put_section = [&](knot_section_t sec, const std::vector<Record>& recs) -> Result<void> {
        if (knot().knot_pkt_begin(pkt.get(), sec) != KNOT_EOK) {
            return make_error(ErrorCode::Internal, "knot_pkt_begin");
        }
        for (const Record& r : recs) {
            std::array<std::uint8_t, KNOT_DNAME_MAXLEN> owner{};
            const std::string otext = r.owner.empty() ? std::string(".") : r.owner;
            if (knot().knot_dname_from_str(owner.data(), otext.c_str(), owner.size()) == nullptr) {
                return make_error(ErrorCode::InvalidArgument, "bad owner " + r.owner);
            }
            DG_TRY(auto rd, rdata_wire(r));
            knot_rrset_t* rr =
                knot().knot_rrset_new(owner.data(), r.type, KNOT_CLASS_IN, r.ttl, nullptr);
            if (rr == nullptr) {
                throw std::bad_alloc();
            }
            if (knot().knot_rrset_add_rdata(rr, rd.data(), static_cast<std::uint16_t>(rd.size()),
                                            nullptr) != KNOT_EOK) {
                knot().knot_rrset_free(rr, nullptr);
                return make_error(ErrorCode::InvalidArgument, "cannot add rdata");
            }
            owned.push_back(rr); // the packet refers to it until it is freed
            if (knot().knot_pkt_put_rotate(pkt.get(), KNOT_COMPR_HINT_NONE, rr, 0, 0) != KNOT_EOK) {
                return make_error(ErrorCode::ResourceExhausted, "response too large");
            }
        }
        return ok();
    };
    DG_TRY_VOID(put_section(KNOT_ANSWER, spec.answers));
    DG_TRY_VOID(put_section(KNOT_AUTHORITY, spec.authority));
    std::vector<std::uint8_t> out(w, w + pkt->size);
    if (spec.edns) {
        const std::size_t pos = out.size();
        out.resize(pos + 11, 0);
        write_u16(out.data() + pos + 1, KNOT_RRTYPE_OPT);
        write_u16(out.data() + pos + 3, 1232);
        const std::uint8_t ext = static_cast<std::uint8_t>(spec.rcode >> 4);
        out[pos + 5] = ext;
        write_u16(out.data() + 10,
                  static_cast<std::uint16_t>(knot_wire_get_arcount(out.data()) + 1));
    }
    return out;
}

} // namespace dg::dns
