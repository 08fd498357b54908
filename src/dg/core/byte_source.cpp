#include "dg/core/byte_source.hpp"

#include "dg/core/verified_source.hpp"

#include <algorithm>
#include <bzlib.h>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <mutex>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

namespace dg::io {

Result<std::size_t> ByteSource::read_fully(std::span<std::uint8_t> out) {
    std::size_t got = 0;
    while (got < out.size()) {
        DG_TRY(std::size_t n, read(out.subspan(got)));
        if (n == 0) {
            break;
        }
        got += n;
    }
    return got;
}

Compression detect_compression(std::span<const std::uint8_t> head) {
    if (head.size() >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
        return Compression::Gzip;
    }
    if (head.size() >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
        return Compression::Bzip2;
    }
    if (head.size() >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f &&
        head[3] == 0xfd) {
        return Compression::Zstd;
    }
    return Compression::None;
}

namespace {

constexpr std::size_t kInputChunk = 1 << 18;

/// Raw bytes: a file descriptor or memory, with a pushed-back head (the magic-byte peek).
class RawSource final : public ByteSource {
public:
    RawSource(int fd, bool owns, std::string name, std::optional<std::uint64_t> size)
        : fd_(fd), owns_(owns), name_(std::move(name)), size_(size) {}
    RawSource(std::vector<std::uint8_t> bytes, std::string name)
        : mem_(std::move(bytes)), name_(std::move(name)), size_(mem_.size()) {}
    ~RawSource() override {
        if (owns_ && fd_ >= 0) {
            ::close(fd_);
        }
    }
    RawSource(const RawSource&) = delete;
    RawSource& operator=(const RawSource&) = delete;

    Result<std::size_t> read(std::span<std::uint8_t> out) override {
        if (fd_ < 0) {
            const std::size_t n = std::min(out.size(), mem_.size() - mem_pos_);
            if (n == 0) {
                return std::size_t{0};
            }
            std::memcpy(out.data(), mem_.data() + mem_pos_, n);
            mem_pos_ += n;
            pos_ += n;
            return n;
        }
        for (;;) {
            const ssize_t n = ::read(fd_, out.data(), out.size());
            if (n >= 0) {
                pos_ += static_cast<std::uint64_t>(n);
                return static_cast<std::size_t>(n);
            }
            if (errno != EINTR) {
                return Error{ErrorCode::Io, std::strerror(errno), name_, pos_, {}};
            }
        }
    }
    [[nodiscard]] const std::string& name() const override { return name_; }
    [[nodiscard]] std::optional<std::uint64_t> raw_size() const override { return size_; }
    [[nodiscard]] std::uint64_t raw_position() const override { return pos_; }

private:
    int fd_ = -1;
    bool owns_ = false;
    std::vector<std::uint8_t> mem_;
    std::size_t mem_pos_ = 0;
    std::string name_;
    std::optional<std::uint64_t> size_;
    std::uint64_t pos_ = 0;
};

/// Re-serves already peeked bytes before the rest of a source.
class PeekedSource final : public ByteSource {
public:
    PeekedSource(std::unique_ptr<ByteSource> inner, std::vector<std::uint8_t> head)
        : inner_(std::move(inner)), head_(std::move(head)) {}
    Result<std::size_t> read(std::span<std::uint8_t> out) override {
        if (head_pos_ < head_.size()) {
            const std::size_t n = std::min(out.size(), head_.size() - head_pos_);
            std::memcpy(out.data(), head_.data() + head_pos_, n);
            head_pos_ += n;
            return n;
        }
        return inner_->read(out);
    }
    [[nodiscard]] const std::string& name() const override { return inner_->name(); }
    [[nodiscard]] std::optional<std::uint64_t> raw_size() const override {
        return inner_->raw_size();
    }
    [[nodiscard]] std::uint64_t raw_position() const override {
        return inner_->raw_position() - (head_.size() - head_pos_);
    }

private:
    std::unique_ptr<ByteSource> inner_;
    std::vector<std::uint8_t> head_;
    std::size_t head_pos_ = 0;
};

/// Common shape of the three decompressors: pull compressed input, push decompressed output.
class DecompressingSource : public ByteSource {
public:
    explicit DecompressingSource(std::unique_ptr<ByteSource> inner)
        : inner_(std::move(inner)), in_(kInputChunk) {}
    [[nodiscard]] const std::string& name() const override { return inner_->name(); }
    [[nodiscard]] std::optional<std::uint64_t> raw_size() const override {
        return inner_->raw_size();
    }
    [[nodiscard]] std::uint64_t raw_position() const override { return inner_->raw_position(); }

protected:
    /// Refills the input buffer when empty; returns false at end of input.
    Result<bool> refill() {
        if (in_pos_ < in_len_) {
            return true;
        }
        if (in_eof_) {
            return false;
        }
        DG_TRY(std::size_t n, inner_->read(in_));
        in_pos_ = 0;
        in_len_ = n;
        in_eof_ = n == 0;
        return n > 0;
    }
    Error corrupt(const std::string& what) const {
        return Error{ErrorCode::Malformed, what, inner_->name(), out_total_, {}};
    }

