// domaingraph rpki validate|stats|fetch  (docs/cli/rpki.md). Thin: reading VRPs and RFC 6811
// validation live in dg::rpki; downloads in dg::fetch.
#include "dg/cli/commands.hpp"
#include "dg/cli/download_progress.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/rpki_load.hpp"
#include "dg/cli/stdout_buffer.hpp"
#include "dg/core/output_file.hpp"
#include "dg/core/text.hpp"
#include "dg/fetch/http_download.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>
#include <vector>

namespace dg::cli {
namespace {

using nlohmann::ordered_json;

// ---------------------------------------------------------------------------------------------
// rpki validate

struct ValidateOptions {
    VrpOptions vrps;
    std::vector<std::string> routes; ///< PREFIX ASN pairs
    std::string input;               ///< -i FILE ("-": stdin)
    std::string format;              ///< text | jsonl ("": text on a TTY, else jsonl)
};

struct ParsedRoute {
    Prefix prefix;
    rpki::RouteOrigin origin;
};

/// "AS64496", "64496", "1.10" (asdot); "none", "-", "AS_SET" or "{64496,64497}" = NONE (an
/// AS_SET origin cannot match a VRP, RFC 6811 §2).
Result<rpki::RouteOrigin> parse_origin(std::string_view text) {
    if (text == "none" || text == "NONE" || text == "-" || text == "AS_SET" ||
        text.starts_with('{')) {
        return rpki::RouteOrigin{};
    }
    auto asn = Asn::parse(text);
    if (!asn) {
        return make_error(ErrorCode::InvalidArgument,
                          "invalid origin '" + std::string(text) +
                              "' (an AS number such as AS64496, or none for an AS_SET)");
    }
    return rpki::RouteOrigin{*asn};
}

Result<ParsedRoute> parse_route(std::string_view prefix_text, std::string_view origin_text) {
    auto prefix = Prefix::parse(prefix_text);
    if (!prefix) {
        return make_error(ErrorCode::InvalidArgument,
                          "invalid prefix '" + std::string(prefix_text) + "'" +
                              (Prefix::parse(prefix_text, true) ? " (host bits set)" : ""));
    }
    DG_TRY(auto origin, parse_origin(origin_text));
    return ParsedRoute{*prefix, origin};
}

/// One input line: "PREFIX ASN", "PREFIX,ASN" or "PREFIX<TAB>ASN"; a '#' starts a comment.
Result<ParsedRoute> parse_route_line(std::string_view line) {
    line = trim(line.substr(0, line.find('#')));
    const std::size_t cut = line.find_first_of(" \t,");
    if (cut == std::string_view::npos) {
        return make_error(ErrorCode::InvalidArgument, "expected 'PREFIX ASN'");
    }
    const std::string_view origin = trim(line.substr(cut), " \t,");
    if (origin.empty() ||
        (!origin.starts_with('{') && origin.find_first_of(" \t,") != std::string_view::npos)) {
        return make_error(ErrorCode::InvalidArgument, "expected 'PREFIX ASN'");
    }
    return parse_route(line.substr(0, cut), origin);
}

ordered_json vrp_json(const rpki::VrpIndex& index, std::uint32_t i) {
    const rpki::Vrp& v = index.vrp(i);
    ordered_json j;
    j["asn"] = v.asn.value();
    j["prefix"] = v.prefix.to_string();
    j["maxLength"] = v.max_length;
    j["ta"] = index.trust_anchor(v);
    return j;
}

std::string vrp_text(const rpki::VrpIndex& index, std::uint32_t i) {
    const rpki::Vrp& v = index.vrp(i);
    std::string out =
        v.prefix.to_string() + " max " + std::to_string(v.max_length) + " AS" + v.asn.to_string();
    if (const std::string& ta = index.trust_anchor(v); !ta.empty()) {
        out += " " + ta;
    }
    return out;
}

class ValidateWriter {
public:
    ValidateWriter(const rpki::VrpIndex& index, bool jsonl) : index_(index), jsonl_(jsonl) {}

