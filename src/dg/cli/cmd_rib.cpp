// `domaingraph rib dump` and `rib info` (docs/cli/rib.md). Thin: the work is in dg::bgp.

#include "dg/bgp/mrt_format.hpp"
#include "dg/bgp/mrt_reader.hpp"
#include "dg/bgp/rib_info.hpp"
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace dg::cli {

namespace {

CLI::App& rib_group(CLI::App& app) {
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
        if (sub->get_name() == "rib") {
            return *sub;
        }
    }
    CLI::App* sub = app.add_subcommand("rib", "Routing dumps (MRT): read, summarise, fetch");
    sub->require_subcommand(1);
    return *sub;
}

struct Diagnostics {
    std::string file;
    std::size_t max_warnings = 20;
    std::size_t warnings_printed = 0;
    std::uint64_t warnings_suppressed = 0;

    void print(const bgp::MrtRecord& r, const std::string& message, const char* level) const {
        std::fprintf(stderr, "%s @ offset %llu (record %llu): %s: %s\n", file.c_str(),
                     static_cast<unsigned long long>(r.offset),
                     static_cast<unsigned long long>(r.index), level, message.c_str());
    }
    void record(const bgp::MrtRecord& r) {
        if (r.error) {
            print(r, r.error->message,
                  r.outcome == bgp::RecordOutcome::StreamError ? "stream error" : "record error");
        }
        for (const auto& w : r.warnings) {
            if (warnings_printed < max_warnings) {
                print(r, w, "warning");
                ++warnings_printed;
            } else {
                ++warnings_suppressed;
            }
        }
    }
    void summary(const bgp::ReadStats& s) const {
        if (warnings_suppressed > 0) {
            std::fprintf(stderr, "%s: %llu more warnings not shown (--max-warnings)\n",
                         file.c_str(), static_cast<unsigned long long>(warnings_suppressed));
        }
        if (s.recovered + s.record_errors + s.stream_errors > 0) {
            std::fprintf(stderr,
                         "%s: %llu records: %llu clean, %llu recovered, %llu record errors, "
                         "%llu stream errors\n",
                         file.c_str(), static_cast<unsigned long long>(s.records),
                         static_cast<unsigned long long>(s.clean),
                         static_cast<unsigned long long>(s.recovered),
                         static_cast<unsigned long long>(s.record_errors),
                         static_cast<unsigned long long>(s.stream_errors));
        }
    }
};

int exit_code(const bgp::ReadStats& s, bool strict) {
    if (s.stream_errors > 0 || (strict && s.record_errors > 0)) {
        return kExitDataErrors;
    }
    return kExitOk;
}

struct DumpOptions {
    std::string file;
    std::string format = "bgpdump";
    bool strict = false;
    std::size_t max_warnings = 20;
};

int run_dump(const DumpOptions& o) {
    auto reader = bgp::MrtReader::open(o.file);
    if (!reader) {
        std::fprintf(stderr, "domaingraph rib dump: %s\n", reader.error().to_string().c_str());
        return kExitFailure;
    }
    Diagnostics diag{o.file == "-" ? "stdin" : o.file, o.max_warnings, 0, 0};
    const bool jsonl = o.format == "jsonl";
    std::string out;
    constexpr std::size_t kFlushAt = std::size_t{1} << 20;
    out.reserve(kFlushAt + 65536);
    bool write_failed = false;
    auto flush = [&] {
        if (!out.empty() && std::fwrite(out.data(), 1, out.size(), stdout) != out.size()) {
            write_failed = true;
        }
        out.clear();
    };
    while (const bgp::MrtRecord* r = reader->next()) {
        if (jsonl) {
            bgp::append_jsonl_lines(*r, out);
        } else {
            bgp::append_bgpdump_lines(*r, out);
        }
        if (r->outcome != bgp::RecordOutcome::Clean) {
            flush(); // keep stdout and stderr in order
            std::fflush(stdout);
            diag.record(*r);
        }
        if (out.size() >= kFlushAt) {
            flush();
            if (write_failed) {
                break;
            }
        }
    }
    flush();
    if (std::fflush(stdout) != 0 || write_failed) {
        std::fprintf(stderr, "domaingraph rib dump: cannot write the output\n");
        return kExitFailure;
    }
    diag.summary(reader->stats());
    return exit_code(reader->stats(), o.strict);
}

struct InfoOptions {
    std::string file;
    bool json = false;
    bool strict = false;
};

int run_info(const InfoOptions& o) {
    auto reader = bgp::MrtReader::open(o.file);
    if (!reader) {
        std::fprintf(stderr, "domaingraph rib info: %s\n", reader.error().to_string().c_str());
        return kExitFailure;
    }
    Diagnostics diag{o.file == "-" ? "stdin" : o.file, 20, 0, 0};
    bgp::RibInfoBuilder builder;
    while (const bgp::MrtRecord* r = reader->next()) {
        builder.add(*r);
        if (r->outcome != bgp::RecordOutcome::Clean) {
            diag.record(*r);
        }
    }
    diag.summary(reader->stats());
    const bgp::RibInfo info = builder.finish(*reader);
    const auto& s = info.stats;
    if (o.json) {
        nlohmann::json j;
        j["file"] = o.file;
        j["records"] = s.records;
        j["record_types"] = s.per_type;
        j["peers"] = info.peers;
        j["ipv4_prefixes"] = info.ipv4_prefixes;
        j["ipv6_prefixes"] = info.ipv6_prefixes;
        j["rib_entries"] = s.rib_entries;
        j["updates"] = s.updates;
        j["announcements"] = s.announcements;
        j["withdrawals"] = s.withdrawals;
        j["state_changes"] = s.state_changes;
        j["moas_prefixes"] = info.moas_prefixes;
        j["as_set_prefixes"] = info.as_set_prefixes;
        j["as_set_routes"] = info.as_set_routes;
        j["clean"] = s.clean;
        j["recovered"] = s.recovered;
        j["record_errors"] = s.record_errors;
        j["stream_errors"] = s.stream_errors;
        j["unknown_attributes"] = s.unknown_attributes;
        j["unknown_records"] = s.unknown_records;
        j["bytes"] = s.bytes;
        std::printf("%s\n", j.dump().c_str());
    } else {
        auto line = [](const char* k, std::uint64_t v) {
            std::printf("%-20s %llu\n", k, static_cast<unsigned long long>(v));
        };
        std::printf("%-20s %s\n", "file", o.file.c_str());
        line("records", s.records);
        for (const auto& [name, n] : s.per_type) {
            std::printf("  %-36s %llu\n", name.c_str(), static_cast<unsigned long long>(n));
        }
        line("peers", info.peers);
        line("ipv4_prefixes", info.ipv4_prefixes);
        line("ipv6_prefixes", info.ipv6_prefixes);
        line("rib_entries", s.rib_entries);
        line("updates", s.updates);
        line("announcements", s.announcements);
        line("withdrawals", s.withdrawals);
        line("state_changes", s.state_changes);
        line("moas_prefixes", info.moas_prefixes);
        line("as_set_prefixes", info.as_set_prefixes);
        line("as_set_routes", info.as_set_routes);
        line("clean", s.clean);
        line("recovered", s.recovered);
        line("record_errors", s.record_errors);
        line("stream_errors", s.stream_errors);
        line("unknown_attributes", s.unknown_attributes);
        line("unknown_records", s.unknown_records);
        line("bytes", s.bytes);
    }
    return exit_code(s, o.strict);
}

} // namespace