    std::unique_ptr<ByteSource> inner_;
    std::vector<std::uint8_t> in_;
    std::size_t in_pos_ = 0;
    std::size_t in_len_ = 0;
    bool in_eof_ = false;
    bool done_ = false;
    std::uint64_t out_total_ = 0; ///< decompressed bytes delivered
};

/// gzip through ISA-L's igzip inflate: the same format checks as zlib (header, CRC-32 and length
/// of every member), ~2.2x zlib's speed (bview.20020722.2337.gz: 5.3 vs 11.7 ms); a table
/// build spends most of its reading time here.
class GzipSource final : public DecompressingSource {
public:
    explicit GzipSource(std::unique_ptr<ByteSource> inner) : DecompressingSource(std::move(inner)) {
        start_member();
    }

    Result<std::size_t> read(std::span<std::uint8_t> out) override {
        while (!done_) {
            DG_TRY(bool more, refill());
            if (!more) {
                done_ = true;
                if (in_member_) {
                    return corrupt("gzip stream truncated (file ends inside a member)");
                }
                break;
            }
            st_.next_in = in_.data() + in_pos_;
            st_.avail_in = static_cast<std::uint32_t>(in_len_ - in_pos_);
            st_.next_out = out.data();
            st_.avail_out = static_cast<std::uint32_t>(std::min<std::size_t>(out.size(), 1U << 30));
            const int rc = isal_inflate(&st_);
            in_pos_ = in_len_ - st_.avail_in;
            const auto produced = static_cast<std::size_t>(st_.next_out - out.data());
            in_member_ = true;
            if (rc < 0) {
                done_ = true;
                error_ = rc;
                if (produced > 0) {
                    out_total_ += produced;
                    return produced;
                }
                return corrupt(error_text(rc));
            }
            if (st_.block_state == ISAL_BLOCK_FINISH) {
                start_member(); // concatenated members (RFC 1952 §2.2)
            }
            if (produced > 0) {
                out_total_ += produced;
                return produced;
            }
        }
        if (error_ != 0) {
            const int rc = error_;
            error_ = 0;
            return corrupt(error_text(rc));
        }
        return std::size_t{0};
    }

private:
    void start_member() {
        isal_inflate_init(&st_);
        st_.crc_flag = ISAL_GZIP; // parse the header, verify CRC-32 and length
        in_member_ = false;
    }
    static std::string error_text(int rc) {
        switch (rc) {
        case ISAL_INVALID_WRAPPER:
            return "gzip data corrupt: not a gzip header";
        case ISAL_UNSUPPORTED_METHOD:
            return "gzip data corrupt: unknown compression method";
        case ISAL_INCORRECT_CHECKSUM:
            return "gzip data corrupt: incorrect data check";
        default:
            return "gzip data corrupt: invalid deflate data";
        }
    }