    void route(const ParsedRoute& r) {
        const rpki::Explanation e = index_.explain(r.prefix, r.origin);
        const char* reason = rpki::reason_name(e.validity.reason);
        ++counts_[static_cast<int>(e.validity.state)];
        if (jsonl_) {
            ordered_json j;
            j["prefix"] = r.prefix.to_string();
            j["origin"] = r.origin ? ordered_json(r.origin->value()) : ordered_json(nullptr);
            j["state"] = rpki::state_name(e.validity.state);
            j["reason"] = reason != nullptr ? ordered_json(reason) : ordered_json(nullptr);
            auto vrps = ordered_json::array();
            for (const std::uint32_t i : e.vrps) {
                vrps.push_back(vrp_json(index_, i));
            }
            j["vrps"] = std::move(vrps);
            out_.text() += j.dump() + "\n";
        } else {
            std::string& t = out_.text();
            t += r.prefix.to_string() + "\t" + (r.origin ? "AS" + r.origin->to_string() : "none") +
                 "\t" + rpki::state_name(e.validity.state);
            if (reason != nullptr) {
                t += std::string(" (") + reason + ")";
            }
            t += "\t";
            for (std::size_t k = 0; k < e.vrps.size(); ++k) {
                t += (k > 0 ? "; " : "") + vrp_text(index_, e.vrps[k]);
            }
            if (e.vrps.empty()) {
                t += "-";
            }
            t += "\n";
        }
        out_.maybe_flush();
    }

    /// A line that is not a route: still one output line, so output stays 1:1 with the input.
    void bad(std::string_view text, const std::string& message) {
        ++bad_;
        if (jsonl_) {
            ordered_json j;
            j["prefix"] = std::string(text);
            j["origin"] = nullptr;
            j["state"] = nullptr;
            j["reason"] = nullptr;
            j["vrps"] = ordered_json::array();
            j["error"] = message;
            out_.text() += j.dump() + "\n";
        } else {
            out_.text() += std::string(text) + "\t-\terror\t" + message + "\n";
        }
        out_.maybe_flush();
    }

