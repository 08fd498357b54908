#pragma once
// GINIE's tables over a set of decoded names (`hostnames stats`, docs/cli/hostnames.md).

#include "dg/hostnames/decoder.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <string>

namespace dg::hostnames {

/// Components counted per name (the rows of GINIE's first table).
enum class Component : std::uint8_t { Interface, Role, City, Iata, ClliLike, State, Word, Other };
constexpr std::size_t kComponents = 8;
const char* component_name(Component c);

class Stats {
public:
    /// Adds one decoded name (refused names are counted apart).
    void add(const Decoded& d);
    /// Text tables, JSON object, or CSV (section,key,value,extra rows).
    [[nodiscard]] std::string to_text(std::size_t top = 20) const;
    [[nodiscard]] std::string to_json(std::size_t top = 20) const;
    [[nodiscard]] std::string to_csv(std::size_t top = 20) const;

    std::uint64_t names = 0;
    std::uint64_t refused = 0;
    std::array<std::uint64_t, kComponents> found{}; ///< names with the component
    std::map<int, std::uint64_t> items;             ///< items per name -> names
    struct Example {
        std::uint64_t count = 0;
        std::string example;
    };
    std::map<std::string, Example, std::less<>> words;  ///< dictionary words
    std::map<std::string, Example, std::less<>> others; ///< unclassified alpha tokens
    std::map<std::string, std::uint64_t, std::less<>> domains;
    std::map<std::string, std::map<std::string, bool, std::less<>>, std::less<>> prefixes;
};

} // namespace dg::hostnames
