#include "dg/bgp/mrt_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <zlib.h>

namespace dg::bgp {

namespace {

void put8(std::vector<std::uint8_t>& o, unsigned v) {
    o.push_back(static_cast<std::uint8_t>(v & 0xFFU));
}
void put16(std::vector<std::uint8_t>& o, unsigned v) {
    put8(o, v >> 8U);
    put8(o, v);
}
void put32(std::vector<std::uint8_t>& o, std::uint32_t v) {
    put16(o, v >> 16U);
    put16(o, v & 0xFFFFU);
}
void put_ip(std::vector<std::uint8_t>& o, const IpAddress& ip) {
    const auto& b = ip.bytes();
    o.insert(o.end(), b.begin(), b.begin() + (ip.is_v4() ? 4 : 16));
}
void put_prefix(std::vector<std::uint8_t>& o, const Prefix& p) {
    const auto len = static_cast<unsigned>(p.length());
    put8(o, len);
    const auto& b = p.network().bytes();
    o.insert(o.end(), b.begin(), b.begin() + (len + 7U) / 8U);
}

// Starts an attribute; returns the position of its length for finish_attr.
std::size_t begin_attr(std::vector<std::uint8_t>& o, unsigned flags, unsigned type) {
    put8(o, flags | 0x10U); // always extended length: patched to short form in finish_attr
    put8(o, type);
    const std::size_t at = o.size();
    put16(o, 0);
    return at;
}
void finish_attr(std::vector<std::uint8_t>& o, std::size_t at) {
    const std::size_t len = o.size() - at - 2;
    if (len <= 255) {
        o[at - 2] = static_cast<std::uint8_t>(o[at - 2] & ~0x10U);
        o[at] = static_cast<std::uint8_t>(len);
        o.erase(o.begin() + static_cast<std::ptrdiff_t>(at) + 1);
    } else {
        o[at] = static_cast<std::uint8_t>(len >> 8U);
        o[at + 1] = static_cast<std::uint8_t>(len & 0xFFU);
    }
}

Error too_big(const char* what) {
    return make_error(ErrorCode::InvalidArgument, std::string(what) + " too large for MRT");
}

} // namespace

void encode_attributes(const PathAttributes& a, bool rib, std::vector<std::uint8_t>& out) {
    if (a.origin) {
        const auto at = begin_attr(out, 0x40, 1);
        put8(out, static_cast<unsigned>(*a.origin));
        finish_attr(out, at);
    }
    {
        const auto at = begin_attr(out, 0x40, 2);
        for (const auto& seg : a.as_path.segments) {
            // a segment holds at most 255 ASNs: longer ones are split
            std::size_t i = 0;
            do {
                const std::size_t n = std::min<std::size_t>(255, seg.asns.size() - i);
                put8(out, static_cast<unsigned>(seg.type));
                put8(out, static_cast<unsigned>(n));
                for (std::size_t k = 0; k < n; ++k) {
                    put32(out, seg.asns[i + k]);
                }
                i += n;
            } while (i < seg.asns.size());
        }
        finish_attr(out, at);
    }
    if (a.next_hop && a.next_hop->is_v4()) {
        const auto at = begin_attr(out, 0x40, 3);
        put_ip(out, *a.next_hop);
        finish_attr(out, at);
    }
    if (a.med) {
        const auto at = begin_attr(out, 0x80, 4);
        put32(out, *a.med);
        finish_attr(out, at);
    }
    if (a.local_pref) {
        const auto at = begin_attr(out, 0x40, 5);
        put32(out, *a.local_pref);
        finish_attr(out, at);
    }
    if (a.atomic_aggregate) {
        const auto at = begin_attr(out, 0x40, 6);
        finish_attr(out, at);
    }
    if (a.aggregator) {
        const auto at = begin_attr(out, 0xC0, 7);
        put32(out, a.aggregator->asn);
        put_ip(out, a.aggregator->address.is_v4() ? a.aggregator->address : IpAddress{});
        finish_attr(out, at);
    }
    if (!a.communities.empty()) {
        const auto at = begin_attr(out, 0xC0, 8);
        for (auto c : a.communities) {
            put32(out, c);
        }
        finish_attr(out, at);
    }
    if (rib && !a.mp_next_hops.empty()) {
        const auto at = begin_attr(out, 0x80, 14);
        std::size_t len = 0;
        for (const auto& nh : a.mp_next_hops) {
            len += nh.is_v4() ? 4U : 16U;
        }
        put8(out, static_cast<unsigned>(len));
        for (const auto& nh : a.mp_next_hops) {
            put_ip(out, nh);
        }
        finish_attr(out, at);
    }
    if (!a.large_communities.empty()) {
        const auto at = begin_attr(out, 0xC0, 32);
        for (const auto& l : a.large_communities) {
            put32(out, l.global_admin);
            put32(out, l.local1);
            put32(out, l.local2);
        }
        finish_attr(out, at);
    }
}

struct MrtWriter::Impl {
    std::FILE* file = nullptr;
    gzFile gz = nullptr;
    std::string path;
    std::vector<std::uint8_t> memory;
    bool in_memory = false;
    std::vector<std::uint8_t> rec;
    std::vector<std::uint8_t> scratch;
    std::uint64_t records = 0;

