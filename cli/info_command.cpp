#include <iomanip>
#include <iostream>

#include "cli/commands.hpp"
#include "sim/hdf5_file.hpp"
#include "sim/hdf5_reader.hpp"

namespace depinsim_cli {

int info_command(const std::string& file) {
  try {
    const sim::Hdf5Reader h5(file);
    if (!h5.has_attribute("/", "schema_version")) {
      std::cerr << file << ": not a depinsim output file (no schema_version attribute)\n";
      return kBadInput;
    }
    std::cout << file << "\n";
    for (const char* name : {"scenario_name", "depinsim_version", "git_commit", "created_utc"}) {
      if (h5.has_attribute("/", name)) {
        std::cout << "  " << std::left << std::setw(18) << name << h5.string_attribute("/", name)
                  << "\n";
      }
    }
    for (const char* name : {"schema_version", "seed", "run_index"}) {
      if (h5.has_attribute("/", name)) {
        std::cout << "  " << std::left << std::setw(18) << name << h5.int_attribute("/", name)
                  << "\n";
      }
    }
    if (h5.has_attribute("/", "wall_seconds")) {
      std::cout << "  " << std::left << std::setw(18) << "wall_seconds"
                << h5.double_attribute("/", "wall_seconds") << "\n";
    }
    std::cout << "  datasets:\n";
    for (const std::string& path : h5.datasets()) {
      std::string shape;
      for (std::size_t n : h5.shape(path))
        shape += (shape.empty() ? "" : " x ") + std::to_string(n);
      const std::string units =
          h5.has_attribute(path, "units") ? h5.string_attribute(path, "units") : "";
      std::cout << "    " << std::left << std::setw(44) << path << std::setw(10)
                << (shape.empty() ? "scalar" : shape) << units << "\n";
    }
    return kOk;
  } catch (const sim::Hdf5Error& e) {
    std::cerr << e.what() << "\n";
    return kBadInput;
  }
}

}  // namespace depinsim_cli
