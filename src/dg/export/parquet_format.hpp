#pragma once
// parquet.thrift enum values and the file magic, shared by the writer and the reader.

#include <cstdint>
#include <string_view>

namespace dg::exports::parquet::format {

inline constexpr std::int32_t kTypeInt32 = 1;
inline constexpr std::int32_t kTypeInt64 = 2;
inline constexpr std::int32_t kTypeByteArray = 6;
inline constexpr std::int32_t kRequired = 0;
inline constexpr std::int32_t kOptional = 1;
inline constexpr std::int32_t kRepeated = 2;
inline constexpr std::int32_t kConvertedUtf8 = 0;
inline constexpr std::int32_t kEncodingPlain = 0;
inline constexpr std::int32_t kEncodingRle = 3;
inline constexpr std::int32_t kPageData = 0;
inline constexpr std::int32_t kPageDictionary = 2;
inline constexpr std::int32_t kPageDataV2 = 3;
inline constexpr std::int32_t kCodecUncompressed = 0;
inline constexpr std::int32_t kCodecGzip = 2;
inline constexpr std::int32_t kCodecZstd = 6;
inline constexpr std::string_view kMagic = "PAR1";

} // namespace dg::exports::parquet::format
