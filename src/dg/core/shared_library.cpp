#include "dg/core/shared_library.hpp"

#include <dlfcn.h>

namespace dg {

Result<SharedLibrary> SharedLibrary::open(const std::string& soname) {
    void* handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* why = dlerror();
        return make_error(ErrorCode::Unavailable, "cannot load " + soname + ": " +
                                                      (why != nullptr ? why : "unknown reason"));
    }
    return SharedLibrary(handle, soname);
}

void* SharedLibrary::find(const char* name) {
    void* address = dlsym(handle_, name);
    if (address == nullptr && missing_.empty()) {
        missing_ = name;
    }
    return address;
}

Result<void> SharedLibrary::result() const {
    if (!missing_.empty()) {
        return make_error(ErrorCode::Unavailable,
                          soname_ + " has no function " + missing_ + " (an incompatible version?)");
    }
    return ok();
}

} // namespace dg
