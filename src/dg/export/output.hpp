#pragma once
// Where an export goes: a file written under a temporary name and renamed into place on commit()
// (a failed or interrupted export never leaves a half-written FILE), or stdout for "-".

#include "dg/core/result.hpp"

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace dg::exports {

class Output {
public:
    /// "-" is stdout; anything else a file path (its directory must exist). Errors: Io.
    static Result<std::unique_ptr<Output>> open(const std::string& path);
    /// Bytes handed to `sink` in blocks of 64 KiB (and the rest on commit()); a false answer is
    /// an Io error ("the reader went away").
    static Result<std::unique_ptr<Output>> to_sink(std::function<bool(std::string_view)> sink);
    ~Output();
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;

    /// Appends bytes. Errors: Io (disk full, closed pipe).
    Result<void> write(std::string_view bytes);
    /// Bytes written so far (the offset of the next byte).
    [[nodiscard]] std::uint64_t offset() const { return offset_; }
    /// Flushes; a file is renamed to its final name. Errors: Io.
    Result<void> commit();
    [[nodiscard]] bool is_stdout() const { return path_ == "-" && !sink_; }
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    Output(std::string path, std::string temp, std::FILE* file);
    std::string path_;
    std::string temp_; ///< "" for stdout
    std::FILE* file_ = nullptr;
    std::function<bool(std::string_view)> sink_;
    std::string pending_; ///< bytes not yet handed to sink_
    Result<void> flush_sink();
    std::uint64_t offset_ = 0;
    bool committed_ = false;
};

} // namespace dg::exports
