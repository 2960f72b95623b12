// Indexes: of independent run files (merge), and of the runs of a sweep (sweep, merge of its
// shards' indexes).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <tuple>

#include "cli/commands.hpp"
#include "cli/sweep_spec.hpp"
#include "sim/hdf5_file.hpp"
#include "sim/hdf5_reader.hpp"

namespace depinsim_cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSweepIndexKind = "sweep-index";

SweepIndex read_sweep_index(const sim::Hdf5Reader& h5) {
  SweepIndex x;
  x.sweep_file = h5.string_attribute("/", "sweep_file");
  x.design = h5.string_attribute("/", "design");
  x.digest = h5.string_attribute("/", "sweep_digest");
  x.base_seed = h5.uint_attribute("/", "base_seed");
  x.points_total = h5.int_attribute("/", "points");
  x.replications = h5.int_attribute("/", "replications");
  x.shard_index = h5.int_attribute("/", "shard_index");
  x.shard_count = h5.int_attribute("/", "shard_count");
  x.definition = h5.read_text("sweep/definition");
  x.point = h5.read_int64("points/point");
  x.replication = h5.read_int64("points/replication");
  x.seed = h5.read_int64("points/seed");
  for (const std::string& key : h5.read_strings("sweep/parameters")) {
    SweepIndex::Parameter p;
    p.key = key;
    const std::string path = "points/" + key;
    p.numeric = h5.has_attribute(path, "units");  // numbers carry units, strings do not
    if (p.numeric) {
      p.numbers = h5.read_doubles(path);
      p.units = h5.string_attribute(path, "units");
    } else {
      p.texts = h5.read_strings(path);
    }
    p.description = h5.string_attribute(path, "description");
    x.parameters.push_back(std::move(p));
  }
  x.status = h5.read_strings("points/status");
  x.wall_seconds = h5.read_doubles("points/wall_seconds");
  x.file = h5.read_strings("points/file");
  return x;
}

/// Joins the indexes of a sweep's shards into the index of the whole sweep.
int merge_sweep_indexes(const std::vector<std::string>& inputs, const std::string& output) {
  std::vector<SweepIndex> parts;
  for (const std::string& input : inputs) {
    try {
      const sim::Hdf5Reader h5(input);
      if (!h5.has_attribute("/", "kind") || h5.string_attribute("/", "kind") != kSweepIndexKind) {
        std::cerr << input << ": not a sweep index (" << inputs.front()
                  << " is one, and only indexes of the same sweep merge with it)\n";
        return kBadInput;
      }
      parts.push_back(read_sweep_index(h5));
    } catch (const sim::Hdf5Error& e) {
      std::cerr << e.what() << "\n";
      return kBadInput;
    }
    if (parts.back().digest != parts.front().digest) {
      std::cerr << input << ": indexes another sweep than " << inputs.front()
                << " (its points or seeds differ)\n";
      return kBadInput;
    }
  }

  // Every run once, sorted; a run listed twice (shards of two layouts) keeps a row with a file.
  struct Row {
    std::size_t part, row;
  };
  std::vector<Row> rows;
  for (std::size_t p = 0; p < parts.size(); ++p) {
    for (std::size_t r = 0; r < parts[p].rows(); ++r)
      rows.push_back(Row{p, r});
  }
  const auto key = [&](const Row& a) {
    const SweepIndex& x = parts[a.part];
    return std::tuple{x.point[a.row], x.replication[a.row], !x.has_file(a.row), a.part};
  };
  std::sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) { return key(a) < key(b); });
  rows.erase(std::unique(rows.begin(), rows.end(),
                         [&](const Row& a, const Row& b) {
                           return std::get<0>(key(a)) == std::get<0>(key(b)) &&
                                  std::get<1>(key(a)) == std::get<1>(key(b));
                         }),
             rows.end());

  SweepIndex merged = parts.front();
  merged.shard_index = 0;
  merged.shard_count = 1;
  merged.point.clear();
  merged.replication.clear();
  merged.seed.clear();
  merged.status.clear();
  merged.wall_seconds.clear();
  merged.file.clear();
  for (SweepIndex::Parameter& p : merged.parameters) {
    p.numbers.clear();
    p.texts.clear();
  }
  const fs::path out_dir = fs::absolute(fs::path(output)).parent_path();
  for (const Row& r : rows) {
    const SweepIndex& x = parts[r.part];
    merged.point.push_back(x.point[r.row]);
    merged.replication.push_back(x.replication[r.row]);
    merged.seed.push_back(x.seed[r.row]);
    merged.status.push_back(x.status[r.row]);
    merged.wall_seconds.push_back(x.wall_seconds[r.row]);
    std::string file = x.file[r.row];
    if (!file.empty()) {
      const fs::path from = fs::absolute(fs::path(inputs[r.part])).parent_path();
      file = fs::relative(from / file, out_dir).string();
    }
    merged.file.push_back(std::move(file));
    for (std::size_t c = 0; c < merged.parameters.size(); ++c) {
      SweepIndex::Parameter& p = merged.parameters[c];
      if (p.numeric) {
        p.numbers.push_back(x.parameters[c].numbers[r.row]);
      } else {
        p.texts.push_back(x.parameters[c].texts[r.row]);
      }
    }
  }
  const std::int64_t runs = merged.points_total * merged.replications;
  if (static_cast<std::int64_t>(merged.rows()) < runs) {
    log(LogLevel::warn, "the index lists " + std::to_string(merged.rows()) + " of the sweep's " +
                            std::to_string(runs) + " runs: some shards' indexes are missing");
  }
  try {
    write_sweep_index(merged, output);
  } catch (const sim::Hdf5Error& e) {
    std::cerr << e.what() << "\n";
    return kBadInput;
  }
  return kOk;
}

}  // namespace