    ~Impl() { (void)close(); }

    Result<void> close() {
        Result<void> r = ok();
        if (gz != nullptr) {
            if (gzclose(gz) != Z_OK) {
                r = make_error(ErrorCode::Io, "cannot finish gzip output").at(path);
            }
            gz = nullptr;
        }
        if (file != nullptr) {
            if (std::fclose(file) != 0) {
                r = make_error(ErrorCode::Io, std::string("cannot write: ") + std::strerror(errno))
                        .at(path);
            }
            file = nullptr;
        }
        return r;
    }

    void begin(std::uint32_t ts, unsigned type, unsigned subtype) {
        rec.clear();
        put32(rec, ts);
        put16(rec, type);
        put16(rec, subtype);
        put32(rec, 0);
    }
    Result<void> emit() {
        const std::size_t len = rec.size() - 12;
        if (len > 0xFFFFFFFFU) {
            return too_big("record");
        }
        rec[8] = static_cast<std::uint8_t>(len >> 24U);
        rec[9] = static_cast<std::uint8_t>((len >> 16U) & 0xFFU);
        rec[10] = static_cast<std::uint8_t>((len >> 8U) & 0xFFU);
        rec[11] = static_cast<std::uint8_t>(len & 0xFFU);
        ++records;
        if (in_memory) {
            memory.insert(memory.end(), rec.begin(), rec.end());
            return ok();
        }
        if (gz != nullptr) {
            if (gzwrite(gz, rec.data(), static_cast<unsigned>(rec.size())) !=
                static_cast<int>(rec.size())) {
                return make_error(ErrorCode::Io, "gzip write failed").at(path);
            }
            return ok();
        }
        if (file == nullptr || std::fwrite(rec.data(), 1, rec.size(), file) != rec.size()) {
            return make_error(ErrorCode::Io, std::string("cannot write: ") + std::strerror(errno))
                .at(path);
        }
        return ok();
    }
};

MrtWriter::MrtWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MrtWriter::MrtWriter(MrtWriter&&) noexcept = default;
MrtWriter& MrtWriter::operator=(MrtWriter&&) noexcept = default;
MrtWriter::~MrtWriter() = default;

Result<MrtWriter> MrtWriter::create(const std::string& path, Options options) {
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    if (options.gzip) {
        const std::string mode = "wb" + std::to_string(std::clamp(options.gzip_level, 1, 9));
        impl->gz = gzopen(path.c_str(), mode.c_str());
        if (impl->gz == nullptr) {
            return make_error(ErrorCode::Io, "cannot create gzip file").at(path);
        }
        gzbuffer(impl->gz, 1U << 20U);
    } else {
        impl->file = std::fopen(path.c_str(), "wb");
        if (impl->file == nullptr) {
            return make_error(ErrorCode::Io, std::string("cannot create: ") + std::strerror(errno))
                .at(path);
        }
        std::setvbuf(impl->file, nullptr, _IOFBF, 1U << 20U);
    }
    return MrtWriter(std::move(impl));
}

MrtWriter MrtWriter::to_memory() {
    auto impl = std::make_unique<Impl>();
    impl->in_memory = true;
    impl->path = "memory";
    return MrtWriter(std::move(impl));
}

Result<void> MrtWriter::write_peer_index_table(std::uint32_t timestamp,
                                               std::uint32_t collector_bgp_id,
                                               const std::string& view_name,
                                               const std::vector<Peer>& peers) {
    auto& im = *impl_;
    if (peers.size() > 0xFFFFU) {
        return too_big("peer table");
    }
    if (view_name.size() > 0xFFFFU) {
        return too_big("view name");
    }
    im.begin(timestamp, kMrtTableDumpV2, kPeerIndexTable);
    put32(im.rec, collector_bgp_id);
    put16(im.rec, static_cast<unsigned>(view_name.size()));
    im.rec.insert(im.rec.end(), view_name.begin(), view_name.end());
    put16(im.rec, static_cast<unsigned>(peers.size()));
    for (const auto& p : peers) {
        put8(im.rec, (p.address.is_v4() ? 0U : 1U) | 2U);
        put32(im.rec, p.bgp_id);
        put_ip(im.rec, p.address);
        put32(im.rec, p.asn.value());
    }
    return im.emit();
}

Result<void> MrtWriter::write_rib(std::uint32_t timestamp, std::uint32_t sequence,
                                  const Prefix& prefix, const std::vector<RibEntry>& entries,
                                  bool add_path) {
    auto& im = *impl_;
    if (entries.size() > 0xFFFFU) {
        return too_big("RIB entry count");
    }
    const bool v4 = prefix.family() == IpFamily::V4;
    const unsigned subtype = add_path ? (v4 ? kRibIpv4UnicastAddPath : kRibIpv6UnicastAddPath)
                                      : (v4 ? kRibIpv4Unicast : kRibIpv6Unicast);
    im.begin(timestamp, kMrtTableDumpV2, subtype);
    put32(im.rec, sequence);
    put_prefix(im.rec, prefix);
    put16(im.rec, static_cast<unsigned>(entries.size()));
    for (const auto& e : entries) {
        put16(im.rec, e.peer_index);
        put32(im.rec, e.originated_time);
        if (add_path) {
            put32(im.rec, e.path_id.value_or(0));
        }
        im.scratch.clear();
        encode_attributes(e.attributes, true, im.scratch);
        if (im.scratch.size() > 0xFFFFU) {
            return too_big("attribute block");
        }
        put16(im.rec, static_cast<unsigned>(im.scratch.size()));
        im.rec.insert(im.rec.end(), im.scratch.begin(), im.scratch.end());
    }
    return im.emit();
}

Result<void> MrtWriter::write_update(std::uint32_t timestamp, const Peer& peer, const Peer& local,
                                     const std::vector<Prefix>& withdrawn,
                                     const std::vector<Prefix>& announced,
                                     const PathAttributes& attributes,
                                     std::optional<std::uint32_t> microseconds) {
    auto& im = *impl_;
    im.begin(timestamp, microseconds ? kMrtBgp4mpEt : kMrtBgp4mp, kBgp4mpMessageAs4);
    if (microseconds) {
        put32(im.rec, *microseconds);
    }
    put32(im.rec, peer.asn.value());
    put32(im.rec, local.asn.value());
    put16(im.rec, 0); // interface index
    put16(im.rec, peer.address.is_v4() ? 1U : 2U);
    put_ip(im.rec, peer.address);
    put_ip(im.rec, local.address.family() == peer.address.family()
                       ? local.address
                       : IpAddress::from_bytes(peer.address.family(), IpAddress{}.bytes().data()));
    // BGP message
    const std::size_t msg_start = im.rec.size();
    for (int i = 0; i < 16; ++i) {
        put8(im.rec, 0xFF);
    }
    put16(im.rec, 0); // length, patched below
    put8(im.rec, 2);  // UPDATE
    // withdrawn routes (IPv4)
    const std::size_t wlen_at = im.rec.size();
    put16(im.rec, 0);
    for (const auto& p : withdrawn) {
        if (p.family() == IpFamily::V4) {
            put_prefix(im.rec, p);
        }
    }
    const std::size_t wlen = im.rec.size() - wlen_at - 2;
    // attributes
    im.scratch.clear();
    const bool has_announced = !announced.empty();
    if (has_announced) {
        encode_attributes(attributes, false, im.scratch);
    }
    bool v6_announced = false;
    bool v6_withdrawn = false;
    for (const auto& p : announced) {
        v6_announced = v6_announced || p.family() == IpFamily::V6;
    }
    for (const auto& p : withdrawn) {
        v6_withdrawn = v6_withdrawn || p.family() == IpFamily::V6;
    }
    if (v6_announced) {
        const auto at = begin_attr(im.scratch, 0x80, 14);
        put16(im.scratch, 2);
        put8(im.scratch, 1);
        std::size_t nh_len = 0;
        for (const auto& nh : attributes.mp_next_hops) {
            nh_len += nh.is_v4() ? 0U : 16U;
        }
        put8(im.scratch, static_cast<unsigned>(std::min<std::size_t>(nh_len, 32)));
        std::size_t written = 0;
        for (const auto& nh : attributes.mp_next_hops) {
            if (!nh.is_v4() && written < 32) {
                put_ip(im.scratch, nh);
                written += 16;
            }
        }
        put8(im.scratch, 0);
        for (const auto& p : announced) {
            if (p.family() == IpFamily::V6) {
                put_prefix(im.scratch, p);
            }
        }
        finish_attr(im.scratch, at);
    }
    if (v6_withdrawn) {
        const auto at = begin_attr(im.scratch, 0x80, 15);
        put16(im.scratch, 2);
        put8(im.scratch, 1);
        for (const auto& p : withdrawn) {
            if (p.family() == IpFamily::V6) {
                put_prefix(im.scratch, p);
            }
        }
        finish_attr(im.scratch, at);
    }
    if (wlen > 0xFFFFU || im.scratch.size() > 0xFFFFU) {
        return too_big("UPDATE");
    }
    im.rec[wlen_at] = static_cast<std::uint8_t>(wlen >> 8U);
    im.rec[wlen_at + 1] = static_cast<std::uint8_t>(wlen & 0xFFU);
    put16(im.rec, static_cast<unsigned>(im.scratch.size()));
    im.rec.insert(im.rec.end(), im.scratch.begin(), im.scratch.end());
    for (const auto& p : announced) {
        if (p.family() == IpFamily::V4) {
            put_prefix(im.rec, p);
        }
    }
    const std::size_t msg_len = im.rec.size() - msg_start;
    if (msg_len > 0xFFFFU) {
        return too_big("UPDATE");
    }
    im.rec[msg_start + 16] = static_cast<std::uint8_t>(msg_len >> 8U);
    im.rec[msg_start + 17] = static_cast<std::uint8_t>(msg_len & 0xFFU);
    return im.emit();
}

Result<void> MrtWriter::write_state_change(std::uint32_t timestamp, const Peer& peer,
                                           const Peer& local, std::uint16_t old_state,
                                           std::uint16_t new_state) {
    auto& im = *impl_;
    im.begin(timestamp, kMrtBgp4mp, kBgp4mpStateChangeAs4);
    put32(im.rec, peer.asn.value());
    put32(im.rec, local.asn.value());
    put16(im.rec, 0);
    put16(im.rec, peer.address.is_v4() ? 1U : 2U);
    put_ip(im.rec, peer.address);
    put_ip(im.rec, local.address.family() == peer.address.family()
                       ? local.address
                       : IpAddress::from_bytes(peer.address.family(), IpAddress{}.bytes().data()));
    put16(im.rec, old_state);
    put16(im.rec, new_state);
    return im.emit();
}

Result<void> MrtWriter::close() {
    return impl_->close();
}
const std::vector<std::uint8_t>& MrtWriter::bytes() const {
    return impl_->memory;
}
std::uint64_t MrtWriter::records_written() const {
    return impl_->records;
}

} // namespace dg::bgp
