#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "sim/hdf5_file.hpp"
#include "sim/hdf5_reader.hpp"

namespace depinsim_cli {

namespace fs = std::filesystem;

int merge_command(const std::vector<std::string>& inputs, const std::string& output) {
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
