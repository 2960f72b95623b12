#pragma once
// For tests of a mechanism's scenario reader: read one nested section of a YAML text and collect
// the problems found, as a whole scenario's reading would.

#include <string>
#include <vector>

#include "sim/config.hpp"

namespace test_support {

/// Reads `text` (named `source`), descends into `outer.inner` and applies `read` there. Returns
/// every problem found; `*out`, when given, receives what `read` returned.
///   auto problems = read_nested<BmeSpec>(yaml, "burn.yaml", "economy", "burn", &read_bme_spec);
template <class Spec>
std::vector<sim::config::Problem> read_nested(const std::string& text, const std::string& source,
                                              const char* outer, const char* inner,
                                              Spec (*read)(sim::config::Section),
                                              Spec* out = nullptr) {
  using sim::config::Section;
  const auto doc = sim::config::Document::load_string(text, source);
  sim::config::Reader reader(doc);
  Section root = Section::root(reader, YAML::Node());
  Section parent = root.section(outer, "");
  const Spec spec = read(parent.section(inner, ""));
  parent.finish();
  root.finish();
  if (out) *out = spec;
  return reader.problems();
}

/// Whether one of `problems` is reported at `key`.
inline bool names_key(const std::vector<sim::config::Problem>& problems, const std::string& key) {
  for (const auto& p : problems) {
    if (p.key == key) return true;
  }
  return false;
}

}  // namespace test_support
