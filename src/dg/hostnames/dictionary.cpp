#include "dg/hostnames/dictionary.hpp"

#include "dg/core/byte_source.hpp"
#include "dg/core/paths.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dg::hostnames {
namespace {

constexpr std::array<char, 8> kMagic = {'D', 'G', 'H', 'N', 'D', 'I', 'C', 'T'};
constexpr std::uint32_t kVersion = 2;
constexpr std::size_t kHeaderSize = 64;
constexpr std::size_t kPlaceSize = 20;
constexpr std::size_t kInfoSize = 20;
constexpr std::size_t kEntrySize = 8;
constexpr std::size_t kMaxDictBytes = std::size_t{1} << 30;
constexpr std::uint32_t kSlotIndexMask = 0xFFFFFFU;

std::uint32_t load32(const std::uint8_t* p) {
    std::uint32_t v = 0;
    std::memcpy(&v, p, sizeof(v));
    return v;
}

std::int32_t load_i32(const std::uint8_t* p) {
    std::int32_t v = 0;
    std::memcpy(&v, p, sizeof(v));
    return v;
}

bool is_place_type(std::uint8_t t) {
    switch (static_cast<EntryType>(t)) {
    case EntryType::City:
    case EntryType::CityAlt:
    case EntryType::Iata:
    case EntryType::Icao:
    case EntryType::Locode:
    case EntryType::State:
    case EntryType::Country:
    case EntryType::Metro:
        return true;
    default:
        return false;
    }
}

bool is_psl_type(std::uint8_t t) {
    const auto e = static_cast<EntryType>(t);
    return e == EntryType::Psl || e == EntryType::PslWildcard || e == EntryType::PslException;
}

bool is_info_type(std::uint8_t t) {
    const auto e = static_cast<EntryType>(t);
    return e == EntryType::Interface || e == EntryType::Role || e == EntryType::Region;
}

} // namespace

std::uint32_t fnv1a(std::string_view s) {
    std::uint32_t h = 0x811C9DC5U;
    for (const char c : s) {
        h ^= static_cast<std::uint8_t>(c);
        h *= 0x01000193U;
    }
    return h;
}

struct Dictionary::Storage {
    void* map = nullptr;
    std::size_t length = 0;
    std::vector<std::uint8_t> bytes; // used when not mapped
    Storage() = default;
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;
    ~Storage() {
        if (map != nullptr) {
            munmap(map, length);
        }
    }
    [[nodiscard]] const std::uint8_t* data() const {
        return map != nullptr ? static_cast<const std::uint8_t*>(map) : bytes.data();
    }
    [[nodiscard]] std::size_t size() const { return map != nullptr ? length : bytes.size(); }
};

namespace {

Result<std::shared_ptr<Dictionary::Storage>> map_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const ErrorCode code = errno == ENOENT ? ErrorCode::NotFound : ErrorCode::Io;
        return make_error(code, std::strerror(errno)).at(path);
    }
    struct stat st {};
    if (fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(kHeaderSize)) {
        ::close(fd);
        return make_error(ErrorCode::Malformed, "not a hostname dictionary (too short)").at(path);
    }
    const auto length = static_cast<std::size_t>(st.st_size);
    void* addr = mmap(nullptr, length, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (addr == MAP_FAILED) {
        return make_error(ErrorCode::Io, std::string("mmap: ") + std::strerror(errno)).at(path);
    }
    auto s = std::make_shared<Dictionary::Storage>();
    s->map = addr;
    s->length = length;
    return s;
}

bool write_whole(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    const std::string tmp = path + ".tmp." + std::to_string(getpid());
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (f == nullptr) {
        return false;
    }
    const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    const bool closed = std::fclose(f) == 0;
    if (!written || !closed || std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        return false;
    }
    return true;
}

} // namespace

