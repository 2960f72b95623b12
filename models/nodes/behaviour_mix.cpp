#include "models/nodes/behaviour_mix.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace models {

using sim::config::Range;
using sim::config::Section;

void read_behaviour_shares(Section s, std::span<const std::string_view> names,
                           std::span<double> share, std::string_view whom, std::string_view example,
                           const std::function<void(std::string_view, Section&)>& read_params) {
  if (names.empty() || share.size() != names.size()) {
    throw std::invalid_argument("read_behaviour_shares: one share per behaviour name");
  }
  const std::string who(whom);
  const std::string plain = "share of " + who + " with this behaviour";
  const std::string detailed =
      "share of " + who + " (or give the share alone: `" + std::string(example) + "`)";
  double total = 0.0;
  const bool any = !s.keys().empty();
  const std::size_t problems_before = s.problems_so_far();
  std::fill(share.begin(), share.end(), 0.0);
  for (std::size_t b = 0; b < names.size(); ++b) {
    const std::string_view name = names[b];
    if (!s.is_mapping(name) && !s.describing()) {
      share[b] = s.number(name, 0.0, "", Range::between(0.0, 1.0), plain);
    } else {
      Section detail = s.section(name, "share and parameters of this behaviour");
      share[b] = detail.number("share", 0.0, "", Range::between(0.0, 1.0), detailed);
      read_params(name, detail);
      detail.finish();
    }
    total += share[b];
  }
  // A misspelt behaviour (reported by finish()) or a bad share (reported above) makes the sum
  // wrong too; saying so again would only repeat the same mistake.
  const auto keys = s.keys();
  const bool all_known = std::all_of(keys.begin(), keys.end(), [&](const std::string& k) {
    return std::find(names.begin(), names.end(), k) != names.end();
  });
  if (!any) {
    share[0] = 1.0;  // everyone takes the first behaviour (honest)
  } else if (all_known && s.problems_so_far() == problems_before && std::abs(total - 1.0) > 1e-9) {
    char found[32];
    std::snprintf(found, sizeof found, "%.6g", total);
    s.problem("", std::string("behaviour shares must sum to 1, found ") + found);
  }
  s.finish();
}

}  // namespace models
