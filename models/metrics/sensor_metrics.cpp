#include "models/metrics/sensor_metrics.hpp"

#include <cmath>
#include <limits>
#include <numeric>
#include <string>

namespace models {

namespace {
std::int64_t sum(const EpochTally::PerBehaviour& v) {
  return std::accumulate(v.begin(), v.end(), std::int64_t{0});
}
double ratio(std::int64_t num, std::int64_t den) {
  return den == 0 ? std::numeric_limits<double>::quiet_NaN()
                  : static_cast<double>(num) / static_cast<double>(den);
}
constexpr std::size_t kHonest = static_cast<std::size_t>(Behaviour::honest);
}  // namespace

SensorMetrics::SensorMetrics(double epoch_days) : epoch_days_(epoch_days) {
  auto& r = recorder_;
  epoch_ = r.count("time/epoch", "1", "epoch index, from 0");
  end_days_ = r.real("time/end_days", "d", "simulated time at the end of the epoch");
  sensors_ = r.count("nodes/sensors", "1", "sensors in the network");
  submitted_ = r.count("quality/submitted", "1", "readings taken and sent to the oracle");
  lost_ = r.count("quality/lost", "1", "readings lost on a link, cut off, or unroutable");
  late_ = r.count("quality/late", "1", "readings delivered after the epoch's cut-off");
  arrived_ = r.count("quality/arrived", "1", "readings delivered in time and judged");
  accepted_ = r.count("quality/accepted", "1", "readings the oracle accepted");
  rejected_ = r.count("quality/rejected", "1", "readings the oracle rejected");
  rejected_bounds_ = r.count("quality/rejected_bounds", "1", "rejected as out of bounds");
  rejected_jump_ = r.count("quality/rejected_jump", "1", "rejected for a jump");
  rejected_outlier_ = r.count("quality/rejected_outlier", "1", "rejected by spatial consensus");
  unverified_ =
      r.count("quality/unverified", "1", "accepted without enough neighbour readings to compare");
  rmse_c_ = r.real("quality/rmse_c", "degC", "RMSE of accepted readings against the truth");
  bad_accepted_fraction_ = r.real("quality/bad_accepted_fraction", "1",
                                  "share of arrived readings from dishonest sensors accepted");
  good_rejected_fraction_ = r.real("quality/good_rejected_fraction", "1",
                                   "share of arrived readings from honest sensors rejected");
  for (std::size_t b = 0; b < kBehaviourCount; ++b) {
    const std::string g = "quality/" + std::string(kBehaviourNames[b]) + "/";
    const std::string who = std::string(kBehaviourNames[b]) + " sensors";
    b_submitted_[b] = r.count(g + "submitted", "1", "readings sent by " + who);
    b_arrived_[b] = r.count(g + "arrived", "1", "readings of " + who + " judged");
    b_accepted_[b] = r.count(g + "accepted", "1", "readings of " + who + " accepted");
    b_rejected_[b] = r.count(g + "rejected", "1", "readings of " + who + " rejected");
  }
  minted_ = r.real("tokens/minted", "token", "tokens minted this epoch");
  undistributed_ = r.real("tokens/undistributed", "token",
                          "pool remainder sent to the treasury (rounding, or no one accepted)");
  supply_ = r.real("tokens/supply", "token", "tokens in existence at the end of the epoch");
  for (std::size_t b = 0; b < kBehaviourCount; ++b) {
    paid_[b] = r.real("tokens/paid_" + std::string(kBehaviourNames[b]), "token",
                      "tokens paid to " + std::string(kBehaviourNames[b]) + " sensors");
  }
}

void SensorMetrics::record(const EpochTally& t) {
  auto& r = recorder_;
  r.set(epoch_, t.epoch);
  r.set(end_days_, static_cast<double>(t.epoch + 1) * epoch_days_);
  r.set(sensors_, t.sensors);
  const std::int64_t accepted = sum(t.accepted);
  const std::int64_t arrived = sum(t.arrived);
  r.set(submitted_, sum(t.submitted));
  r.set(lost_, sum(t.lost));
  r.set(late_, sum(t.late));
  r.set(arrived_, arrived);
  r.set(accepted_, accepted);
  r.set(rejected_, arrived - accepted);
  r.set(rejected_bounds_, t.rejected_bounds);
  r.set(rejected_jump_, t.rejected_jump);
  r.set(rejected_outlier_, t.rejected_outlier);
  r.set(unverified_, t.unverified);
  r.set(rmse_c_, accepted == 0
                     ? std::numeric_limits<double>::quiet_NaN()
                     : std::sqrt(t.accepted_sq_error_sum / static_cast<double>(accepted)));
  r.set(bad_accepted_fraction_,
        ratio(accepted - t.accepted[kHonest], arrived - t.arrived[kHonest]));
  r.set(good_rejected_fraction_,
        ratio(t.arrived[kHonest] - t.accepted[kHonest], t.arrived[kHonest]));
  for (std::size_t b = 0; b < kBehaviourCount; ++b) {
    r.set(b_submitted_[b], t.submitted[b]);
    r.set(b_arrived_[b], t.arrived[b]);
    r.set(b_accepted_[b], t.accepted[b]);
    r.set(b_rejected_[b], t.arrived[b] - t.accepted[b]);
    r.set(paid_[b], to_tokens(t.paid[b]));
  }
  r.set(minted_, to_tokens(t.minted));
  r.set(undistributed_, to_tokens(t.undistributed));
  r.set(supply_, to_tokens(t.supply));
  r.end_row();

  auto add = [](EpochTally::PerBehaviour& into, const EpochTally::PerBehaviour& from) {
    for (std::size_t b = 0; b < kBehaviourCount; ++b)
      into[b] += from[b];
  };
  totals_.epoch = t.epoch + 1;  // epochs recorded
  totals_.sensors = t.sensors;
  add(totals_.submitted, t.submitted);
  add(totals_.lost, t.lost);
  add(totals_.late, t.late);
  add(totals_.arrived, t.arrived);
  add(totals_.accepted, t.accepted);
  totals_.rejected_bounds += t.rejected_bounds;
  totals_.rejected_jump += t.rejected_jump;
  totals_.rejected_outlier += t.rejected_outlier;
  totals_.unverified += t.unverified;
  totals_.accepted_sq_error_sum += t.accepted_sq_error_sum;
  totals_.minted += t.minted;
  totals_.undistributed += t.undistributed;
  for (std::size_t b = 0; b < kBehaviourCount; ++b)
    totals_.paid[b] += t.paid[b];
  totals_.supply = t.supply;
}

}  // namespace models