    inflate_state st_{};
    bool in_member_ = false;
    int error_ = 0; ///< reported after the bytes decoded before it
};

class Bzip2Source final : public DecompressingSource {
public:
    explicit Bzip2Source(std::unique_ptr<ByteSource> inner)
        : DecompressingSource(std::move(inner)) {
        std::memset(&bs_, 0, sizeof bs_);
        ok_ = BZ2_bzDecompressInit(&bs_, 0, 0) == BZ_OK;
    }
    ~Bzip2Source() override { BZ2_bzDecompressEnd(&bs_); }
    Bzip2Source(const Bzip2Source&) = delete;
    Bzip2Source& operator=(const Bzip2Source&) = delete;

    Result<std::size_t> read(std::span<std::uint8_t> out) override {
        if (!ok_) {
            return corrupt("cannot initialise bzip2");
        }
        while (!done_) {
            DG_TRY(bool more, refill());
            if (!more) {
                done_ = true;
                if (in_stream_) {
                    return corrupt("bzip2 stream truncated (file ends inside a stream)");
                }
                break;
            }
            bs_.next_in = reinterpret_cast<char*>(in_.data() + in_pos_); // NOLINT
            bs_.avail_in = static_cast<unsigned>(in_len_ - in_pos_);
            bs_.next_out = reinterpret_cast<char*>(out.data()); // NOLINT
            bs_.avail_out = static_cast<unsigned>(std::min<std::size_t>(out.size(), 1U << 30));
            const int rc = BZ2_bzDecompress(&bs_);
            in_pos_ = in_len_ - bs_.avail_in;
            const auto produced =
                static_cast<std::size_t>(reinterpret_cast<std::uint8_t*>(bs_.next_out) - // NOLINT
                                         out.data());
            in_stream_ = true;
            if (rc == BZ_STREAM_END) {
                in_stream_ = false;
                BZ2_bzDecompressEnd(&bs_); // concatenated streams (pbzip2 output)
                std::memset(&bs_, 0, sizeof bs_);
                ok_ = BZ2_bzDecompressInit(&bs_, 0, 0) == BZ_OK;
            } else if (rc != BZ_OK) {
                done_ = true;
                if (produced > 0) {
                    out_total_ += produced;
                    pending_error_ = true;
                    return produced;
                }
                return corrupt("bzip2 data corrupt (code " + std::to_string(rc) + ")");
            }
            if (produced > 0) {
                out_total_ += produced;
                return produced;
            }
        }
        if (pending_error_) {
            pending_error_ = false;
            return corrupt("bzip2 data corrupt");
        }
        return std::size_t{0};
    }

private:
    bz_stream bs_{};
    bool ok_ = false;
    bool in_stream_ = false;
    bool pending_error_ = false;
};

/// A decompressor that holds its output until the block it came from checked out
/// (verified_source.hpp): hold_[head_, ready_) may be delivered, [ready_, end_) waits.
class HoldingSource : public DecompressingSource {
public:
    using DecompressingSource::DecompressingSource;

    Result<std::size_t> read(std::span<std::uint8_t> out) override {
        while (ready_ == head_ && !done_) {
            DG_TRY_VOID(step());
        }
        if (ready_ > head_) {
            const std::size_t n = std::min(out.size(), ready_ - head_);
            std::memcpy(out.data(), hold_.data() + head_, n);
            head_ += n;
            if (head_ == end_) {
                head_ = ready_ = boundary_ = end_ = 0;
            }
            out_total_ += n;
            return n;
        }
        if (!error_text_.empty()) {
            std::string what;
            what.swap(error_text_);
            return corrupt(what); // offset: the first byte of the damaged block
        }
        return std::size_t{0};
    }

protected:
    /// Decodes some more into hold_[end_...]; marks what checked out ready, or fails (done_,
    /// error_text_, the unverified bytes dropped).
    virtual Result<void> step() = 0;