bool SweepIndex::has_file(std::size_t row) const {
  return status[row] == "done" || status[row] == "skipped-existing";
}

void write_sweep_index(const SweepIndex& index, const std::string& path) {
  sim::Hdf5Writer out(path);
  out.set_attribute("/", "schema_version", std::int64_t{1});
  out.set_attribute("/", "kind", kSweepIndexKind);
  out.set_attribute("/", "depinsim_version", DEPINSIM_VERSION);
  out.set_attribute("/", "created_utc", utc_now());
  out.set_attribute("/", "sweep_file", index.sweep_file);
  out.set_attribute("/", "design", index.design);
  out.set_attribute("/", "sweep_digest", index.digest);
  out.set_attribute("/", "base_seed", index.base_seed);
  out.set_attribute("/", "points", index.points_total);
  out.set_attribute("/", "replications", index.replications);
  out.set_attribute("/", "runs", index.points_total * index.replications);
  out.set_attribute("/", "shard_index", index.shard_index);
  out.set_attribute("/", "shard_count", index.shard_count);
  out.write_text("sweep/definition", index.definition, "the sweep file, extensions resolved, YAML");
  std::vector<std::string> keys;
  for (const SweepIndex::Parameter& p : index.parameters)
    keys.push_back(p.key);
  out.write_strings("sweep/parameters", keys, "the swept keys, in the order of their columns");

  out.write_series("points/point", std::span<const std::int64_t>(index.point), "1",
                   "the point's id: its place in the design");
  out.write_series("points/replication", std::span<const std::int64_t>(index.replication), "1",
                   "the replication of the point");
  out.write_series("points/seed", std::span<const std::int64_t>(index.seed), "1",
                   "the run's seed, from (base seed, point, replication)");
  for (const SweepIndex::Parameter& p : index.parameters) {
    if (p.numeric) {
      out.write_series("points/" + p.key, std::span<const double>(p.numbers), p.units,
                       p.description);
    } else {
      out.write_strings("points/" + p.key, p.texts, p.description);
    }
  }
  out.write_strings("points/status", index.status,
                    "done, skipped-existing (whole before this invocation), failed or missing");
  out.write_series("points/wall_seconds", std::span<const double>(index.wall_seconds), "s",
                   "wall-clock time of the run");
  out.write_strings("points/file", index.file,
                    "the run's file, relative to this index; empty when there is none");
  for (std::size_t r = 0; r < index.rows(); ++r) {
    if (index.has_file(r) && !index.file[r].empty()) {
      out.link_external("runs/" + run_name(index.point[r], index.replication[r]), index.file[r],
                        "/");
    }
  }
  out.commit();
}

