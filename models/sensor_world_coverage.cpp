// SensorWorld's proof-of-coverage side: beacons sent, heard (or not) through the radio channel,
// witnessed honestly or forged, and handed to the oracle once their witness window has passed.
#include <algorithm>
#include <cmath>

#include <omp.h>

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

void SensorWorld::BeaconBatch::clear() {
  beacons.clear();
  reports.clear();
  forged.clear();
  prechecked.clear();
}

void SensorWorld::BeaconBatch::append(const BeaconBatch& from, const Entry& e) {
  Entry copy = e;
  copy.first = reports.size();
  beacons.push_back(copy);
  const auto begin = static_cast<std::ptrdiff_t>(e.first);
  const auto end = begin + static_cast<std::ptrdiff_t>(e.count);
  reports.insert(reports.end(), from.reports.begin() + begin, from.reports.begin() + end);
  forged.insert(forged.end(), from.forged.begin() + begin, from.forged.begin() + end);
}

void SensorWorld::prepare_beacons(sim::Time until) {
  // Send every beacon due in [beacons_sent_until_, until) while the run lasts, in parallel over
  // beaconers: a beacon draws only from its beaconer's stream and reads only pure state.
  const sim::Time from = beacons_sent_until_;
  const sim::Time to = std::min(until, scenario_.epoch * scenario_.epochs());
  const auto threads = static_cast<std::size_t>(omp_get_max_threads());
  sending_.resize(threads);
  for (BeaconBatch& b : sending_)
    b.clear();
  if (from < to) {
    std::vector<sim::NetworkCounters> counts(threads);
#pragma omp parallel
    {
      const auto me = static_cast<std::size_t>(omp_get_thread_num());
#pragma omp for schedule(dynamic, 256)
      for (std::int64_t ii = 0; ii < static_cast<std::int64_t>(sensors_.size()); ++ii) {
        send_beacons(static_cast<std::uint32_t>(ii), from, to, sending_[me], counts[me]);
      }
    }
    for (const sim::NetworkCounters& c : counts)
      network_->add_counts(c);
    beacons_sent_until_ = to;
  }
  // Verification order over the carried-over beacons (batch `threads`) and the new ones: by
  // time, then beaconer (a beaconer sends one beacon at a time).
  const auto batch = [&](std::uint32_t k) -> BeaconBatch& {
    return k < threads ? sending_[k] : pending_;
  };
  std::vector<BeaconRef>& order = beacon_order_;
  order.clear();
  for (std::uint32_t k = 0; k <= threads; ++k) {
    const BeaconBatch& b = batch(k);
    for (std::size_t e = 0; e < b.beacons.size(); ++e) {
      const BeaconBatch::Entry& p = b.beacons[e];
      order.push_back({p.verify_at, p.beacon.beaconer, p.sent, k, static_cast<std::uint32_t>(e)});
    }
  }
  std::sort(order.begin(), order.end(), [](const BeaconRef& a, const BeaconRef& b) {
    if (a.verify_at != b.verify_at) return a.verify_at < b.verify_at;
    if (a.beaconer != b.beaconer) return a.beaconer < b.beaconer;
    return a.sent < b.sent;
  });
  // The oracle verifies each beacon once its witness window has closed, in time order: its
  // reciprocity and bucket checks depend on the beacons verified before.
  // The checks that need no history run first, in parallel.
  std::size_t& due = beacons_due_;
  due = 0;
  while (due < order.size() && order[due].verify_at <= until)
    ++due;
  for (std::uint32_t k = 0; k <= threads; ++k) {
    BeaconBatch& b = batch(k);
    b.prechecked.resize(b.reports.size());
  }
#pragma omp parallel for schedule(dynamic, 64)
  for (std::int64_t k = 0; k < static_cast<std::int64_t>(due); ++k) {
    const BeaconRef& r = order[static_cast<std::size_t>(k)];
    BeaconBatch& b = batch(r.batch);
    const BeaconBatch::Entry& p = b.beacons[r.entry];
    oracle_.precheck_beacon(p.beacon, b.reports_of(p),
                            std::span<WitnessVerdict>(b.prechecked.data() + p.first, p.count));
  }
}