void register_rib_commands(CLI::App& app, Runner& selected) {
    CLI::App& rib = rib_group(app);

    auto dump_opts = std::make_shared<DumpOptions>();
    CLI::App* dump = rib.add_subcommand(
        "dump", "Print every RIB entry, announcement, withdrawal and state change of an MRT file");
    dump->add_option("FILE", dump_opts->file, "MRT file (gzip/bzip2/zstd or plain; - = stdin)")
        ->required();
    dump->add_option("--format", dump_opts->format, "bgpdump (bgpdump -m lines) or jsonl")
        ->check(CLI::IsMember({"bgpdump", "jsonl"}))
        ->capture_default_str();
    dump->add_flag("--strict", dump_opts->strict,
                   "exit 3 on any record error, not only on lost framing");
    dump->add_option("--max-warnings", dump_opts->max_warnings,
                     "warnings printed on stderr before they are only counted")
        ->capture_default_str();
    dump->callback(
        [dump_opts, &selected] { selected = [dump_opts] { return run_dump(*dump_opts); }; });

    auto info_opts = std::make_shared<InfoOptions>();
    CLI::App* info = rib.add_subcommand(
        "info", "Count records, peers, prefixes, MOAS prefixes and errors of an MRT file");
    info->add_option("FILE", info_opts->file, "MRT file (gzip/bzip2/zstd or plain; - = stdin)")
        ->required();
    info->add_flag("--json", info_opts->json, "one JSON object");
    info->add_flag("--strict", info_opts->strict, "exit 3 on any record error");
    info->callback(
        [info_opts, &selected] { selected = [info_opts] { return run_info(*info_opts); }; });
}

} // namespace dg::cli
