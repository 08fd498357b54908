// `export --format parquet`: the flat rows of rows.hpp as a Parquet file.
#include "dg/export/parquet.hpp"
#include "dg/export/rows.hpp"
#include "dg/export/writers.hpp"

namespace dg::exports {
namespace {

std::vector<parquet::Column> flat_schema() {
    using parquet::Type;
    return {
        {"domain", Type::String, false},     {"status", Type::String, false},
        {"record_type", Type::String, true}, {"host", Type::String, true},
        {"preference", Type::Int32, true},   {"ip", Type::String, true},
        {"prefix", Type::String, true},      {"asn", Type::Int64, true},
        {"origins", Type::String, true},     {"org", Type::String, true},
    };
}

class ParquetResultWriter final : public ResultWriter {
public:
    ParquetResultWriter(Output& out, const WriterOptions& o)
        : file_(out, flat_schema(), o.parquet_codec,
                parquet::Limits{o.parquet_row_group_rows, std::size_t{64} << 20}) {}

    Result<void> write(const model::DomainResult& r) override {
        Result<void> failure;
        for_each_flat_row(r, [&](const FlatRow& row) {
            if (failure) {
                failure = put(row);
            }
        });
        return failure;
    }
    Result<void> finish() override { return file_.close(); }
    [[nodiscard]] std::uint64_t rows() const override { return file_.rows(); }

private:
    void opt_string(std::size_t col, const std::optional<std::string_view>& v) {
        if (v) {
            file_.set_string(col, *v);
        } else {
            file_.set_null(col);
        }
    }
    Result<void> put(const FlatRow& row) {
        file_.set_string(kDomain, row.domain);
        file_.set_string(kStatus, row.status);
        opt_string(kType, row.record_type.empty()
                              ? std::nullopt
                              : std::optional<std::string_view>(row.record_type));
        opt_string(kHost, row.host);
        if (row.preference) {
            file_.set_int32(kPref, *row.preference);
        } else {
            file_.set_null(kPref);
        }
        opt_string(kIp, row.ip);
        opt_string(kPrefix, row.prefix);
        if (row.asn) {
            file_.set_int64(kAsn, *row.asn);
        } else {
            file_.set_null(kAsn);
        }
        opt_string(kOrigins, row.origins);
        opt_string(kOrg, row.org);
        return file_.end_row();
    }
    parquet::FileWriter file_;
};

} // namespace

std::unique_ptr<ResultWriter> make_parquet_writer(Output& out, const WriterOptions& options) {
    return std::make_unique<ParquetResultWriter>(out, options);
}

} // namespace dg::exports