Result<Dictionary> Dictionary::open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const ErrorCode code = errno == ENOENT ? ErrorCode::NotFound : ErrorCode::Io;
        return make_error(code, std::strerror(errno)).at(path);
    }
    std::array<std::uint8_t, 2> head{};
    struct stat st {};
    const bool ok = ::read(fd, head.data(), head.size()) == 2 && fstat(fd, &st) == 0;
    ::close(fd);
    if (!ok) {
        return make_error(ErrorCode::Malformed, "not a hostname dictionary (too short)").at(path);
    }
    if (io::detect_compression(head) == io::Compression::None) {
        auto storage = map_file(path);
        if (!storage) {
            return storage.error();
        }
        return from_storage(std::move(*storage), path);
    }
    // Compressed: decompress once into the cache, keyed by size, mtime and path.
    const std::string cache = user_cache_dir() + "/hostnames-" +
                              std::to_string(static_cast<long long>(st.st_size)) + "-" +
                              std::to_string(static_cast<long long>(st.st_mtime)) + "-" +
                              std::to_string(fnv1a(path)) + ".dict";
    if (auto cached = map_file(cache)) {
        auto dict = from_storage(std::move(*cached), cache);
        if (dict) {
            return dict;
        }
    }
    auto src = io::open(path, io::OpenOptions{false});
    if (!src) {
        return src.error();
    }
    auto bytes = io::read_all(**src, kMaxDictBytes);
    if (!bytes) {
        return bytes.error();
    }
    auto dict = from_bytes(*bytes, path);
    if (!dict) {
        return dict;
    }
    if (ensure_directory(user_cache_dir()) && write_whole(cache, *bytes)) {
        // older decompressed copies of the same path go (a rebuilt dictionary, a new release)
        const std::string tail = "-" + std::to_string(fnv1a(path)) + ".dict";
        std::error_code ec;
        for (const auto& f : std::filesystem::directory_iterator(user_cache_dir(), ec)) {
            const std::string n = f.path().filename().string();
            if (n.rfind("hostnames-", 0) == 0 && n.size() > tail.size() &&
                n.compare(n.size() - tail.size(), tail.size(), tail) == 0 &&
                f.path().string() != cache) {
                std::filesystem::remove(f.path(), ec);
            }
        }
        if (auto mapped = map_file(cache)) {
            auto again = from_storage(std::move(*mapped), cache);
            if (again) {
                return again;
            }
        }
    }
    return dict;
}

Result<Dictionary> Dictionary::find(const std::string& dir) {
    std::vector<std::string> candidates;
    if (!dir.empty()) {
        candidates = {dir, dir + "/hostnames.dict", dir + "/hostnames.dict.gz"};
    } else {
        if (const char* env = std::getenv("DOMAINGRAPH_HOSTNAMES_DICT")) {
            candidates.emplace_back(env);
        }
        std::error_code ec;
        const std::string exe_dir =
            std::filesystem::read_symlink("/proc/self/exe", ec).parent_path().string();
        candidates.push_back(exe_dir + "/../share/domaingraph/hostnames/hostnames.dict.gz");
        candidates.push_back(std::string(DG_HOSTNAMES_DATA_DIR) + "/hostnames.dict.gz");
    }
    for (const std::string& c : candidates) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(c, ec)) {
            return open(c);
        }
    }
    return make_error(ErrorCode::NotFound,
                      "no hostname dictionary found (give --dict DIR; scripts/build-hostname-dict "
                      "builds one)")
        .at(dir.empty() ? candidates.back() : dir);
}

Result<Dictionary> Dictionary::from_bytes(std::vector<std::uint8_t> bytes, std::string name) {
    auto s = std::make_shared<Storage>();
    s->bytes = std::move(bytes);
    return from_storage(std::move(s), std::move(name));
}

