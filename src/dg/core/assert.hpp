#pragma once
// DG_ASSERT: programmer errors, on in debug/relassert builds. DG_REQUIRE: always on; for invariants
// whose violation would corrupt data. Neither is ever reachable from input.

namespace dg::internal {
[[noreturn]] void assertion_failed(const char* expr, const char* file, int line);
}

#define DG_REQUIRE(cond)                                                                           \
    ((cond) ? static_cast<void>(0) : ::dg::internal::assertion_failed(#cond, __FILE__, __LINE__))

#if !defined(NDEBUG) || defined(DG_FORCE_ASSERT)
#define DG_ASSERT(cond) DG_REQUIRE(cond)
#else
#define DG_ASSERT(cond) static_cast<void>(0)
#endif
