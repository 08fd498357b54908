#include "dg/core/result.hpp"

#include <gtest/gtest.h>

namespace dg {
namespace {

Result<int> half(int x) {
    if (x % 2 != 0) {
        return make_error(ErrorCode::InvalidArgument, "odd");
    }
    return x / 2;
}

Result<int> quarter(int x) {
    DG_TRY(int h, half(x));
    return half(h);
}

TEST(Result, CarriesValueOrError) {
    EXPECT_EQ(*quarter(8), 2);
    auto r = quarter(6);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(quarter(6).value_or(-1), -1);
}

TEST(Error, FormatsWhere) {
    Error e{ErrorCode::Malformed, "bad length", "rib.gz", 1234, {}};
    EXPECT_EQ(e.to_string(), "rib.gz @ offset 1234: bad length");
    Error l{ErrorCode::InvalidArgument, "bad name", "list.txt", {}, 7};
    EXPECT_EQ(l.to_string(), "list.txt:7: bad name");
    EXPECT_TRUE(is_retryable(ErrorCode::Timeout));
    EXPECT_FALSE(is_retryable(ErrorCode::Malformed));
}

} // namespace
} // namespace dg
