#include "models/validation/proof_of_coverage.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "models/validation/radio.hpp"

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

namespace {

/// Helium rounds reward units to 4 decimals with rust_decimal's round_dp, which breaks ties to
/// even; nearbyint does the same in the default rounding mode.
double round_4dp(double x) {
  return std::nearbyint(x * 1e4) / 1e4;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

std::uint64_t edge_key(std::uint32_t a, std::uint32_t b) {
  if (a > b) std::swap(a, b);
  return (std::uint64_t{a} << 32) | b;
}

void check_spec(const PocSpec& s) {
  const auto bad = [](const char* what) {
    throw std::invalid_argument(std::string("ProofOfCoverage: ") + what);
  };
  if (s.beacon_interval <= Time{} || Time::days(1) % s.beacon_interval != Time{}) {
    bad("beacon_interval must be positive and divide 24 h");
  }
  if (s.entropy_lifespan < Time{} || s.max_witness_lag < Time{} ||
      s.max_lag_after_first_witness < Time{} || s.reciprocity_window <= Time{}) {
    bad("durations must be non-negative (reciprocity_window positive)");
  }
  if (s.max_witnesses < 1 || s.witness_redundancy < 1) bad("witness counts must be >= 1");
  if (!(s.decay_rate >= 0.0 && s.decay_rate <= 1.0)) bad("decay_rate must be in [0, 1]");
  if (!(s.min_distance_km >= 0.0 && s.min_distance_km < s.max_distance_km)) {
    bad("need 0 <= min_distance_km < max_distance_km");
  }
  if (!(s.max_frequency_offset_hz >= 0.0)) bad("max_frequency_offset_hz must be >= 0");
}

}  // namespace

double beaconer_reward_units(int witnesses, int redundancy, double decay) {
  if (redundancy < 1) throw std::invalid_argument("beaconer_reward_units: redundancy < 1");
  if (witnesses <= 0) return 0.0;
  if (witnesses <= redundancy) return round_4dp(double(witnesses) / redundancy);
  return round_4dp(std::min(2.0, 2.0 - std::pow(decay, witnesses - redundancy)));
}

double witness_reward_units(int witnesses, int redundancy, double decay) {
  if (redundancy < 1) throw std::invalid_argument("witness_reward_units: redundancy < 1");
  if (witnesses <= 0) return 0.0;
  if (witnesses <= redundancy) return 1.0;
  const double pooled = redundancy - (1.0 - std::pow(decay, witnesses - redundancy));
  return round_4dp(std::min(2.0, pooled / witnesses));
}

std::string_view name_of(BeaconVerdict v) {
  switch (v) {
    case BeaconVerdict::valid:
      return "valid";
    case BeaconVerdict::denied:
      return "denied";
    case BeaconVerdict::entropy_window:
      return "entropy_window";
    case BeaconVerdict::too_frequent:
      return "too_frequent";
  }
  return "unknown";
}

std::string_view name_of(WitnessVerdict v) {
  switch (v) {
    case WitnessVerdict::valid:
      return "valid";
    case WitnessVerdict::beacon_invalid:
      return "beacon_invalid";
    case WitnessVerdict::duplicate:
      return "duplicate";
    case WitnessVerdict::denied:
      return "denied";
    case WitnessVerdict::self_witness:
      return "self_witness";
    case WitnessVerdict::entropy_window:
      return "entropy_window";
    case WitnessVerdict::too_late:
      return "too_late";
    case WitnessVerdict::payload:
      return "payload";
    case WitnessVerdict::frequency:
      return "frequency";
    case WitnessVerdict::too_close:
      return "too_close";
    case WitnessVerdict::too_far:
      return "too_far";
    case WitnessVerdict::rssi_too_strong:
      return "rssi_too_strong";
    case WitnessVerdict::no_reciprocity:
      return "no_reciprocity";
    case WitnessVerdict::not_selected:
      return "not_selected";
  }
  return "unknown";
}

ProofOfCoverage::ProofOfCoverage(const PocSpec& spec, std::span<const double> claimed_x_km,
                                 std::span<const double> claimed_y_km)
    : spec_(spec),
      x_km_(claimed_x_km.begin(), claimed_x_km.end()),
      y_km_(claimed_y_km.begin(), claimed_y_km.end()),
      denied_(claimed_x_km.size(), false),
      last_bucket_(claimed_x_km.size()),
      last_reciprocal_beacon_(claimed_x_km.size()) {
  if (claimed_x_km.size() != claimed_y_km.size()) {
    throw std::invalid_argument("ProofOfCoverage: x/y sizes");
  }
  check_spec(spec);
}

void ProofOfCoverage::relocate(std::uint32_t hotspot, double x_km, double y_km) {
  x_km_.at(hotspot) = x_km;
  y_km_.at(hotspot) = y_km;
}

void ProofOfCoverage::deny(std::uint32_t hotspot) {
  denied_.at(hotspot) = true;
}

void ProofOfCoverage::deny_edge(std::uint32_t beaconer, std::uint32_t witness) {
  if (beaconer >= hotspots() || witness >= hotspots()) {
    throw std::out_of_range("ProofOfCoverage: unknown hotspot");
  }
  denied_edges_.insert(edge_key(beaconer, witness));
}

bool ProofOfCoverage::edge_denied(std::uint32_t a, std::uint32_t b) const {
  return !denied_edges_.empty() && denied_edges_.count(edge_key(a, b)) != 0;
}

double ProofOfCoverage::distance_km(std::uint32_t a, std::uint32_t b) const {
  // Kilometres never overflow, so no std::hypot, whose guard this hot path notices.
  const double dx = x_km_.at(a) - x_km_.at(b), dy = y_km_.at(a) - y_km_.at(b);
  return std::sqrt(dx * dx + dy * dy);
}

WitnessVerdict ProofOfCoverage::check_witness(const Beacon& b, const WitnessReport& w,
                                              Time first_witness) const {
  using V = WitnessVerdict;
  if (denied_[w.witness] || edge_denied(b.beaconer, w.witness)) return V::denied;
  if (w.witness == b.beaconer) return V::self_witness;
  if (w.received < b.entropy_start || w.received > b.entropy_start + spec_.entropy_lifespan) {
    return V::entropy_window;
  }
  // poc.rs verify_witness_lag: measured from whichever came first, the beacon or a witness.
  const bool beacon_first = b.received <= first_witness;
  const Time lag = w.received - (beacon_first ? b.received : first_witness);
  if (lag > (beacon_first ? spec_.max_witness_lag : spec_.max_lag_after_first_witness)) {
    return V::too_late;
  }
  if (w.payload != b.payload) return V::payload;
  if (std::abs(w.frequency_hz - b.frequency_hz) > spec_.max_frequency_offset_hz) {
    return V::frequency;
  }
  const double d_km = distance_km(b.beaconer, w.witness);
  if (d_km < spec_.min_distance_km) return V::too_close;
  if (d_km > spec_.max_distance_km) return V::too_far;
  // Helium evaluates free-space loss at the witness's reported frequency.
  if (w.signal_dbm > radio::expected_rssi_dbm(b.tx_power_dbm, b.gain_ddbi, w.gain_ddbi,
                                              d_km * 1000.0, w.frequency_hz)) {
    return V::rssi_too_strong;
  }
  return V::valid;
}

WitnessVerdict ProofOfCoverage::check_reciprocity(const WitnessReport& w) const {
  const auto& last = last_reciprocal_beacon_[w.witness];
  if (!last || w.received - *last >= spec_.reciprocity_window) {
    return WitnessVerdict::no_reciprocity;
  }
  return WitnessVerdict::valid;
}

namespace {

Time first_receipt(std::span<const WitnessReport> witnesses) {
  Time first = Time::max();
  for (const WitnessReport& w : witnesses)
    first = std::min(first, w.received);
  return first;
}

// Reports by (hotspot, receipt, input position): the first of each hotspot is judged, any
// later one is a duplicate, whatever order the reports arrived in.
void by_witness(std::span<const WitnessReport> witnesses, std::vector<std::size_t>& order) {
  order.resize(witnesses.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) {
    const WitnessReport& a = witnesses[i];
    const WitnessReport& c = witnesses[j];
    if (a.witness != c.witness) return a.witness < c.witness;
    if (a.received != c.received) return a.received < c.received;
    return i < j;
  });
}

}  // namespace