Result<Dictionary> Dictionary::from_storage(std::shared_ptr<Storage> storage, std::string name) {
    const std::uint8_t* p = storage->data();
    const std::size_t n = storage->size();
    auto bad = [&](const char* why) {
        return make_error(ErrorCode::Malformed, std::string("damaged hostname dictionary: ") + why)
            .at(name);
    };
    if (n < kHeaderSize || std::memcmp(p, kMagic.data(), kMagic.size()) != 0) {
        return bad("bad magic");
    }
    if (load32(p + 8) != kVersion) {
        return bad("unsupported version");
    }
    Dictionary d;
    d.base_ = p;
    d.place_count_ = load32(p + 16);
    const std::uint32_t places_off = load32(p + 20);
    d.info_count_ = load32(p + 24);
    const std::uint32_t infos_off = load32(p + 28);
    d.entry_count_ = load32(p + 32);
    const std::uint32_t entries_off = load32(p + 36);
    d.slot_count_ = load32(p + 40);
    const std::uint32_t slots_off = load32(p + 44);
    const std::uint32_t strings_off = load32(p + 48);
    d.strings_size_ = load32(p + 52);
    auto section_ok = [&](std::uint64_t off, std::uint64_t count, std::uint64_t elem) {
        return off >= kHeaderSize && off <= n && count <= (n - off) / elem;
    };
    if (!section_ok(places_off, d.place_count_, kPlaceSize) ||
        !section_ok(infos_off, d.info_count_, kInfoSize) ||
        !section_ok(entries_off, d.entry_count_, kEntrySize) ||
        !section_ok(slots_off, d.slot_count_, 4) || !section_ok(strings_off, d.strings_size_, 1) ||
        d.slot_count_ == 0 || d.strings_size_ == 0) {
        return bad("section bounds");
    }
    d.places_ = p + places_off;
    d.infos_ = p + infos_off;
    d.entries_ = p + entries_off;
    d.slots_ = p + slots_off;
    d.strings_ = p + strings_off;
    auto string_ok = [&](std::uint32_t off) {
        return off < d.strings_size_ && std::uint64_t{off} + 1 + d.strings_[off] <= d.strings_size_;
    };
    for (std::uint32_t i = 0; i < d.place_count_; ++i) {
        const std::uint8_t* r = d.places_ + std::size_t{i} * kPlaceSize;
        if (!string_ok(load32(r + 8)) || !string_ok(load32(r + 12))) {
            return bad("place string offset");
        }
    }
    std::vector<std::uint32_t> psl_parents;
    for (std::uint32_t i = 0; i < d.entry_count_; ++i) {
        const std::uint8_t* r = d.entries_ + std::size_t{i} * kEntrySize;
        const std::uint32_t tv = load32(r + 4);
        const auto t = static_cast<std::uint8_t>(tv >> 24);
        const std::uint32_t v = tv & 0xFFFFFFU;
        if (!string_ok(load32(r))) {
            return bad("key string offset");
        }
        if (t < 1 || t > static_cast<std::uint8_t>(EntryType::Region)) {
            return bad("entry type");
        }
        if (is_psl_type(t)) {
            const std::string_view key = d.str(load32(r));
            for (std::size_t dot = key.find('.'); dot != std::string_view::npos;
                 dot = key.find('.', dot + 1)) {
                psl_parents.push_back(fnv1a(key.substr(dot + 1)));
            }
        }
        if (is_place_type(t) && v >= d.place_count_) {
            return bad("place index");
        }
        if (is_info_type(t)) {
            if (v >= d.info_count_) {
                return bad("info index");
            }
            const std::uint8_t* info = d.infos_ + std::size_t{v} * kInfoSize;
            if (static_cast<EntryType>(t) == EntryType::Region) {
                const std::uint64_t start = load32(info);
                const std::uint64_t count = load32(info + 4);
                if (start + count > d.info_count_) {
                    return bad("region list");
                }
                for (std::uint64_t k = start; k < start + count; ++k) {
                    if (load32(d.infos_ + k * kInfoSize) >= d.place_count_) {
                        return bad("region place");
                    }
                }
            } else if (!string_ok(load32(info)) || !string_ok(load32(info + 4)) ||
                       !string_ok(load32(info + 8))) {
                return bad("info string offset");
            }
        }
    }
    for (std::uint32_t i = 0; i < d.slot_count_; ++i) {
        if ((load32(d.slots_ + std::size_t{i} * 4) & kSlotIndexMask) > d.entry_count_) {
            return bad("slot");
        }
    }
    std::sort(psl_parents.begin(), psl_parents.end());
    psl_parents.erase(std::unique(psl_parents.begin(), psl_parents.end()), psl_parents.end());
    d.psl_parents_ = std::make_shared<const std::vector<std::uint32_t>>(std::move(psl_parents));
    d.storage_ = std::move(storage);
    static std::atomic<std::uint64_t> next_id{1};
    d.id_ = next_id.fetch_add(1);
    return d;
}

