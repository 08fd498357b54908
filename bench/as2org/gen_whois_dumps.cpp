// Writes a synthetic set of five-RIR WHOIS bulk dumps at real scale into DIR (default
// /tmp/dg-whois-full): ~120,000 aut-nums, ~100,000 organisations, ~1,000,000 contacts, plus
// maintainers and as-blocks, in the registries' formats (RIPE/APNIC split files, afrinic.db,
// lacnic.db in ISO-8859-1, ARIN arin_db.txt). Organisations own 1-4 ASes; contacts are mostly
// inetnum-style ones no AS reaches (pruned). Deterministic (fixed seed).
// Usage: gen_whois_dumps [DIR] [SCALE]   (SCALE 1.0 = the sizes above)
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/stat.h>

namespace {

std::uint64_t g_state = 0x9E3779B97F4A7C15ULL;
std::uint64_t rnd() {
    g_state ^= g_state << 13;
    g_state ^= g_state >> 7;
    g_state ^= g_state << 17;
    return g_state;
}
std::uint64_t below(std::uint64_t n) {
    return rnd() % n;
}

struct Out {
    std::FILE* f;
    explicit Out(const std::string& path) : f(std::fopen(path.c_str(), "wb")) {
        if (f == nullptr) {
            std::perror(path.c_str());
            std::exit(1);
        }
    }
    ~Out() { std::fclose(f); }
    Out(const Out&) = delete;
    Out& operator=(const Out&) = delete;
};

const char* const kWords[] = {"Alpha", "Beta",  "Gamma", "Delta", "Omega",  "Nova",  "Terra",
                              "Link",  "Net",   "Tele",  "Data",  "Cloud",  "Fibre", "Wave",
                              "Metro", "Orbit", "Sky",   "Core",  "Vector", "Pulse"};

std::string org_name(std::uint64_t i) {
    return std::string(kWords[i % 20]) + " " + kWords[(i / 20) % 20] + " " +
           kWords[(i / 400) % 20] + " " + std::to_string(i) + " Ltd";
}

} // namespace

