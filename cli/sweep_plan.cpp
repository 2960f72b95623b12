#include "cli/sweep_plan.hpp"

#include <charconv>
#include <cstdio>
#include <iostream>

#include <omp.h>

#include "models/scenario.hpp"
#include "sim/hdf5_file.hpp"
#include "sim/hdf5_reader.hpp"
#include "sim/random.hpp"

namespace depinsim_cli {

namespace fs = std::filesystem;

namespace {

/// A key path with list indices written `[]`, and without the `[kind=...]` tags that the
/// catalogue of keys gives the variants of a mapping: "population[0].count" and
/// "population[].count" both read "population[].count".
std::string catalogue_form(const std::string& key) {
  std::string out;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const std::size_t close = key[i] == '[' ? key.find(']', i) : std::string::npos;
    if (close == std::string::npos) {
      out += key[i];
      continue;
    }
    if (key.substr(i, close - i).find('=') == std::string::npos) out += "[]";
    i = close;
  }
  return out;
}

/// Units and help of a scenario key, from the catalogue of declared keys; empty when unknown.
std::pair<std::string, std::string> describe_key(
    const std::string& key, const std::vector<sim::config::ParamInfo>& catalogue) {
  const std::string wanted = catalogue_form(key);
  for (const sim::config::ParamInfo& info : catalogue) {
    if (catalogue_form(info.key) == wanted) return {info.unit, info.help};
  }
  return {"", ""};
}

std::string thousands(double x) {
  std::string digits = std::to_string(std::llround(x));
  for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<std::size_t>(i), ",");
  return digits;
}

}  // namespace

std::optional<Shard> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  Shard s;
  const char* end = text.data() + text.size();
  const auto [p1, e1] = std::from_chars(text.data(), text.data() + slash, s.index);
  const auto [p2, e2] = std::from_chars(text.data() + slash + 1, end, s.count);
  if (e1 != std::errc{} || e2 != std::errc{} || p1 != text.data() + slash || p2 != end) {
    return std::nullopt;
  }
  if (s.count < 1 || s.index < 0 || s.index >= s.count) return std::nullopt;
  return s;
}

std::string sweep_digest(const Plan& plan) {
  std::uint64_t h = sim::stream_hash(design_name(plan.spec.design));
  for (std::int64_t p = 0; p < static_cast<std::int64_t>(plan.points.size()); ++p) {
    for (std::int64_t r = 0; r < plan.spec.replications; ++r) {
      for (char c : plan.assignments(SweepRun{p, r}) + "\n") {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
      }
    }
  }
  char text[20];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

Existing inspect(const Plan& plan, const SweepRun& r) {
  const fs::path path = plan.file(r);
  if (!fs::exists(path)) return {};
  try {
    const sim::Hdf5Reader h5(path);
    if (!h5.has_attribute("/", "schema_version") || h5.has_attribute("/", "kind") ||
        !h5.has_attribute("/", "sweep_assignments")) {
      return {Existing::foreign, kNoTime, "not a run file of a sweep"};
    }
    if (h5.string_attribute("/", "sweep_assignments") != plan.assignments(r)) {
      return {Existing::foreign, kNoTime, "made from other settings or another seed"};
    }
    return {Existing::whole, h5.double_attribute("/", "wall_seconds"), ""};
  } catch (const sim::Hdf5Error& e) {
    return {Existing::damaged, kNoTime, e.what()};
  }
}

SweepIndex make_index(const Plan& plan, const std::vector<Record>& records) {
  SweepIndex x;
  x.sweep_file = plan.spec.file.string();
  x.design = design_name(plan.spec.design);
  x.digest = plan.digest;
  x.definition = plan.spec.text;
  x.base_seed = plan.spec.base_seed;
  x.points_total = static_cast<std::int64_t>(plan.points.size());
  x.replications = plan.spec.replications;
  x.shard_index = plan.shard.index;
  x.shard_count = plan.shard.count;
  const auto catalogue = models::scenario_parameters();
  for (const SweptParameter& p : plan.spec.parameters) {
    SweepIndex::Parameter column;
    column.key = p.key;
    column.numeric = p.numeric;
    const auto [units, help] = describe_key(p.key, catalogue);
    column.units = units;
    column.description = "swept: " + (help.empty() ? p.key : help);
    x.parameters.push_back(std::move(column));
  }
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    const SweepRun& r = plan.runs[i];
    x.point.push_back(r.point);
    x.replication.push_back(r.replication);
    x.seed.push_back(
        static_cast<std::int64_t>(run_seed(plan.spec.base_seed, r.point, r.replication)));
    x.status.push_back(records[i].status);
    x.wall_seconds.push_back(records[i].wall_s);
    const bool present = records[i].status == "done" || records[i].status == "skipped-existing";
    x.file.push_back(present ? "points/" + run_name(r.point, r.replication) + ".h5" : "");
    const SweepPoint& point = plan.points[static_cast<std::size_t>(r.point)];
    for (std::size_t c = 0; c < x.parameters.size(); ++c) {
      const std::string& v = point.values[c];
      if (x.parameters[c].numeric) {
        double number = 0;
        std::from_chars(v.data(), v.data() + v.size(), number);
        x.parameters[c].numbers.push_back(number);
      } else {
        x.parameters[c].texts.push_back(v);
      }
    }
  }
  return x;
}

