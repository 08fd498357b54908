#include "dg/core/shared_library.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

namespace dg {
namespace {

TEST(SharedLibrary, MissingLibraryIsAnErrorNamingIt) {
    auto lib = SharedLibrary::open("libdomaingraph-does-not-exist.so.0");
    ASSERT_FALSE(lib);
    EXPECT_EQ(lib.error().code, ErrorCode::Unavailable);
    EXPECT_NE(lib.error().message.find("libdomaingraph-does-not-exist.so.0"), std::string::npos);
}

TEST(SharedLibrary, BindsFunctionsAndNamesTheFirstMissingOne) {
    auto lib = SharedLibrary::open("libz.so.1"); // a real library every build has
    ASSERT_TRUE(lib) << lib.error().to_string();
    decltype(&::zlibVersion) version = nullptr;
    lib->bind(version, "zlibVersion");
    ASSERT_TRUE(lib->result());
    ASSERT_NE(version, nullptr);
    EXPECT_STREQ(version(), ::zlibVersion()); // the same library as the linked one

    void (*missing)() = nullptr;
    lib->bind(missing, "no_such_function_in_zlib");
    lib->bind(missing, "another_missing_function");
    EXPECT_EQ(missing, nullptr);
    auto r = lib->result();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Unavailable);
    EXPECT_NE(r.error().message.find("no_such_function_in_zlib"), std::string::npos);
    EXPECT_NE(r.error().message.find("libz.so.1"), std::string::npos);
}

} // namespace
} // namespace dg
