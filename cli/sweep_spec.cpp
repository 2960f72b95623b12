#include "cli/sweep_spec.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <string_view>
#include <tuple>

#include "models/scenario.hpp"
#include "sim/random.hpp"

namespace depinsim_cli {

namespace fs = std::filesystem;

namespace {

using sim::config::ConfigError;
using sim::config::Document;
using sim::config::Problem;
using sim::config::Range;
using sim::config::Reader;
using sim::config::Section;

constexpr std::array<std::string_view, 8> kTopKeys{"base",    "seed", "replications", "design",
                                                   "samples", "set",  "parameters",   "zip"};
constexpr std::array<std::string_view, 4> kDesigns{"grid", "random", "lhs", "sobol"};
constexpr std::array<std::string_view, 2> kScales{"linear", "log"};
// A sweep larger than this is almost certainly a mistake (a grid of too many axes).
constexpr std::int64_t kMaxRuns = 10'000'000;
// Problems of the points listed in full, and points named per problem; the rest are counted.
constexpr std::size_t kMaxProblemsListed = 20;
constexpr std::size_t kMaxPointsNamed = 8;

constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// The value of `key` in a mapping, or a null node when absent (yaml-cpp refuses to inspect
/// the invalid node that a missing key of a const node gives).
YAML::Node child(const YAML::Node& map, const char* key) {
  const YAML::Node n = map[key];
  return n.IsDefined() ? n : YAML::Node();
}

std::pair<int, int> position(const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  return m.line >= 0 ? std::pair{m.line + 1, m.column + 1} : std::pair{0, 0};
}

bool is_number(const std::string& text) {
  double x = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
  return ec == std::errc{} && end == text.data() + text.size() && std::isfinite(x);
}

/// A value as --set would take it: a scalar as written, anything else as flow-style YAML.
std::string value_text(const YAML::Node& n) {
  if (n.IsScalar()) return n.Scalar();
  YAML::Emitter out;
  out << YAML::Flow << n;
  return out.c_str();
}

/// A number of a generated range as --set text.
/// `count` values from `from` to `to`, ends exact, spaced evenly in x or in log(x). Inner values
/// are rounded to 12 significant digits, so that a linear range of tenths reads 0.3, not
/// 0.30000000000000004.
std::vector<std::string> spaced(double from, double to, std::int64_t count, bool log_scale,
                                bool integer) {
  std::vector<std::string> out;
  for (std::int64_t i = 0; i < count; ++i) {
    double x = from;
    if (i > 0 && i == count - 1) {
      x = to;
    } else if (i > 0) {
      const double t = static_cast<double>(i) / static_cast<double>(count - 1);
      x = log_scale ? std::exp(std::log(from) + (std::log(to) - std::log(from)) * t)
                    : from + (to - from) * t;
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.12g", x);
      x = std::strtod(buffer, nullptr);
    }
    out.push_back(number_text(x, integer));
  }
  return out;
}

/// Reads one entry of `parameters:`.
void read_parameter(Reader& reader, Section& params, const std::string& key, const YAML::Node& n,
                    SweepSpec& spec) {
  SweptParameter p;
  p.key = key;
  std::tie(p.line, p.column) = position(n);
  if (key == "seed") {
    params.problem(key, "seeds come from seed: and replications:, they are not swept");
    return;
  }
  for (const FixedSetting& f : spec.fixed) {
    if (f.key == key) params.problem(key, "is also under set:; a key is either fixed or swept");
  }
  for (const SweptParameter& q : spec.parameters) {
    if (q.key == key) {
      params.problem(key, "duplicate key");
      return;
    }
  }
  if (n.IsSequence()) {
    if (n.size() == 0) params.problem(key, "an empty list: give at least one value");
    for (std::size_t i = 0; i < n.size(); ++i) {
      if (n[i].IsNull()) {
        reader.add(n[i], "parameters." + key + "[" + std::to_string(i) + "]",
                   "an empty value in the list");
      }
      p.values.push_back(value_text(n[i]));
    }
    p.numeric = std::all_of(p.values.begin(), p.values.end(), is_number);
  } else if (n.IsMap()) {
    Section r = params.section(key, "a range of values");
    const std::size_t problems_before = r.problems_so_far();
    const bool bounded = r.has("from") && r.has("to");
    p.from = r.number("from", 0.0, "", Range{}, "lower end of the range");
    p.to = r.number("to", 0.0, "", Range{}, "upper end of the range");
    const std::int64_t count = r.integer(
        "count", 0, Range::between(1.0, static_cast<double>(kMaxRuns)),
        "how many values, both ends included (a grid needs it; sampled designs draw otherwise)");
    p.log_scale = r.choice("scale", "linear", kScales, "spacing: linear or log") == "log";
    p.integer = r.boolean("integer", false, "round every value to a whole number");
    r.finish();
    if (!bounded) r.problem("", "a range needs both from: and to:");
    if (p.log_scale && !(p.from > 0.0 && p.to > 0.0)) {
      r.problem(p.from > 0.0 ? "to" : "from", "must be positive on a log scale");
    }
    if (r.has("count") && r.problems_so_far() == problems_before) {
      p.values = spaced(p.from, p.to, count, p.log_scale, p.integer);
    } else if (!r.has("count") && spec.design == Design::grid) {
      r.problem("", "a range in a grid needs count: (how many values, both ends included)");
    }
  } else {
    params.problem(key, "expected a list of values or a range {from, to, count, scale}, found " +
                            sim::config::describe_node(n) +
                            (n.IsScalar() ? " (a value for every point belongs under set:)" : ""));
    return;
  }
  spec.parameters.push_back(std::move(p));
}

/// Reads `zip:` and groups the parameters into the design's axes.
void read_zip(Reader& reader, const YAML::Node& zip, SweepSpec& spec) {
  std::vector<int> group_of(spec.parameters.size(), -1);
  std::vector<std::vector<std::size_t>> groups;
  if (zip.IsDefined() && !zip.IsNull()) {
    if (!zip.IsSequence()) {
      reader.add(zip, "zip",
                 "expected a list of groups, e.g. [[a.key, b.key]], found " +
                     sim::config::describe_node(zip));
    } else {
      std::vector<std::string> keys;
      for (const SweptParameter& p : spec.parameters)
        keys.push_back(p.key);
      for (std::size_t g = 0; g < zip.size(); ++g) {
        const YAML::Node group = zip[g];
        const std::string where = "zip[" + std::to_string(g) + "]";
        if (!group.IsSequence() || group.size() < 2) {
          reader.add(group, where,
                     "expected a list of two or more swept keys that vary together, found " +
                         sim::config::describe_node(group));
          continue;
        }
        std::vector<std::size_t> members;
        for (std::size_t j = 0; j < group.size(); ++j) {
          const std::string key = group[j].IsScalar() ? group[j].Scalar() : "";
          const auto it = std::find(keys.begin(), keys.end(), key);
          if (it == keys.end()) {
            const auto guess = sim::config::closest_match(key, keys);
            reader.add(group[j], where,
                       "\"" + key + "\" is not a key under parameters:" +
                           (guess ? "; did you mean \"" + *guess + "\"?" : ""));
            continue;
          }
          const auto index = static_cast<std::size_t>(it - keys.begin());
          if (group_of[index] >= 0) {
            reader.add(
                group[j], where,
                "\"" + key + "\" is already in zip[" + std::to_string(group_of[index]) + "]");
            continue;
          }
          group_of[index] = static_cast<int>(groups.size());
          members.push_back(index);
        }
        // Values are paired one by one: every listed member needs as many values. Ranges
        // without count pair by sharing one draw (sampled designs only).
        std::string lengths;
        std::size_t first_length = 0;
        bool unequal = false;
        for (std::size_t m : members) {
          const SweptParameter& p = spec.parameters[m];
          if (p.continuous()) continue;
          if (first_length == 0) first_length = p.values.size();
          if (p.values.size() != first_length) unequal = true;
          lengths +=
              (lengths.empty() ? "" : ", ") + p.key + " has " + std::to_string(p.values.size());
        }
        if (unequal) {
          reader.add(group, where,
                     "keys zipped together need the same number of values (they are paired one "
                     "by one, never truncated): " +
                         lengths);
        }
        std::sort(members.begin(), members.end());
        groups.push_back(std::move(members));
      }
    }
  }
  for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
    if (group_of[i] < 0) {
      spec.axes.push_back({i});
    } else if (!groups[static_cast<std::size_t>(group_of[i])].empty() &&
               groups[static_cast<std::size_t>(group_of[i])].front() == i) {
      spec.axes.push_back(groups[static_cast<std::size_t>(group_of[i])]);
    }
  }
}

/// True when `path` is `prefix` or lies inside it ("a.b" holds "a.b.c" and "a.b[0]").
bool is_path_prefix(std::string_view prefix, std::string_view path) {
  return path == prefix || (path.starts_with(prefix) && path.size() > prefix.size() &&
                            (path[prefix.size()] == '.' || path[prefix.size()] == '['));
}

/// A problem of a run's scenario, moved to the line of the sweep file that caused it when an
/// assignment of the sweep did, with the values involved as `context`.
struct Located {
  Problem problem;
  std::string context;  // "(value 0.5)" or "(key=value, ...)"; empty when none applies
};

Located relocate(const SweepSpec& spec, const Problem& p, const SweepPoint* point) {
  Located out{p, ""};
  const auto move_to = [&](int line, int column) {
    out.problem.source = spec.file.string();
    out.problem.line = line;
    out.problem.column = column;
  };
  const std::string prefix = "--set ";
  if (p.source.starts_with(prefix)) {
    const std::string assignment = p.source.substr(prefix.size());
    const std::string key = assignment.substr(0, assignment.find('='));
    for (const FixedSetting& f : spec.fixed) {
      if (f.key == key) move_to(f.line, f.column);
    }
    for (const SweptParameter& q : spec.parameters) {
      if (q.key == key) {
        move_to(q.line, q.column);
        out.context = "(value " + assignment.substr(key.size() + 1) + ")";
      }
    }
    return out;
  }
  // A problem with a key that swept keys lie in (an unknown parent, shares that no longer sum
  // to 1) is placed at the first of them, and names their values.
  std::string values;
  for (std::size_t q = 0; point != nullptr && q < spec.parameters.size(); ++q) {
    if (!is_path_prefix(p.key, spec.parameters[q].key)) continue;
    if (values.empty()) move_to(spec.parameters[q].line, spec.parameters[q].column);
    values += (values.empty() ? "" : ", ") + spec.parameters[q].key + "=" + point->values[q];
  }
  if (!values.empty()) {
    out.context = "(" + values + ")";
  } else {
    for (const FixedSetting& f : spec.fixed) {
      if (is_path_prefix(p.key, f.key)) {
        move_to(f.line, f.column);
        return out;
      }
    }
  }
  return out;
}

models::Scenario load_with(const SweepSpec& spec, const std::vector<std::string>& assignments) {
  Document doc = Document::load_file(spec.base);
  for (const std::string& a : assignments)
    doc.apply_override(a);
  return models::load_scenario(doc);
}

}  // namespace

