#include "tests/support/dns_rig.hpp"

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sys/types.h>
#include <unistd.h>

namespace dg::test {

namespace {

std::string& error_slot() {
    static std::string error;
    return error;
}

std::string endpoint(const nlohmann::json& j) {
    return j.at("host").get<std::string>() + ":" + std::to_string(j.at("port").get<int>());
}

std::vector<std::string> strings(const nlohmann::json& j, const char* key) {
    std::vector<std::string> out;
    if (j.contains(key) && j[key].is_array()) {
        for (const auto& v : j[key]) {
            if (v.is_string()) {
                out.push_back(v.get<std::string>());
            }
        }
    }
    return out;
}

RigTruth parse_truth(const nlohmann::json& j) {
    RigTruth t;
    t.raw = j;
    t.name = j.value("name", "");
    t.kind = j.value("case", "");
    t.status = j.value("status", "");
    t.a = strings(j, "A");
    t.aaaa = strings(j, "AAAA");
    t.ns = strings(j, "NS");
    t.cname = strings(j, "CNAME");
    t.ptr = strings(j, "PTR");
    if (j.contains("MX") && j["MX"].is_array()) {
        for (const auto& m : j["MX"]) {
            t.mx.push_back({m.value("preference", 0), m.value("host", "")});
        }
    }
    t.types = j.value("types", nlohmann::json::object());
    t.unicode = j.value("unicode", "");
    t.address = j.value("address", "");
    return t;
}

bool executable(const std::string& path) {
    return access(path.c_str(), X_OK) == 0;
}

} // namespace

std::string DnsRig::script() {
    const char* src = std::getenv("DG_SOURCE_DIR");
#ifdef DG_RIG_SOURCE_DIR
    const std::string root = src != nullptr ? src : DG_RIG_SOURCE_DIR;
#else
    const std::string root = src != nullptr ? src : ".";
#endif
    return root + "/tests/harness/dnsrig";
}

bool DnsRig::servers_available() {
    return (tool_available("knotd") || executable("/usr/sbin/knotd")) &&
           (tool_available("unbound") || executable("/usr/sbin/unbound")) &&
           executable("/usr/bin/python3");
}

const std::string& DnsRig::last_error() {
    return error_slot();
}

std::optional<DnsRig> DnsRig::start(Options options) {
    DnsRig rig;
    rig.dir_ = std::make_unique<TempDir>();
    rig.rig_dir_ = rig.dir_->path() + "/rig";
    const std::string& dir = rig.rig_dir_;
    std::vector<std::string> argv{script(),       "start",
                                  "--dir",        dir,
                                  "--names",      std::to_string(options.names),
                                  "--seed",       std::to_string(options.seed),
                                  "--recursives", std::to_string(options.recursives),
                                  "--watch-pid",  std::to_string(getpid())};
    if (options.reverse) {
        argv.emplace_back("--reverse");
    }
    if (!options.flaky.empty()) {
        argv.emplace_back("--flaky");
        argv.push_back(options.flaky);
    }
    const auto r = run_command(argv);
    rig.running_ = true; // whatever started, stop() cleans it up
    if (r.exit_code != 0) {
        error_slot() = "dnsrig start failed (exit " + std::to_string(r.exit_code) + "): " + r.err;
        return std::nullopt;
    }
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        error_slot() = "dnsrig start printed no JSON: " + r.out + r.err;
        return std::nullopt;
    }
    try {
        rig.info_ = j;
        rig.auth_ = endpoint(j.at("auth"));
        rig.blackhole_ = endpoint(j.at("blackhole"));
        rig.refuser_ = endpoint(j.at("refuser"));
        rig.refuser_noq_ = endpoint(j.at("refuser_noq"));
        for (const auto& e : j.at("recursives")) {
            rig.recursives_.push_back(endpoint(e));
        }
    } catch (const nlohmann::json::exception& e) {
        error_slot() = std::string("dnsrig start JSON: ") + e.what();
        return std::nullopt;
    }
    return rig;
}

DnsRig::DnsRig(DnsRig&& other) noexcept
    : dir_(std::move(other.dir_)), rig_dir_(std::move(other.rig_dir_)),
      info_(std::move(other.info_)), auth_(std::move(other.auth_)),
      blackhole_(std::move(other.blackhole_)), refuser_(std::move(other.refuser_)),
      refuser_noq_(std::move(other.refuser_noq_)), recursives_(std::move(other.recursives_)),
      truth_(std::move(other.truth_)), truth_loaded_(other.truth_loaded_),
      running_(other.running_) {
    other.running_ = false;
}

DnsRig& DnsRig::operator=(DnsRig&& other) noexcept {
    if (this != &other) {
        stop();
        dir_ = std::move(other.dir_);
        rig_dir_ = std::move(other.rig_dir_);
        info_ = std::move(other.info_);
        auth_ = std::move(other.auth_);
        blackhole_ = std::move(other.blackhole_);
        refuser_ = std::move(other.refuser_);
        refuser_noq_ = std::move(other.refuser_noq_);
        recursives_ = std::move(other.recursives_);
        truth_ = std::move(other.truth_);
        truth_loaded_ = other.truth_loaded_;
        running_ = other.running_;
        other.running_ = false;
    }
    return *this;
}

DnsRig::~DnsRig() {
    stop();
}

void DnsRig::stop() {
    if (running_ && dir_) {
        (void)run_command({script(), "stop", "--dir", rig_dir_});
    }
    running_ = false;
}

std::string DnsRig::recursive_endpoint(std::size_t i) const {
    return i < recursives_.size() ? recursives_[i] : std::string();
}

const std::vector<RigTruth>& DnsRig::truth() const {
    if (!truth_loaded_) {
        truth_loaded_ = true;
        std::ifstream in(dir() + "/truth.jsonl");
        std::string line;
        while (std::getline(in, line)) {
            const auto j = nlohmann::json::parse(line, nullptr, false);
            if (!j.is_discarded() && j.is_object()) {
                truth_.push_back(parse_truth(j));
            }
        }
    }
    return truth_;
}

const RigTruth* DnsRig::find(const std::string& name) const {
    for (const auto& t : truth()) {
        if (t.name == name) {
            return &t;
        }
    }
    return nullptr;
}

std::vector<const RigTruth*> DnsRig::of_kind(const std::string& kind) const {
    std::vector<const RigTruth*> out;
    for (const auto& t : truth()) {
        if (t.kind == kind) {
            out.push_back(&t);
        }
    }
    return out;
}

std::string DnsRig::flaky_endpoint() const {
    return info_.contains("flaky") ? endpoint(info_["flaky"]) : std::string();
}

bool DnsRig::signal_recursive(std::size_t i, int sig) const {
    if (i >= recursives_.size()) {
        return false;
    }
    const std::string pidfile = dir() + (i == 0 ? std::string("/unbound.pid")
                                                : "/unbound" + std::to_string(i + 1) + ".pid");
    std::ifstream in(pidfile);
    long pid = 0;
    if (!(in >> pid) || pid <= 1) {
        return false;
    }
    return ::kill(static_cast<pid_t>(pid), sig) == 0;
}

} // namespace dg::test