    /// Room for at least kInputChunk more bytes at hold_[end_...].
    void make_room() {
        if (head_ > 0) {
            std::memmove(hold_.data(), hold_.data() + head_, end_ - head_);
            ready_ -= head_;
            boundary_ -= std::min(boundary_, head_);
            end_ -= head_;
            head_ = 0;
        }
        if (hold_.size() - end_ >= kInputChunk) {
            return;
        }
        if (hold_.size() >= kMaxHold) {
            // Bounded memory: let go of what ended at a block boundary (decoded without error,
            // not yet checked against the member's CRC), or, failing that, of everything.
            ready_ = std::max(ready_, boundary_);
            if (hold_.size() - end_ >= kInputChunk / 4) {
                return;
            }
            ready_ = end_;
            if (hold_.size() - end_ >= kInputChunk / 4) {
                return;
            }
        }
        hold_.resize(std::max<std::size_t>(hold_.size() * 2, kInputChunk * 4));
    }
    void fail(std::string what) {
        done_ = true;
        end_ = ready_; // the bytes of the block that failed
        error_text_ = std::move(what);
    }

    static constexpr std::size_t kMaxHold = std::size_t{64} << 20;
    std::vector<std::uint8_t> hold_;
    std::size_t head_ = 0;
    std::size_t ready_ = 0;
    std::size_t boundary_ = 0; ///< end of the last complete block (may exceed ready_)
    std::size_t end_ = 0;
    std::string error_text_;
};

/// gzip through zlib. Deflate blocks carry no check of their own (a damaged block may decode
/// to other bytes without an error), so a member is held until its CRC-32 and length matched
/// (RFC 1952 §2.3.1); past kMaxHold, what ended at a deflate block boundary (Z_BLOCK) goes
/// first. A truncated member delivers what was decoded before the cut (no garbage: the input
/// just ends), then the error.
class VerifiedGzipSource final : public HoldingSource {
public:
    explicit VerifiedGzipSource(std::unique_ptr<ByteSource> inner)
        : HoldingSource(std::move(inner)) {
        ok_ = inflateInit2(&zs_, 15 + 16) == Z_OK; // gzip wrapper (RFC 1952)
    }
    ~VerifiedGzipSource() override { inflateEnd(&zs_); }
    VerifiedGzipSource(const VerifiedGzipSource&) = delete;
    VerifiedGzipSource& operator=(const VerifiedGzipSource&) = delete;

private:
    Result<void> step() override {
        if (!ok_) {
            fail("cannot initialise zlib");
            return ok();
        }
        DG_TRY(bool more, refill());
        if (!more) {
            if (in_member_) {
                ready_ = end_; // decoded before the cut: the input ends, it is not damaged
                fail("gzip stream truncated (file ends inside a member)");
            } else {
                done_ = true;
            }
            return ok();
        }
        make_room();
        zs_.next_in = in_.data() + in_pos_;
        zs_.avail_in = static_cast<uInt>(in_len_ - in_pos_);
        zs_.next_out = hold_.data() + end_;
        zs_.avail_out = static_cast<uInt>(std::min<std::size_t>(hold_.size() - end_, 1U << 30));
        const int rc = inflate(&zs_, Z_BLOCK);
        in_pos_ = in_len_ - zs_.avail_in;
        end_ = static_cast<std::size_t>(zs_.next_out - hold_.data());
        in_member_ = true;
        if (rc == Z_STREAM_END) {
            ready_ = end_; // the member's CRC-32 and length matched
            in_member_ = false;
            inflateReset(&zs_); // concatenated members (RFC 1952 §2.2)
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            fail(std::string("gzip data corrupt: ") + (zs_.msg != nullptr ? zs_.msg : "error"));
        } else if ((zs_.data_type & 128) != 0) {
            boundary_ = end_; // a block (not the last) ended without an error
        }
        return ok();
    }

    z_stream zs_{};
    bool ok_ = false;
    bool in_member_ = false;
};

/// bzip2, fed at most kPiece compressed bytes per call: libbzip2 writes a block out only after
/// reading all of it and checks the block's CRC right after writing it, and returns with room
/// left in the output only between blocks (bzlib.c, BZ2_bzDecompress). So a call's output is
/// one finished block (rarely more) and a failed CRC drops that call's output.
class VerifiedBzip2Source final : public HoldingSource {
public:
    explicit VerifiedBzip2Source(std::unique_ptr<ByteSource> inner)
        : HoldingSource(std::move(inner)) {
        ok_ = BZ2_bzDecompressInit(&bs_, 0, 0) == BZ_OK;
    }
    ~VerifiedBzip2Source() override { BZ2_bzDecompressEnd(&bs_); }
    VerifiedBzip2Source(const VerifiedBzip2Source&) = delete;
    VerifiedBzip2Source& operator=(const VerifiedBzip2Source&) = delete;

private:
    static constexpr std::size_t kPiece = 4096;

