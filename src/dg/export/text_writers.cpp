// JSON Lines, JSON array and CSV writers.
#include "dg/export/rows.hpp"
#include "dg/export/writers.hpp"
#include "dg/model/json.hpp"

namespace dg::exports {
namespace {

constexpr std::size_t kFlushAt = std::size_t{1} << 16;

/// Collects text and hands it to the Output in large blocks.
class Buffered : public ResultWriter {
public:
    explicit Buffered(Output& out) : out_(out) {}
    [[nodiscard]] std::uint64_t rows() const override { return rows_; }

protected:
    Result<void> maybe_flush() { return buf_.size() >= kFlushAt ? flush() : ok(); }
    Result<void> flush() {
        auto r = out_.write(buf_);
        buf_.clear();
        return r;
    }
    Output& out_;
    std::string buf_;
    std::uint64_t rows_ = 0;
};

class JsonlWriter final : public Buffered {
public:
    using Buffered::Buffered;
    Result<void> write(const model::DomainResult& r) override {
        buf_ += model::to_json_line(r);
        buf_ += '\n';
        ++rows_;
        return maybe_flush();
    }
    Result<void> finish() override { return flush(); }
};

class JsonWriter final : public Buffered {
public:
    using Buffered::Buffered;
    Result<void> write(const model::DomainResult& r) override {
        buf_ += rows_ == 0 ? "[\n" : ",\n";
        buf_ += model::to_json_line(r);
        ++rows_;
        return maybe_flush();
    }
    Result<void> finish() override {
        buf_ += rows_ == 0 ? "[]\n" : "\n]\n";
        return flush();
    }
};

class CsvWriter final : public Buffered {
public:
    using Buffered::Buffered;
    Result<void> write(const model::DomainResult& r) override {
        if (!header_written_) {
            write_header();
        }
        for_each_flat_row(r, [this](const FlatRow& row) { append_row(row); });
        return maybe_flush();
    }
    Result<void> finish() override {
        if (!header_written_) {
            write_header();
        }
        return flush();
    }

private:
    void write_header() {
        for (std::size_t i = 0; i < kFlatColumnCount; ++i) {
            if (i > 0) {
                buf_ += ',';
            }
            buf_ += kFlatColumns[i];
        }
        buf_ += "\r\n";
        header_written_ = true;
    }
    void append_row(const FlatRow& row) {
        append_csv_cell(buf_, row.domain);
        buf_ += ',';
        append_csv_cell(buf_, row.status);
        buf_ += ',';
        append_csv_cell(buf_, row.record_type);
        buf_ += ',';
        append_csv_cell(buf_, row.host.value_or(""));
        buf_ += ',';
        if (row.preference) {
            buf_ += std::to_string(*row.preference);
        }
        buf_ += ',';
        append_csv_cell(buf_, row.ip.value_or(""));
        buf_ += ',';
        append_csv_cell(buf_, row.prefix.value_or(""));
        buf_ += ',';
        if (row.asn) {
            buf_ += std::to_string(*row.asn);
        }
        buf_ += ',';
        append_csv_cell(buf_, row.origins.value_or(""));
        buf_ += ',';
        append_csv_cell(buf_, row.org.value_or(""));
        buf_ += "\r\n";
        ++rows_;
    }
    bool header_written_ = false;
};

bool needs_formula_guard(std::string_view cell) {
    if (cell.empty()) {
        return false;
    }
    switch (cell.front()) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
        return true;
    default:
        return false;
    }
}

} // namespace

void append_csv_cell(std::string& out, std::string_view cell) {
    const bool guard = needs_formula_guard(cell);
    const bool quote = cell.find_first_of(",\"\r\n") != std::string_view::npos;
    if (quote) {
        out += '"';
    }
    if (guard) {
        out += '\'';
    }
    for (char c : cell) {
        if (c == '"') {
            out += '"';
        }
        out += c;
    }
    if (quote) {
        out += '"';
    }
}

std::unique_ptr<ResultWriter> make_jsonl_writer(Output& out) {
    return std::make_unique<JsonlWriter>(out);
}
std::unique_ptr<ResultWriter> make_json_writer(Output& out) {
    return std::make_unique<JsonWriter>(out);
}
std::unique_ptr<ResultWriter> make_csv_writer(Output& out) {
    return std::make_unique<CsvWriter>(out);
}

} // namespace dg::exports
