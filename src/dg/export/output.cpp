#include "dg/export/output.hpp"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace dg::exports {
namespace {

Error io_error(const std::string& what, const std::string& path) {
    return make_error(ErrorCode::Io, what + ": " + std::strerror(errno)).at(path);
}

} // namespace

Output::Output(std::string path, std::string temp, std::FILE* file)
    : path_(std::move(path)), temp_(std::move(temp)), file_(file) {}

Result<std::unique_ptr<Output>> Output::open(const std::string& path) {
    if (path == "-") {
        return std::unique_ptr<Output>(new Output(path, "", stdout));
    }
    if (path.empty()) {
        return make_error(ErrorCode::InvalidArgument, "empty output path");
    }
    std::string temp = path + ".tmp." + std::to_string(::getpid());
    std::FILE* f = std::fopen(temp.c_str(), "wb");
    if (f == nullptr) {
        return io_error("cannot create", temp);
    }
    std::setvbuf(f, nullptr, _IOFBF, std::size_t{1} << 16);
    return std::unique_ptr<Output>(new Output(path, std::move(temp), f));
}

Result<std::unique_ptr<Output>> Output::to_sink(std::function<bool(std::string_view)> sink) {
    auto out = std::unique_ptr<Output>(new Output("(stream)", "", nullptr));
    out->sink_ = std::move(sink);
    return out;
}

Result<void> Output::flush_sink() {
    if (!pending_.empty() && !sink_(pending_)) {
        return make_error(ErrorCode::Io, "the reader went away");
    }
    pending_.clear();
    return ok();
}

Output::~Output() {
    if (!temp_.empty() && !committed_) {
        std::fclose(file_);
        std::remove(temp_.c_str());
    }
}

Result<void> Output::write(std::string_view bytes) {
    if (bytes.empty()) {
        return ok();
    }
    if (sink_) {
        constexpr std::size_t kBlock = std::size_t{1} << 16;
        pending_.append(bytes);
        offset_ += bytes.size();
        return pending_.size() >= kBlock ? flush_sink() : ok();
    }
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
        return io_error("write failed", path_ == "-" ? "stdout" : path_);
    }
    offset_ += bytes.size();
    return ok();
}

Result<void> Output::commit() {
    if (committed_) {
        return ok();
    }
    if (sink_) {
        committed_ = true;
        return flush_sink();
    }
    if (temp_.empty()) {
        if (std::fflush(file_) != 0) {
            return io_error("write failed", "stdout");
        }
        committed_ = true;
        return ok();
    }
    const bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
    const int saved = errno;
    const bool closed = std::fclose(file_) == 0;
    committed_ = true; // the FILE is gone either way
    if (!flushed || !closed) {
        errno = flushed ? errno : saved;
        Error e = io_error("write failed", path_);
        std::remove(temp_.c_str());
        return e;
    }
    if (std::rename(temp_.c_str(), path_.c_str()) != 0) {
        Error e = io_error("cannot rename " + temp_ + " to", path_);
        std::remove(temp_.c_str());
        return e;
    }
    return ok();
}

} // namespace dg::exports
