// domaingraph hostnames decode|learn|stats|topology|dict info|dict build  (docs/cli/hostnames.md)
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/stdout_buffer.hpp"
#include "dg/cli/store_access.hpp"
#include "dg/core/byte_source.hpp"
#include "dg/core/ip_address.hpp"
#include "dg/core/output_file.hpp"
#include "dg/core/text.hpp"
#include "dg/hostnames/decoder.hpp"
#include "dg/hostnames/dictionary.hpp"
#include "dg/hostnames/dictionary_builder.hpp"
#include "dg/hostnames/geo_validation.hpp"
#include "dg/hostnames/rtt.hpp"
#include "dg/hostnames/stats.hpp"
#include "dg/hostnames/topology.hpp"
#include "dg/ptr/sweep_store.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dg::cli {
namespace {

namespace hn = dg::hostnames;

struct HostnamesOptions {
    std::string input = "-";
    std::string method = "default";
    std::string dict_dir;
    std::string rules;
    std::string output;
    std::string regex_output;
    std::string format = "text";
    double threshold = 0.5;
    std::size_t top = 20;
    std::string pairs = "31,30";
    std::string mmdb;       ///< stats --mmdb CITY.mmdb: location validation
    std::string rtt;        ///< decode --rtt: sc_hoiho RTTs (N<node> VP ms)
    std::string vps;        ///< decode --vps: vantage point locations (vp NAME lat lng)
    std::int64_t sweep = 0; ///< --sweep ID: the names of a stored PTR sweep instead of a file
    std::string db;
    std::vector<std::string> sources;      ///< dict build: SRC directories and files
    std::string psl = hn::kDefaultPslPath; ///< dict build --psl
};

/// The dictionary of --dict DIR, else the usual places (hn::Dictionary::find).
Result<hn::Dictionary> open_dictionary(const std::string& dir) {
    return hn::Dictionary::find(dir);
}

/// Calls f(ip, name, line_number) for each input line: "name", "ip<TAB>name", CAIDA's
/// "time<TAB>ip<TAB>name", sc_hoiho's router file ("# node2id" comments, "addr<TAB>name").
/// `node`, when given, follows sc_hoiho's `# node2id: N` comments (the router of the lines after).
template <class F>
Result<void> for_each_name(const std::string& path, F&& f, std::uint64_t* node = nullptr) {
    auto src = io::open(path);
    if (!src) {
        return src.error();
    }
    std::vector<std::uint8_t> buf(std::size_t{1} << 16);
    std::string carry;
    std::uint64_t number = 0;
    auto line_done = [&](std::string_view line) {
        ++number;
        line = trim(line);
        constexpr std::string_view kNode = "# node2id:";
        if (node != nullptr && line.substr(0, kNode.size()) == kNode) {
            const std::string_view id = trim(line.substr(kNode.size()));
            std::uint64_t n = 0;
            const auto r = std::from_chars(id.data(), id.data() + id.size(), n);
            *node = r.ec == std::errc() ? n : 0;
        }
        if (line.empty() || line.front() == '#') {
            return;
        }
        std::string_view name = line;
        std::string_view ip;
        const std::size_t t = line.find_last_of("\t ");
        if (t != std::string_view::npos) {
            name = line.substr(t + 1);
            std::string_view rest = trim(line.substr(0, t));
            const std::size_t t2 = rest.find_last_of("\t ");
            ip = t2 == std::string_view::npos ? rest : rest.substr(t2 + 1);
            if (!IpAddress::parse(ip)) {
                ip = {};
            }
        }
        f(ip, name, number);
    };
    while (true) {
        auto n = (*src)->read(buf);
        if (!n) {
            return n.error();
        }
        if (*n == 0) {
            break;
        }
        carry.append(reinterpret_cast<const char*>(buf.data()), *n);
        std::size_t start = 0;
        while (true) {
            const std::size_t nl = carry.find('\n', start);
            if (nl == std::string::npos) {
                break;
            }
            line_done(std::string_view(carry).substr(start, nl - start));
            start = nl + 1;
        }
        carry.erase(0, start);
    }
    if (!carry.empty()) {
        line_done(carry);
    }
    return {};
}

/// Calls f(ip, name, 0) for every PTR name of stored sweep `id` (NOERROR results, in address
/// order; an address with several names gives one call per name).
template <class F> Result<void> for_each_swept_name(const std::string& db, std::int64_t id, F&& f) {
    DG_TRY(auto store, store::Store::open(db));
    DG_TRY(auto sweeps, ptr::SweepStore::of(*store));
    std::string ip;
    return sweeps.names(id, [&](const IpAddress& address, std::string_view name) {
        ip = address.to_string();
        f(std::string_view(ip), name, 0);
    });
}

/// The command's names: `--sweep ID` from the store, else the input file (or stdin).
template <class F>
Result<void> for_each_input_name(const HostnamesOptions& o, F&& f, std::uint64_t* node = nullptr) {
    if (o.sweep > 0) {
        return for_each_swept_name(o.db, o.sweep, std::forward<F>(f));
    }
    if (o.input.empty()) {
        return make_error(ErrorCode::InvalidArgument, "give an input FILE (or -) or --sweep ID");
    }
    return for_each_name(o.input, std::forward<F>(f), node);
}

/// Where a name came from, for messages: "sweep 3", "stdin" or the file.
std::string input_label(const HostnamesOptions& o) {
    return o.sweep > 0      ? "sweep " + std::to_string(o.sweep)
           : o.input == "-" ? std::string("stdin")
                            : o.input;
}

hn::Method parse_method(const std::string& m) {
    return m == "ginie" ? hn::Method::Ginie : hn::Method::Default;
}

int fail(const char* cmd, const Error& e) {
    std::fprintf(stderr, "domaingraph hostnames %s: %s\n", cmd, e.to_string().c_str());
    return kExitFailure;
}

int run_decode(const HostnamesOptions& o) {
    auto dict = open_dictionary(o.dict_dir);
    if (!dict) {
        return fail("decode", dict.error());
    }
    hn::Rules rules;
    if (!o.rules.empty()) {
        auto r = hn::Rules::load(o.rules);
        if (!r) {
            return fail("decode", r.error());
        }
        rules = std::move(*r);
    }
    hn::Decoder decoder(*dict, o.rules.empty() ? nullptr : &rules, parse_method(o.method));
    decoder.set_threshold(static_cast<float>(o.threshold));
    std::optional<hn::RttConstraints> rtt;
    if (!o.rtt.empty() || !o.vps.empty()) {
        if (o.rtt.empty() || o.vps.empty()) {
            std::fprintf(stderr, "domaingraph hostnames decode: --rtt and --vps go together\n");
            return kExitUsage;
        }
        auto loaded = hn::RttConstraints::load(o.rtt, o.vps);
        if (!loaded) {
            return fail("decode", loaded.error());
        }
        rtt.emplace(std::move(*loaded));
    }
    StdoutBuffer out;
    hn::Decoded d;
    std::uint64_t refused = 0;
    std::uint64_t node = 0;
    std::uint64_t ruled_out = 0;
    const std::string label = input_label(o);
    auto done = for_each_input_name(
        o,
        [&](std::string_view ip, std::string_view name, std::uint64_t line) {
            decoder.decode(name, ip, d);
            if (rtt && node != 0 && rtt->apply(node, d)) {
                ++ruled_out;
            }
            if (!d.error.empty()) {
                ++refused;
                if (refused <= 20) {
                    const std::string where = line > 0 ? label + ":" + std::to_string(line)
                                                       : label + " (" + std::string(ip) + ")";
                    std::fprintf(stderr, "domaingraph hostnames decode: %s: %s\n", where.c_str(),
                                 d.error.c_str());
                }
            }
            hn::append_json(d, out.text());
            out.maybe_flush();
        },
        &node);
    if (rtt) {
        std::fprintf(stderr,
                     "domaingraph hostnames decode: %llu locations ruled out by RTTs (%zu routers "
                     "with RTTs)\n",
                     static_cast<unsigned long long>(ruled_out), rtt->nodes());
    }
    if (!done) {
        return fail("decode", done.error());
    }
    if (refused > 20) {
        std::fprintf(stderr, "domaingraph hostnames decode: %llu names refused\n",
                     static_cast<unsigned long long>(refused));
    }
    return out.flush() ? kExitOk : kExitFailure;
}

bool write_text(const std::string& path, const std::string& text) {
    return write_output_file(path, text).has_value();
}

int run_learn(const HostnamesOptions& o) {
    auto dict = open_dictionary(o.dict_dir);
    if (!dict) {
        return fail("learn", dict.error());
    }
    hn::Learner learner(*dict);
    auto done = for_each_input_name(
        o, [&](std::string_view, std::string_view name, std::uint64_t) { learner.add(name); });
    if (!done) {
        return fail("learn", done.error());
    }
    const hn::Rules rules = learner.finish();
    if (!write_text(o.output, rules.to_text())) {
        std::fprintf(stderr, "domaingraph hostnames learn: cannot write %s\n", o.output.c_str());
        return kExitFailure;
    }
    if (!o.regex_output.empty() && !write_text(o.regex_output, rules.to_hoiho_regex())) {
        std::fprintf(stderr, "domaingraph hostnames learn: cannot write %s\n",
                     o.regex_output.c_str());
        return kExitFailure;
    }
    std::fprintf(stderr, "domaingraph hostnames learn: %zu suffixes with a location rule -> %s\n",
                 rules.all().size(), o.output.c_str());
    return kExitOk;
}

int run_stats(const HostnamesOptions& o) {
    auto dict = open_dictionary(o.dict_dir);
    if (!dict) {
        return fail("stats", dict.error());
    }
    hn::Rules rules;
    if (!o.rules.empty()) {
        auto r = hn::Rules::load(o.rules);
        if (!r) {
            return fail("stats", r.error());
        }
        rules = std::move(*r);
    }
    std::optional<hn::CityDatabase> city_db;
    if (!o.mmdb.empty()) {
        auto opened = hn::CityDatabase::open(o.mmdb);
        if (!opened) {
            return fail("stats", opened.error());
        }
        city_db.emplace(std::move(*opened));
    }
    hn::Decoder decoder(*dict, o.rules.empty() ? nullptr : &rules, parse_method(o.method));
    hn::Stats stats;
    hn::GeoValidation geo;
    hn::Decoded d;
    auto done =
        for_each_input_name(o, [&](std::string_view ip, std::string_view name, std::uint64_t) {
            decoder.decode(name, ip, d);
            stats.add(d);
            if (city_db) {
                geo.add(d, *city_db);
            }
        });
    if (!done) {
        return fail("stats", done.error());
    }
    std::string text = o.format == "json"  ? stats.to_json(o.top)
                       : o.format == "csv" ? stats.to_csv(o.top)
                                           : stats.to_text(o.top);
    if (city_db) {
        if (o.format == "json") {
            auto j = nlohmann::json::parse(text, nullptr, false);
            j["geo_validation"] = nlohmann::json::parse(geo.to_json());
            text = j.dump() + "\n";
        } else {
            text += o.format == "csv" ? geo.to_csv() : "\n" + geo.to_text();
        }
    }
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
}

int run_topology(const HostnamesOptions& o) {
    auto dict = open_dictionary(o.dict_dir);
    if (!dict) {
        return fail("topology", dict.error());
    }
    hn::Rules rules;
    if (!o.rules.empty()) {
        auto r = hn::Rules::load(o.rules);
        if (!r) {
            return fail("topology", r.error());
        }
        rules = std::move(*r);
    }
    hn::TopologyOptions topts;
    topts.pairs31 = o.pairs.find("31") != std::string::npos;
    topts.pairs30 = o.pairs.find("30") != std::string::npos;
    topts.min_confidence = static_cast<float>(o.threshold);
    hn::Decoder decoder(*dict, o.rules.empty() ? nullptr : &rules, parse_method(o.method));
    hn::TopologyBuilder builder(decoder, topts);
    std::uint64_t without_address = 0;
    auto done =
        for_each_input_name(o, [&](std::string_view ip, std::string_view name, std::uint64_t) {
            auto addr = IpAddress::parse(ip);
            if (!addr) {
                ++without_address;
                return;
            }
            builder.add(*addr, name);
        });
    if (!done) {
        return fail("topology", done.error());
    }
    const hn::Topology t = builder.finish();
    const auto ends_with = [&](const char* ext) {
        const std::string e(ext);
        return o.output.size() >= e.size() &&
               o.output.compare(o.output.size() - e.size(), e.size(), e) == 0;
    };
    const std::string text = ends_with(".gexf")      ? t.to_gexf()
                             : ends_with(".graphml") ? t.to_graphml()
                             : ends_with(".html")    ? t.to_html()
                                                     : t.to_json();
    if (!write_text(o.output, text)) {
        std::fprintf(stderr, "domaingraph hostnames topology: cannot write %s\n", o.output.c_str());
        return kExitFailure;
    }
    std::fprintf(stderr,
                 "domaingraph hostnames topology: %zu cities, %zu edges from %llu pairs (%llu left "
                 "out: location missing or below %.2f; %llu inside one city; %llu lines without an "
                 "address) -> %s\n",
                 t.nodes.size(), t.edges.size(), static_cast<unsigned long long>(t.pairs),
                 static_cast<unsigned long long>(t.low_confidence), o.threshold,
                 static_cast<unsigned long long>(t.same_city),
                 static_cast<unsigned long long>(without_address), o.output.c_str());
    return kExitOk;
}

int run_dict_info(const HostnamesOptions& o) {
    const auto t0 = std::chrono::steady_clock::now();
    auto dict = open_dictionary(o.dict_dir);
    const auto t1 = std::chrono::steady_clock::now();
    if (!dict) {
        return fail("dict info", dict.error());
    }
    std::printf("bytes %zu\nplaces %u\nload_ms %.2f\n", dict->size(), dict->place_count(),
                std::chrono::duration<double, std::milli>(t1 - t0).count());
    return kExitOk;
}

int run_dict_build(const HostnamesOptions& o) {
    auto sources = hn::resolve_dictionary_sources(o.sources, o.psl);
    if (!sources) {
        const bool usage = sources.error().code == ErrorCode::InvalidArgument;
        fail("dict build", sources.error());
        return usage ? kExitUsage : kExitFailure;
    }
    auto report = hn::build_dictionary(*sources, o.output);
    if (!report) {
        return fail("dict build", report.error());
    }
    for (const std::string& w : report->warnings) {
        std::fprintf(stderr, "domaingraph hostnames dict build: warning: %s\n", w.c_str());
    }
    std::fprintf(stderr, "%s: %llu bytes, %zu places, %zu keys, %zu entries\n", o.output.c_str(),
                 static_cast<unsigned long long>(report->bytes), report->places, report->keys,
                 report->entries);
    return kExitOk;
}

/// `hostnames dict build`: what it reads, where newer copies come from, where the result goes.
void register_dict_build(CLI::App& dict, const std::shared_ptr<HostnamesOptions>& opts,
                         Runner& selected) {
    CLI::App* build = dict.add_subcommand(
        "build", "Build the hostname dictionary from its openly licensed sources (deterministic: "
                 "the same sources give the same bytes)");
    build->add_option("SRC", opts->sources,
                      "Source directories (laid out as geonames/, airports/, locode/, iso/, "
                      "words/, naming/) or single source files; a later one replaces an "
                      "earlier one's file of the same name");
    build->add_option("--psl", opts->psl,
                      "Public Suffix List (default: " + std::string(hn::kDefaultPslPath) +
                          ", Debian package publicsuffix)");
    build
        ->add_option("-o,--output", opts->output,
                     "Dictionary to write (a name ending .gz is gzip-compressed)")
        ->required();
    build->footer(
        "\nSources (files of a SRC directory; single files are named by their base name):\n"
        "  geonames/cities5000_ascii.tsv.gz   GeoNames cities5000 (download.geonames.org/export/"
        "dump/cities5000.zip, CC BY 4.0),\n"
        "                                     as TSV: geonameid, name, asciiname, ASCII alternate "
        "names,\n"
        "                                     latitude, longitude, feature code, country, admin1, "
        "population, timezone\n"
        "  geonames/admin1CodesASCII.txt      GeoNames admin1CodesASCII.txt (same site)\n"
        "  airports/iata_codes.tsv            TSV: iata, icao, airport, city, country ISO2, "
        "country name, lat, lon\n"
        "  airports/openflights_airports.dat  OpenFlights airports.dat (github.com/jpatokal/"
        "openflights, data/, ODbL 1.0)\n"
        "  locode/locodePart{1,2,3}.csv.gz    UN/LOCODE code list CSV, ISO-8859-1 "
        "(unece.org, UN/LOCODE download)\n"
        "  iso/iso3166-1.tsv, iso/us_states.tsv  ISO 3166 from Debian iso-codes (LGPL-2.1+)\n"
        "  words/american-english.gz          Debian wamerican (/usr/share/dict/american-english "
        "is taken as is)\n"
        "  naming/interface_types.tsv, naming/router_roles.tsv  the project's vocabularies\n"
        "  --psl                              publicsuffix.org/list/public_suffix_list.dat "
        "(MPL-2.0)\n"
        "A .gz source may be given uncompressed (named without .gz). The project's copies are "
        "in\nshared/data/ptr/ (README.md there: provenance, formats).\n"
        "Use the result with `--dict DIR` (a directory holding hostnames.dict[.gz], or the file) "
        "or\n"
        "DOMAINGRAPH_HOSTNAMES_DICT=FILE; an uncompressed .dict is memory-mapped directly.\n"
        "\nExamples:\n"
        "  domaingraph hostnames dict build ../shared/data/ptr -o hostnames.dict.gz\n"
        "  domaingraph hostnames dict build ../shared/data/ptr ~/Downloads/airports.dat "
        "-o ~/dict/hostnames.dict\n"
        "  domaingraph hostnames decode --dict ~/dict names.txt");
    build->callback([opts, &selected] { selected = [opts] { return run_dict_build(*opts); }; });
}

} // namespace

