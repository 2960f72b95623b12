#pragma once
// Typed, checked reading of YAML configuration, with every problem located in its file.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "sim/time.hpp"

namespace sim::config {

/// One thing wrong with a configuration: where, which key, what was expected and found.
struct Problem {
  std::string source;  // file name, or "--set key=value" for a command-line override
  int line = 0;        // 1-based; 0 when there is no line (overrides, whole-file problems)
  int column = 0;
  std::string key;  // full key path, e.g. population[1].behaviour.fabricator
  std::string message;

  /// "file:line:column: key: message", the form compilers use, so editors can jump to it.
  std::string format() const;
};

/// Every problem found while reading a configuration; what() lists them one per line.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<Problem> problems);
  const std::vector<Problem>& problems() const { return problems_; }

 private:
  std::vector<Problem> problems_;
};

/// A YAML document read from a file, with the files it extends underneath and command-line
/// overrides on top.
///
/// `extends: base.yaml` (a path relative to the extending file) loads base.yaml first; the
/// extending file's mappings are merged into it key by key, and any other value, a list
/// included, replaces the base's wholesale. Chains are followed (a base may extend another) and
/// cycles refused. Every key remembers which file it came from, so errors point into the right one.
///   auto doc = Document::load_file("scenarios/basic.yaml");  doc.apply_override("seed=7");
class Document {
 public:
  /// Reads and parses the file and what it extends; throws ConfigError naming the file (and line
  /// for syntax errors).
  static Document load_file(const std::filesystem::path& path);
  static Document load_string(std::string_view text, std::string source_name);

  /// Applies "key.path[2].name=value"; value is parsed as YAML. Throws ConfigError when the path
  /// cannot exist (indexing a non-list, an index past the end, descending into a scalar).
  void apply_override(std::string_view assignment);

  const YAML::Node& root() const { return root_; }
  /// The file named on the command line.
  const std::string& source() const { return source_; }
  /// The file that supplied `key_path` (or its nearest present parent).
  const std::string& source_of(std::string_view key_path) const;
  /// The --set text that supplied `key_path` or one of its parents, if any.
  std::optional<std::string> override_for(std::string_view key_path) const;

 private:
  static Document load_file(const std::filesystem::path& path,
                            std::vector<std::filesystem::path>& chain);
  void extend(Document base);

  YAML::Node root_;
  std::string source_;
  std::map<std::string, std::string> origins_;    // key path -> file, where not source_
  std::map<std::string, std::string> overrides_;  // key path -> "key=value" as typed
};

/// "nothing", "a list", "a mapping" or the scalar in quotes: what was found, for messages.
std::string describe_node(const YAML::Node& n);

/// Describes a numeric parameter: unit (for messages and help) and its allowed range.
///   Range::at_least(0), Range::above(0), Range::between(0, 1), Range{} (any number)
struct Range {
  std::optional<double> min;
  std::optional<double> max;
  bool min_exclusive = false;

  static Range at_least(double lo) { return Range{lo, std::nullopt, false}; }
  static Range above(double lo) { return Range{lo, std::nullopt, true}; }
  static Range between(double lo, double hi) { return Range{lo, hi, false}; }
};

/// One declared key, as `depinsim help params` lists it.
struct ParamInfo {
  std::string key;       // full path; list elements appear as name[]
  std::string type;      // number, integer, boolean, string, choice, duration, mapping, list
  std::string unit;      // empty when dimensionless
  std::string fallback;  // the default, as it would be written in a file
  std::string allowed;   // range or choices, e.g. "between 0 and 1", "one of a, b"
  std::string help;
};

