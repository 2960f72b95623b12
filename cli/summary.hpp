#pragma once
// The short human-readable summary printed at the end of a run.

#include <iosfwd>

#include "models/scenario.hpp"
#include "models/sensor_world.hpp"

namespace depinsim_cli {

/// Prints data quality, economics and speed of a finished run, one topic per line.
void print_summary(std::ostream& out, const models::Scenario& scenario,
                   const models::SensorWorld& world, double wall_seconds);

}  // namespace depinsim_cli
