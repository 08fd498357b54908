#include "dg/dns/name_input.hpp"

#include <cstring>

namespace dg::dns {

NameLineReader::NameLineReader(std::unique_ptr<io::ByteSource> source)
    : source_(std::move(source)), buf_(1 << 16) {}

Result<std::optional<InputLine>> NameLineReader::next() {
    for (;;) {
        // Find a full line in the buffer.
        const auto* start = buf_.data() + pos_;
        const void* nl = end_ > pos_ ? std::memchr(start, '\n', end_ - pos_) : nullptr;
        std::string line;
        if (nl != nullptr) {
            const auto len = static_cast<std::size_t>(static_cast<const std::uint8_t*>(nl) - start);
            line = std::move(partial_);
            partial_.clear();
            line.append(reinterpret_cast<const char*>(start), len);
            pos_ += len + 1;
        } else if (!eof_) {
            // Keep the unfinished tail (bounded: a name line longer than 64 KiB is kept whole
            // but is certainly invalid; cap what we keep at 4 KiB).
            if (partial_.size() < 4096) {
                partial_.append(reinterpret_cast<const char*>(start),
                                std::min<std::size_t>(end_ - pos_, 4096 - partial_.size()));
            }
            pos_ = end_ = 0;
            DG_TRY(std::size_t n, source_->read(buf_));
            if (n == 0) {
                eof_ = true;
            }
            end_ = n;
            continue;
        } else if (!partial_.empty()) {
            line = std::move(partial_);
            partial_.clear();
        } else {
            return std::optional<InputLine>{};
        }
        ++line_;
        std::size_t b = 0;
        std::size_t e = line.size();
        while (b < e && (line[b] == ' ' || line[b] == '\t' || line[b] == '\r')) {
            ++b;
        }
        while (e > b && (line[e - 1] == ' ' || line[e - 1] == '\t' || line[e - 1] == '\r')) {
            --e;
        }
        if (b == e || line[b] == '#') {
            continue;
        }
        return std::optional<InputLine>{InputLine{line_, line.substr(b, e - b)}};
    }
}

} // namespace dg::dns