std::vector<WitnessVerdict> ProofOfCoverage::precheck(
    const Beacon& b, std::span<const WitnessReport> witnesses) const {
  std::vector<WitnessVerdict> v(witnesses.size());
  precheck(b, witnesses, v);
  return v;
}

void ProofOfCoverage::precheck(const Beacon& b, std::span<const WitnessReport> witnesses,
                               std::span<WitnessVerdict> v) const {
  if (b.beaconer >= hotspots()) throw std::out_of_range("ProofOfCoverage: unknown beaconer");
  for (const WitnessReport& w : witnesses) {
    if (w.witness >= hotspots()) throw std::out_of_range("ProofOfCoverage: unknown witness");
  }
  if (v.size() != witnesses.size()) {
    throw std::invalid_argument("ProofOfCoverage: one precheck verdict per report");
  }
  const Time first_witness = first_receipt(witnesses);
  thread_local std::vector<std::size_t> order;
  by_witness(witnesses, order);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::size_t i = order[k];
    v[i] = k > 0 && witnesses[order[k - 1]].witness == witnesses[i].witness
               ? WitnessVerdict::duplicate
               : check_witness(b, witnesses[i], first_witness);
  }
}

PocResult ProofOfCoverage::verify(const Beacon& b, std::span<const WitnessReport> witnesses,
                                  std::span<const WitnessVerdict> prechecked) {
  PocResult r;
  verify(b, witnesses, prechecked, r);
  return r;
}