std::string number_text(double x, bool integer) {
  if (integer) return std::to_string(std::llround(x));
  return sim::config::format_number(x);
}

const char* design_name(Design design) {
  switch (design) {
    case Design::random:
      return "random";
    case Design::lhs:
      return "lhs";
    case Design::sobol:
      return "sobol";
    case Design::grid:
      break;
  }
  return "grid";
}

std::string run_name(std::int64_t point, std::int64_t replication) {
  char name[48];
  std::snprintf(name, sizeof name, "p%06lld_r%03lld", static_cast<long long>(point),
                static_cast<long long>(replication));
  return name;
}

std::uint64_t run_seed(std::uint64_t base_seed, std::int64_t point, std::int64_t replication) {
  std::uint64_t h = splitmix64(base_seed);
  h = splitmix64(h ^ static_cast<std::uint64_t>(point));
  h = splitmix64(h ^ static_cast<std::uint64_t>(replication));
  return h >> 1;
}

SweepSpec read_sweep_spec(const fs::path& file) {
  const Document doc = Document::load_file(file);
  Reader reader(doc);
  Section root = Section::root(reader, YAML::Node(YAML::NodeType::Map));
  SweepSpec spec;
  spec.file = file;
  {
    YAML::Emitter text;
    text << doc.root();
    spec.text = std::string(text.c_str()) + "\n";
  }

  const std::string base =
      root.text("base", "", "the scenario file to vary, relative to the sweep file");
  if (!root.has("base")) {
    reader.add(doc.root(), "base", "is missing: name the scenario to vary, e.g. base: ../x.yaml");
  } else if (!base.empty()) {
    spec.base = fs::path(doc.source_of("base")).parent_path() / base;
    if (!fs::is_regular_file(spec.base))
      root.problem("base", "no such file: " + spec.base.string());
  }
  const bool seeded = root.has("seed");
  spec.base_seed = static_cast<std::uint64_t>(root.integer(
      "seed", 0, Range::at_least(0.0), "base seed of every run's seed (default: the scenario's)"));
  spec.replications =
      root.integer("replications", 1, Range::between(1.0, static_cast<double>(kMaxRuns)),
                   "runs of each point, with different seeds");
  const std::string design =
      root.choice("design", "grid", kDesigns, "grid, random, lhs (Latin hypercube) or sobol");
  spec.design =
      static_cast<Design>(std::find(kDesigns.begin(), kDesigns.end(), design) - kDesigns.begin());
  spec.samples = root.integer("samples", 0, Range::between(1.0, static_cast<double>(kMaxRuns)),
                              "points drawn by a sampled design");
  if (spec.design == Design::grid && root.has("samples")) {
    root.problem("samples", "applies to the random, lhs and sobol designs, not to grid");
  }
  if (spec.design != Design::grid && !root.has("samples")) {
    reader.add(doc.root(), "samples",
               "is missing: the " + design + " design draws samples: N points");
  }

  Section set = root.section("set", "keys given one value at every point");
  const YAML::Node raw_set = child(doc.root(), "set");
  if (raw_set.IsMap()) {
    for (const auto& kv : raw_set) {
      FixedSetting f{kv.first.Scalar(), value_text(kv.second), 0, 0};
      std::tie(f.line, f.column) = position(kv.second);
      if (f.key == "seed") {
        set.problem(f.key, "seeds come from seed: and replications:");
      } else if (kv.second.IsNull()) {
        set.problem(f.key, "expected a value, found nothing");
      } else {
        spec.fixed.push_back(std::move(f));
      }
    }
  }
  Section params = root.section("parameters", "the keys to vary and their values");
  const YAML::Node raw_params = child(doc.root(), "parameters");
  if (raw_params.IsMap()) {
    for (const auto& kv : raw_params)
      read_parameter(reader, params, kv.first.Scalar(), kv.second, spec);
  }
  if (spec.design != Design::grid && spec.parameters.empty() && raw_params.IsMap()) {
    reader.add(doc.root(), "parameters", "a sampled design needs at least one parameter");
  }
  read_zip(reader, child(doc.root(), "zip"), spec);
  if (spec.design == Design::sobol && spec.axes.size() > kSobolDimensions) {
    root.problem("parameters", "sobol supports up to " + std::to_string(kSobolDimensions) +
                                   " independent parameters, found " +
                                   std::to_string(spec.axes.size()));
  }

  // Unknown top-level keys, reported as Section::finish does (zip: has no typed accessor).
  std::vector<std::string> known(kTopKeys.begin(), kTopKeys.end());
  std::vector<std::string> seen;
  for (const auto& kv : doc.root()) {
    const std::string key = kv.first.Scalar();
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      reader.add(kv.first, key, "duplicate key");
      continue;
    }
    seen.push_back(key);
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    const auto guess = sim::config::closest_match(key, known);
    std::string list;
    for (const std::string& k : known)
      list += (list.empty() ? "" : ", ") + k;
    reader.add(kv.first, key,
               "unknown key" + (guess ? "; did you mean \"" + *guess + "\"?" : std::string()) +
                   " (known keys: " + list + ")");
  }

  if (reader.ok()) {
    double points = spec.design == Design::grid ? 1.0 : static_cast<double>(spec.samples);
    if (spec.design == Design::grid) {
      for (const auto& axis : spec.axes)
        points *= static_cast<double>(spec.parameters[axis.front()].values.size());
    }
    if (points * static_cast<double>(spec.replications) > static_cast<double>(kMaxRuns)) {
      reader.add(child(doc.root(), "parameters"), "parameters",
                 "the sweep has " + sim::config::format_number(points) + " points of " +
                     std::to_string(spec.replications) + " runs each, more than " +
                     std::to_string(kMaxRuns) + " runs");
    }
  }
  reader.throw_if_problems();

  // The base scenario with `set:` applied must be sound before any point is tried.
  std::vector<std::string> fixed;
  for (const FixedSetting& f : spec.fixed)
    fixed.push_back(f.key + "=" + f.value);
  try {
    const models::Scenario s = load_with(spec, fixed);
    if (!seeded) spec.base_seed = s.seed;
  } catch (const ConfigError& e) {
    std::vector<Problem> problems;
    for (const Problem& p : e.problems())
      problems.push_back(relocate(spec, p, nullptr).problem);
    throw ConfigError(std::move(problems));
  }
  return spec;
}