/// Collects problems while a configuration is read, so that all of them are reported at once.
/// In describe mode it also keeps every declaration met (the catalogue of parameters), and
/// lists that are absent are read as if they had one empty element, so that their keys appear.
class Reader {
 public:
  explicit Reader(const Document& doc, bool describe = false) : doc_(&doc), describe_(describe) {}
  bool describing() const { return describe_; }
  /// Records a declaration (describe mode only; the first declaration of a key wins).
  void record(ParamInfo info);
  const std::vector<ParamInfo>& catalogue() const { return catalogue_; }
  void add(const YAML::Node& at, std::string key, std::string message);
  bool ok() const { return problems_.empty(); }
  /// Throws ConfigError with every problem found, if any.
  void throw_if_problems() const;
  const Document& document() const { return *doc_; }
  const std::vector<Problem>& problems() const { return problems_; }

 private:
  const Document* doc_;
  bool describe_ = false;
  std::vector<Problem> problems_;
  std::vector<ParamInfo> catalogue_;
};

/// One mapping of the configuration. Each accessor declares a key (with its default, range and
/// help), reads and checks it, and records the resolved value; finish() then reports every key
/// that was present but never declared, with a "did you mean".
///   Section run = root.section("run");
///   Time epoch = run.duration("epoch", Time::days(1), "length of one reward epoch");
///   run.finish();
class Section {
 public:
  /// The root mapping of a document.
  static Section root(Reader& reader, YAML::Node resolved_out);

  const std::string& path() const { return path_; }
  /// True when reading only to list the declarations (see Reader).
  bool describing() const { return reader_->describing(); }
  bool has(std::string_view key) const;
  /// The scalar at key as written, without declaring it (to choose how to read a mapping before
  /// reading it, e.g. by its `kind`); nullopt when absent or not a scalar.
  std::optional<std::string> peek(std::string_view key) const;
  /// True when key is present and holds a mapping.
  bool is_mapping(std::string_view key) const;
  /// Keys present in the file, in file order.
  std::vector<std::string> keys() const;

  double number(std::string_view key, double fallback, std::string_view unit, Range range,
                std::string_view help);
  std::int64_t integer(std::string_view key, std::int64_t fallback, Range range,
                       std::string_view help);
  bool boolean(std::string_view key, bool fallback, std::string_view help);
  std::string text(std::string_view key, std::string_view fallback, std::string_view help);
  /// A string that must be one of `allowed`.
  std::string choice(std::string_view key, std::string_view fallback,
                     std::span<const std::string_view> allowed, std::string_view help);
  Time duration(std::string_view key, Time fallback, Time min, std::string_view help);

  /// A nested mapping; a missing key gives an empty section, so its defaults apply.
  Section section(std::string_view key, std::string_view help);
  /// A list of mappings; each element is a Section. Missing gives an empty list.
  std::vector<Section> list(std::string_view key, std::string_view help);

  /// The same mapping under the name `path[tag]` (a list element's `[]` replaced): for listing
  /// alternatives that share key names, e.g. each kind of a list of mechanisms, in describe mode.
  Section variant(std::string_view tag) const;

  /// Problems found so far in the whole configuration (to skip checks that would only echo one).
  std::size_t problems_so_far() const { return reader_->problems().size(); }
  /// Reports a problem at `key` (or at this mapping when key is empty).
  void problem(std::string_view key, std::string message);
  /// Reports present keys that no accessor declared. Call once, after reading every key.
  void finish();

 private:
  Section(Reader& reader, YAML::Node node, std::string path, YAML::Node resolved);
  std::string child_path(std::string_view key) const;
  /// The scalar at key, or nullopt when absent; reports and returns nullopt for non-scalars.
  std::optional<YAML::Node> scalar(std::string_view key, std::string_view expected);
  void declare(std::string_view key, std::string type, std::string_view unit, std::string fallback,
               std::string allowed, std::string_view help);

  Reader* reader_;
  YAML::Node node_;
  std::string path_;
  YAML::Node resolved_;
  std::vector<std::string> declared_;
};

/// Shortest text that reads back as exactly `x` ("0.1", "2000", "1e-06").
std::string format_number(double x);

/// The closest candidate to `word` by edit distance, if close enough to be a likely typo.
std::optional<std::string> closest_match(std::string_view word,
                                         std::span<const std::string> candidates);

}  // namespace sim::config
