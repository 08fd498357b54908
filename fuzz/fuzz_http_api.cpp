// The HTTP request -> API handler path of `domaingraph serve` over arbitrary bytes (issue 19):
// request line, target, query, headers and body go through the same parser, limits, routes and
// handlers as a connection (Server::answer_raw), against a SQLite store holding one small scan.
// Invariants: every input gets one well-formed answer (a status line, 100..599), and no handler
// fails with 500 (an internal error is a bug, whatever the request).
//
// POSTs that would start background work (scans, PTR sweeps) are left out: they outlive the
// input. The server has an API token ("fuzz"), so seeds with `Authorization: Bearer fuzz` reach
// the write handlers (msm2tag, tag2domain, deletes).

#include "dg/core/assert.hpp"
#include "dg/model/model.hpp"
#include "dg/server/server.hpp"
#include "dg/store/store.hpp"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unistd.h>

namespace {

std::string make_workdir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "dg-fuzz-http-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
        std::abort();
    }
    return tmpl;
}

void seed_store(const std::string& db) {
    auto store = dg::store::Store::open(db);
    DG_REQUIRE(store.has_value());
    auto scan = (*store)->create_scan(dg::store::NewScan{});
    DG_REQUIRE(scan.has_value());
    std::vector<dg::model::DomainResult> rows(2);
    rows[0].domain = "a.example";
    rows[0].status = "NOERROR";
    rows[1].domain = "b.example";
    rows[1].status = "NXDOMAIN";
    DG_REQUIRE((*store)->write_results(scan->id, rows).has_value());
    DG_REQUIRE((*store)->set_scan_status(scan->id, dg::model::ScanStatus::Complete, 1).has_value());
}

dg::server::Server& server() {
    static std::unique_ptr<dg::server::Server> instance = [] {
        const std::string dir = make_workdir();
        dg::server::ServerOptions o;
        o.port = 0;
        o.db = "sqlite://" + dir + "/fuzz.db";
        o.jobs_dir = dir + "/jobs";
        o.api_token = "fuzz";
        o.max_body_bytes = 1 << 16;
        o.threads = 1;
        seed_store(o.db);
        auto created = dg::server::Server::create(o);
        DG_REQUIRE(created.has_value());
        return std::move(*created);
    }();
    return *instance;
}

bool starts_background_work(std::string_view request) {
    const auto line_end = request.find('\n');
    const std::string_view line = request.substr(0, line_end);
    if (line.size() < 4 || line.substr(0, 4) != "POST") {
        return false;
    }
    return line.find("/scans") != std::string_view::npos ||
           line.find("/sweeps") != std::string_view::npos ||
           line.find("%") != std::string_view::npos; // an encoded path may name either
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view request(reinterpret_cast<const char*>(data), size);
    if (starts_background_work(request)) {
        return 0;
    }
    const std::string answer = server().answer_raw(request);
    DG_REQUIRE(answer.size() > 12 && answer.compare(0, 7, "HTTP/1.") == 0);
    const int status = std::atoi(answer.c_str() + 9);
    DG_REQUIRE(status >= 100 && status <= 599);
    DG_REQUIRE(status != 500);
    return 0;
}
