#include <iomanip>
#include <iostream>

#include "cli/commands.hpp"
#include "models/scenario.hpp"

namespace depinsim_cli {

namespace {

std::string cell(std::string s) {
  // Markdown table cells: a pipe would end the cell.
  for (std::size_t at = s.find('|'); at != std::string::npos; at = s.find('|', at + 2)) {
    s.replace(at, 1, "\\|");
  }
  return s;
}

}  // namespace

int help_params_command(const std::string& prefix, bool markdown) {
  const auto params = models::scenario_parameters();
  int shown = 0;
  if (markdown) {
    std::cout << "| key | type | default | allowed | unit | meaning |\n"
              << "|---|---|---|---|---|---|\n";
  }
  for (const auto& p : params) {
    if (!p.key.starts_with(prefix)) continue;
    ++shown;
    if (markdown) {
      std::cout << "| `" << p.key << "` | " << p.type << " | "
                << (p.fallback.empty() ? "" : "`" + cell(p.fallback) + "`") << " | "
                << cell(p.allowed) << " | " << cell(p.unit) << " | " << cell(p.help) << " |\n";
      continue;
    }
    std::cout << std::left << std::setw(44) << p.key << " " << p.type;
    if (!p.fallback.empty()) std::cout << ", default " << p.fallback;
    if (!p.unit.empty()) std::cout << " " << p.unit;
    if (!p.allowed.empty()) std::cout << ", " << p.allowed;
    std::cout << "\n    " << p.help << "\n";
  }
  if (shown == 0) {
    std::cerr << "depinsim: no parameter starts with \"" << prefix << "\"\n";
    return kBadInput;
  }
  return kOk;
}

}  // namespace depinsim_cli