int merge_command(const std::vector<std::string>& inputs, const std::string& output) {
  try {
    const sim::Hdf5Reader first(inputs.front());
    if (first.has_attribute("/", "kind") &&
        first.string_attribute("/", "kind") == kSweepIndexKind) {
      return merge_sweep_indexes(inputs, output);
    }
  } catch (const sim::Hdf5Error&) {
    // Reported below, where every input is read.
  }
  // Read every input first: a bad one stops the merge before anything is written.
  struct Run {
    std::string file;  // as linked: relative to the index's directory
    std::int64_t seed, run_index;
    std::string scenario;
  };
  std::vector<Run> runs;
  const fs::path index_dir = fs::absolute(fs::path(output)).parent_path();
  for (const std::string& input : inputs) {
    try {
      const sim::Hdf5Reader h5(input);
      if (!h5.has_attribute("/", "schema_version") || h5.has_attribute("/", "kind")) {
        std::cerr << input << ": not a depinsim run file\n";
        return kBadInput;
      }
      if (h5.int_attribute("/", "schema_version") != 1) {
        std::cerr << input << ": schema_version " << h5.int_attribute("/", "schema_version")
                  << " is not supported (expected 1)\n";
        return kBadInput;
      }
      runs.push_back(Run{fs::relative(fs::absolute(input), index_dir).string(),
                         h5.int_attribute("/", "seed"), h5.int_attribute("/", "run_index"),
                         h5.string_attribute("/", "scenario_name")});
    } catch (const sim::Hdf5Error& e) {
      std::cerr << e.what() << "\n";
      return kBadInput;
    }
  }

  std::optional<sim::Hdf5Writer> out;
  try {
    out.emplace(output);
  } catch (const sim::Hdf5Error& e) {
    std::cerr << e.what() << "\n";
    return kBadInput;
  }
  try {
    std::vector<std::int64_t> id, seed, run_index;
    std::vector<std::string> file, scenario;
    for (std::size_t i = 0; i < runs.size(); ++i) {
      id.push_back(static_cast<std::int64_t>(i));
      seed.push_back(runs[i].seed);
      run_index.push_back(runs[i].run_index);
      file.push_back(runs[i].file);
      scenario.push_back(runs[i].scenario);
      char name[32];
      std::snprintf(name, sizeof name, "runs/%06zu", i);
      out->link_external(name, runs[i].file, "/");
    }
    out->set_attribute("/", "schema_version", std::int64_t{1});
    out->set_attribute("/", "kind", "index");
    out->set_attribute("/", "depinsim_version", DEPINSIM_VERSION);
    out->set_attribute("/", "created_utc", utc_now());
    out->write_series("points/id", std::span<const std::int64_t>(id), "1",
                      "row number; the run is linked at /runs/<id, six digits>");
    out->write_strings("points/file", file, "the run's file, relative to this index");
    out->write_strings("points/scenario_name", scenario, "the run's scenario name");
    out->write_series("points/seed", std::span<const std::int64_t>(seed), "1", "the run's seed");
    out->write_series("points/run_index", std::span<const std::int64_t>(run_index), "1",
                      "the run's replication index");
    out->commit();
    return kOk;
  } catch (const std::exception& e) {
    std::cerr << "depinsim: merge failed: " << e.what() << "\n";
    return kRunFailed;
  }
}

}  // namespace depinsim_cli