std::string_view Dictionary::str(std::uint32_t offset) const {
    const std::uint8_t len = strings_[offset];
    return {reinterpret_cast<const char*>(strings_ + offset + 1), len};
}

namespace {

/// A per-thread cache of recent lookups: router names repeat their tokens ("ae", "net", "cr",
/// the suffix's labels), and a probe of the 10 MB table costs a few cache misses.
struct CachedRange {
    std::uint64_t dict = 0; ///< which dictionary (Dictionary::id_; 0 = empty)
    std::uint8_t len = 0;
    std::array<char, 31> key{};
    std::uint32_t first = 0;
    std::uint32_t last = 0;
};
constexpr std::size_t kCacheSlots = 4096;
thread_local std::array<CachedRange, kCacheSlots> tls_cache;

} // namespace

std::pair<std::uint32_t, std::uint32_t> Dictionary::range(std::string_view key) const {
    return range(key, fnv1a(key));
}

bool Dictionary::is_psl_parent(std::uint32_t hash) const {
    return psl_parents_ && std::binary_search(psl_parents_->begin(), psl_parents_->end(), hash);
}

std::pair<std::uint32_t, std::uint32_t> Dictionary::range(std::string_view key,
                                                          std::uint32_t hash) const {
    if (slot_count_ == 0 || key.empty() || key.size() > 255) {
        return {0, 0};
    }
    CachedRange* cached = nullptr;
    if (key.size() <= 31) {
        cached = &tls_cache[hash % kCacheSlots];
        if (cached->dict == id_ && cached->len == key.size() &&
            std::memcmp(cached->key.data(), key.data(), key.size()) == 0) {
            return {cached->first, cached->last};
        }
    }
    const auto found = probe(key, hash);
    if (cached != nullptr) {
        cached->dict = id_;
        cached->len = static_cast<std::uint8_t>(key.size());
        std::memcpy(cached->key.data(), key.data(), key.size());
        cached->first = found.first;
        cached->last = found.second;
    }
    return found;
}

std::pair<std::uint32_t, std::uint32_t> Dictionary::probe(std::string_view key,
                                                          std::uint32_t hash) const {
    const std::uint32_t fingerprint = hash & ~kSlotIndexMask;
    std::uint32_t h = hash % slot_count_;
    // Linear probing; the table's load factor is 0.5, so an empty slot is always reached. The
    // slot's top 8 bits are the hash's: a mismatch needs no string comparison.
    for (std::uint32_t probes = 0; probes < slot_count_; ++probes) {
        const std::uint32_t s = load32(slots_ + std::size_t{h} * 4);
        if (s == 0) {
            return {0, 0};
        }
        const std::uint32_t first = (s & kSlotIndexMask) - 1;
        if ((s & ~kSlotIndexMask) == fingerprint && (s & kSlotIndexMask) != 0 &&
            str(load32(entries_ + std::size_t{first} * kEntrySize)) == key) {
            std::uint32_t last = first + 1;
            while (last < entry_count_ &&
                   str(load32(entries_ + std::size_t{last} * kEntrySize)) == key) {
                ++last;
            }
            return {first, last};
        }
        h = h + 1 == slot_count_ ? 0 : h + 1;
    }
    return {0, 0};
}

std::string_view Dictionary::key(std::uint32_t index) const {
    return str(load32(entries_ + std::size_t{index} * kEntrySize));
}

Entry Dictionary::entry(std::uint32_t index) const {
    const std::uint32_t tv = load32(entries_ + std::size_t{index} * kEntrySize + 4);
    return Entry{static_cast<EntryType>(tv >> 24), tv & 0xFFFFFFU};
}

bool Dictionary::find(std::string_view key, EntryType type, std::uint32_t* value) const {
    const auto [first, last] = range(key);
    for (std::uint32_t i = first; i < last; ++i) {
        const Entry e = entry(i);
        if (e.type == type) {
            if (value != nullptr) {
                *value = e.value;
            }
            return true;
        }
    }
    return false;
}