void register_hostnames_commands(CLI::App& app, Runner& selected) {
    CLI::App& group = subcommand_group(
        app, "hostnames", "Router hostnames: decode interface, role and location (PTR names)");
    auto opts = std::make_shared<HostnamesOptions>();
    auto add_dict = [&](CLI::App* cmd) {
        cmd->add_option("--dict", opts->dict_dir,
                        "Dictionary directory (holding hostnames.dict or hostnames.dict.gz)");
    };
    // The names of a stored PTR sweep (`domaingraph ptr sweep`) instead of an input file.
    auto add_sweep = [&](CLI::App* cmd) {
        cmd->add_option("--sweep", opts->sweep,
                        "Read the PTR names of stored sweep ID (see 'domaingraph ptr sweeps "
                        "list') instead of a file")
            ->check(CLI::PositiveNumber);
        add_db_option(cmd, opts->db);
    };
    CLI::App* decode = group.add_subcommand(
        "decode", "Decode router hostnames; one JSON object per line (docs/cli/hostnames.md).\n"
                  "Input lines: NAME, or IP<TAB>NAME (plain or gz/bz2/zst; - for stdin).\n"
                  "Example:\n"
                  "  echo ae-1-3502.edge4.frankfurt1.example.net | domaingraph hostnames decode");
    decode->add_option("input", opts->input, "Input file (default: stdin; or --sweep ID)");
    add_sweep(decode);
    decode->add_option("--method", opts->method, "default | ginie (the GINIE thesis rules)")
        ->check(CLI::IsMember({"default", "ginie"}));
    add_dict(decode);
    decode->add_option("--rules", opts->rules, "Per-suffix rules from `hostnames learn`");
    decode->add_option("--rtt", opts->rtt,
                       "RTTs in sc_hoiho's format (N<node> VP ms; input: sc_hoiho's routers file "
                       "with '# node2id: N' lines): locations light speed rules out are dropped");
    decode->add_option("--vps", opts->vps,
                       "Where the --rtt vantage points are: 'vp NAME lat lng' lines (sc_hoiho's "
                       "geohints file)");
    decode->add_option("--threshold", opts->threshold, "Minimum location confidence (default 0.5)")
        ->check(CLI::Range(0.0, 1.0));
    decode->callback([opts, &selected] { selected = [opts] { return run_decode(*opts); }; });

    CLI::App* learn = group.add_subcommand(
        "learn", "Learn per-suffix rules (location label position, operator codes) from names");
    learn->add_option("input", opts->input,
                      "Input file (names, IP<TAB>NAME, sc_hoiho routers; or --sweep ID)");
    add_sweep(learn);
    learn->add_option("-o,--output", opts->output, "Rules file to write")->required();
    learn->add_option(
        "--regex", opts->regex_output,
        "Also write the rules as sc_hoiho -d best-regex lines to this file (- stdout)");
    add_dict(learn);
    learn->callback([opts, &selected] { selected = [opts] { return run_learn(*opts); }; });

    CLI::App* stats = group.add_subcommand("stats", "GINIE's tables over a set of names");
    stats->add_option("input", opts->input, "Input file (or --sweep ID)");
    add_sweep(stats);
    stats->add_option("--method", opts->method, "default | ginie")
        ->check(CLI::IsMember({"default", "ginie"}));
    stats->add_option("--format", opts->format, "text | json | csv")
        ->check(CLI::IsMember({"text", "json", "csv"}));
    stats->add_option("--rules", opts->rules, "Per-suffix rules from `hostnames learn`");
    stats->add_option("--top", opts->top, "Rows of the top-N tables (default 20)");
    stats->add_option("--mmdb", opts->mmdb,
                      "MaxMind City database: compare each located name with where the database "
                      "puts its address (match within 100 km / mismatch / no data, distances)");
    add_dict(stats);
    stats->callback([opts, &selected] { selected = [opts] { return run_stats(*opts); }; });

    CLI::App* topo = group.add_subcommand(
        "topology", "City-level topology from /31 and /30 neighbours (IP<TAB>NAME input)");
    topo->add_option("input", opts->input, "Input file (IP<TAB>NAME lines; or --sweep ID)");
    add_sweep(topo);
    topo->add_option("-o,--output", opts->output,
                     "Output: .gexf, .graphml, .html (a map with the link table) or .json")
        ->required();
    topo->add_option("--pairs", opts->pairs, "Which pairs: 31, 30 or 31,30 (default)");
    topo->add_option("--rules", opts->rules, "Per-suffix rules from `hostnames learn`");
    topo->add_option("--method", opts->method, "default | ginie")
        ->check(CLI::IsMember({"default", "ginie"}));
    topo->add_option("--threshold", opts->threshold,
                     "Minimum location confidence of both ends (default 0.5)")
        ->check(CLI::Range(0.0, 1.0));
    add_dict(topo);
    topo->callback([opts, &selected] { selected = [opts] { return run_topology(*opts); }; });

    CLI::App& dict = subcommand_group(group, "dict", "The compiled hostname dictionary");
    CLI::App* info = dict.add_subcommand("info", "Size, places and load time of the dictionary");
    add_dict(info);
    info->callback([opts, &selected] { selected = [opts] { return run_dict_info(*opts); }; });
    register_dict_build(dict, opts, selected);
}

} // namespace dg::cli