void ProofOfCoverage::verify(const Beacon& b, std::span<const WitnessReport> witnesses,
                             std::span<const WitnessVerdict> prechecked, PocResult& r) {
  if (!prechecked.empty() && prechecked.size() != witnesses.size()) {
    throw std::invalid_argument("ProofOfCoverage: one prechecked verdict per report");
  }
  if (b.beaconer >= hotspots()) throw std::out_of_range("ProofOfCoverage: unknown beaconer");
  for (const WitnessReport& w : witnesses) {
    if (w.witness >= hotspots()) throw std::out_of_range("ProofOfCoverage: unknown witness");
  }
  if (last_verified_ && b.received < *last_verified_) {
    throw std::invalid_argument("ProofOfCoverage: beacons must be verified in order of receipt");
  }
  last_verified_ = b.received;

  r.beacon = BeaconVerdict::valid;
  r.selected = 0;
  r.beaconer_units = r.units_per_witness = 0.0;
  r.witnesses.assign(witnesses.size(), WitnessVerdict::beacon_invalid);
  const std::int64_t bucket = floor_div(b.received.ticks(), spec_.beacon_interval.ticks());
  const auto& last_bucket = last_bucket_[b.beaconer];
  if (denied_[b.beaconer]) {
    r.beacon = BeaconVerdict::denied;
  } else if (b.received < b.entropy_start ||
             b.received > b.entropy_start + spec_.entropy_lifespan) {
    r.beacon = BeaconVerdict::entropy_window;
  } else if (last_bucket && bucket <= *last_bucket) {
    r.beacon = BeaconVerdict::too_frequent;
  }
  if (r.beacon != BeaconVerdict::valid) return;
  // poc.rs: the bucket is used up only by a beacon somebody reported hearing.
  if (!witnesses.empty()) last_bucket_[b.beaconer] = bucket;

  // Everything but reciprocity needs no history (duplicates included): precheck() it, or take
  // what the caller prechecked.
  std::vector<WitnessVerdict> fresh;
  if (prechecked.empty()) {
    fresh = precheck(b, witnesses);
    prechecked = fresh;
  }
  std::vector<std::size_t>& passed = passed_;
  passed.clear();
  bool heard = false;  // a report passed every check but reciprocity
  for (std::size_t i = 0; i < witnesses.size(); ++i) {
    const WitnessVerdict fixed = prechecked[i];
    r.witnesses[i] = fixed == WitnessVerdict::valid ? check_reciprocity(witnesses[i]) : fixed;
    if (r.witnesses[i] == WitnessVerdict::valid) passed.push_back(i);
    heard = heard || r.witnesses[i] == WitnessVerdict::valid ||
            r.witnesses[i] == WitnessVerdict::no_reciprocity;
  }
  // HIP-83 "first to respond": the earliest receipts are rewarded; ties go to the lower id.
  std::sort(passed.begin(), passed.end(), [&](std::size_t i, std::size_t j) {
    if (witnesses[i].received != witnesses[j].received) {
      return witnesses[i].received < witnesses[j].received;
    }
    return witnesses[i].witness < witnesses[j].witness;
  });
  const auto max_selected = static_cast<std::size_t>(spec_.max_witnesses);
  for (std::size_t k = max_selected; k < passed.size(); ++k) {
    r.witnesses[passed[k]] = WitnessVerdict::not_selected;
  }
  r.selected = static_cast<int>(std::min(passed.size(), max_selected));
  r.beaconer_units = beaconer_reward_units(r.selected, spec_.witness_redundancy, spec_.decay_rate);
  r.units_per_witness =
      witness_reward_units(r.selected, spec_.witness_redundancy, spec_.decay_rate);
  // Reciprocity counts a valid beacon that someone verifiably heard; requiring a witness that
  // passed reciprocity too would deadlock a network that starts with no history.
  if (heard) last_reciprocal_beacon_[b.beaconer] = b.received;
}

