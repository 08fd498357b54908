#include "dg/config/config_file.hpp"

#include "dg/core/byte_source.hpp"

#include <yaml-cpp/yaml.h>

namespace dg::config {
namespace {

/// Largest configuration file read.
constexpr std::size_t kMaxConfigBytes = 4 * 1024 * 1024;
/// Deepest nesting of mappings followed.
constexpr int kMaxDepth = 16;

std::uint64_t line_of(const YAML::Node& node) {
    const YAML::Mark mark = node.Mark();
    return mark.is_null() || mark.line < 0 ? 0 : static_cast<std::uint64_t>(mark.line) + 1;
}

std::string normalise_key(const std::string& key) {
    std::string out = key;
    for (char& c : out) {
        if (c == '_') {
            c = '-';
        }
    }
    return out;
}

} // namespace

/// Flattens a parsed document into a ConfigFile (yaml-cpp is only touched here).
struct FileBuilder {
    ConfigFile& file;

    void warn(std::uint64_t line, const std::string& message) {
        file.warnings_.push_back(file.path_ + ":" + std::to_string(line) + ": " + message);
    }

    void put(const std::string& key, FileValue value, std::uint64_t line) {
        if (file.values_.count(key) != 0) {
            warn(line, "key '" + key + "' is set twice; the first one (line " +
                           std::to_string(file.values_.find(key)->second.line) + ") is used");
            return;
        }
        file.values_.emplace(key, std::move(value));
    }

    void value(const std::string& key, const YAML::Node& node, std::uint64_t key_line) {
        FileValue v;
        v.line = key_line;
        if (node.IsScalar()) {
            v.items.push_back(node.Scalar());
            put(key, std::move(v), key_line);
            return;
        }
        // A sequence: every element must be a scalar.
        v.is_list = true;
        for (const auto& item : node) {
            if (!item.IsScalar()) {
                warn(line_of(item),
                     "key '" + key + "': list elements must be plain values; the key is ignored");
                return;
            }
            v.items.push_back(item.Scalar());
        }
        if (!v.items.empty()) {
            put(key, std::move(v), key_line);
        }
    }

    void mapping(const YAML::Node& map, const std::string& prefix, int depth) {
        if (depth > kMaxDepth) {
            warn(line_of(map), "nesting deeper than " + std::to_string(kMaxDepth) + " is ignored");
            return;
        }
        for (const auto& entry : map) {
            const YAML::Node& k = entry.first;
            const YAML::Node& v = entry.second;
            if (!k.IsScalar()) {
                warn(line_of(k), "keys must be plain names; entry ignored");
                continue;
            }
            const std::string key = prefix + normalise_key(k.Scalar());
            if (v.IsNull() || !v.IsDefined()) {
                continue; // "key:" with no value = not set
            }
            if (v.IsMap()) {
                mapping(v, key + ".", depth + 1);
            } else {
                value(key, v, line_of(k));
            }
        }
    }
};

Result<ConfigFile> ConfigFile::parse(std::string_view text, const std::string& name) {
    ConfigFile file;
    file.path_ = name;
    try {
        const YAML::Node root = YAML::Load(std::string(text));
        if (root.IsNull() || !root.IsDefined()) {
            return file; // an empty file
        }
        if (!root.IsMap()) {
            Error e = make_error(ErrorCode::Malformed,
                                 "the configuration must be a mapping of keys to values");
            e.source = name;
            e.line = line_of(root);
            return e;
        }
        FileBuilder{file}.mapping(root, "", 0);
    } catch (const YAML::Exception& ex) {
        Error e = make_error(ErrorCode::Malformed, "invalid YAML: " + ex.msg);
        e.source = name;
        if (!ex.mark.is_null() && ex.mark.line >= 0) {
            e.line = static_cast<std::uint64_t>(ex.mark.line) + 1;
        }
        return e;
    } catch (const std::exception& ex) {
        Error e = make_error(ErrorCode::Malformed, std::string("invalid YAML: ") + ex.what());
        e.source = name;
        return e;
    }
    return file;
}

Result<ConfigFile> ConfigFile::load(const std::string& path) {
    DG_TRY(auto source, io::open(path));
    auto bytes = io::read_all(*source, kMaxConfigBytes);
    if (!bytes) {
        return bytes.error().at(path);
    }
    return parse(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()),
                 path);
}

const FileValue* ConfigFile::find(std::string_view key) const {
    const auto it = values_.find(key);
    return it == values_.end() ? nullptr : &it->second;
}

} // namespace dg::config