    Result<void> step() override {
        if (!ok_) {
            fail("cannot initialise bzip2");
            return ok();
        }
        DG_TRY(bool more, refill());
        if (!more) {
            if (in_stream_) {
                fail("bzip2 stream truncated (file ends inside a stream)");
            } else {
                done_ = true;
            }
            return ok();
        }
        make_room();
        const std::size_t piece = std::min(kPiece, in_len_ - in_pos_);
        bs_.next_in = reinterpret_cast<char*>(in_.data() + in_pos_); // NOLINT
        bs_.avail_in = static_cast<unsigned>(piece);
        bs_.next_out = reinterpret_cast<char*>(hold_.data() + end_); // NOLINT
        bs_.avail_out = static_cast<unsigned>(std::min<std::size_t>(hold_.size() - end_, 1U << 30));
        const int rc = BZ2_bzDecompress(&bs_);
        in_pos_ += piece - bs_.avail_in;
        end_ = static_cast<std::size_t>(reinterpret_cast<std::uint8_t*>(bs_.next_out) - // NOLINT
                                        hold_.data());
        in_stream_ = true;
        if (rc == BZ_STREAM_END) {
            ready_ = end_;
            in_stream_ = false;
            BZ2_bzDecompressEnd(&bs_); // concatenated streams (pbzip2 output)
            std::memset(&bs_, 0, sizeof bs_);
            ok_ = BZ2_bzDecompressInit(&bs_, 0, 0) == BZ_OK;
        } else if (rc != BZ_OK) {
            fail("bzip2 data corrupt (code " + std::to_string(rc) + ")");
        } else if (bs_.avail_out > 0) {
            ready_ = end_; // between blocks: every block written so far had its CRC checked
        }
        return ok();
    }

    bz_stream bs_{};
    bool ok_ = false;
    bool in_stream_ = false;
};

class ZstdSource final : public DecompressingSource {
public:
    explicit ZstdSource(std::unique_ptr<ByteSource> inner)
        : DecompressingSource(std::move(inner)), ds_(ZSTD_createDStream()) {}
    ~ZstdSource() override { ZSTD_freeDStream(ds_); }
    ZstdSource(const ZstdSource&) = delete;
    ZstdSource& operator=(const ZstdSource&) = delete;

    Result<std::size_t> read(std::span<std::uint8_t> out) override {
        while (!done_) {
            DG_TRY(bool more, refill());
            if (!more) {
                done_ = true;
                if (last_hint_ != 0) {
                    return corrupt("zstd stream truncated (file ends inside a frame)");
                }
                break;
            }
            ZSTD_inBuffer in{in_.data() + in_pos_, in_len_ - in_pos_, 0};
            ZSTD_outBuffer o{out.data(), out.size(), 0};
            const std::size_t rc = ZSTD_decompressStream(ds_, &o, &in);
            in_pos_ += in.pos;
            if (ZSTD_isError(rc) != 0U) {
                done_ = true;
                if (o.pos > 0) {
                    out_total_ += o.pos;
                    return o.pos;
                }
                return corrupt(std::string("zstd data corrupt: ") + ZSTD_getErrorName(rc));
            }
            last_hint_ = rc;
            if (o.pos > 0) {
                out_total_ += o.pos;
                return o.pos;
            }
        }
        return std::size_t{0};
    }

private:
    ZSTD_DStream* ds_;
    std::size_t last_hint_ = 0;
};

/// Decompresses on a background thread, a few chunks ahead of the reader, so that inflating
/// (igzip ~1.3 GB/s, bzip2 ~20 MB/s here) overlaps with the parsing that consumes the bytes.
/// The bytes, the end and the error (after everything decodable before it) are those of the
/// inner source, in the same order; raw_position() is the inner position of the chunk being read.
class ReadAheadSource final : public ByteSource {
public:
    explicit ReadAheadSource(std::unique_ptr<ByteSource> inner)
        : inner_(std::move(inner)), name_(inner_->name()), raw_size_(inner_->raw_size()) {
        worker_ = std::thread([this] { produce(); });
    }
    ~ReadAheadSource() override {
        {
            const std::lock_guard lock(mutex_);
            stop_ = true;
        }
        changed_.notify_all();
        worker_.join();
    }
    ReadAheadSource(const ReadAheadSource&) = delete;
    ReadAheadSource& operator=(const ReadAheadSource&) = delete;

