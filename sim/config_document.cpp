#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "sim/config.hpp"

namespace sim::config {

namespace {

constexpr std::size_t kMaxExtendsDepth = 16;

bool is_path_prefix(std::string_view prefix, std::string_view path) {
  return path == prefix || (path.starts_with(prefix) && path.size() > prefix.size() &&
                            (path[prefix.size()] == '.' || path[prefix.size()] == '['));
}

std::string child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

/// Merges `over` into `base` in place: mappings key by key, anything else replaced. Records in
/// `origins` every path that now comes from `over_source`.
void merge_into(YAML::Node base, const YAML::Node& over, const std::string& path,
                const std::string& over_source, std::map<std::string, std::string>& origins) {
  for (const auto& kv : over) {
    const std::string key = kv.first.Scalar();
    const std::string p = child(path, key);
    YAML::Node existing = base[key];
    if (existing.IsDefined() && existing.IsMap() && kv.second.IsMap()) {
      merge_into(existing, kv.second, p, over_source, origins);
      continue;
    }
    // Replaced wholesale: forget where the old value's parts came from.
    std::erase_if(origins, [&](const auto& o) { return is_path_prefix(p, o.first); });
    origins[p] = over_source;
    base[key] = kv.second;
  }
}

}  // namespace

Document Document::load_string(std::string_view text, std::string source_name) {
  Document doc;
  doc.source_ = std::move(source_name);
  try {
    doc.root_ = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    Problem p{doc.source_, e.mark.line + 1, e.mark.column + 1, "", "malformed YAML: " + e.msg};
    throw ConfigError({p});
  }
  if (doc.root_.IsNull()) doc.root_ = YAML::Node(YAML::NodeType::Map);
  if (!doc.root_.IsMap()) {
    throw ConfigError({Problem{
        doc.source_, doc.root_.Mark().line + 1, doc.root_.Mark().column + 1, "",
        "expected a mapping of keys at the top level, found " + describe_node(doc.root_)}});
  }
  return doc;
}

Document Document::load_file(const std::filesystem::path& path) {
  std::vector<std::filesystem::path> chain;
  return load_file(path, chain);
}

Document Document::load_file(const std::filesystem::path& path,
                             std::vector<std::filesystem::path>& chain) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError(
        {Problem{path.string(), 0, 0, "",
                 std::filesystem::exists(path) ? "cannot read the file" : "no such file"}});
  }
  std::ostringstream text;
  text << in.rdbuf();
  Document doc = load_string(text.str(), path.string());

  const YAML::Node extends = doc.root_["extends"];
  if (!extends.IsDefined()) return doc;
  const auto fail = [&](const std::string& message) {
    throw ConfigError({Problem{doc.source_, extends.Mark().line + 1, extends.Mark().column + 1,
                               "extends", message}});
  };
  if (!extends.IsScalar())
    fail("expected the path of a scenario file, found " + describe_node(extends));
  const std::filesystem::path base_path = path.parent_path() / extends.Scalar();
  std::error_code ec;
  const auto canonical = std::filesystem::weakly_canonical(path, ec);
  if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) {
    fail("\"" + extends.Scalar() + "\" extends this file again: a cycle");
  }
  if (chain.size() >= kMaxExtendsDepth) fail("more than 16 files extend one another");
  if (!std::filesystem::exists(base_path)) fail("no such file: " + base_path.string());
  chain.push_back(canonical);
  Document base = load_file(base_path, chain);
  chain.pop_back();
  doc.root_.remove("extends");
  doc.extend(std::move(base));
  return doc;
}

void Document::extend(Document base) {
  // Everything starts as the base's; what this file says wins.
  std::map<std::string, std::string> origins = std::move(base.origins_);
  for (const auto& kv : base.root_) {
    const std::string key = kv.first.Scalar();
    if (!origins.contains(key)) origins[key] = base.source_;
  }
  merge_into(base.root_, root_, "", source_, origins);
  root_.reset(base.root_);
  origins_ = std::move(origins);
}

const std::string& Document::source_of(std::string_view key_path) const {
  const std::string* best = &source_;
  std::size_t best_length = 0;
  for (const auto& [path, file] : origins_) {
    if (path.size() >= best_length && is_path_prefix(path, key_path)) {
      best = &file;
      best_length = path.size();
    }
  }
  return *best;
}

void Document::apply_override(std::string_view assignment) {
  const std::string where = "--set " + std::string(assignment);
  const auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw ConfigError({Problem{where, 0, 0, "", "expected key.path=value"}});
  }
  const std::string path(assignment.substr(0, eq));
  const std::string value_text(assignment.substr(eq + 1));
  YAML::Node value;
  try {
    value = YAML::Load(value_text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError({Problem{where, 0, 0, path, "malformed YAML value: " + e.msg}});
  }

  // Walk the path; reset() rebinds `cur` (assignment would overwrite the node it points at).
  YAML::Node cur;
  cur.reset(root_);
  std::size_t pos = 0;
  std::string walked;
  while (pos < path.size()) {
    std::size_t end = path.find_first_of(".[", pos);
    if (end == std::string::npos) end = path.size();
    const std::string key = path.substr(pos, end - pos);
    if (key.empty()) throw ConfigError({Problem{where, 0, 0, path, "empty key in the path"}});
    if (!cur.IsMap()) {
      throw ConfigError({Problem{where, 0, 0, walked,
                                 "is " + describe_node(cur) + ", it has no key \"" + key + "\""}});
    }
    walked += (walked.empty() ? "" : ".") + key;
    YAML::Node next = cur[key];
    bool indexed = false;
    pos = end;
    while (pos < path.size() && path[pos] == '[') {
      const std::size_t close = path.find(']', pos);
      std::size_t index = 0;
      const char* first = path.data() + pos + 1;
      const char* last = path.data() + (close == std::string::npos ? path.size() : close);
      auto [p, ec] = std::from_chars(first, last, index);
      if (close == std::string::npos || ec != std::errc{} || p != last) {
        throw ConfigError({Problem{where, 0, 0, walked, "expected [index] with a whole number"}});
      }
      if (!next.IsSequence() || index >= next.size()) {
        throw ConfigError({Problem{
            where, 0, 0, walked,
            "has no element [" + std::to_string(index) + "] (" +
                (next.IsSequence() ? std::to_string(next.size()) + " elements" : "not a list") +
                ")"}});
      }
      walked += "[" + std::to_string(index) + "]";
      YAML::Node element = next[index];
      next.reset(element);
      indexed = true;
      pos = close + 1;
    }
    if (pos < path.size() && path[pos] == '.') ++pos;
    if (pos >= path.size()) {
      // A new key is accepted here: the reader reports it later if it is unknown.
      if (indexed) {
        next = value;  // assigns through to the list element
      } else {
        cur[key] = value;
      }
    } else {
      if (!next.IsDefined() || next.IsNull()) {
        cur[key] = YAML::Node(YAML::NodeType::Map);  // a section absent from the file
        next.reset(cur[key]);
      }
      cur.reset(next);
    }
  }
  overrides_[walked] = std::string(assignment);
}

std::optional<std::string> Document::override_for(std::string_view key_path) const {
  for (const auto& [path, text] : overrides_) {
    if (is_path_prefix(path, key_path)) return text;
  }
  return std::nullopt;
}

}  // namespace sim::config