    [[nodiscard]] std::uint64_t bad_count() const { return bad_; }
    [[nodiscard]] std::uint64_t count(rpki::State s) const { return counts_[static_cast<int>(s)]; }
    void flush() { out_.flush(); }

private:
    const rpki::VrpIndex& index_;
    bool jsonl_;
    StdoutBuffer out_;
    std::uint64_t counts_[3] = {0, 0, 0};
    std::uint64_t bad_ = 0;
};

int run_validate(const ValidateOptions& o) {
    const char* cmd = "domaingraph rpki validate";
    if (o.routes.size() % 2 != 0) {
        std::fprintf(stderr, "%s: routes are given as PREFIX ASN pairs; '%s' has no ASN\n", cmd,
                     o.routes.back().c_str());
        return kExitUsage;
    }
    if (!o.routes.empty() && !o.input.empty()) {
        std::fprintf(stderr, "%s: give routes as arguments or with -i, not both\n", cmd);
        return kExitUsage;
    }
    std::string format = o.format;
    if (format.empty()) {
        format = isatty(STDOUT_FILENO) != 0 ? "text" : "jsonl";
    }
    std::ifstream file;
    std::istream* in = &std::cin;
    if (!o.input.empty() && o.input != "-") {
        file.open(o.input);
        if (!file) {
            std::fprintf(stderr, "%s: cannot open %s\n", cmd, o.input.c_str());
            return kExitFailure;
        }
        in = &file;
    }
    const auto index = load_vrp_index(o.vrps, cmd);
    if (!index) {
        return kExitFailure;
    }
    ValidateWriter writer(*index, format == "jsonl");
    auto report_bad = [&](std::string_view text, const std::string& where, const Error& e) {
        std::fprintf(stderr, "%s: %s: %s\n", cmd, where.c_str(), e.message.c_str());
        writer.bad(text, e.message);
    };
    if (!o.routes.empty()) {
        for (std::size_t i = 0; i + 1 < o.routes.size(); i += 2) {
            auto r = parse_route(trim(o.routes[i]), trim(o.routes[i + 1]));
            if (r) {
                writer.route(*r);
            } else {
                report_bad(o.routes[i], "argument " + std::to_string(i + 1), r.error());
            }
        }
    } else {
        std::string line;
        std::uint64_t number = 0;
        const std::string name = o.input.empty() || o.input == "-" ? "stdin" : o.input;
        while (std::getline(*in, line)) {
            ++number;
            const std::string_view text = trim(line);
            if (text.empty() || text.front() == '#') {
                continue;
            }
            auto r = parse_route_line(text);
            if (r) {
                writer.route(*r);
            } else {
                report_bad(text, name + ":" + std::to_string(number), r.error());
            }
        }
    }
    writer.flush();
    std::fprintf(stderr, "%s: %llu valid, %llu invalid, %llu not-found", cmd,
                 static_cast<unsigned long long>(writer.count(rpki::State::Valid)),
                 static_cast<unsigned long long>(writer.count(rpki::State::Invalid)),
                 static_cast<unsigned long long>(writer.count(rpki::State::NotFound)));
    if (writer.bad_count() > 0) {
        std::fprintf(stderr, ", %llu unreadable lines",
                     static_cast<unsigned long long>(writer.bad_count()));
    }
    std::fputc('\n', stderr);
    return writer.bad_count() > 0 ? kExitDataErrors : kExitOk;
}

// ---------------------------------------------------------------------------------------------
// rpki stats

struct StatsOptions {
    VrpOptions vrps;
    bool json = false;
};

int run_stats(const StatsOptions& o) {
    const char* cmd = "domaingraph rpki stats";
    const auto start = std::chrono::steady_clock::now();
    const auto index = load_vrp_index(o.vrps, cmd, true);
    if (!index) {
        return kExitFailure;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    struct PerTa {
        std::uint64_t v4 = 0;
        std::uint64_t v6 = 0;
    };
    std::map<std::string, PerTa> per_ta;
    for (const rpki::Vrp& v : index->vrps()) {
        PerTa& t = per_ta[index->trust_anchor(v)];
        (v.prefix.family() == IpFamily::V4 ? t.v4 : t.v6) += 1;
    }
    const rpki::ReadReport& r = index->report();
    const rpki::IndexStats& s = index->stats();
    if (o.json) {
        ordered_json j;
        j["file"] = o.vrps.path;
        j["format"] = rpki::format_name(r.format);
        j["entries"] = r.entries;
        j["skipped"] = r.skipped;
        j["duplicates"] = s.duplicates;
        j["vrps"] = s.vrps;
        j["ipv4"] = s.ipv4;
        j["ipv6"] = s.ipv6;
        j["as0"] = s.as0;
        j["prefixes"] = s.prefixes;
        auto tas = ordered_json::object();
        for (const auto& [name, t] : per_ta) {
            tas[name.empty() ? "(none)" : name] = {{"ipv4", t.v4}, {"ipv6", t.v6}};
        }
        j["trust_anchors"] = std::move(tas);
        j["load_seconds"] = seconds;
        j["index_bytes"] = index->memory_bytes();
        std::printf("%s\n", j.dump(2).c_str());
        return kExitOk;
    }
    std::printf("file          %s\n", o.vrps.path.c_str());
    std::printf("format        %s\n", rpki::format_name(r.format));
    std::printf("entries       %llu read, %llu invalid (skipped), %zu duplicates\n",
                static_cast<unsigned long long>(r.entries),
                static_cast<unsigned long long>(r.skipped), s.duplicates);
    std::printf("VRPs          %zu (IPv4 %zu, IPv6 %zu), AS0 %zu, %zu distinct prefixes\n", s.vrps,
                s.ipv4, s.ipv6, s.as0, s.prefixes);
    std::printf("trust anchor  %10s %10s\n", "IPv4", "IPv6");
    for (const auto& [name, t] : per_ta) {
        std::printf("  %-11s %10llu %10llu\n", name.empty() ? "(none)" : name.c_str(),
                    static_cast<unsigned long long>(t.v4), static_cast<unsigned long long>(t.v6));
    }
    std::printf("loaded in     %.2f s, index %.1f MiB\n", seconds,
                static_cast<double>(index->memory_bytes()) / (1024.0 * 1024.0));
    for (const Error& w : r.warnings) {
        std::fprintf(stderr, "%s: %s\n", cmd, w.to_string().c_str());
    }
    return kExitOk;
}

// ---------------------------------------------------------------------------------------------
// rpki fetch

struct FetchOptions {
    std::string url;
    std::string output; ///< "" = vrps.json / vrps.csv by the content
    std::string format = "auto";
};

int run_fetch(const FetchOptions& o) {
    const char* cmd = "domaingraph rpki fetch";
    auto format = rpki::parse_format(o.format);
    if (!format) {
        std::fprintf(stderr, "%s: %s\n", cmd, format.error().message.c_str());
        return kExitUsage;
    }
    // The download lands beside the target (or in the working directory) and is only copied
    // over it once it reads as a VRP file: a failed fetch leaves the old file as it was.
    const std::string temp =
        (o.output.empty() || o.output == "-" ? std::string("vrps") : o.output) + ".download";
    std::unique_ptr<Progress> bar;
    auto downloaded = fetch::download(o.url, temp, download_with_progress(bar));
    bar.reset();
    if (!downloaded) {
        std::fprintf(stderr, "%s: %s: %s\n", cmd, o.url.c_str(),
                     downloaded.error().to_string().c_str());
        return kExitFailure;
    }
    auto remove_temp = [&temp] {
        std::error_code ec;
        std::filesystem::remove(temp, ec);
    };
    rpki::ReadOptions ro;
    ro.format = *format;
    auto set = rpki::load_vrps(temp, ro);
    if (!set) {
        Error e = set.error();
        e.source = o.url;
        std::fprintf(stderr, "%s: not a VRP file, nothing written: %s\n", cmd,
                     e.to_string().c_str());
        remove_temp();
        return kExitFailure;
    }
    const bool json = set->report.format == rpki::VrpFormat::RpkiClientJson ||
                      set->report.format == rpki::VrpFormat::RoutinatorJson ||
                      set->report.format == rpki::VrpFormat::RoutinatorJsonExt;
    const std::string target =
        o.output.empty() ? std::string(json ? "vrps.json" : "vrps.csv") : o.output;
    auto copied = [&]() -> Result<void> {
        DG_TRY(auto out, OutputFile::open(target));
        std::ifstream in(temp, std::ios::binary);
        std::string block(1 << 16, '\0');
        while (in) {
            in.read(block.data(), static_cast<std::streamsize>(block.size()));
            DG_TRY_VOID(
                out->write(std::string_view(block.data(), static_cast<std::size_t>(in.gcount()))));
        }
        return out->commit();
    }();
    remove_temp();
    if (!copied) {
        std::fprintf(stderr, "%s: %s\n", cmd, copied.error().to_string().c_str());
        return kExitFailure;
    }
    std::fprintf(stderr, "%s: %s: %zu VRPs (%s), %llu invalid entries skipped -> %s\n", cmd,
                 o.url.c_str(), set->vrps.size(), rpki::format_name(set->report.format),
                 static_cast<unsigned long long>(set->report.skipped),
                 target == "-" ? "stdout" : target.c_str());
    return kExitOk;
}

} // namespace

std::unique_ptr<rpki::VrpIndex> load_vrp_index(const VrpOptions& options,
                                               const std::string& command, bool quiet) {
    auto format = rpki::parse_format(options.format);
    if (!format) {
        std::fprintf(stderr, "%s: %s\n", command.c_str(), format.error().message.c_str());
        return nullptr;
    }
    rpki::ReadOptions ro;
    ro.format = *format;
    ro.strict = options.strict;
    auto set = rpki::load_vrps(options.path, ro);
    if (!set) {
        std::fprintf(stderr, "%s: cannot read VRPs: %s\n", command.c_str(),
                     set.error().to_string().c_str());
        return nullptr;
    }
    auto index = std::make_unique<rpki::VrpIndex>(rpki::VrpIndex::build(std::move(*set)));
    const rpki::ReadReport& r = index->report();
    if (!quiet) {
        std::fprintf(stderr, "%s: %s: %zu VRPs (%s)", command.c_str(), options.path.c_str(),
                     index->stats().vrps, rpki::format_name(r.format));
        if (r.skipped > 0) {
            std::fprintf(stderr, ", %llu invalid entries skipped",
                         static_cast<unsigned long long>(r.skipped));
        }
        std::fputc('\n', stderr);
        constexpr std::size_t kShown = 5;
        for (std::size_t i = 0; i < r.warnings.size() && i < kShown; ++i) {
            std::fprintf(stderr, "%s: skipped: %s\n", command.c_str(),
                         r.warnings[i].to_string().c_str());
        }
    }
    if (index->stats().vrps == 0) {
        std::fprintf(stderr, "%s: warning: %s holds no VRP: every route will be not-found\n",
                     command.c_str(), options.path.c_str());
    }
    return index;
}

void add_vrp_options(CLI::App* cmd, VrpOptions& o, bool required) {
    auto* opt = cmd->add_option("--vrps", o.path, kVrpsHelp);
    if (required) {
        opt->required();
    }
    cmd->add_option("--vrps-format", o.format,
                    "The VRP file's format instead of detecting it: " + rpki::format_names() +
                        " (a CSV format also reads a file without its header line)")
        ->capture_default_str();
    cmd->add_flag("--vrps-strict", o.strict,
                  "An invalid VRP entry is an error (default: skipped, counted, the first ones "
                  "printed)");
}

void register_rpki_commands(CLI::App& app, Runner& selected) {
    CLI::App& group = subcommand_group(
        app, "rpki", "RPKI route-origin validation (RFC 6811) against a validator's VRPs");
    group.footer("Details: docs/cli/rpki.md\n");

    auto v = std::make_shared<ValidateOptions>();
    CLI::App* validate = group.add_subcommand(
        "validate",
        "Classify routes (prefix, origin AS) as valid, invalid or not-found per RFC 6811.\n"
        "A route is covered by a VRP whose prefix contains it; it is valid when a covering VRP\n"
        "has its origin AS and a maxLength >= its length, invalid when covered but never\n"
        "matched (reason too-specific: a covering VRP has the AS but a shorter maxLength;\n"
        "wrong-origin: none has the AS, e.g. only AS0 VRPs), not-found when uncovered.\n"
        "An origin of 'none' (AS_SET, unknown) matches nothing. Routes come as PREFIX ASN\n"
        "argument pairs, or one per line ('PREFIX ASN', '#' comments) from -i FILE or stdin.\n"
        "Output: text on a terminal, else JSON Lines {prefix, origin, state, reason, vrps}:\n"
        "vrps = the matching VRPs (valid) or every covering VRP (invalid).\n"
        "Examples:\n"
        "  domaingraph rpki validate --vrps /var/lib/rpki-client/json 192.0.2.0/24 AS64496\n"
        "  bgpdump -m rib.bz2 | awk -F'|' '{n=split($7,p,\" \"); print $6, p[n]}' \\\n"
        "      | domaingraph rpki validate --vrps vrps.csv --format jsonl");
    add_vrp_options(validate, v->vrps, true);
    validate->add_option("routes", v->routes, "PREFIX ASN pairs (default: read -i or stdin)");
    validate->add_option("-i,--input", v->input, "Routes, one 'PREFIX ASN' per line ('-': stdin)");
    validate->add_option("--format", v->format, "text or jsonl (default: text on a terminal)")
        ->check(CLI::IsMember({"text", "jsonl"}));
    validate->callback([v, &selected] { selected = [v] { return run_validate(*v); }; });

    auto s = std::make_shared<StatsOptions>();
    CLI::App* stats = group.add_subcommand(
        "stats", "Summarise a VRP file: format, entries skipped, VRPs per trust anchor and\n"
                 "address family, AS0 VRPs, load time.\n"
                 "Example:\n"
                 "  domaingraph rpki stats --vrps vrps.json");
    add_vrp_options(stats, s->vrps, true);
    stats->add_flag("--json", s->json, "One JSON object instead of text");
    stats->callback([s, &selected] { selected = [s] { return run_stats(*s); }; });

    auto f = std::make_shared<FetchOptions>();
    CLI::App* fetch_cmd = group.add_subcommand(
        "fetch",
        "Download a validator's VRP export over HTTP(S), check that it reads as VRPs, and\n"
        "write it atomically (an old file is replaced only by a good one). Interrupted\n"
        "transfers are resumed and retried.\n"
        "Examples:\n"
        "  domaingraph rpki fetch http://routinator.example.net:8323/json -o vrps.json\n"
        "  domaingraph rpki fetch https://rpki.example.net/rpki-client/csv -o vrps.csv");
    fetch_cmd->add_option("url", f->url, "The export's URL (Routinator: /json, /jsonext, /csv)")
        ->required();
    fetch_cmd->add_option("-o,--output", f->output,
                          "Where to write ('-': stdout; default: vrps.json or vrps.csv by the "
                          "content)");
    fetch_cmd
        ->add_option("--vrps-format", f->format,
                     "Expected format instead of detecting it: " + rpki::format_names())
        ->capture_default_str();
    fetch_cmd->callback([f, &selected] { selected = [f] { return run_fetch(*f); }; });
}

} // namespace dg::cli