std::vector<std::string> run_assignments(const SweepSpec& spec, const SweepPoint& point,
                                         std::int64_t replication) {
  std::vector<std::string> out;
  for (const FixedSetting& f : spec.fixed)
    out.push_back(f.key + "=" + f.value);
  for (std::size_t p = 0; p < spec.parameters.size(); ++p)
    out.push_back(spec.parameters[p].key + "=" + point.values[p]);
  out.push_back("seed=" + std::to_string(run_seed(spec.base_seed, point.id, replication)));
  return out;
}

models::Scenario run_scenario(const SweepSpec& spec, const SweepPoint& point,
                              std::int64_t replication) {
  return load_with(spec, run_assignments(spec, point, replication));
}

std::vector<PointCost> check_points(const SweepSpec& spec, const std::vector<SweepPoint>& points) {
  // The same problem at many points (an unknown key, a value out of range) is listed once,
  // with the points that have it.
  struct Found {
    Located where;
    std::vector<std::int64_t> points;
  };
  std::vector<Found> found;
  std::vector<PointCost> costs;
  costs.reserve(points.size());
  for (const SweepPoint& point : points) {
    try {
      const models::Scenario s = load_with(spec, run_assignments(spec, point, 0));
      costs.push_back(PointCost{s.sensor_count() + s.storage_count() + s.compute_count(),
                                s.duration.to_days()});
    } catch (const ConfigError& e) {
      costs.push_back(PointCost{});
      for (const Problem& p : e.problems()) {
        Located l = relocate(spec, p, &point);
        const auto same = [&](const Found& f) {
          return f.where.problem.format() == l.problem.format() && f.where.context == l.context;
        };
        const auto it = std::find_if(found.begin(), found.end(), same);
        if (it != found.end()) {
          if (it->points.empty() || it->points.back() != point.id) it->points.push_back(point.id);
        } else {
          found.push_back(Found{std::move(l), {point.id}});
        }
      }
    }
  }
  if (found.empty()) return costs;
  std::vector<Problem> problems;
  for (std::size_t i = 0; i < found.size() && i < kMaxProblemsListed; ++i) {
    const Found& f = found[i];
    std::string label = f.points.size() == 1 ? "point " : "points ";
    for (std::size_t k = 0; k < f.points.size() && k < kMaxPointsNamed; ++k)
      label += (k == 0 ? "" : ", ") + std::to_string(f.points[k]);
    if (f.points.size() > kMaxPointsNamed) {
      label += " and " + std::to_string(f.points.size() - kMaxPointsNamed) + " more";
    }
    Problem p = f.where.problem;
    p.message = label + (f.where.context.empty() ? "" : " " + f.where.context) + ": " + p.message;
    problems.push_back(std::move(p));
  }
  if (found.size() > kMaxProblemsListed) {
    problems.push_back(
        Problem{spec.file.string(), 0, 0, "",
                "and " + std::to_string(found.size() - kMaxProblemsListed) + " more problems"});
  }
  throw ConfigError(std::move(problems));
}

}  // namespace depinsim_cli