fs::path index_path(const Plan& plan) {
  if (plan.shard.count == 1) return plan.dir / "index.h5";
  return plan.dir / ("index.shard-" + std::to_string(plan.shard.index) + "-of-" +
                     std::to_string(plan.shard.count) + ".h5");
}

int dry_run(const Plan& plan) {
  const SweepSpec& spec = plan.spec;
  std::cout << "sweep " << spec.file.string() << ": " << design_name(spec.design) << " design, "
            << plan.points.size() << " points x " << spec.replications
            << " replications = " << plan.runs_total() << " runs, base seed " << spec.base_seed
            << "\nbase scenario " << spec.base.string() << "\n";
  if (plan.shard.count > 1) {
    std::cout << "shard " << plan.shard.index << "/" << plan.shard.count << ": " << plan.runs.size()
              << " of the runs (run id % " << plan.shard.count << " == " << plan.shard.index
              << ")\n";
  }
  std::vector<std::string> header{"run", "point", "replication", "seed"};
  for (const SweptParameter& p : spec.parameters)
    header.push_back(p.key);
  for (const char* h : {"nodes", "days", "status"})
    header.push_back(h);
  std::vector<std::vector<std::string>> rows;
  std::int64_t whole = 0, foreign = 0;
  double todo_node_days = 0.0, done_node_days = 0.0, done_wall_s = 0.0;
  char days[32];
  for (const SweepRun& r : plan.runs) {
    const Existing e = fs::is_directory(plan.dir) ? inspect(plan, r) : Existing{};
    std::vector<std::string> row{run_name(r.point, r.replication), std::to_string(r.point),
                                 std::to_string(r.replication),
                                 std::to_string(run_seed(spec.base_seed, r.point, r.replication))};
    for (const std::string& v : plan.points[static_cast<std::size_t>(r.point)].values)
      row.push_back(v);
    std::snprintf(days, sizeof days, "%g", plan.cost(r).days);
    row.push_back(std::to_string(plan.cost(r).nodes));
    row.push_back(days);
    switch (e.state) {
      case Existing::whole:
        row.push_back("done");
        ++whole;
        done_node_days += plan.cost(r).node_days();
        done_wall_s += e.wall_s;
        break;
      case Existing::foreign:
        row.push_back("other sweep's file");
        ++foreign;
        break;
      case Existing::damaged:
      case Existing::absent:
        row.push_back("to run");
        todo_node_days += plan.cost(r).node_days();
        break;
    }
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows)
      width[c] = std::max(width[c], row[c].size());
  }
  const auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - row[c].size() + 2, ' ');
    }
    std::cout << line << "\n";
  };
  print(header);
  for (const auto& row : rows)
    print(row);

  const auto to_run = static_cast<std::int64_t>(plan.runs.size()) - whole - foreign;
  std::cout << to_run << " runs to run, " << whole << " already done in " << plan.dir.string()
            << "\nestimated cost: " << thousands(todo_node_days) << " node-days (nodes x simulated "
            << "days, summed over the runs to run)\n";
  if (whole > 0 && done_wall_s > 0.0) {
    // Measured here, on this machine, by runs of this very sweep: the only rate worth quoting.
    const double rate = done_node_days / done_wall_s;
    const double seconds = todo_node_days / rate;
    const int threads = omp_get_max_threads();
    char line[240];
    std::snprintf(line, sizeof line,
                  "estimated time: %.0f s of one thread at %s node-days/s (measured on the %lld "
                  "finished runs), about %.0f s on %d threads\n",
                  seconds, thousands(rate).c_str(), static_cast<long long>(whole),
                  seconds / threads, threads);
    std::cout << line;
  } else {
    std::cout << "estimated time: not known until some runs have finished in " << plan.dir.string()
              << " (their speed is measured, not guessed)\n";
  }
  if (foreign > 0) {
    std::cerr << "depinsim: " << foreign << " files in " << (plan.dir / "points").string()
              << " belong to another sweep; the sweep would refuse to start\n";
    return kBadInput;
  }
  return kOk;
}

int index_only(const Plan& plan, bool quiet) {
  std::vector<Record> records(plan.runs.size());
  std::int64_t present = 0, foreign = 0;
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    const Existing e = inspect(plan, plan.runs[i]);
    if (e.state == Existing::whole) {
      records[i] = Record{"done", e.wall_s};
      ++present;
    } else if (e.state == Existing::foreign) {
      std::cerr << plan.file(plan.runs[i]).string() << ": " << e.reason << "\n";
      ++foreign;
    }
  }
  if (foreign > 0) return kBadInput;
  const fs::path index = index_path(plan);
  try {
    write_sweep_index(make_index(plan, records), index.string());
  } catch (const sim::Hdf5Error& e) {
    std::cerr << e.what() << "\n";
    return kBadInput;
  }
  if (!quiet) {
    std::cout << "index of " << plan.runs.size() << " runs: " << present << " present, "
              << static_cast<std::int64_t>(plan.runs.size()) - present << " missing\nwrote "
              << index.string() << "\n";
  }
  return kOk;
}

}  // namespace depinsim_cli
