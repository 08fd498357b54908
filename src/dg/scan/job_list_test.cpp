// Issue 19 item 10: the domain lists the server writes to --jobs-dir outlived deleted scans.
// Deleting a scan (`scans delete`, DELETE /api/v1/scans/{id}: both call scan::delete_scan)
// removes the server's list, and never a list a user gave `scan -d`.

#include "dg/scan/job_list.hpp"
#include "tests/support/support.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace dg::scan {
namespace {

using test::TempDir;

std::int64_t create(store::Store& s, const nlohmann::json& config) {
    store::NewScan ns;
    ns.config_json = config.dump();
    auto created = s.create_scan(ns);
    EXPECT_TRUE(created) << created.error().to_string();
    return created ? created->id : 0;
}

TEST(JobList, DeletingAScanRemovesTheServersListOnly) {
    TempDir dir;
    auto opened = store::Store::open("sqlite://" + dir.file("s.db"));
    ASSERT_TRUE(opened) << opened.error().to_string();
    store::Store& s = **opened;
    std::filesystem::create_directory(dir.file("jobs"));
    const std::string job_list = dir.file("jobs/scan-0123456789abcdef0123456789abcdef.txt");
    const std::string user_list = dir.file("my-domains.txt");
    test::write_file(job_list, "example.com\n");
    test::write_file(user_list, "example.net\n");

    const auto server_scan = create(s, {{"origin", "server"}, {"domains", job_list}});
    const auto user_scan = create(s, {{"domains", user_list}});
    const auto odd_scan = create(s, {{"origin", "server"}, {"domains", user_list}});
    EXPECT_EQ(server_job_list(*s.get_scan(server_scan)), job_list);
    EXPECT_EQ(server_job_list(*s.get_scan(user_scan)), "");
    EXPECT_EQ(server_job_list(*s.get_scan(odd_scan)), ""); // not a name the server writes

    ASSERT_TRUE(delete_scan(s, server_scan));
    EXPECT_FALSE(std::filesystem::exists(job_list));
    ASSERT_TRUE(delete_scan(s, user_scan));
    ASSERT_TRUE(delete_scan(s, odd_scan));
    EXPECT_TRUE(std::filesystem::exists(user_list));
    EXPECT_TRUE(s.list_scans()->empty());

    auto missing = delete_scan(s, 99);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

} // namespace
} // namespace dg::scan
