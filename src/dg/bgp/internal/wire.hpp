#pragma once
// Private helpers of the MRT reader/writer: big-endian access and NLRI decoding.

#include "dg/bgp/bgp_types.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

namespace dg::bgp::internal {

inline std::uint16_t get16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((static_cast<unsigned>(p[0]) << 8U) | p[1]);
}
inline std::uint32_t get32(const std::uint8_t* p) {
    return (static_cast<std::uint32_t>(p[0]) << 24U) | (static_cast<std::uint32_t>(p[1]) << 16U) |
           (static_cast<std::uint32_t>(p[2]) << 8U) | static_cast<std::uint32_t>(p[3]);
}

/// A bounds-checked forward reader over a byte range. After a failed read `ok()` is false and all
/// further reads return zero.
class Cursor {
public:
    Cursor(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
    [[nodiscard]] bool ok() const { return ok_; }
    [[nodiscard]] std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
    [[nodiscard]] const std::uint8_t* data() const { return p_; }
    bool need(std::size_t n) {
        if (!ok_ || remaining() < n) {
            ok_ = false;
            return false;
        }
        return true;
    }
    std::uint8_t u8() {
        if (!need(1)) {
            return 0;
        }
        return *p_++;
    }
    std::uint16_t u16() {
        if (!need(2)) {
            return 0;
        }
        auto v = get16(p_);
        p_ += 2;
        return v;
    }
    std::uint32_t u32() {
        if (!need(4)) {
            return 0;
        }
        auto v = get32(p_);
        p_ += 4;
        return v;
    }
    /// Returns a pointer to `n` bytes and advances, or nullptr.
    const std::uint8_t* take(std::size_t n) {
        if (!need(n)) {
            return nullptr;
        }
        const auto* q = p_;
        p_ += n;
        return q;
    }
    bool skip(std::size_t n) { return take(n) != nullptr; }
    IpAddress ip(IpFamily family) {
        const std::size_t n = family == IpFamily::V4 ? 4 : 16;
        const auto* q = take(n);
        if (q == nullptr) {
            return {};
        }
        return IpAddress::from_bytes(family, q);
    }

private:
    const std::uint8_t* p_;
    const std::uint8_t* end_;
    bool ok_ = true;
};

enum class NlriStatus { Ok, Masked, Malformed };

/// Decodes one prefix (length byte + address bytes) at `c`. Bits past the mask are cleared and
/// reported as Masked.
inline NlriStatus read_prefix(Cursor& c, IpFamily family, Prefix& out, IpAddress* raw = nullptr) {
    const int max_bits = family == IpFamily::V4 ? 32 : 128;
    const std::uint8_t len = c.u8();
    if (!c.ok() || len > max_bits) {
        return NlriStatus::Malformed;
    }
    const std::size_t nbytes = (static_cast<std::size_t>(len) + 7U) / 8U;
    const auto* q = c.take(nbytes);
    if (q == nullptr) {
        return NlriStatus::Malformed;
    }
    std::array<std::uint8_t, 16> bytes{};
    if (nbytes > 0) {
        std::memcpy(bytes.data(), q, nbytes);
    }
    NlriStatus status = NlriStatus::Ok;
    const unsigned rem = len % 8U;
    if (rem != 0) {
        const auto mask = static_cast<std::uint8_t>(0xFFU >> rem);
        auto& last = bytes[nbytes - 1];
        if ((last & mask) != 0) {
            status = NlriStatus::Masked;
            if (raw != nullptr) {
                *raw = IpAddress::from_bytes(family, bytes.data());
            }
            last = static_cast<std::uint8_t>(last & ~mask);
        }
    }
    out = Prefix(IpAddress::from_bytes(family, bytes.data()), len);
    return status;
}

/// Decodes a run of NLRI. `path_ids` (may be null) receives ADD-PATH ids when `add_path`.
/// Returns false when malformed (what was decoded stays); sets `masked` when bits were cleared.
inline bool read_nlri(const std::uint8_t* data, std::size_t size, IpFamily family, bool add_path,
                      std::size_t limit, std::vector<Prefix>& out,
                      std::vector<std::uint32_t>* path_ids, bool& masked,
                      std::vector<std::pair<std::size_t, IpAddress>>* raws = nullptr) {
    Cursor c(data, size);
    while (c.remaining() > 0) {
        std::uint32_t id = 0;
        if (add_path) {
            id = c.u32();
            if (!c.ok()) {
                return false;
            }
        }
        Prefix p;
        IpAddress raw;
        const auto st = read_prefix(c, family, p, &raw);
        if (st == NlriStatus::Malformed || out.size() >= limit) {
            return false;
        }
        if (st == NlriStatus::Masked) {
            masked = true;
            if (raws != nullptr) {
                raws->emplace_back(out.size(), raw);
            }
        }
        out.push_back(p);
        if (path_ids != nullptr && add_path) {
            path_ids->push_back(id);
        }
    }
    return true;
}

/// Counts ASes as RFC 6793 §4.2.3 does: an AS_SET counts 1, confederation segments 0.
std::size_t as4_count(const AsPath& path);
/// Merges AS_PATH (2-byte, with AS_TRANS) and AS4_PATH (RFC 6793 §4.2.3) into `path`.
/// Returns false (and leaves `path` alone) when AS4_PATH is longer than AS_PATH.
bool merge_as4_path(AsPath& path, const AsPath& as4_path);
/// Parses AS_PATH segments with `asn_size`-byte ASNs into `out` (reusing its storage).
bool parse_as_path(const std::uint8_t* data, std::size_t size, std::size_t asn_size, AsPath& out);

} // namespace dg::bgp::internal
