#include "models/sensor_oracle.hpp"

#include <algorithm>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>

#include "models/rewards/sensor_rewards.hpp"

namespace models {

namespace {

// Resolution at which HIP-17 counts hotspots, and WeatherXM's reward cells (about 5 km2).
constexpr int kDensityResolution = kHexDensityBaseResolution;
constexpr int kRewardCellResolution = 7;

bool carries_location_evidence(WitnessVerdict v) {
  switch (v) {
    case WitnessVerdict::valid:
    case WitnessVerdict::not_selected:
    case WitnessVerdict::no_reciprocity:
    case WitnessVerdict::too_close:
    case WitnessVerdict::too_far:
    case WitnessVerdict::rssi_too_strong:
      return true;
    default:
      return false;
  }
}

std::vector<HexCell> res11_cells(const StationRegistry& stations) {
  std::vector<HexCell> cells(stations.size());
  for (std::size_t i = 0; i < cells.size(); ++i)
    cells[i] = hex_cell_at(stations.x_km[i], stations.y_km[i], kDensityResolution);
  return cells;
}

bool fails_geometry(WitnessVerdict v) {
  return v == WitnessVerdict::too_close || v == WitnessVerdict::too_far ||
         v == WitnessVerdict::rssi_too_strong;
}

}  // namespace

SensorOracle::SensorOracle(const Scenario& scenario, const StationRegistry& stations)
    : scenario_(scenario),
      stations_(stations),
      flagged_(stations.size(), 0),
      res11_cell_(res11_cells(stations)),
      hex_density_(HexDensity(scenario.rewards.hex_density), res11_cell_),
      reward_cell_(stations.size()),
      beacon_units_(stations.size(), 0.0),
      witness_units_(stations.size(), 0.0),
      active_(stations.size(), 0),
      bad_reports_(stations.size(), 0) {
  const StationDirectory directory{stations.x_km, stations.y_km, stations.sampling};
  for (const ReadingCheckSpec& spec : scenario.validation.readings) {
    checks_.push_back(make_reading_check(spec, directory));
    kinds_.push_back(spec.kind);
  }
  const ValidationSpec& v = scenario.validation;
  if (v.coverage) poc_.emplace(*v.coverage, stations.x_km, stations.y_km);
  if (v.location) pol_.emplace(*v.location, stations.x_km, stations.y_km);
  if (v.reputation) reputation_.emplace(*v.reputation, stations.size());
  if (v.collusion) collusion_.emplace(*v.collusion, stations.size());
  for (std::size_t i = 0; i < stations.size(); ++i) {
    reward_cell_[i] = hex_cell_at(stations.x_km[i], stations.y_km[i], kRewardCellResolution);
  }
}

void SensorOracle::precheck_beacon(const Beacon& beacon, std::span<const WitnessReport> reports,
                                   std::span<WitnessVerdict> out) const {
  if (!poc_) throw std::logic_error("SensorOracle: no proof of coverage in this scenario");
  poc_->precheck(beacon, reports, out);
}

const PocResult& SensorOracle::verify_beacon(const Beacon& beacon,
                                             std::span<const WitnessReport> reports, sim::Time now,
                                             std::span<const WitnessVerdict> prechecked) {
  if (!poc_) throw std::logic_error("SensorOracle: no proof of coverage in this scenario");
  PocResult& result = verified_;
  poc_->verify(beacon, reports, prechecked, result);
  if (result.beacon != BeaconVerdict::valid) return result;
  const std::uint32_t b = beacon.beaconer;
  beacon_units_[b] += result.beaconer_units;
  active_[b] = 1;
  const std::size_t first = observations_.size();
  for (std::size_t k = 0; k < reports.size(); ++k) {
    const WitnessVerdict v = result.witnesses[k];
    const std::uint32_t w = reports[k].witness;
    if (v == WitnessVerdict::valid) {
      witness_units_[w] += result.units_per_witness;
      active_[w] = 1;
    }
    if (collusion_ && (v == WitnessVerdict::valid || v == WitnessVerdict::not_selected)) {
      collusion_->record(b, w);
    }
    if (carries_location_evidence(v)) {
      observations_.push_back({stations_.x_km[w], stations_.y_km[w], reports[k].signal_dbm});
    }
    if (fails_geometry(v)) ++bad_reports_[w];
  }
  if (pol_) {
    evidence_.push_back({b, now, first, observations_.size() - first});
  } else {
    observations_.resize(first);
  }
  return result;
}

void SensorOracle::judge_locations(const std::function<void()>& beside) {
  if (!pol_) {
    if (beside) beside();
    return;
  }
  // Group by beaconer, keeping the order verified (a stable counting sort).
  const std::size_t n = stations_.size();
  std::vector<std::size_t> start(n + 1, 0);
  for (const LocationEvidence& e : evidence_)
    ++start[e.node + 1];
  for (std::size_t i = 0; i < n; ++i)
    start[i + 1] += start[i];
  std::vector<std::size_t> order(evidence_.size());
  {
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t k = 0; k < evidence_.size(); ++k)
      order[fill[evidence_[k].node]++] = k;
  }
  // An exception may not leave an OpenMP region: `beside`'s is carried out and rethrown.
  std::exception_ptr beside_failed;
#pragma omp parallel
  {
    if (beside) {
#pragma omp single nowait
      try {
        beside();
      } catch (...) {
        beside_failed = std::current_exception();
      }
    }
#pragma omp for schedule(dynamic, 512)
    for (std::int64_t ii = 0; ii < static_cast<std::int64_t>(n); ++ii) {
      const auto i = static_cast<std::size_t>(ii);
      for (std::size_t k = start[i]; k < start[i + 1]; ++k) {
        const LocationEvidence& e = evidence_[order[k]];
        pol_->observe(e.node, e.at,
                      std::span<const WitnessObservation>(observations_.data() + e.first, e.count));
      }
    }
  }
  evidence_.clear();
  observations_.clear();
  if (beside_failed) std::rethrow_exception(beside_failed);
}

