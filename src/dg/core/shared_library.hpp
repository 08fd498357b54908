#pragma once
// Shared libraries opened on first use (dlopen) rather than at process start.
//
// libcurl, libpq and libknot bring TLS, Kerberos, LDAP, GnuTLS and more with them: linked the
// usual way, every domaingraph process paid ~6 ms to map, relocate and initialise them, even a
// `lookup` that needs none of them (a table build takes ~40 ms in all). A module that needs one
// declares the functions it calls in a struct of function pointers and binds it on first use;
// a library that cannot be loaded is an error value at that point, not a failed start.

#include "dg/core/result.hpp"

#include <string>
#include <utility>

namespace dg {

/// An opened shared library. Opened libraries stay loaded for the life of the process.
class SharedLibrary {
public:
    /// Opens `soname` (e.g. "libpq.so.5": the name the dynamic linker knows, not the -dev
    /// package's libpq.so). Errors: Unavailable, naming the library and the loader's reason.
    static Result<SharedLibrary> open(const std::string& soname);

    /// Binds `out` to the function `name`; the first failure is kept and reported by result().
    template <class Fn> void bind(Fn& out, const char* name) {
        void* address = find(name);
        if (address != nullptr) {
            out = reinterpret_cast<Fn>(address); // NOLINT: dlsym's documented use
        }
    }
    /// ok(), or which symbol could not be found (Unavailable).
    [[nodiscard]] Result<void> result() const;

private:
    SharedLibrary(void* handle, std::string soname) : handle_(handle), soname_(std::move(soname)) {}
    void* find(const char* name);

    void* handle_ = nullptr;
    std::string soname_;
    std::string missing_; ///< the first symbol not found
};

/// A library's functions are listed once, as an X-macro, and expanded twice: into the members of
/// its struct (each of the function's own type) and into its bind function, so the two lists
/// cannot drift apart (a member left unbound would be a null call):
///   #define DG_LIBZ_FUNCTIONS(X) X(zlibVersion) X(crc32)
///   struct LibZ { DG_LIBZ_FUNCTIONS(DG_API_MEMBER) };
///   void bind_libz(SharedLibrary& library, LibZ& api) { DG_LIBZ_FUNCTIONS(DG_API_BIND) }
#define DG_API_MEMBER(function) decltype(&::function) function = nullptr;
#define DG_API_BIND(function) library.bind(api.function, #function);

/// The struct of function pointers `Api`, bound by `Bind(library, api)` from `soname`: loaded on
/// the first call (thread-safe), kept for the life of the process, the same error every call if
/// the library or one of its functions is missing.
template <class Api, void (*Bind)(SharedLibrary&, Api&)>
const Result<Api>& load_once(const char* soname) {
    static const Result<Api> loaded = [soname]() -> Result<Api> {
        DG_TRY(SharedLibrary lib, SharedLibrary::open(soname));
        Api api;
        Bind(lib, api);
        DG_TRY_VOID(lib.result());
        return api;
    }();
    return loaded;
}

} // namespace dg