PocSpec read_poc_spec(Section s) {
  PocSpec v;
  static constexpr std::array<std::string_view, 1> kKinds{"helium_poc"};
  s.choice("kind", "helium_poc", kKinds, "which proof of coverage the oracle runs");
  v.beacon_interval = s.duration("beacon_interval", v.beacon_interval, Time::seconds(1),
                                 "at most one beacon per hotspot per interval; must divide 24 h");
  if (Time::days(1) % v.beacon_interval != Time{}) {
    s.problem("beacon_interval",
              "must divide 24 h, found " + sim::format_duration(v.beacon_interval));
  }
  v.entropy_lifespan = s.duration("entropy_lifespan", v.entropy_lifespan, Time{},
                                  "how long after its entropy a beacon or witness is accepted");
  v.max_witness_lag = s.duration("max_witness_lag", v.max_witness_lag, Time{},
                                 "latest a witness may arrive after the beacon");
  v.max_lag_after_first_witness =
      s.duration("max_lag_after_first_witness", v.max_lag_after_first_witness, Time{},
                 "latest a witness may arrive after the first witness, when that beat the beacon");
  v.max_frequency_offset_hz =
      s.number("max_frequency_offset_hz", v.max_frequency_offset_hz, "Hz", Range::at_least(0.0),
               "largest difference between the witness's and the beacon's frequency");
  v.min_distance_km = s.number("min_distance_km", v.min_distance_km, "km", Range::at_least(0.0),
                               "closest a witness may claim to be to the beaconer");
  v.max_distance_km = s.number("max_distance_km", v.max_distance_km, "km", Range::above(0.0),
                               "farthest a witness may claim to be from the beaconer");
  if (v.max_distance_km <= v.min_distance_km) {
    s.problem("max_distance_km", "must be greater than min_distance_km");
  }
  v.reciprocity_window = s.duration("reciprocity_window", v.reciprocity_window, Time::seconds(1),
                                    "a witness must have beaconed validly within this window");
  v.max_witnesses =
      static_cast<int>(s.integer("max_witnesses", v.max_witnesses, Range::between(1.0, 1000.0),
                                 "witnesses rewarded per beacon, first to respond"));
  v.witness_redundancy = static_cast<int>(
      s.integer("witness_redundancy", v.witness_redundancy, Range::between(1.0, 1000.0),
                "HIP-15 N: witnesses a beacon needs for full beaconer units"));
  v.decay_rate = s.number("decay_rate", v.decay_rate, "", Range::between(0.0, 1.0),
                          "HIP-15 r: decay of the units beyond N witnesses");
  s.finish();
  return v;
}

}  // namespace models