std::vector<double> SensorOracle::shares_for_pool(std::span<const double> units,
                                                  std::span<const double> hex_scale,
                                                  std::span<const double> reputation,
                                                  std::span<const std::uint8_t> flagged) const {
  std::vector<double> shares(units.size(), 0.0);
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (flagged[i] == 0) shares[i] = units[i] * hex_scale[i] * reputation[i];
  }
  return shares;
}

void SensorOracle::pay_data(Tokens pool, EpochRewards& r) const {
  const std::size_t n = stations_.size();
  std::vector<StationScore> scores(n);
  for (std::size_t i = 0; i < n; ++i) {
    scores[i].qod = r.qod[i] * r.reputation[i];
    scores[i].pol = r.pol[i];
    scores[i].cell = reward_cell_[i];
    scores[i].seniority = static_cast<std::int64_t>(i);
    scores[i].weight = stations_.reward_weight[i];
    scores[i].has_wallet = flagged_[i] == 0;
  }
  const DataRewards data = weatherxm_data_rewards(pool, scores, scenario_.rewards.data);
  for (std::size_t i = 0; i < n; ++i)
    r.payouts[i] += data.payouts[i];
}

void SensorOracle::pay_coverage(Tokens beacons, Tokens witnesses, EpochRewards& r) const {
  const std::size_t n = stations_.size();
  const std::vector<double> scale = hex_density_.scales(active_);
  const auto beacon_split =
      split_by_shares(beacons, shares_for_pool(beacon_units_, scale, r.reputation, flagged_));
  const auto witness_split =
      split_by_shares(witnesses, shares_for_pool(witness_units_, scale, r.reputation, flagged_));
  for (std::size_t i = 0; i < n; ++i) {
    r.payouts[i] += beacon_split.payouts[i] + witness_split.payouts[i];
    r.coverage_units[i] = (beacon_units_[i] + witness_units_[i]) * scale[i];
  }
}

