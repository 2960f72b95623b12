#include "sim/config.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

namespace sim::config {

std::string describe_node(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return "\"" + n.Scalar() + "\"";
    default:
      return "an undefined value";
  }
}

namespace {

std::string join(std::span<const std::string_view> items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string range_text(const Range& r, std::string_view unit) {
  const std::string u = unit.empty() ? "" : " " + std::string(unit);
  if (r.min && r.max) {
    return (r.min_exclusive ? "greater than " : "between ") + format_number(*r.min) +
           (r.min_exclusive ? " and at most " : " and ") + format_number(*r.max) + u;
  }
  if (r.min) {
    if (*r.min == 0.0) return r.min_exclusive ? "positive" : "non-negative";
    return (r.min_exclusive ? "greater than " : "at least ") + format_number(*r.min) + u;
  }
  if (r.max) return "at most " + format_number(*r.max) + u;
  return "";
}

bool in_range(double x, const Range& r) {
  if (r.min && (r.min_exclusive ? x <= *r.min : x < *r.min)) return false;
  if (r.max && x > *r.max) return false;
  return true;
}

}  // namespace

std::string Problem::format() const {
  std::string out = source;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  return out + message;
}

ConfigError::ConfigError(std::vector<Problem> problems)
    : std::runtime_error([&] {
        std::string text;
        for (const Problem& p : problems)
          text += (text.empty() ? "" : "\n") + p.format();
        return text;
      }()),
      problems_(std::move(problems)) {}

std::string format_number(double x) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x);
  return ec == std::errc{} ? std::string(buffer, end) : std::to_string(x);
}

std::optional<std::string> closest_match(std::string_view word,
                                         std::span<const std::string> candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const std::string& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  if (best) return best;
  // A unit or qualifier tacked on ("base_ms" for "base"): suggest the key it starts with.
  for (const std::string& c : candidates) {
    if (c.size() >= 3 && word.size() > c.size() && word.starts_with(c) && word[c.size()] == '_') {
      return c;
    }
  }
  return best;
}

// ------------------------------------------------------------------------------------ Reader

void Reader::add(const YAML::Node& at, std::string key, std::string message) {
  Problem p;
  if (auto text = doc_->override_for(key)) {
    p.source = "--set " + *text;
  } else {
    p.source = doc_->source_of(key);
    const YAML::Mark mark = at.IsDefined() ? at.Mark() : YAML::Mark::null_mark();
    if (mark.line >= 0) {
      p.line = mark.line + 1;
      p.column = mark.column + 1;
    }
  }
  p.key = std::move(key);
  p.message = std::move(message);
  problems_.push_back(std::move(p));
}

void Reader::record(ParamInfo info) {
  if (!describe_) return;
  for (const ParamInfo& p : catalogue_) {
    if (p.key == info.key) return;
  }
  catalogue_.push_back(std::move(info));
}

void Reader::throw_if_problems() const {
  if (problems_.empty()) return;
  // In file order, as a reader of the file meets them; overrides (no line) come last.
  std::vector<Problem> sorted = problems_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Problem& a, const Problem& b) {
    const auto key = [](const Problem& p) {
      return std::pair{p.line == 0 ? std::numeric_limits<int>::max() : p.line, p.column};
    };
    return key(a) < key(b);
  });
  throw ConfigError(std::move(sorted));
}

// ----------------------------------------------------------------------------------- Section

Section::Section(Reader& reader, YAML::Node node, std::string path, YAML::Node resolved)
    : reader_(&reader), node_(node), path_(std::move(path)), resolved_(resolved) {}

Section Section::root(Reader& reader, YAML::Node resolved_out) {
  return Section(reader, reader.document().root(), "", resolved_out);
}

Section Section::variant(std::string_view tag) const {
  std::string path = path_;
  if (path.ends_with("[]")) path.resize(path.size() - 2);
  Section v(*reader_, node_, path + "[" + std::string(tag) + "]", resolved_);
  v.declared_ = declared_;
  return v;
}

