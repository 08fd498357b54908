#include "dg/ptr/address_list.hpp"

#include "dg/dns/name_input.hpp"

#include <algorithm>

namespace dg::ptr {
namespace {

U128 v6_value(const IpAddress& a) {
    return (static_cast<U128>(a.v6_high()) << 64) | a.v6_low();
}

IpAddress v6_address(U128 v) {
    std::uint8_t bytes[16];
    for (int i = 15; i >= 0; --i) {
        bytes[i] = static_cast<std::uint8_t>(v & 0xff);
        v >>= 8;
    }
    return IpAddress::from_bytes(IpFamily::V6, bytes);
}

/// Addresses in [first, last]; ranges here hold at most 2^64 - 1 addresses (enforced by the
/// readers, which never build a v6 range larger than kMaxV6PrefixAddresses).
template <class T> std::uint64_t range_size(const std::pair<T, T>& r) {
    return static_cast<std::uint64_t>(r.second - r.first) + 1;
}

template <class T> std::vector<std::pair<T, T>> merge(std::vector<std::pair<T, T>> ranges) {
    std::sort(ranges.begin(), ranges.end());
    std::vector<std::pair<T, T>> out;
    for (const auto& r : ranges) {
        // adjacent ranges merge too: [a, b] and [b + 1, c] (b + 1 cannot overflow when b is
        // below the next range's first address)
        if (!out.empty() && (r.first <= out.back().second || r.first == out.back().second + 1)) {
            out.back().second = std::max(out.back().second, r.second);
        } else {
            out.push_back(r);
        }
    }
    return out;
}

template <class T>
std::uint64_t starts_of(const std::vector<std::pair<T, T>>& ranges, std::vector<std::uint64_t>& s) {
    s.clear();
    std::uint64_t total = 0;
    for (const auto& r : ranges) {
        s.push_back(total);
        total += range_size(r);
    }
    return total;
}

/// Index of the range holding position `index` (starts ascending, starts[0] == 0).
std::size_t range_at(const std::vector<std::uint64_t>& starts, std::uint64_t index) {
    auto it = std::upper_bound(starts.begin(), starts.end(), index);
    return static_cast<std::size_t>(it - starts.begin()) - 1;
}

template <class T>
std::optional<std::uint64_t> find_index(const std::vector<std::pair<T, T>>& ranges,
                                        const std::vector<std::uint64_t>& starts, T value) {
    auto it = std::upper_bound(ranges.begin(), ranges.end(), value,
                               [](T v, const std::pair<T, T>& r) { return v < r.first; });
    if (it == ranges.begin()) {
        return std::nullopt;
    }
    --it;
    if (value > it->second) {
        return std::nullopt;
    }
    const auto k = static_cast<std::size_t>(it - ranges.begin());
    return starts[k] + static_cast<std::uint64_t>(value - it->first);
}

/// Splits [first, last] into the fewest aligned CIDR blocks.
template <class T>
void cover(T first, T last, int bits, std::vector<Prefix>& out, IpAddress (*make)(T)) {
    while (true) {
        int size_bits = 0; // block of 2^size_bits addresses aligned at `first`
        while (size_bits < bits) {
            const T block = static_cast<T>(T{1} << size_bits);
            const T next = static_cast<T>(block << 1);
            if ((first & (next - 1)) != 0 || (next - 1) > last - first) {
                break;
            }
            ++size_bits;
            if (size_bits == bits) {
                break;
            }
        }
        out.emplace_back(make(first), bits - size_bits);
        const T span =
            size_bits >= bits ? static_cast<T>(~T{0}) : static_cast<T>((T{1} << size_bits) - 1);
        if (last - first <= span) {
            return;
        }
        first = static_cast<T>(first + span + 1);
    }
}

IpAddress make_v4(std::uint32_t v) {
    return IpAddress::v4(v);
}
IpAddress make_v6(U128 v) {
    return v6_address(v);
}

std::string cut(std::string_view s) {
    return std::string(s.substr(0, 80));
}

/// The entry of a line: text before a '#', first whitespace-separated token.
std::string_view entry_of(std::string_view line) {
    line = line.substr(0, line.find('#'));
    const auto end = line.find_first_of(" \t\r");
    return line.substr(0, end);
}

} // namespace

AddressPlan AddressPlan::from_ranges(std::vector<V4Range> v4, std::vector<V6Range> v6) {
    AddressPlan p;
    p.v4_ = merge(std::move(v4));
    p.v6_ = merge(std::move(v6));
    p.v4_count_ = starts_of(p.v4_, p.v4_start_);
    p.v6_count_ = starts_of(p.v6_, p.v6_start_);
    return p;
}

AddressPlan AddressPlan::from_prefixes(const std::vector<Prefix>& prefixes) {
    std::vector<V4Range> v4;
    std::vector<V6Range> v6;
    for (const Prefix& p : prefixes) {
        if (p.family() == IpFamily::V4) {
            const std::uint32_t first = p.network().v4_value();
            const std::uint32_t span =
                p.length() == 0 ? 0xffffffffU
                                : static_cast<std::uint32_t>((1ULL << (32 - p.length())) - 1);
            v4.emplace_back(first, first + span);
        } else {
            const U128 first = v6_value(p.network());
            const U128 span = p.length() == 0 ? ~U128{0} : (U128{1} << (128 - p.length())) - 1;
            v6.emplace_back(first, first + span);
        }
    }
    return from_ranges(std::move(v4), std::move(v6));
}

IpAddress AddressPlan::at(std::uint64_t index) const {
    DG_ASSERT(index < size());
    if (index < v4_count_) {
        const std::size_t k = range_at(v4_start_, index);
        return IpAddress::v4(v4_[k].first + static_cast<std::uint32_t>(index - v4_start_[k]));
    }
    index -= v4_count_;
    const std::size_t k = range_at(v6_start_, index);
    return v6_address(v6_[k].first + (index - v6_start_[k]));
}

std::optional<std::uint64_t> AddressPlan::index_of(const IpAddress& address) const {
    if (address.is_v4()) {
        return find_index(v4_, v4_start_, address.v4_value());
    }
    auto i = find_index(v6_, v6_start_, v6_value(address));
    if (i) {
        *i += v4_count_;
    }
    return i;
}

std::vector<Prefix> AddressPlan::prefixes() const {
    std::vector<Prefix> out;
    for (const auto& r : v4_) {
        cover<std::uint32_t>(r.first, r.second, 32, out, make_v4);
    }
    for (const auto& r : v6_) {
        cover<U128>(r.first, r.second, 128, out, make_v6);
    }
    return out;
}

Result<AddressPlan> read_address_list(io::ByteSource& source, ListKind kind, ListReport& report) {
    // NameLineReader owns its source: wrap a borrowed one.
    struct Borrowed final : io::ByteSource {
        explicit Borrowed(io::ByteSource& s) : s_(s) {}
        Result<std::size_t> read(std::span<std::uint8_t> out) override { return s_.read(out); }
        [[nodiscard]] const std::string& name() const override { return s_.name(); }
        [[nodiscard]] std::uint64_t raw_position() const override { return s_.raw_position(); }
        io::ByteSource& s_;
    };
    dns::NameLineReader reader(std::make_unique<Borrowed>(source));
    std::vector<AddressPlan::V4Range> v4;
    std::vector<AddressPlan::V6Range> v6;
    auto invalid = [&](const dns::InputLine& line, std::string reason) {
        ++report.invalid;
        if (report.problems.size() < kMaxReportedProblems) {
            report.problems.push_back(LineProblem{line.number, cut(line.text), std::move(reason)});
        }
    };
    while (true) {
        DG_TRY(auto line, reader.next());
        if (!line) {
            break;
        }
        const std::string_view entry = entry_of(line->text);
        if (entry.empty()) {
            continue; // a line that was only an inline comment
        }
        ++report.lines;
        auto prefix = Prefix::parse(entry, false);
        if (!prefix) {
            invalid(*line, prefix.error().message);
            continue;
        }
        const int host_bits = prefix->network().bit_width() - prefix->length();
        if (kind == ListKind::Addresses && host_bits != 0) {
            invalid(*line, "an address list takes single addresses, not '" + std::string(entry) +
                               "' (use --prefixes for prefixes)");
            continue;
        }
        if (prefix->family() == IpFamily::V6 &&
            (host_bits >= 64 || (std::uint64_t{1} << host_bits) > kMaxV6PrefixAddresses)) {
            return make_error(ErrorCode::ResourceExhausted,
                              "IPv6 prefix " + prefix->to_string() + " holds 2^" +
                                  std::to_string(host_bits) +
                                  " addresses; only IPv6 prefixes of at most " +
                                  with_commas(kMaxV6PrefixAddresses) +
                                  " addresses (/112 or longer) are enumerated (limit "
                                  "kMaxV6PrefixAddresses): pass the addresses to query with "
                                  "--addresses FILE instead")
                .at(source.name(), std::nullopt, line->number);
        }
        ++report.entries;
        report.listed_addresses += std::uint64_t{1} << std::min(host_bits, 63);
        if (prefix->family() == IpFamily::V4) {
            const std::uint32_t first = prefix->network().v4_value();
            const auto span = static_cast<std::uint32_t>((std::uint64_t{1} << host_bits) - 1);
            v4.emplace_back(first, first + span);
        } else {
            const U128 first = v6_value(prefix->network());
            v6.emplace_back(first, first + ((U128{1} << host_bits) - 1));
        }
    }
    return AddressPlan::from_ranges(std::move(v4), std::move(v6));
}

Result<AddressPlan> parse_address_list(std::string_view text, ListKind kind, ListReport& report) {
    auto src = io::from_memory(std::vector<std::uint8_t>(text.begin(), text.end()), "list");
    return read_address_list(*src, kind, report);
}

std::string reverse_name(const IpAddress& address) {
    std::string out;
    const auto& b = address.bytes();
    if (address.is_v4()) {
        for (int i = 3; i >= 0; --i) {
            out += std::to_string(b[static_cast<std::size_t>(i)]);
            out += '.';
        }
        out += "in-addr.arpa";
        return out;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    out.reserve(72);
    for (int i = 15; i >= 0; --i) {
        const std::uint8_t v = b[static_cast<std::size_t>(i)];
        out += kHex[v & 0xf];
        out += '.';
        out += kHex[v >> 4];
        out += '.';
    }
    out += "ip6.arpa";
    return out;
}

std::string with_commas(std::uint64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            out += ',';
        }
        out += digits[i];
    }
    return out;
}

} // namespace dg::ptr