EpochRewards SensorOracle::close_epoch(sim::Time epoch_end, std::span<const Submission> judged,
                                       std::span<const Verdict> verdicts, Tokens emission,
                                       Tokens data_usage) {
  const std::size_t n = stations_.size();
  EpochRewards r;
  r.payouts.assign(n, 0);
  r.qod.assign(n, 0.0);
  r.pol.assign(n, 1.0);
  r.reputation.assign(n, 1.0);
  r.coverage_units.assign(n, 0.0);

  // The witness graph closes its epoch (and is analysed when due) on one thread while the
  // others judge locations: the two share nothing.
  const bool analyse =
      collusion_ && (closed_epochs_ + 1) % scenario_.validation.collusion->analyse_every == 0;
  std::optional<CollusionReport> report;
  judge_locations([&] {
    if (!collusion_) return;
    collusion_->end_epoch();
    if (analyse) report = collusion_->analyse();
  });
  std::vector<std::int64_t> accepted(n, 0), rejected(n, 0);
  for (std::size_t k = 0; k < judged.size(); ++k) {
    ++(is_accepted(verdicts[k]) ? accepted : rejected)[judged[k].sensor];
  }

  // QoD: the first check that scores stations, else the share of promised readings accepted.
  std::span<const double> scored;
  for (const auto& c : checks_) {
    if (!c->station_scores().empty()) {
      scored = c->station_scores();
      break;
    }
  }
  const sim::Time epoch = scenario_.epoch;
  for (std::size_t i = 0; i < n; ++i) {
    if (!scored.empty()) {
      r.qod[i] = scored[i];
    } else {
      const auto promised =
          static_cast<double>(std::max<std::int64_t>(1, epoch / stations_.sampling[i]));
      r.qod[i] = std::min(1.0, static_cast<double>(accepted[i]) / promised);
    }
    if (pol_) r.pol[i] = pol_->score(static_cast<std::uint32_t>(i), epoch_end);
  }

  if (reputation_) {
    std::vector<std::int64_t> negatives(rejected);
    for (std::size_t i = 0; i < n; ++i)
      negatives[i] += bad_reports_[i];
    reputation_->update(accepted, negatives);
    for (std::size_t i = 0; i < n; ++i)
      r.reputation[i] = reputation_->expectation(i);
  }

  ++closed_epochs_;
  if (report) {
    for (std::size_t i = 0; i < n; ++i) {
      if (report->flagged(i) && flagged_[i] == 0) {
        flagged_[i] = 1;  // on the denylist from now on, as Helium's denylist works
        if (poc_) poc_->deny(static_cast<std::uint32_t>(i));
      }
    }
  }
  r.flagged = flagged_;

  Tokens paid = 0;
  switch (scenario_.rewards.distribution) {
    case Distribution::pro_rata: {
      std::vector<double> shares(n, 0.0);
      for (std::size_t i = 0; i < n; ++i) {
        if (flagged_[i] == 0) shares[i] = static_cast<double>(accepted[i]) * r.reputation[i];
      }
      const ProRataSplit split = split_by_shares(emission, shares);
      r.payouts = split.payouts;
      break;
    }
    case Distribution::weatherxm:
      pay_data(emission, r);
      break;
    case Distribution::helium_iot: {
      const IotPools pools = helium_iot_pools(emission, data_usage, scenario_.rewards.iot);
      pay_coverage(pools.beacons, pools.witnesses, r);
      // Data transfer: the stations that carried the data buyers paid for, by accepted readings.
      std::vector<double> carried(n, 0.0);
      for (std::size_t i = 0; i < n; ++i) {
        if (flagged_[i] == 0) carried[i] = static_cast<double>(accepted[i]);
      }
      const ProRataSplit data = split_by_shares(pools.data, carried);
      for (std::size_t i = 0; i < n; ++i)
        r.payouts[i] += data.payouts[i];
      break;
    }
    case Distribution::data_and_coverage: {
      // Data usage claims its whole share: the data pool is what the data rule pays.
      const IotPools pools = helium_iot_pools(emission, emission, scenario_.rewards.iot);
      pay_coverage(pools.beacons, pools.witnesses, r);
      pay_data(pools.data, r);
      break;
    }
  }
  for (Tokens p : r.payouts)
    paid += p;
  if (paid > emission) throw LedgerError("SensorOracle: payouts exceed the emission");
  r.to_treasury = emission - paid;

  std::fill(beacon_units_.begin(), beacon_units_.end(), 0.0);
  std::fill(witness_units_.begin(), witness_units_.end(), 0.0);
  std::fill(active_.begin(), active_.end(), 0);
  std::fill(bad_reports_.begin(), bad_reports_.end(), 0);
  return r;
}

}  // namespace models