    Result<std::size_t> read(std::span<std::uint8_t> out) override {
        while (pos_ == current_.size) {
            if (current_.error) {
                Error e = std::move(*current_.error);
                current_.error.reset();
                current_.last = true;
                return e;
            }
            if (current_.last) {
                return std::size_t{0};
            }
            take_next();
        }
        const std::size_t n = std::min(out.size(), current_.size - pos_);
        std::memcpy(out.data(), current_.bytes.get() + pos_, n);
        pos_ += n;
        return n;
    }
    [[nodiscard]] const std::string& name() const override { return name_; }
    [[nodiscard]] std::optional<std::uint64_t> raw_size() const override { return raw_size_; }
    [[nodiscard]] std::uint64_t raw_position() const override { return current_.raw_position; }

private:
    static constexpr std::size_t kChunk = std::size_t{1} << 18;
    static constexpr std::size_t kDepth = 4; ///< chunks decoded ahead (1 MiB)

    /// A chunk's buffer is not zero-filled and goes back to `spare_` once read: the worker
    /// writes into the same few pages again instead of fresh ones (first touches are costly).
    struct Chunk {
        std::unique_ptr<std::uint8_t[]> bytes; // NOLINT(modernize-avoid-c-arrays)
        std::size_t size = 0;
        std::uint64_t raw_position = 0;
        std::optional<Error> error; ///< after `bytes`
        bool last = false;          ///< nothing follows
    };

    void take_next() {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return !ready_.empty(); });
        if (current_.bytes) {
            spare_.push_back(std::move(current_.bytes));
        }
        current_ = std::move(ready_.front());
        ready_.pop_front();
        pos_ = 0;
        lock.unlock();
        changed_.notify_all();
    }

    /// Worker: fills chunks until the end, an error or the destructor.
    void produce() {
        for (bool last = false; !last;) {
            Chunk chunk;
            chunk.bytes = take_spare();
            std::size_t len = 0;
            while (len < kChunk) {
                auto n = inner_->read(std::span(chunk.bytes.get() + len, kChunk - len));
                if (!n) {
                    chunk.error = std::move(n).error();
                    break;
                }
                if (*n == 0) {
                    break;
                }
                len += *n;
            }
            chunk.size = len;
            chunk.last = last = len < kChunk;
            chunk.raw_position = inner_->raw_position();
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [this] { return stop_ || ready_.size() < kDepth; });
            if (stop_) {
                return;
            }
            ready_.push_back(std::move(chunk));
            lock.unlock();
            changed_.notify_all();
        }
    }

    std::unique_ptr<std::uint8_t[]> take_spare() { // NOLINT(modernize-avoid-c-arrays)
        const std::lock_guard lock(mutex_);
        if (spare_.empty()) {
            return std::make_unique_for_overwrite<std::uint8_t[]>(kChunk);
        }
        auto buffer = std::move(spare_.back());
        spare_.pop_back();
        return buffer;
    }

    std::unique_ptr<ByteSource> inner_; ///< the worker's alone once it runs
    const std::string name_;
    const std::optional<std::uint64_t> raw_size_;
    Chunk current_;
    std::size_t pos_ = 0;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Chunk> ready_;
    std::vector<std::unique_ptr<std::uint8_t[]>> spare_; // NOLINT(modernize-avoid-c-arrays)
    bool stop_ = false;
    std::thread worker_;
};

