#include "dg/scan/domain_input.hpp"

#include "dg/core/domain_name.hpp"
#include "dg/core/verified_source.hpp"

#include <xxhash.h>

namespace dg::scan {

std::uint64_t FingerprintSet::fingerprint(std::string_view name) {
    const std::uint64_t h = XXH3_64bits(name.data(), name.size());
    return h == 0 ? 1 : h;
}

void FingerprintSet::grow() {
    std::vector<std::uint64_t> old;
    old.swap(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, 0);
    const std::size_t mask = slots_.size() - 1;
    for (const std::uint64_t f : old) {
        if (f == 0) {
            continue;
        }
        std::size_t i = static_cast<std::size_t>(f) & mask;
        while (slots_[i] != 0) {
            i = (i + 1) & mask;
        }
        slots_[i] = f;
    }
}

bool FingerprintSet::insert(std::string_view name) {
    if ((size_ + 1) * 2 > slots_.size()) {
        grow();
    }
    const std::uint64_t f = fingerprint(name);
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = static_cast<std::size_t>(f) & mask;
    while (slots_[i] != 0) {
        if (slots_[i] == f) {
            return false;
        }
        i = (i + 1) & mask;
    }
    slots_[i] = f;
    ++size_;
    return true;
}

bool FingerprintSet::contains(std::string_view name) const {
    if (slots_.empty()) {
        return false;
    }
    const std::uint64_t f = fingerprint(name);
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = static_cast<std::size_t>(f) & mask;
    while (slots_[i] != 0) {
        if (slots_[i] == f) {
            return true;
        }
        i = (i + 1) & mask;
    }
    return false;
}

std::string printable(std::string_view text, std::size_t limit) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        const bool plain = c >= 0x20 && c < 0x7f && c != '\\';
        if (out.size() + (plain ? 1 : 4) > limit) {
            out += "...";
            break;
        }
        if (plain) {
            out += ch;
        } else {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

Result<DomainInput> DomainInput::open(const std::string& path) {
    // Verified: no name from a damaged gz/bz2 block is read, scanned or stored; the scan stops
    // at the block with the file and offset and is left failed and resumable (issue 19).
    DG_TRY(auto source, io::open_verified(path));
    DomainInput in;
    in.source_name_ = path == "-" ? "stdin" : path;
    in.reader_ = std::make_unique<dns::NameLineReader>(std::move(source));
    return in;
}

DomainInput DomainInput::from_names(std::vector<std::string> names) {
    DomainInput in;
    in.source_name_ = "list";
    in.names_ = std::move(names);
    return in;
}

Result<std::optional<InputItem>> DomainInput::next() {
    for (;;) {
        InputItem item;
        if (reader_) {
            DG_TRY(auto line, reader_->next());
            if (!line) {
                return std::optional<InputItem>{};
            }
            item.line = line->number;
            item.name = std::move(line->text);
        } else {
            if (next_name_ >= names_.size()) {
                return std::optional<InputItem>{};
            }
            item.line = ++next_name_;
            item.name = names_[next_name_ - 1];
        }
        ++stats_.lines;
        auto parsed = DomainName::parse(item.name, true);
        if (parsed) {
            item.name = parsed->text();
        } else {
            item.valid = false;
            // The message quotes the line: keep it printable (stores and JSON need UTF-8).
            item.error = printable(parsed.error().message, 1024);
            item.name = printable(item.name);
        }
        if (done_.contains(item.name)) {
            ++stats_.already_done;
            continue;
        }
        if (!seen_.insert(item.name)) {
            ++stats_.duplicates;
            continue;
        }
        if (!item.valid) {
            ++stats_.invalid;
        }
        return std::optional<InputItem>(std::move(item));
    }
}

std::optional<std::uint64_t> count_lines(const std::string& path) {
    if (path == "-") {
        return std::nullopt;
    }
    auto source = io::open(path);
    if (!source) {
        return std::nullopt;
    }
    dns::NameLineReader reader(std::move(*source));
    std::uint64_t n = 0;
    for (;;) {
        auto line = reader.next();
        if (!line) {
            return std::nullopt;
        }
        if (!*line) {
            return n;
        }
        ++n;
    }
}

} // namespace dg::scan
