#include "dg/core/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace dg::internal {
void assertion_failed(const char* expr, const char* file, int line) {
    std::fprintf(stderr, "domaingraph: internal error: assertion '%s' failed at %s:%d\n", expr,
                 file, line);
    std::abort();
}
} // namespace dg::internal
