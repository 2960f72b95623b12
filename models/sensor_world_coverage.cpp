// SensorWorld's proof-of-coverage side: beacons sent, heard (or not) through the radio channel,
// witnessed honestly or forged, and handed to the oracle once their witness window has passed.
#include <algorithm>
#include <cmath>

#include "models/sensor_world.hpp"
#include "models/validation/radio.hpp"

namespace models {

namespace {

constexpr sim::Time kEntropyPeriod = sim::Time::minutes(1);  // entropy published every minute

double site_loss_db(const SensorPopulation& p, std::uint32_t i) {
  return p.behaviour[i] == Behaviour::indoor ? p.spec_of(i).params.indoor_loss_db : 0.0;
}

int gain_ddbi(const HardwareSpec& hw) {
  return static_cast<int>(std::lround(hw.antenna_gain_dbi * 10.0));
}

// Dishonest nodes lie about location; what they report is not a genuine observation.
bool lies_about_location(Behaviour b) {
  return b == Behaviour::spoofer || b == Behaviour::colluder || b == Behaviour::sybil;
}

}  // namespace

void SensorWorld::beacon(sim::Simulator& s, const sim::Event& e) {
  const sim::Time now = s.now();
  if (now / scenario_.epoch >= scenario_.epochs()) return;
  const std::uint32_t i = e.target;
  if (!sensors_.online(i, now)) return;
  sim::RandomStream rng = stream(beacon_blocks_, beacon_stream_, i);
  const HardwareSpec& hw = sensors_.spec_of(i).hardware;
  const double frequency_hz = scenario_.radio.frequency_hz;

  PendingBeacon p;
  p.beacon.beaconer = i;
  p.beacon.entropy_start = now - now % kEntropyPeriod;
  p.beacon.payload = rng.next_u64();
  p.beacon.frequency_hz = frequency_hz;
  p.beacon.tx_power_dbm = hw.tx_power_dbm;
  p.beacon.gain_ddbi = gain_ddbi(hw);
  const sim::SendResult sent = network_->transit(i, network_->sink(), now, rng);
  if (sent.outcome != sim::Delivery::delivered) {
    beacon_blocks_[i] = rng.next_block();
    return;  // the oracle never learns of it
  }
  p.beacon.received = now + sent.latency;

  const auto report = [&](std::uint32_t w, double signal_dbm, bool forged) {
    const sim::SendResult r = network_->transit(w, network_->sink(), now, rng);
    if (r.outcome != sim::Delivery::delivered) return;
    p.reports.push_back(WitnessReport{w, now + r.latency, p.beacon.payload, frequency_hz,
                                      signal_dbm, gain_ddbi(sensors_.spec_of(w).hardware)});
    p.forged.push_back(forged ? 1 : 0);
  };

  const Behaviour b = sensors_.behaviour[i];
  const bool crewed = b == Behaviour::colluder || b == Behaviour::sybil;
  const std::uint32_t op = sensors_.operator_id[i];
  if (sensors_.has_radio(i)) {
    const RadioSpec& radio = scenario_.radio;
    const double tx_loss = site_loss_db(sensors_, i);
    for (const RadioLink& link : radio_->of(i)) {
      const std::uint32_t w = link.receiver;
      if (!sensors_.has_radio(w) || !sensors_.online(w, now)) continue;
      const double shadow =
          radio.shadowing_sd_db > 0 ? rng.normal(0.0, radio.shadowing_sd_db) : 0.0;
      const double rx =
          static_cast<double>(link.mean_dbm) - tx_loss - site_loss_db(sensors_, w) + shadow;
      if (rx < radio.sensitivity_dbm) continue;
      if (crewed && sensors_.operator_id[w] == op) continue;  // the crew forges instead, below
      report(w, rx, false);
    }
  }
  if (crewed) {
    // Ring and swarm mates say they heard it, with a signal a little weaker than free space
    // allows over the claimed distance: plausible to a free-space check.
    for (std::uint32_t m : crew_[op]) {
      if (m == i || !sensors_.online(m, now)) continue;
      const double d_m = 1000.0 * std::hypot(sensors_.claimed_x_km[i] - sensors_.claimed_x_km[m],
                                             sensors_.claimed_y_km[i] - sensors_.claimed_y_km[m]);
      const double ceiling = radio::expected_rssi_dbm(hw.tx_power_dbm, gain_ddbi(hw),
                                                      gain_ddbi(sensors_.spec_of(m).hardware),
                                                      std::max(d_m, 1.0), frequency_hz);
      report(m, ceiling - rng.uniform(5.0, 15.0), true);
    }
  }
  beacon_blocks_[i] = rng.next_block();

  const std::uint64_t key = next_beacon_++;
  const sim::Time verify_at = p.beacon.received + scenario_.validation.coverage->max_witness_lag;
  pending_.emplace(key, std::move(p));
  s.schedule_at(verify_at, kVerify, 0, key);
}

void SensorWorld::verify(sim::Simulator& s, const sim::Event& e) {
  auto it = pending_.find(e.payload);
  if (it == pending_.end()) throw std::logic_error("SensorWorld: unknown beacon");
  const PendingBeacon p = std::move(it->second);
  pending_.erase(it);
  const PocResult result = oracle_.verify_beacon(p.beacon, p.reports, s.now());

  CoverageTally& c = coverage_now_;
  const auto bb = static_cast<std::size_t>(sensors_.behaviour[p.beacon.beaconer]);
  ++c.beacons[bb];
  if (result.beacon == BeaconVerdict::valid) ++c.beacons_valid[bb];
  for (std::size_t k = 0; k < p.reports.size(); ++k) {
    const Behaviour wb = sensors_.behaviour[p.reports[k].witness];
    const auto w = static_cast<std::size_t>(wb);
    const WitnessVerdict v = result.witnesses[k];
    ++c.reports[w];
    const bool rewarded = v == WitnessVerdict::valid;
    c.reports_valid[w] += rewarded ? 1 : 0;
    if (p.forged[k] != 0) {
      ++c.forged_reports;
      c.forged_valid += rewarded ? 1 : 0;
    } else if (!lies_about_location(wb) &&
               !lies_about_location(sensors_.behaviour[p.beacon.beaconer])) {
      ++c.genuine_reports;
      if (!rewarded && v != WitnessVerdict::not_selected && v != WitnessVerdict::beacon_invalid) {
        ++c.genuine_rejected;
      }
    }
  }
}

}  // namespace models