std::string Section::child_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

bool Section::has(std::string_view key) const {
  return node_.IsMap() && node_[std::string(key)].IsDefined();
}

std::optional<std::string> Section::peek(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  const YAML::Node n = node_[std::string(key)];
  if (!n.IsScalar()) return std::nullopt;
  return n.Scalar();
}

bool Section::is_mapping(std::string_view key) const {
  return has(key) && node_[std::string(key)].IsMap();
}

std::vector<std::string> Section::keys() const {
  std::vector<std::string> out;
  if (!node_.IsMap()) return out;
  for (const auto& kv : node_)
    out.push_back(kv.first.as<std::string>());
  return out;
}

void Section::declare(std::string_view key, std::string type, std::string_view unit,
                      std::string fallback, std::string allowed, std::string_view help) {
  declared_.emplace_back(key);
  if (describing()) {
    reader_->record(ParamInfo{child_path(key), std::move(type), std::string(unit),
                              std::move(fallback), std::move(allowed), std::string(help)});
  }
}

void Section::problem(std::string_view key, std::string message) {
  const YAML::Node at = key.empty() || !has(key) ? node_ : node_[std::string(key)];
  reader_->add(at, key.empty() ? path_ : child_path(key), std::move(message));
}

std::optional<YAML::Node> Section::scalar(std::string_view key, std::string_view expected) {
  if (!has(key)) return std::nullopt;
  const YAML::Node n = node_[std::string(key)];
  if (!n.IsScalar()) {
    problem(key, "expected " + std::string(expected) + ", found " + describe_node(n));
    return std::nullopt;
  }
  return n;
}

double Section::number(std::string_view key, double fallback, std::string_view unit, Range range,
                       std::string_view help) {
  declare(key, "number", unit, format_number(fallback), range_text(range, unit), help);
  const std::string expected =
      "a number" + (unit.empty() ? std::string() : " in " + std::string(unit));
  double value = fallback;
  if (auto n = scalar(key, expected)) {
    const std::string& s = n->Scalar();
    double x = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(x)) {
      problem(key, "expected " + expected + ", found \"" + s + "\"");
    } else if (!in_range(x, range)) {
      problem(key, "must be " + range_text(range, unit) + ", found " + s);
    } else {
      value = x;
    }
  }
  resolved_[std::string(key)] = format_number(value);
  return value;
}

std::int64_t Section::integer(std::string_view key, std::int64_t fallback, Range range,
                              std::string_view help) {
  declare(key, "integer", "", std::to_string(fallback), range_text(range, ""), help);
  std::int64_t value = fallback;
  if (auto n = scalar(key, "a whole number")) {
    const std::string& s = n->Scalar();
    std::int64_t x = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    if (ec == std::errc::result_out_of_range) {
      problem(key, "is too large, found " + s);
    } else if (ec != std::errc{} || end != s.data() + s.size()) {
      problem(key, "expected a whole number, found \"" + s + "\"");
    } else if (!in_range(static_cast<double>(x), range)) {
      problem(key, "must be " + range_text(range, "") + ", found " + s);
    } else {
      value = x;
    }
  }
  resolved_[std::string(key)] = value;
  return value;
}

bool Section::boolean(std::string_view key, bool fallback, std::string_view help) {
  declare(key, "boolean", "", fallback ? "true" : "false", "", help);
  bool value = fallback;
  if (auto n = scalar(key, "true or false")) {
    const std::string& s = n->Scalar();
    if (s == "true") {
      value = true;
    } else if (s == "false") {
      value = false;
    } else {
      problem(key, "expected true or false, found \"" + s + "\"");
    }
  }
  resolved_[std::string(key)] = value;
  return value;
}

std::string Section::text(std::string_view key, std::string_view fallback, std::string_view help) {
  declare(key, "string", "", std::string(fallback), "", help);
  std::string value(fallback);
  if (auto n = scalar(key, "a string")) value = n->Scalar();
  resolved_[std::string(key)] = value;
  return value;
}