Place Dictionary::place(std::uint32_t index) const {
    const std::uint8_t* r = places_ + std::size_t{index} * kPlaceSize;
    Place p;
    p.lat = load_i32(r) / 1e5;
    p.lon = load_i32(r + 4) / 1e5;
    p.name = str(load32(r + 8));
    p.region = str(load32(r + 12));
    p.country = std::string_view(reinterpret_cast<const char*>(r + 16), 2);
    p.kind = static_cast<PlaceKind>(r[18]);
    p.population_code = r[19];
    return p;
}

std::uint32_t Dictionary::info_field(std::uint32_t index, int field) const {
    return load32(infos_ + std::size_t{index} * kInfoSize + static_cast<std::size_t>(field) * 4);
}

InterfaceInfo Dictionary::interface_info(std::uint32_t index) const {
    InterfaceInfo i;
    i.canonical = str(info_field(index, 0));
    i.family = str(info_field(index, 1));
    i.type = str(info_field(index, 2));
    i.speed_gbps = info_field(index, 3) / 1000.0;
    return i;
}

RoleInfo Dictionary::role_info(std::uint32_t index) const {
    RoleInfo r;
    r.meaning = str(info_field(index, 0));
    r.cls = str(info_field(index, 1));
    r.role = str(info_field(index, 2));
    return r;
}

std::pair<std::uint32_t, std::uint32_t> Dictionary::region_span(std::uint32_t info) const {
    return {info_field(info, 0), info_field(info, 1)};
}

std::vector<std::uint32_t> Dictionary::region_places(std::string_view region_key) const {
    std::vector<std::uint32_t> out;
    for_region(region_key, [&](std::uint32_t p) {
        out.push_back(p);
        return true;
    });
    return out;
}

std::size_t Dictionary::registrable_length(std::string_view host) const {
    // PSL algorithm (https://github.com/publicsuffix/list/wiki/Format): the longest matching
    // rule wins, an exception rule beats every other, a wildcard matches one more label, the
    // implicit rule "*" makes the last label a public suffix.
    std::size_t suffix_len = 0; // bytes of the public suffix
    std::size_t pos = host.size();
    std::size_t labels = 0;
    while (pos > 0) {
        const std::size_t dot = host.rfind('.', pos - 1);
        const std::size_t start = dot == std::string_view::npos ? 0 : dot + 1;
        const std::string_view candidate = host.substr(start);
        ++labels;
        bool rule = false;
        bool wildcard = false;
        bool exception = false;
        const std::uint32_t hash = fnv1a(candidate);
        const auto [lo, hi] = range(candidate, hash); // one probe for the three rule kinds
        for (std::uint32_t i = lo; i < hi; ++i) {
            const EntryType t = entry(i).type;
            rule = rule || t == EntryType::Psl;
            wildcard = wildcard || t == EntryType::PslWildcard;
            exception = exception || t == EntryType::PslException;
        }
        if (exception) {
            const std::size_t next = candidate.find('.');
            suffix_len =
                next == std::string_view::npos ? candidate.size() : candidate.size() - next - 1;
            break;
        }
        if (rule || labels == 1) {
            suffix_len = candidate.size();
        }
        if (start > 0 && wildcard) {
            const std::size_t dot2 =
                start >= 2 ? host.rfind('.', start - 2) : std::string_view::npos;
            const std::size_t start2 = dot2 == std::string_view::npos ? 0 : dot2 + 1;
            suffix_len = host.size() - start2;
        }
        // a longer rule can only match when this candidate ends one ("level3.net" ends none:
        // "cr2.frankfurt1.level3.net" needs no lookup)
        if (dot == std::string_view::npos || !is_psl_parent(hash)) {
            break;
        }
        pos = dot;
    }
    if (suffix_len >= host.size()) {
        return host.size();
    }
    // one more label
    const std::size_t cut = host.size() - suffix_len; // index of the suffix's first byte
    if (cut < 2) {
        return host.size();
    }
    const std::size_t dot = host.rfind('.', cut - 2);
    return dot == std::string_view::npos ? host.size() : host.size() - dot - 1;
}

std::size_t Dictionary::size() const {
    return storage_ ? storage_->size() : 0;
}

} // namespace dg::hostnames
