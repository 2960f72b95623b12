#include "cli/summary.hpp"

#include <cmath>
#include <cstdio>
#include <numeric>
#include <ostream>
#include <string>

namespace depinsim_cli {

namespace {

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

std::string percent(std::int64_t num, std::int64_t den) {
  return den == 0 ? "n/a"
                  : fixed(100.0 * static_cast<double>(num) / static_cast<double>(den), 1) + "%";
}

std::int64_t total(const models::EpochTally::PerBehaviour& v) {
  return std::accumulate(v.begin(), v.end(), std::int64_t{0});
}

}  // namespace

void print_summary(std::ostream& out, const models::Scenario& scenario,
                   const models::SensorWorld& world, double wall_seconds) {
  const models::EpochTally& t = world.metrics().totals();
  constexpr auto kHonest = static_cast<std::size_t>(models::Behaviour::honest);
  const std::int64_t arrived = total(t.arrived);
  const std::int64_t accepted = total(t.accepted);
  const std::int64_t bad_arrived = arrived - t.arrived[kHonest];
  const std::int64_t bad_accepted = accepted - t.accepted[kHonest];
  const double rmse = accepted == 0
                          ? std::nan("")
                          : std::sqrt(t.accepted_sq_error_sum / static_cast<double>(accepted));

  out << scenario.name << " (seed " << scenario.seed << "): " << t.sensors << " sensors, "
      << t.epoch << " epochs of " << sim::format_duration(scenario.epoch) << "\n";
  out << "  readings   submitted " << total(t.submitted) << ", arrived " << arrived << ", late "
      << total(t.late) << ", lost " << total(t.lost) << "\n";
  out << "  quality    accepted " << percent(accepted, arrived) << " of arrived; bad data accepted "
      << percent(bad_accepted, bad_arrived) << "; good data rejected "
      << percent(t.arrived[kHonest] - t.accepted[kHonest], t.arrived[kHonest])
      << "; RMSE of accepted " << fixed(rmse, 3) << " degC\n";
  out << "  tokens     minted " << fixed(models::to_tokens(t.minted), 0) << "; paid to";
  for (std::size_t b = 0; b < models::kBehaviourCount; ++b) {
    out << (b == 0 ? " " : ", ") << models::kBehaviourNames[b] << " "
        << percent(t.paid[b], t.minted);
  }
  out << "\n";
  const auto events = static_cast<double>(world.events_dispatched());
  out << "  wall time  " << fixed(wall_seconds, 2) << " s (" << fixed(events / 1e6, 1)
      << " M events, " << fixed(events / 1e6 / wall_seconds, 2) << " M events/s)\n";
}

}  // namespace depinsim_cli
