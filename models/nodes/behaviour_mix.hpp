#pragma once
// A population's `behaviour:` mix, read the same way for every kind of node.

#include <functional>
#include <span>
#include <string_view>

#include "sim/config.hpp"

namespace models {

/// Reads a population's `behaviour:` section into `share` (one per name, by index). Each key is
/// one of `names`, given either as a share (`stuck: 0.02`) or as a mapping with `share` and
/// that behaviour's parameters, which `read_params(name, detail)` reads. Shares lie in [0, 1]
/// and must sum to 1; an empty section gives every node the first behaviour. `whom` names the
/// nodes in the help text ("sensors", "providers") and `example` shows the short form there.
/// A misspelt behaviour or a bad share is reported on its own, without the sum repeating it.
/// Finishes `s`.
///   read_behaviour_shares(s, kBehaviourNames, g.share, "sensors", "stuck: 0.02",
///                         [&](std::string_view n, Section& d) { read_params(n, d, g.params); });
void read_behaviour_shares(
    sim::config::Section s, std::span<const std::string_view> names, std::span<double> share,
    std::string_view whom, std::string_view example,
    const std::function<void(std::string_view, sim::config::Section&)>& read_params);

}  // namespace models
