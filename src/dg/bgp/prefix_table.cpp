#include "dg/bgp/prefix_table.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <new>
#include <string_view>
#include <sys/mman.h>
#include <sys/stat.h>
#include <type_traits>
#include <unistd.h>
#include <utility>
#include <xxhash.h>

namespace dg::bgp {
namespace {

__extension__ typedef unsigned __int128 U128; // NOLINT(modernize-use-using)

constexpr std::uint32_t kChild = 0x80000000U;
constexpr std::uint32_t kIndexMask = 0x7FFFFFFFU;

// IPv4: 20-4-8; IPv6: 16 then 28 strides of 4.
constexpr std::array<std::uint8_t, 3> kV4Strides = {20, 4, 8};
constexpr int kV6FirstStride = 16;
constexpr int kV6Stride = 4;
constexpr std::size_t kV4Root = std::size_t{1} << 20;
constexpr std::size_t kV6Root = std::size_t{1} << kV6FirstStride;
// Padding appended to each trie so that "child index + largest chunk <= size" is a sufficient
// bounds check when validating a mapped file.
constexpr std::size_t kV4Pad = 256;
constexpr std::size_t kV6Pad = 16;

std::uint8_t v6_stride(std::size_t level) {
    return level == 0 ? std::uint8_t{kV6FirstStride} : std::uint8_t{kV6Stride};
}

// Bits [offset, offset + width) of a 128-bit key (MSB first).
std::uint32_t key_bits(U128 key, int offset, int width) {
    const U128 shifted = key << static_cast<unsigned>(offset);
    return static_cast<std::uint32_t>(shifted >> static_cast<unsigned>(128 - width));
}

// Writes `value` for the prefix (key, len) into a multibit trie with leaf pushing. A prefix must
// be inserted after every prefix containing it (build(): the table's order), so a painted range
// never holds child pointers yet.
template <typename Nodes, class StrideFn>
void paint(Nodes& nodes, StrideFn stride_of, U128 key, int len, std::uint32_t value) {
    std::size_t base = 0;
    int consumed = 0;
    for (std::size_t level = 0;; ++level) {
        const int stride = stride_of(level);
        const std::uint32_t idx = key_bits(key, consumed, stride);
        if (len <= consumed + stride) {
            const std::size_t span = std::size_t{1}
                                     << static_cast<unsigned>(consumed + stride - len);
            std::fill_n(nodes.begin() + static_cast<std::ptrdiff_t>(base + idx), span, value);
            return;
        }
        std::uint32_t entry = nodes[base + idx];
        if ((entry & kChild) == 0) {
            const std::size_t child_size = std::size_t{1}
                                           << static_cast<unsigned>(stride_of(level + 1));
            const std::size_t child = nodes.size();
            nodes.resize(child + child_size, entry);
            entry = kChild | static_cast<std::uint32_t>(child);
            nodes[base + idx] = entry;
        }
        base = entry & kIndexMask;
        consumed += stride;
    }
}

/// 8 bytes in network order <-> a host-order integer.
std::uint64_t load_be64(const std::uint8_t* p) {
    std::uint64_t v = 0;
    std::memcpy(&v, p, sizeof(v));
    return __builtin_bswap64(v);
}
void store_be64(std::uint8_t* p, std::uint64_t v) {
    v = __builtin_bswap64(v);
    std::memcpy(p, &v, sizeof(v));
}

/// The prefix's address as a 128-bit key (IPv4 in the top 32 bits; the rest of its 16 bytes is
/// zero in every record the builder writes).
U128 trie_key(const StoredPrefix& p) {
    return (static_cast<U128>(load_be64(p.address)) << 64U) | load_be64(p.address + 8);
}

/// Allocates from fresh anonymous mappings, whose pages read as zero until written, and leaves
/// value-initialised elements alone: a trie's never-painted slots (most of the IPv4 root: the
/// unrouted space) cost neither a memset nor a page fault.
template <typename T> struct ZeroPageAllocator {
    static_assert(std::is_trivial_v<T>);
    using value_type = T;
    ZeroPageAllocator() = default;
    template <typename U> explicit ZeroPageAllocator(const ZeroPageAllocator<U>& /*other*/) {}
    T* allocate(std::size_t n) {
        if (n == 0) {
            return nullptr;
        }
        void* a = mmap(nullptr, n * sizeof(T), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
        if (a == MAP_FAILED) {
            throw std::bad_alloc();
        }
        return static_cast<T*>(a);
    }
    void deallocate(T* p, std::size_t n) {
        if (p != nullptr) {
            munmap(p, n * sizeof(T));
        }
    }
    template <typename U> void construct(U* /*p*/) {} // fresh mappings are zero already
    template <typename U, typename... Args> void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
    template <typename U> bool operator==(const ZeroPageAllocator<U>& /*other*/) const {
        return true;
    }
};
using TrieNodes = std::vector<std::uint32_t, ZeroPageAllocator<std::uint32_t>>;

struct OwnedStorage {
    TrieNodes v4;
    TrieNodes v6;
    std::vector<StoredPrefix> prefixes;
    std::vector<Origin> origins;
};

struct MappedStorage {
    void* address = nullptr;
    std::size_t length = 0;
    MappedStorage(const MappedStorage&) = delete;
    MappedStorage& operator=(const MappedStorage&) = delete;
    MappedStorage(void* a, std::size_t l) : address(a), length(l) {}
    ~MappedStorage() {
        if (address != nullptr) {
            munmap(address, length);
        }
    }
};

/// The empty table: all-zero tries on zero pages (TrieNodes never writes them), shared.
std::shared_ptr<const OwnedStorage> empty_storage() {
    static const std::shared_ptr<const OwnedStorage> empty = [] {
        auto s = std::make_shared<OwnedStorage>();
        s->v4.resize(kV4Root + kV4Pad);
        s->v6.resize(kV6Root + kV6Pad);
        return s;
    }();
    return empty;
}

std::uint32_t flags_for(std::uint32_t asn, bool as_set) {
    std::uint32_t flags = as_set ? kOriginAsSet : 0U;
    const Asn a(asn);
    if (a.is_private()) {
        flags |= kOriginPrivate;
    }
    if (a.is_reserved()) {
        flags |= kOriginReserved;
    }
    return flags;
}

// ---- cache file layout ----
constexpr std::array<char, 8> kMagic = {'D', 'G', 'P', 'T', 'B', 'L', '\r', '\n'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kKeyMax = 192;
constexpr std::size_t kAlign = 64;

struct FileHeader {
    char magic[8];
    std::uint32_t version;
    std::uint32_t header_size;
    std::uint64_t file_size;
    std::uint64_t v4_offset, v4_count;
    std::uint64_t v6_offset, v6_count;
    std::uint64_t prefix_offset, prefix_count;
    std::uint64_t origin_offset, origin_count;
    std::uint64_t ipv4_prefix_count;
    std::uint32_t key_length;
    std::uint32_t reserved;
    char key[kKeyMax];
    std::uint64_t body_checksum;   ///< XXH3-64 of bytes [header_size, file_size)
    std::uint64_t header_checksum; ///< XXH3-64 of the header up to this field
};
static_assert(sizeof(FileHeader) % 8 == 0);

std::uint64_t align_up(std::uint64_t v) {
    return (v + kAlign - 1) / kAlign * kAlign;
}

} // namespace

// ---------------------------------------------------------------- builder

std::size_t PrefixTableBuilder::KeyHash::operator()(const Key& k) const {
    return static_cast<std::size_t>(XXH3_64bits(&k, sizeof(k)));
}

PrefixTableBuilder::Key PrefixTableBuilder::key_of(const Prefix& prefix) {
    Key key;
    const IpAddress& net = prefix.network();
    if (net.is_v4()) {
        key.hi = static_cast<std::uint64_t>(net.v4_value()) << 32U;
    } else {
        key.hi = net.v6_high();
        key.lo = net.v6_low();
    }
    key.len_family = static_cast<std::uint32_t>(prefix.length()) | (net.is_v4() ? 0x400U : 0x600U);
    return key;
}

PrefixTableBuilder::Key PrefixTableBuilder::key_of(const StoredPrefix& stored) {
    Key key;
    key.hi = load_be64(stored.address);
    key.lo = load_be64(stored.address + 8);
    key.len_family = std::uint64_t{stored.length} | (std::uint64_t{stored.family} << 8U);
    return key;
}

StoredPrefix PrefixTableBuilder::stored_of(const Key& key) {
    StoredPrefix sp;
    sp.family = static_cast<std::uint8_t>(key.len_family >> 8U);
    sp.length = static_cast<std::uint8_t>(key.len_family & 0xFFU);
    store_be64(sp.address, key.hi);
    store_be64(sp.address + 8, key.lo);
    return sp;
}

std::uint32_t PrefixTableBuilder::slot(const Prefix& prefix) {
    // RIB records carry all entries of one prefix in a row: skip the hash lookup for them.
    if (last_key_ && last_prefix_ == prefix) {
        return last_slot_;
    }
    const Key key = key_of(prefix);
    if (last_key_ && *last_key_ == key) {
        return last_slot_;
    }
    std::uint32_t found = 0;
    if (index_.empty() && (!last_key_ || key_less(*last_key_, key))) {
        // Sorted so far (RIB dumps list prefixes in order): a key above every earlier one is new,
        // no index needed. The index is built the first time the order breaks.
        prefixes_.push_back(stored_of(key));
        found = static_cast<std::uint32_t>(prefixes_.size() - 1);
    } else {
        found = find_or_insert(key);
    }
    last_key_ = key;
    last_prefix_ = prefix;
    last_slot_ = found;
    return found;
}

void PrefixTableBuilder::reserve(std::size_t prefixes) {
    prefixes_.reserve(std::min(prefixes, kMaxReserve));
    origins_.reserve(std::min(prefixes, kMaxReserve));
}

bool PrefixTableBuilder::key_less(const Key& a, const Key& b) {
    const std::uint64_t fa = a.len_family >> 8U;
    const std::uint64_t fb = b.len_family >> 8U;
    if (fa != fb) {
        return fa < fb;
    }
    if (a.hi != b.hi) {
        return a.hi < b.hi;
    }
    if (a.lo != b.lo) {
        return a.lo < b.lo;
    }
    return a.len_family < b.len_family;
}

std::uint32_t PrefixTableBuilder::find_or_insert(const Key& key) {
    if (index_.empty()) {
        // Sized for a full-table dump's order of magnitude: avoids most regrowth.
        std::size_t buckets = std::size_t{1} << 18;
        while (buckets < (prefixes_.size() + 1) * 2) {
            buckets *= 2;
        }
        rebuild_index(buckets);
    }
    if ((prefixes_.size() + 1) * 2 > index_.size()) {
        rebuild_index(index_.size() * 2);
    }
    const std::size_t mask = index_.size() - 1;
    for (std::size_t i = KeyHash{}(key)&mask;; i = (i + 1) & mask) {
        const std::uint32_t v = index_[i];
        if (v == 0) {
            prefixes_.push_back(stored_of(key));
            const auto found = static_cast<std::uint32_t>(prefixes_.size() - 1);
            index_[i] = found + 1;
            return found;
        }
        if (key_of(prefixes_[v - 1]) == key) {
            return v - 1;
        }
    }
}

void PrefixTableBuilder::rebuild_index(std::size_t buckets) {
    index_.assign(buckets, 0);
    const std::size_t mask = index_.size() - 1;
    for (std::size_t slot = 0; slot < prefixes_.size(); ++slot) {
        std::size_t i = KeyHash{}(key_of(prefixes_[slot])) & mask;
        while (index_[i] != 0) {
            i = (i + 1) & mask;
        }
        index_[i] = static_cast<std::uint32_t>(slot + 1);
    }
}

PrefixTableBuilder::OriginAcc& PrefixTableBuilder::append_origin(StoredPrefix& prefix,
                                                                 const OriginAcc& origin) {
    const std::size_t end = std::size_t{prefix.origin_begin} + prefix.origin_count;
    if (prefix.origin_count == 0 || end != origins_.size()) {
        // Not the last origins: move them to the end (the old copies stay unused).
        const auto moved_to = static_cast<std::uint32_t>(origins_.size());
        for (std::uint32_t i = 0; i < prefix.origin_count; ++i) {
            origins_.push_back(origins_[prefix.origin_begin + i]);
        }
        prefix.origin_begin = moved_to;
    }
    origins_.push_back(origin);
    ++prefix.origin_count;
    return origins_.back();
}

void PrefixTableBuilder::add(const Prefix& prefix, const PathOrigin& origin,
                             std::uint32_t peer_index) {
    ++stats_.observations;
    if (prefix.is_default()) {
        ++stats_.default_routes;
        return;
    }
    if (!origin.asn) {
        ++stats_.no_origin;
        return;
    }
    --stats_.observations; // counted again below
    add_origin(prefix, origin.asn->value(), origin.ends_in_set(), peer_index);
}

void PrefixTableBuilder::add_origin(const Prefix& prefix, std::uint32_t asn, bool as_set,
                                    std::uint32_t peer_index) {
    ++stats_.observations;
    if (prefix.is_default()) {
        ++stats_.default_routes;
        return;
    }
    StoredPrefix& sp = prefixes_[slot(prefix)];
    const std::uint32_t set_flag = as_set ? kOriginAsSet : 0U;
    OriginAcc* found = nullptr;
    for (std::uint32_t i = 0; i < sp.origin_count; ++i) {
        OriginAcc& o = origins_[sp.origin_begin + i];
        if (o.asn == asn && (o.flags & kOriginAsSet) == set_flag) {
            found = &o;
            break;
        }
    }
    if (found == nullptr) {
        found = &append_origin(sp, OriginAcc{asn, flags_for(asn, as_set), 0, kNoList});
    }
    if (peer_index == kNoPeer) {
        return;
    }
    if (peer_index < 64) {
        found->peer_mask |= std::uint64_t{1} << peer_index;
    } else {
        if (found->peers_hi == kNoList) {
            found->peers_hi = static_cast<std::uint32_t>(peer_lists_.size());
            peer_lists_.emplace_back();
        }
        auto& list = peer_lists_[found->peers_hi];
        if (list.empty() || list.back() != peer_index) {
            list.push_back(peer_index);
        }
    }
}

PrefixTable PrefixTableBuilder::build() {
    auto storage = std::make_shared<OwnedStorage>();
    if (!index_.empty()) { // else the prefixes arrived in order (see slot())
        std::sort(prefixes_.begin(), prefixes_.end(),
                  [](const StoredPrefix& a, const StoredPrefix& b) {
                      return key_less(key_of(a), key_of(b));
                  });
    }
    std::size_t origin_total = 0;
    for (const StoredPrefix& sp : prefixes_) {
        origin_total += sp.origin_count;
    }
    storage->origins.reserve(origin_total);
    std::size_t ipv4 = 0;
    for (StoredPrefix& sp : prefixes_) {
        if (sp.family == 4) {
            ++ipv4;
        }
        const std::size_t first = storage->origins.size();
        for (std::uint32_t oi = 0; oi < sp.origin_count; ++oi) {
            OriginAcc& o = origins_[sp.origin_begin + oi];
            std::size_t high_peers = 0;
            if (o.peers_hi != kNoList) {
                auto& list = peer_lists_[o.peers_hi];
                std::sort(list.begin(), list.end());
                high_peers =
                    static_cast<std::size_t>(std::unique(list.begin(), list.end()) - list.begin());
            }
            const auto peers = static_cast<std::uint32_t>(std::popcount(o.peer_mask)) +
                               static_cast<std::uint32_t>(high_peers);
            storage->origins.push_back(Origin{o.asn, peers, o.flags});
            if ((o.flags & kOriginAsSet) != 0) {
                ++stats_.as_set_origins;
            }
        }
        std::sort(storage->origins.begin() + static_cast<std::ptrdiff_t>(first),
                  storage->origins.end(), [](const Origin& a, const Origin& b) {
                      if (a.peers != b.peers) {
                          return a.peers > b.peers;
                      }
                      if (a.asn != b.asn) {
                          return a.asn < b.asn;
                      }
                      return a.flags < b.flags;
                  });
        if (sp.origin_count > 1) {
            ++stats_.moas_prefixes;
        }
        sp.origin_begin = static_cast<std::uint32_t>(first);
    }
    stats_.ipv4_prefixes = ipv4;
    stats_.ipv6_prefixes = prefixes_.size() - ipv4;
    storage->prefixes = std::move(prefixes_);

    // Room for the most child nodes painting can add (one per level a prefix goes below), so
    // the arrays never move while they grow; pages never touched cost address space only.
    std::size_t v4_nodes = kV4Root + kV4Pad;
    std::size_t v6_nodes = kV6Root + kV6Pad;
    for (const StoredPrefix& sp : storage->prefixes) {
        if (sp.family == 4) {
            v4_nodes +=
                (sp.length > kV4Strides[0] ? std::size_t{1} << kV4Strides[1] : 0U) +
                (sp.length > kV4Strides[0] + kV4Strides[1] ? std::size_t{1} << kV4Strides[2] : 0U);
        } else if (sp.length > kV6FirstStride) {
            v6_nodes +=
                static_cast<std::size_t>((sp.length - kV6FirstStride + kV6Stride - 1) / kV6Stride)
                << kV6Stride;
        }
    }
    storage->v4.reserve(v4_nodes); // one mapping each: every element below starts as zero
    storage->v6.reserve(v6_nodes);
    storage->v4.resize(kV4Root);
    storage->v6.resize(kV6Root);
    // Tries: painted in the table's order (family, address, length). A prefix comes after every
    // prefix that contains it (a smaller or equal address; at an equal one, a shorter length),
    // so a more specific prefix always overwrites its covering ones, and no child node exists
    // yet inside a range being filled. Sequential, unlike a by-length order.
    for (std::uint32_t i = 0; i < storage->prefixes.size(); ++i) {
        const StoredPrefix& sp = storage->prefixes[i];
        if (sp.family == 4) {
            paint(
                storage->v4, [](std::size_t level) { return int{kV4Strides.at(level)}; },
                trie_key(sp), sp.length, i + 1);
        } else {
            paint(
                storage->v6, [](std::size_t level) { return int{v6_stride(level)}; }, trie_key(sp),
                sp.length, i + 1);
        }
    }
    storage->v4.resize(storage->v4.size() + kV4Pad);
    storage->v6.resize(storage->v6.size() + kV6Pad);

    PrefixTable table;
    table.v4_ = storage->v4;
    table.v6_ = storage->v6;
    table.prefixes_ = storage->prefixes;
    table.origins_ = storage->origins;
    table.ipv4_count_ = ipv4;
    table.storage_ = std::move(storage);

    index_.clear();
    prefixes_.clear();
    origins_.clear();
    peer_lists_.clear();
    last_key_.reset();
    return table;
}

// ---------------------------------------------------------------- table

PrefixTable::PrefixTable() {
    auto s = empty_storage();
    v4_ = s->v4;
    v6_ = s->v6;
    storage_ = std::move(s);
}

std::uint32_t PrefixTable::find_v6(std::uint64_t high, std::uint64_t low) const {
    std::uint32_t e = v6_[high >> 48U];
    unsigned consumed = kV6FirstStride;
    while ((e & kChild) != 0 && consumed < 128) {
        const std::uint64_t idx =
            consumed < 64 ? (high >> (60U - consumed)) & 0xFU : (low >> (124U - consumed)) & 0xFU;
        e = v6_[(e & kIndexMask) + idx];
        consumed += kV6Stride;
    }
    return e - 1U;
}

std::optional<Route> PrefixTable::lookup(const IpAddress& address) const {
    const std::uint32_t idx = address.is_v4() ? find_v4(address.v4_value())
                                              : find_v6(address.v6_high(), address.v6_low());
    if (idx >= prefixes_.size()) {
        return std::nullopt;
    }
    return route(idx);
}

Prefix PrefixTable::prefix(std::size_t index) const {
    const StoredPrefix& sp = prefixes_[index];
    const IpAddress net =
        IpAddress::from_bytes(sp.family == 4 ? IpFamily::V4 : IpFamily::V6, sp.address);
    return Prefix(net, sp.length);
}

std::span<const Origin> PrefixTable::origins(std::size_t index) const {
    const StoredPrefix& sp = prefixes_[index];
    return origins_.subspan(sp.origin_begin, sp.origin_count);
}

Route PrefixTable::route(std::size_t index) const {
    return Route{prefix(index), origins(index)};
}

std::size_t PrefixTable::memory_bytes() const {
    return v4_.size_bytes() + v6_.size_bytes() + prefixes_.size_bytes() + origins_.size_bytes();
}

bool PrefixTable::has_magic(std::span<const std::uint8_t> head) {
    return head.size() >= kMagic.size() &&
           std::memcmp(head.data(), kMagic.data(), kMagic.size()) == 0;
}

Result<void> PrefixTable::save(const std::string& path, const std::string& key) const {
    if (key.size() > kKeyMax) {
        return make_error(ErrorCode::InvalidArgument, "cache key too long");
    }
    FileHeader h{};
    std::memcpy(h.magic, kMagic.data(), kMagic.size());
    h.version = kVersion;
    h.header_size = sizeof(FileHeader);
    std::uint64_t off = align_up(sizeof(FileHeader));
    h.v4_offset = off;
    h.v4_count = v4_.size();
    off = align_up(off + v4_.size_bytes());
    h.v6_offset = off;
    h.v6_count = v6_.size();
    off = align_up(off + v6_.size_bytes());
    h.prefix_offset = off;
    h.prefix_count = prefixes_.size();
    off = align_up(off + prefixes_.size_bytes());
    h.origin_offset = off;
    h.origin_count = origins_.size();
    off = align_up(off + origins_.size_bytes());
    h.file_size = off;
    h.ipv4_prefix_count = ipv4_count_;
    h.key_length = static_cast<std::uint32_t>(key.size());
    std::memcpy(h.key, key.data(), key.size());

    std::vector<std::uint8_t> body(h.file_size - sizeof(FileHeader), 0);
    auto put = [&](std::uint64_t offset, const void* data, std::size_t n) {
        if (n > 0) {
            std::memcpy(body.data() + (offset - sizeof(FileHeader)), data, n);
        }
    };
    put(h.v4_offset, v4_.data(), v4_.size_bytes());
    put(h.v6_offset, v6_.data(), v6_.size_bytes());
    put(h.prefix_offset, prefixes_.data(), prefixes_.size_bytes());
    put(h.origin_offset, origins_.data(), origins_.size_bytes());
    h.body_checksum = XXH3_64bits(body.data(), body.size());
    h.header_checksum = XXH3_64bits(&h, offsetof(FileHeader, header_checksum));

    const std::string tmp = path + ".tmp." + std::to_string(getpid());
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (f == nullptr) {
        return make_error(ErrorCode::Io, std::string("cannot create: ") + std::strerror(errno))
            .at(tmp);
    }
    const bool written = std::fwrite(&h, sizeof(h), 1, f) == 1 &&
                         (body.empty() || std::fwrite(body.data(), body.size(), 1, f) == 1);
    const bool closed = std::fclose(f) == 0;
    if (!written || !closed) {
        std::remove(tmp.c_str());
        return make_error(ErrorCode::Io, "cannot write cache file").at(tmp);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        return make_error(ErrorCode::Io, std::string("cannot rename: ") + std::strerror(errno))
            .at(path);
    }
    return ok();
}

Result<PrefixTable> PrefixTable::load(const std::string& path, const std::string& expected_key) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const ErrorCode code = errno == ENOENT ? ErrorCode::NotFound : ErrorCode::Io;
        return make_error(code, std::strerror(errno)).at(path);
    }
    struct stat st {};
    if (fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(sizeof(FileHeader))) {
        ::close(fd);
        return make_error(ErrorCode::Malformed, "not a prefix table cache (too short)").at(path);
    }
    const auto length = static_cast<std::size_t>(st.st_size);
    void* addr = mmap(nullptr, length, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (addr == MAP_FAILED) {
        return make_error(ErrorCode::Io, std::string("mmap: ") + std::strerror(errno)).at(path);
    }
    auto mapped = std::make_shared<MappedStorage>(addr, length);
    const auto* base = static_cast<const std::uint8_t*>(addr);
    FileHeader h{};
    std::memcpy(&h, base, sizeof(h));
    auto bad = [&](const char* why) {
        return make_error(ErrorCode::Malformed, std::string("damaged prefix table cache: ") + why)
            .at(path);
    };
    if (std::memcmp(h.magic, kMagic.data(), kMagic.size()) != 0) {
        return bad("bad magic");
    }
    if (h.version != kVersion) {
        return bad("unsupported version");
    }
    if (h.header_checksum != XXH3_64bits(&h, offsetof(FileHeader, header_checksum))) {
        return bad("header checksum mismatch");
    }
    if (h.header_size != sizeof(FileHeader) || h.file_size != length || h.key_length > kKeyMax) {
        return bad("sizes do not match");
    }
    auto section_ok = [&](std::uint64_t offset, std::uint64_t count, std::uint64_t elem) {
        return offset % kAlign == 0 && offset >= sizeof(FileHeader) && offset <= length &&
               count <= (length - offset) / elem;
    };
    if (!section_ok(h.v4_offset, h.v4_count, 4) || !section_ok(h.v6_offset, h.v6_count, 4) ||
        !section_ok(h.prefix_offset, h.prefix_count, sizeof(StoredPrefix)) ||
        !section_ok(h.origin_offset, h.origin_count, sizeof(Origin)) ||
        h.v4_count < kV4Root + kV4Pad || h.v6_count < kV6Root + kV6Pad ||
        h.prefix_count >= kIndexMask || h.ipv4_prefix_count > h.prefix_count) {
        return bad("section bounds");
    }
    if (h.body_checksum != XXH3_64bits(base + sizeof(FileHeader), length - sizeof(FileHeader))) {
        return bad("body checksum mismatch");
    }
    PrefixTable t;
    t.v4_ = {reinterpret_cast<const std::uint32_t*>(base + h.v4_offset), h.v4_count};
    t.v6_ = {reinterpret_cast<const std::uint32_t*>(base + h.v6_offset), h.v6_count};
    t.prefixes_ = {reinterpret_cast<const StoredPrefix*>(base + h.prefix_offset), h.prefix_count};
    t.origins_ = {reinterpret_cast<const Origin*>(base + h.origin_offset), h.origin_count};
    t.ipv4_count_ = h.ipv4_prefix_count;
    t.key_.assign(h.key, h.key_length);
    // Structural validation: every pointer and index in range, so lookups cannot escape.
    auto trie_ok = [&](std::span<const std::uint32_t> nodes, std::size_t pad) {
        const std::size_t limit = nodes.size() - pad;
        for (const std::uint32_t e : nodes) {
            if ((e & kChild) != 0 ? (e & kIndexMask) > limit : e > h.prefix_count) {
                return false;
            }
        }
        return true;
    };
    if (!trie_ok(t.v4_, kV4Pad) || !trie_ok(t.v6_, kV6Pad)) {
        return bad("trie entry out of range");
    }
    for (std::size_t i = 0; i < t.prefixes_.size(); ++i) {
        const StoredPrefix& sp = t.prefixes_[i];
        const bool v4 = i < t.ipv4_count_;
        if (sp.family != (v4 ? 4 : 6) || sp.length > (v4 ? 32 : 128) || sp.origin_count == 0 ||
            sp.origin_begin > h.origin_count ||
            sp.origin_count > h.origin_count - sp.origin_begin) {
            return bad("prefix entry out of range");
        }
    }
    if (!expected_key.empty() && t.key_ != expected_key) {
        return make_error(ErrorCode::InvalidArgument, "cache key mismatch").at(path);
    }
    t.storage_ = std::move(mapped);
    return t;
}

} // namespace dg::bgp