std::string Section::choice(std::string_view key, std::string_view fallback,
                            std::span<const std::string_view> allowed, std::string_view help) {
  declare(key, "choice", "", std::string(fallback), "one of " + join(allowed), help);
  std::string value(fallback);
  if (auto n = scalar(key, "one of " + join(allowed))) {
    const std::string& s = n->Scalar();
    if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
      const std::vector<std::string> options(allowed.begin(), allowed.end());
      const auto guess = closest_match(s, options);
      problem(key, "unknown value \"" + s + "\"" +
                       (guess ? "; did you mean \"" + *guess + "\"?" : "") + " (expected one of " +
                       join(allowed) + ")");
    } else {
      value = s;
    }
  }
  resolved_[std::string(key)] = value;
  return value;
}

Time Section::duration(std::string_view key, Time fallback, Time min, std::string_view help) {
  declare(key, "duration", "", format_duration(fallback),
          min > Time{} ? "at least " + format_duration(min) : "", help);
  Time value = fallback;
  if (auto n = scalar(key, "a duration such as 90s, 6h, 30d or 2y")) {
    try {
      const Time t = parse_duration(n->Scalar());
      if (t < min) {
        problem(key, "must be at least " + format_duration(min) + ", found " + n->Scalar());
      } else {
        value = t;
      }
    } catch (const std::invalid_argument& e) {
      problem(key, e.what());
    }
  }
  resolved_[std::string(key)] = format_duration(value);
  return value;
}

Section Section::section(std::string_view key, std::string_view help) {
  declare(key, "mapping", "", "", "", help);
  const std::string k(key);
  YAML::Node out = resolved_[k];
  out = YAML::Node(YAML::NodeType::Map);
  if (!has(key)) return Section(*reader_, YAML::Node(YAML::NodeType::Map), child_path(key), out);
  const YAML::Node n = node_[k];
  if (!n.IsMap()) {
    problem(key, "expected a mapping of keys, found " + describe_node(n));
    return Section(*reader_, YAML::Node(YAML::NodeType::Map), child_path(key), out);
  }
  return Section(*reader_, n, child_path(key), out);
}

std::vector<Section> Section::list(std::string_view key, std::string_view help) {
  declare(key, "list", "", "[]", "", help);
  std::vector<Section> out;
  const std::string k(key);
  YAML::Node resolved_list = resolved_[k];
  resolved_list = YAML::Node(YAML::NodeType::Sequence);
  if (!has(key)) {
    if (describing()) {
      out.push_back(Section(*reader_, YAML::Node(YAML::NodeType::Map), child_path(key) + "[]",
                            YAML::Node(YAML::NodeType::Map)));
    }
    return out;
  }
  const YAML::Node n = node_[k];
  if (!n.IsSequence()) {
    problem(key, "expected a list, found " + describe_node(n));
    return out;
  }
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string path = child_path(key) + "[" + std::to_string(i) + "]";
    if (!n[i].IsMap()) {
      reader_->add(n[i], path, "expected a mapping of keys, found " + describe_node(n[i]));
      continue;
    }
    YAML::Node element(YAML::NodeType::Map);
    resolved_list.push_back(element);
    out.push_back(Section(*reader_, n[i], path, element));
  }
  return out;
}

void Section::finish() {
  if (!node_.IsMap()) return;
  std::vector<std::string> seen;
  for (const auto& kv : node_) {
    const std::string key = kv.first.Scalar();
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      reader_->add(kv.first, child_path(key), "duplicate key");
      continue;
    }
    seen.push_back(key);
    if (std::find(declared_.begin(), declared_.end(), key) != declared_.end()) continue;
    const auto guess = closest_match(key, declared_);
    std::string known;
    for (const std::string& d : declared_)
      known += (known.empty() ? "" : ", ") + d;
    reader_->add(kv.first, child_path(key),
                 "unknown key" + (guess ? "; did you mean \"" + *guess + "\"?" : std::string()) +
                     " (known keys: " + known + ")");
  }
}

}  // namespace sim::config