void SensorWorld::verify_beacons() {
  const std::vector<BeaconRef>& order = beacon_order_;
  const auto batch = [&](std::uint32_t k) -> const BeaconBatch& {
    return k < sending_.size() ? sending_[k] : pending_;
  };
  for (std::size_t k = 0; k < beacons_due_; ++k) {
    const BeaconBatch& b = batch(order[k].batch);
    verify(b, b.beacons[order[k].entry]);
  }
  // The rest wait for a later close, in the order they will be verified.
  BeaconBatch later;
  for (std::size_t k = beacons_due_; k < order.size(); ++k) {
    const BeaconBatch& b = batch(order[k].batch);
    later.append(b, b.beacons[order[k].entry]);
  }
  pending_ = std::move(later);
}

void SensorWorld::send_beacons(std::uint32_t i, sim::Time from, sim::Time to, BeaconBatch& out,
                               sim::NetworkCounters& counts) {
  const sim::Time every = scenario_.beacon_every;
  sim::Time now = beacon_phase_[i];
  if (now < from)
    now +=
        sim::Time::from_ticks((from - now + every - sim::Time::micros(1)) / every * every.ticks());
  if (now >= to) return;
  // Each beacon starts a fresh block of the beaconer's stream, as if it were its own event.
  sim::StreamId id = beacon_stream_;
  id.entity = i;
  std::uint64_t block = beacon_blocks_[i];
  const HardwareSpec& hw = sensors_.spec_of(i).hardware;
  const double frequency_hz = scenario_.radio.frequency_hz;
  const Behaviour b = sensors_.behaviour[i];
  const bool crewed = b == Behaviour::colluder || b == Behaviour::sybil;
  const std::uint32_t op = sensors_.operator_id[i];
  for (; now < to; now += every) {
    if (!sensors_.online(i, now)) continue;
    sim::RandomStream rng(id, block);
    BeaconBatch::Entry p;
    p.sent = now;
    p.beacon.beaconer = i;
    p.beacon.entropy_start = now - now % kEntropyPeriod;
    p.beacon.payload = rng.next_u64();
    p.beacon.frequency_hz = frequency_hz;
    p.beacon.tx_power_dbm = hw.tx_power_dbm;
    p.beacon.gain_ddbi = gain_ddbi(hw);
    const sim::SendResult sent = network_->transit_to_sink(i, now, rng, counts);
    if (sent.outcome != sim::Delivery::delivered) {
      block = rng.next_block();
      continue;  // the oracle never learns of it
    }
    p.beacon.received = now + sent.latency;
    p.first = out.reports.size();

    const auto report = [&](std::uint32_t w, double signal_dbm, bool forged) {
      const sim::SendResult r = network_->transit_to_sink(w, now, rng, counts);
      if (r.outcome != sim::Delivery::delivered) return;
      out.reports.push_back(WitnessReport{w, now + r.latency, p.beacon.payload, frequency_hz,
                                          signal_dbm, gain_ddbi(sensors_.spec_of(w).hardware)});
      out.forged.push_back(forged ? 1 : 0);
    };

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
    block = rng.next_block();
    p.verify_at = p.beacon.received + scenario_.validation.coverage->max_witness_lag;
    p.count = static_cast<std::uint32_t>(out.reports.size() - p.first);
    out.beacons.push_back(p);
  }
  beacon_blocks_[i] = block;
}

void SensorWorld::verify(const BeaconBatch& batch, const BeaconBatch::Entry& p) {
  const std::span<const WitnessReport> reports = batch.reports_of(p);
  const std::span<const std::uint8_t> forged(batch.forged.data() + p.first, p.count);
  const PocResult& result = oracle_.verify_beacon(
      p.beacon, reports, p.verify_at,
      std::span<const WitnessVerdict>(batch.prechecked.data() + p.first, p.count));

  CoverageTally& c = coverage_now_;
  const auto bb = static_cast<std::size_t>(sensors_.behaviour[p.beacon.beaconer]);
  ++c.beacons[bb];
  if (result.beacon == BeaconVerdict::valid) ++c.beacons_valid[bb];
  for (std::size_t k = 0; k < reports.size(); ++k) {
    const Behaviour wb = sensors_.behaviour[reports[k].witness];
    const auto w = static_cast<std::size_t>(wb);
    const WitnessVerdict v = result.witnesses[k];
    ++c.reports[w];
    const bool rewarded = v == WitnessVerdict::valid;
    c.reports_valid[w] += rewarded ? 1 : 0;
    if (forged[k] != 0) {
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