/// Detects the compression and stacks a decompressor on `raw`; with `read_ahead`, compressed
/// input is decompressed on a background thread (files and stdin; not in-memory buffers).
Result<std::unique_ptr<ByteSource>> wrap(std::unique_ptr<ByteSource> raw, bool read_ahead,
                                         bool verified = false) {
    std::vector<std::uint8_t> head(4);
    DG_TRY(std::size_t n, raw->read_fully(head));
    head.resize(n);
    const Compression c = detect_compression(head);
    std::unique_ptr<ByteSource> peeked = std::make_unique<PeekedSource>(std::move(raw), head);
    std::unique_ptr<ByteSource> decompressed;
    switch (c) {
    case Compression::Gzip:
        if (verified) {
            return std::unique_ptr<ByteSource>(
                std::make_unique<VerifiedGzipSource>(std::move(peeked)));
        }
        decompressed = std::make_unique<GzipSource>(std::move(peeked));
        break;
    case Compression::Bzip2:
        if (verified) {
            return std::unique_ptr<ByteSource>(
                std::make_unique<VerifiedBzip2Source>(std::move(peeked)));
        }
        decompressed = std::make_unique<Bzip2Source>(std::move(peeked));
        break;
    case Compression::Zstd:
        decompressed = std::make_unique<ZstdSource>(std::move(peeked));
        break;
    default:
        return peeked;
    }
    if (read_ahead) {
        return std::unique_ptr<ByteSource>(
            std::make_unique<ReadAheadSource>(std::move(decompressed)));
    }
    return decompressed;
}

} // namespace

namespace {

Result<std::unique_ptr<ByteSource>> open_impl(const std::string& path, bool read_ahead,
                                              bool verified) {
    if (path == "-") {
        return wrap(std::make_unique<RawSource>(0, false, "stdin", std::nullopt), read_ahead,
                    verified);
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        return Error{err == ENOENT ? ErrorCode::NotFound : ErrorCode::Io,
                     std::string("cannot open: ") + std::strerror(err),
                     path,
                     {},
                     {}};
    }
    struct stat st {};
    std::optional<std::uint64_t> size;
    if (::fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            ::close(fd);
            return Error{ErrorCode::InvalidArgument, "is a directory", path, {}, {}};
        }
        if (S_ISREG(st.st_mode)) {
            size = static_cast<std::uint64_t>(st.st_size);
        }
    }
    return wrap(std::make_unique<RawSource>(fd, true, path, size), read_ahead, verified);
}

} // namespace

Result<std::unique_ptr<ByteSource>> open(const std::string& path, OpenOptions options) {
    return open_impl(path, options.read_ahead, false);
}

Result<std::unique_ptr<ByteSource>> open_verified(const std::string& path) {
    return open_impl(path, false, true);
}

std::unique_ptr<ByteSource> from_memory_verified(std::vector<std::uint8_t> bytes,
                                                 std::string name) {
    auto r = wrap(std::make_unique<RawSource>(std::move(bytes), std::move(name)), false, true);
    DG_REQUIRE(r.has_value()); // memory reads cannot fail
    return std::move(r).value();
}

std::unique_ptr<ByteSource> from_memory(std::vector<std::uint8_t> bytes, std::string name) {
    auto r = wrap(std::make_unique<RawSource>(std::move(bytes), std::move(name)), false);
    DG_REQUIRE(r.has_value()); // memory reads cannot fail
    return std::move(r).value();
}

Result<std::vector<std::uint8_t>> read_all(ByteSource& source, std::size_t max_bytes) {
    std::vector<std::uint8_t> out;
    std::size_t len = 0;
    for (;;) {
        if (out.size() - len < (1U << 16)) {
            out.resize(std::max<std::size_t>(out.size() * 2, 1U << 17));
        }
        DG_TRY(std::size_t n, source.read(std::span(out).subspan(len)));
        if (n == 0) {
            break;
        }
        len += n;
        if (len > max_bytes) {
            return Error{ErrorCode::ResourceExhausted,
                         "input larger than the limit",
                         source.name(),
                         len,
                         {}};
        }
    }
    out.resize(len);
    return out;
}

} // namespace dg::io