int main(int argc, char** argv) {
    const std::string dir = argc > 1 ? argv[1] : "/tmp/dg-whois-full";
    const double scale = argc > 2 ? std::atof(argv[2]) : 1.0;
    ::mkdir(dir.c_str(), 0755);
    const auto n_orgs = static_cast<std::uint64_t>(100000 * scale);
    const auto n_contacts = static_cast<std::uint64_t>(1000000 * scale);
    // registries: 0 RIPE, 1 APNIC, 2 AFRINIC, 3 LACNIC, 4 ARIN
    const unsigned share[] = {40, 20, 5, 12, 23};
    Out ripe_aut(dir + "/ripe.db.aut-num");
    Out ripe_org(dir + "/ripe.db.organisation");
    Out ripe_role(dir + "/ripe.db.role");
    Out ripe_mnt(dir + "/ripe.db.mntner");
    Out ripe_block(dir + "/ripe.db.as-block");
    Out apnic_aut(dir + "/apnic.db.aut-num");
    Out apnic_role(dir + "/apnic.db.role");
    Out afrinic(dir + "/afrinic.db");
    Out lacnic(dir + "/lacnic.db");
    Out arin(dir + "/arin_db.txt");
    std::uint64_t asn = 1;
    std::uint64_t ases = 0;
    for (std::uint64_t o = 0; o < n_orgs; ++o) {
        unsigned pick = static_cast<unsigned>(below(100));
        int r = 0;
        while (pick >= share[r]) {
            pick -= share[r];
            ++r;
        }
        const std::uint64_t count = 1 + (below(10) == 0 ? below(3) : 0) + (below(10) == 0 ? 1 : 0);
        const std::string name = org_name(o);
        const std::string handle = "ORG-G" + std::to_string(o);
        const std::string contact = "C" + std::to_string(o % (n_contacts / 4 + 1));
        const std::string mnt = "MNT-" + std::to_string(o);
        for (std::uint64_t k = 0; k < count; ++k, ++asn, ++ases) {
            const std::string a = std::to_string(asn);
            switch (r) {
            case 0:
                std::fprintf(ripe_aut.f,
                             "aut-num:        AS%s\nas-name:        AS-%s\norg:            "
                             "%s-RIPE\nimport:         from AS%llu accept ANY\nexport:         "
                             "to AS%llu announce AS%s\nadmin-c:        DUMY-RIPE\ntech-c:        "
                             " DUMY-RIPE\nstatus:         ASSIGNED\nmnt-by:         "
                             "RIPE-NCC-END-MNT\nmnt-by:         %s\ncreated:        "
                             "2010-01-01T00:00:00Z\nlast-modified:  2023-01-01T00:00:00Z\n"
                             "source:         RIPE\nremarks:        "
                             "****************************\nremarks:        * THIS OBJECT IS "
                             "MODIFIED\nremarks:        ****************************\n\n",
                             a.c_str(), a.c_str(), handle.c_str(),
                             static_cast<unsigned long long>(asn + 1),
                             static_cast<unsigned long long>(asn + 1), a.c_str(), mnt.c_str());
                break;
            case 1:
                std::fprintf(apnic_aut.f,
                             "aut-num:        AS%s\nas-name:        AP-%s\ndescr:          %s\n"
                             "country:        AU\nadmin-c:        %s-AP\ntech-c:         %s-AP\n"
                             "mnt-by:         MAINT-%llu\nlast-modified:  2022-05-05T00:00:00Z\n"
                             "source:         APNIC\n\n",
                             a.c_str(), a.c_str(), name.c_str(), contact.c_str(), contact.c_str(),
                             static_cast<unsigned long long>(o));
                break;
            case 2:
                std::fprintf(
                    afrinic.f,
                    "aut-num:        AS%s\nas-name:        AF-%s\norg:            %s-AFRINIC\n"
                    "admin-c:        %s-AFRINIC\ntech-c:         %s-AFRINIC\nmnt-by:     "
                    "    %s\nchanged:        hostmaster@afrinic.example 20200101\n"
                    "source:         AFRINIC\n\n",
                    a.c_str(), a.c_str(), handle.c_str(), contact.c_str(), contact.c_str(),
                    mnt.c_str());
                break;
            case 3:
                std::fprintf(
                    lacnic.f,
                    "aut-num:    %s\nowner:      Funda\xE7\xE3o %s\nownerid:    BR-%llu-LACNIC\n"
                    "owner-c:    %s\nrouting-c:  %s\nabuse-c:    %s\ncountry:    BR\n"
                    "created:    20100101\nchanged:    20200101\nsource:     LACNIC\n\n",
                    a.c_str(), name.c_str(), static_cast<unsigned long long>(o), contact.c_str(),
                    contact.c_str(), contact.c_str());
                break;
            default:
                std::fprintf(arin.f,
                             "ASHandle:       AS%s\nOrgID:          G%llu\nASName:         "
                             "ARIN-%s\nASNumber:       %s\nRegDate:        2005-01-01\n"
                             "Updated:        2021-01-01\nTechHandle:     %s-ARIN\nSource:     "
                             "    ARIN\n\n",
                             a.c_str(), static_cast<unsigned long long>(o), a.c_str(), a.c_str(),
                             contact.c_str());
                break;
            }
        }
        switch (r) {
        case 0:
            std::fprintf(ripe_org.f,
                         "organisation:   %s-RIPE\norg-name:       %s\norg-type:       LIR\n"
                         "address:        Dummy address for %s-RIPE\ne-mail:         "
                         "unread@ripe.net\nmnt-ref:        RIPE-NCC-HM-MNT\nmnt-by:         "
                         "RIPE-NCC-HM-MNT\ncreated:        2010-01-01T00:00:00Z\nlast-modified:  "
                         "2023-01-01T00:00:00Z\nsource:         RIPE\n\n",
                         handle.c_str(), name.c_str(), handle.c_str());
            std::fprintf(ripe_mnt.f,
                         "mntner:         %s\nadmin-c:        DUMY-RIPE\nupd-to:         "
                         "unread@ripe.net\nauth:           MD5-PW "
                         "$1$SaltSalt$DummifiedMD5HashValue.\nmnt-by:         %s\nsource:         "
                         "RIPE\n\n",
                         mnt.c_str(), mnt.c_str());
            break;
        case 2:
            std::fprintf(afrinic.f,
                         "organisation:   %s-AFRINIC\norg-name:       %s\naddress:        %llu "
                         "Example Road\n                Lagos\ncountry:        NG\ne-mail:       "
                         "  noc@%s.example\nphone:          +234 1 555 %04llu\nadmin-c:        "
                         "%s-AFRINIC\nsource:         AFRINIC\n\n",
                         handle.c_str(), name.c_str(), static_cast<unsigned long long>(o),
                         handle.c_str(), static_cast<unsigned long long>(o % 10000),
                         contact.c_str());
            break;
        case 4:
            std::fprintf(arin.f,
                         "OrgID:          G%llu\nOrgName:        %s\nStreet:         %llu Example "
                         "Avenue\nCity:           Springfield\nState/Prov:     VA\nCountry:        "
                         "US\nOrgTechHandle:  %s-ARIN\nUpdated:        2021-01-01\nSource:         "
                         "ARIN\n\n",
                         static_cast<unsigned long long>(o), name.c_str(),
                         static_cast<unsigned long long>(o), contact.c_str());
            break;
        default:
            break;
        }
    }
    // contacts: RIPE roles (most are inetnum-only), APNIC roles, ARIN POCs, LACNIC persons
    for (std::uint64_t c = 0; c < n_contacts; ++c) {
        const unsigned r = static_cast<unsigned>(c % 4);
        const std::string h = "C" + std::to_string(c);
        if (r == 0 || r == 3) {
            std::fprintf(ripe_role.f,
                         "role:           Role %s\naddress:        Dummy address for %s-RIPE\n"
                         "e-mail:         unread@ripe.net\nabuse-mailbox:  abuse@%s.example\n"
                         "nic-hdl:        %s-RIPE\nmnt-by:         RIPE-NCC-HM-MNT\n"
                         "source:         RIPE\n\n",
                         h.c_str(), h.c_str(), h.c_str(), h.c_str());
        } else if (r == 1) {
            std::fprintf(apnic_role.f,
                         "role:           Role %s\naddress:        %llu Example Street\n"
                         "e-mail:         noc@%s.example\nphone:          +61 2 5550 %04llu\n"
                         "nic-hdl:        %s-AP\nsource:         APNIC\n\n",
                         h.c_str(), static_cast<unsigned long long>(c), h.c_str(),
                         static_cast<unsigned long long>(c % 10000), h.c_str());
        } else {
            std::fprintf(arin.f,
                         "POCHandle:      %s-ARIN\nIsRole:         N\nLastName:       Person\n"
                         "FirstName:      %s\nStreet:         %llu Example Avenue\nCity:          "
                         " Springfield\nCountry:        US\nOfficePhone:    +1-703-555-%04llu\n"
                         "Mailbox:        %s@example.net\nSource:         ARIN\n\n",
                         h.c_str(), h.c_str(), static_cast<unsigned long long>(c),
                         static_cast<unsigned long long>(c % 10000), h.c_str());
        }
    }
    // RIPE as-blocks tiling the space
    const std::uint64_t step = 1024;
    for (std::uint64_t first = 0; first <= 0xFFFFFFFFULL; first += step) {
        const std::uint64_t last =
            first + step - 1 > 0xFFFFFFFFULL ? 0xFFFFFFFFULL : first + step - 1;
        if (first > 400000 && first < 0xFFFFFFFFULL - step) {
            std::fprintf(ripe_block.f,
                         "as-block:       AS%llu - AS4294967295\ndescr:          ASN block not "
                         "managed by the RIPE NCC\nsource:         RIPE\n\n",
                         static_cast<unsigned long long>(first));
            break;
        }
        std::fprintf(
            ripe_block.f,
            "as-block:       AS%llu - AS%llu\ndescr:          %s\nmnt-by:         "
            "RIPE-NCC-HM-MNT\nlast-modified:  2018-11-22T15:27:05Z\nsource:         RIPE\n\n",
            static_cast<unsigned long long>(first), static_cast<unsigned long long>(last),
            (first / step) % 3 == 0 ? "RIPE NCC ASN block"
                                    : "ASN block not managed by the RIPE NCC");
    }
    std::printf("%s: %llu aut-nums, %llu organisations, %llu contacts\n", dir.c_str(),
                static_cast<unsigned long long>(ases), static_cast<unsigned long long>(n_orgs),
                static_cast<unsigned long long>(n_contacts));
    return 0;
}
