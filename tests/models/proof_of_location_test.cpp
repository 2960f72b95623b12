#include "models/validation/proof_of_location.hpp"

#include <cmath>
#include <numbers>
#include <vector>

#include <catch2/catch.hpp>

#include "models/field/radio_channel.hpp"
#include "models/validation/radio.hpp"
#include "sim/random.hpp"

using models::LocationSpec;
using models::PositionKm;
using models::ProofOfLocation;
using models::WitnessObservation;
using sim::Time;

namespace {

/// What a witness at distance d hears under the log-distance model with exponent n beyond
/// d0 = reference_m (free space within it), plus shadowing noise in dB.
double heard_dbm(const LocationSpec& spec, double distance_km, double noise_db = 0.0) {
  const double d_m = distance_km * 1000.0, d0 = spec.reference_m;
  const double loss_db = d_m <= d0 ? models::radio::free_space_path_loss_db(d_m, spec.frequency_hz)
                                   : models::radio::free_space_path_loss_db(d0, spec.frequency_hz) +
                                         10.0 * spec.path_loss_exponent * std::log10(d_m / d0);
  return spec.tx_power_dbm + spec.antenna_gain_dbi - loss_db + noise_db;
}

/// `count` witnesses around a transmitter at `at`, between min_km and max_km away in all
/// directions.
std::vector<WitnessObservation> witnesses_around(const LocationSpec& spec, PositionKm at, int count,
                                                 double noise_sd_db, sim::RandomStream& rng,
                                                 double min_km = 0.3, double max_km = 3.0) {
  std::vector<WitnessObservation> out;
  for (int k = 0; k < count; ++k) {
    const double angle = 2 * std::numbers::pi * (k + rng.uniform()) / count;
    const double r_km = rng.uniform(min_km, max_km);
    const WitnessObservation o{at.x_km + r_km * std::cos(angle), at.y_km + r_km * std::sin(angle),
                               heard_dbm(spec, r_km, rng.normal(0, noise_sd_db))};
    out.push_back(o);
  }
  return out;
}

}  // namespace

TEST_CASE("models::ProofOfLocation: inverts the path-loss model and the free-space bound",
          "[unit]") {
  LocationSpec spec;
  const ProofOfLocation pol(spec, std::vector<double>{}, std::vector<double>{});
  for (double d_km : {0.05, 0.5, 2.0, 15.0})
    CHECK(pol.implied_distance_km(heard_dbm(spec, d_km)) == Approx(d_km).epsilon(1e-12));
  // Free space: the distance at which FSPL equals the whole link budget.
  const double loss_db = spec.tx_power_dbm - (-100.0);
  CHECK(models::radio::free_space_path_loss_db(pol.max_distance_km(-100.0) * 1000,
                                               spec.frequency_hz) == Approx(loss_db));
  // n > 2 loses more than free space beyond d0, so the model's distance is the shorter one.
  CHECK(pol.implied_distance_km(-100.0) < pol.max_distance_km(-100.0));
}

TEST_CASE(
    "models::ProofOfLocation: given the radio channel's parameters, its ranges are the "
    "channel's distances",
    "[unit]") {
  // The simulated channel (models/field/radio_channel.hpp) is free space up to its reference_m;
  // a model with another d0 would read every signal as a distance off by (d0'/d0)^(1 - 2/n),
  // 10x at n = 4 for 1 m against 100 m.
  const models::RadioSpec radio;
  CHECK(LocationSpec{}.reference_m == radio.reference_m);
  LocationSpec spec;
  spec.path_loss_exponent = radio.path_loss_exponent;
  spec.frequency_hz = radio.frequency_hz;
  spec.tx_power_dbm = 27.0;
  spec.antenna_gain_dbi = 6.0;
  const ProofOfLocation pol(spec, std::vector<double>{}, std::vector<double>{});
  for (double d_km : {0.03, 0.1, 0.4, 3.0, 18.0}) {
    const double heard = models::mean_received_dbm(radio, 27.0, 3.0, 3.0, d_km * 1000.0);
    CHECK(pol.implied_distance_km(heard) == Approx(d_km).epsilon(1e-9));
  }
}

TEST_CASE("models::ProofOfLocation: locates a transmitter exactly from noiseless witnesses",
          "[unit]") {
  auto rng = sim::RandomStreams(21, 0).stream("pol");
  for (const double n : {2.0, 2.7, 3.5}) {
    LocationSpec spec;
    spec.path_loss_exponent = n;
    const ProofOfLocation pol(spec, std::vector<double>{}, std::vector<double>{});
    for (int trial = 0; trial < 50; ++trial) {
      const PositionKm at{rng.uniform(-200, 200), rng.uniform(-200, 200)};
      const auto w = witnesses_around(spec, at, 3 + trial % 8, 0.0, rng);
      const auto found = pol.estimate(w);
      REQUIRE(found);
      REQUIRE(std::hypot(found->x_km - at.x_km, found->y_km - at.y_km) < 1e-6);
    }
  }
}

TEST_CASE("models::ProofOfLocation: keeps the estimate within reach of disagreeing witnesses",
          "[unit]") {
  // Three witnesses with 8 dB shadowing can make the least-squares fit run away; the estimate
  // must stay within the largest implied distance of the witnesses' weighted centroid. (A
  // near witness heard loudly can outweigh the others until the weighted spread is nearly a
  // line, and then no position is fixed: rare, and allowed.)
  const LocationSpec spec;
  const ProofOfLocation pol(spec, std::vector<double>{}, std::vector<double>{});
  auto rng = sim::RandomStreams(28, 0).stream("pol");
  int fixed = 0;
  constexpr int kTrials = 2000;
  for (int trial = 0; trial < kTrials; ++trial) {
    const auto w = witnesses_around(spec, {0, 0}, 3, 8.0, rng);
    double sum_w = 0, cx = 0, cy = 0, reach = 0;
    for (const WitnessObservation& o : w) {
      const double d = pol.implied_distance_km(o.signal_dbm);
      sum_w += 1 / (d * d);
      cx += o.x_km / (d * d);
      cy += o.y_km / (d * d);
      reach = std::max(reach, d);
    }
    const auto found = pol.estimate(w);
    if (!found) continue;
    ++fixed;
    REQUIRE(std::hypot(found->x_km - cx / sum_w, found->y_km - cy / sum_w) <= reach * (1 + 1e-12));
  }
  CHECK(fixed >= kTrials * 99 / 100);
}

TEST_CASE("models::ProofOfLocation: cannot fix a position from too few or collinear witnesses",
          "[unit]") {
  const LocationSpec spec;
  const ProofOfLocation pol(spec, std::vector<double>{}, std::vector<double>{});
  const std::vector<WitnessObservation> two{{1, 0, heard_dbm(spec, 1)}, {0, 1, heard_dbm(spec, 1)}};
  CHECK(!pol.estimate(two));
  // Three witnesses on the x axis hear a transmitter at (0, 1): its mirror (0, −1) fits as well.
  std::vector<WitnessObservation> line;
  for (double x : {-1.0, 0.5, 2.0})
    line.push_back({x, 0.0, heard_dbm(spec, std::hypot(x, 1.0))});
  CHECK(!pol.estimate(line));
}

TEST_CASE("models::ProofOfLocation: honest nodes with witnesses around them score 1", "[unit]") {
  // 200 honest nodes, 8 witnesses each between 0.3 and 3 km, 4 dB shadowing.
  const LocationSpec spec;
  auto rng = sim::RandomStreams(22, 0).stream("pol");
  std::vector<double> x, y;
  for (int i = 0; i < 200; ++i) {
    x.push_back(rng.uniform(0, 100));
    y.push_back(rng.uniform(0, 100));
  }
  ProofOfLocation pol(spec, x, y);
  for (std::uint32_t i = 0; i < 200; ++i) {
    CHECK(pol.score(i, Time::days(1)) == spec.initial_score);
    pol.observe(i, Time::days(1), witnesses_around(spec, {x[i], y[i]}, 8, 4.0, rng));
    CHECK(pol.score(i, Time::days(1)) == 1.0);
  }
}

TEST_CASE("models::ProofOfLocation: a spoofer claiming 20 km from where it is heard scores 0",
          "[unit]") {
  const LocationSpec spec;
  auto rng = sim::RandomStreams(23, 0).stream("pol");
  for (int trial = 0; trial < 50; ++trial) {
    const PositionKm truth{rng.uniform(0, 100), rng.uniform(0, 100)};
    const double angle = rng.uniform(0, 2 * std::numbers::pi);
    const std::vector<double> x{truth.x_km + 20 * std::cos(angle)};
    const std::vector<double> y{truth.y_km + 20 * std::sin(angle)};
    ProofOfLocation pol(spec, x, y);
    pol.observe(0, Time::days(1), witnesses_around(spec, truth, 8, 4.0, rng));
    REQUIRE(pol.score(0, Time::days(1)) == 0.0);
  }
}

TEST_CASE("models::ProofOfLocation: the score falls linearly between tolerance and zero_score",
          "[unit]") {
  // Noiseless witnesses place the transmitter exactly, so a claim offset by 6 km scores
  // (10 − 6)/(10 − 2) = 0.5 with the default tolerance 2 km and zero_score 10 km. The
  // witnesses are 1.5-3 km out with n = 3.5, so that the free-space bound (at least 11.4 km
  // from each) passes every claim up to 8 km off and only the geometry scores.
  LocationSpec spec;
  spec.path_loss_exponent = 3.5;
  auto rng = sim::RandomStreams(24, 0).stream("pol");
  const PositionKm truth{50, 50};
  for (const auto& [offset_km, expected] :
       std::vector<std::pair<double, double>>{{1.9, 1.0}, {6.0, 0.5}, {8.0, 0.25}, {10.5, 0.0}}) {
    ProofOfLocation pol(spec, std::vector<double>{50 + offset_km}, std::vector<double>{50});
    pol.observe(0, Time{}, witnesses_around(spec, truth, 6, 0.0, rng, 1.5, 3.0));
    CHECK(pol.score(0, Time{}) == Approx(expected).margin(1e-9));
  }
}

TEST_CASE(
    "models::ProofOfLocation: a witness heard too strongly for its distance refutes the claim",
    "[unit]") {
  // Only two witnesses: no position can be fixed, so the last PoL stands unless the free-space
  // bound is broken. A −60 dBm report allows at most ~0.6 km in free space; these witnesses are
  // 5 km from the claim.
  const LocationSpec spec;
  ProofOfLocation pol(spec, std::vector<double>{0.0}, std::vector<double>{0.0});
  auto rng = sim::RandomStreams(25, 0).stream("pol");
  pol.observe(0, Time{}, witnesses_around(spec, {0, 0}, 8, 0.0, rng));
  REQUIRE(pol.score(0, Time{}) == 1.0);
  REQUIRE(pol.max_distance_km(-60.0) < 1.0);
  const std::vector<WitnessObservation> fair{{1, 0, heard_dbm(spec, 1)},
                                             {0, 1, heard_dbm(spec, 1)}};
  pol.observe(0, Time::hours(1), fair);
  CHECK(pol.score(0, Time::hours(1)) == 1.0);
  const std::vector<WitnessObservation> half{{5, 0, -60.0}, {0, 1, heard_dbm(spec, 1)}};
  pol.observe(0, Time::hours(2), half);
  CHECK(pol.score(0, Time::hours(2)) == 0.5);
  const std::vector<WitnessObservation> loud{{5, 0, -60.0}, {0, 5, -60.0}};
  pol.observe(0, Time::hours(3), loud);
  CHECK(pol.score(0, Time::hours(3)) == 0.0);
  // The bound cannot raise a score back: consistent but too few witnesses keep 0.
  pol.observe(0, Time::hours(4), fair);
  CHECK(pol.score(0, Time::hours(4)) == 0.0);
}

TEST_CASE("models::ProofOfLocation: a node without witnesses keeps its last score", "[unit]") {
  const LocationSpec spec;
  auto rng = sim::RandomStreams(26, 0).stream("pol");
  ProofOfLocation pol(spec, std::vector<double>{10, 40}, std::vector<double>{10, 10});
  pol.observe(0, Time::days(1), witnesses_around(spec, {10, 10}, 6, 0.0, rng));
  pol.observe(1, Time::days(1), witnesses_around(spec, {60, 10}, 6, 0.0, rng));  // 20 km off
  REQUIRE(pol.score(0, Time::days(1)) == 1.0);
  REQUIRE(pol.score(1, Time::days(1)) == 0.0);
  pol.observe(0, Time::days(2), std::vector<WitnessObservation>{});
  pol.observe(1, Time::days(2), std::vector<WitnessObservation>{});
  CHECK(pol.score(0, Time::days(5)) == 1.0);
  CHECK(pol.score(1, Time::days(5)) == 0.0);
}

TEST_CASE("models::ProofOfLocation: a relocation reads 0 for exactly 7 days (WeatherXM)",
          "[unit]") {
  const LocationSpec spec;
  REQUIRE(spec.relocation_lockout == Time::days(7));
  auto rng = sim::RandomStreams(27, 0).stream("pol");
  ProofOfLocation pol(spec, std::vector<double>{10}, std::vector<double>{10});
  pol.observe(0, Time::days(1), witnesses_around(spec, {10, 10}, 6, 0.0, rng));
  REQUIRE(pol.score(0, Time::days(2)) == 1.0);

  const Time moved = Time::days(10) + Time::hours(5);
  pol.relocate(0, 30, 30, moved);
  CHECK(pol.claimed(0).x_km == 30);
  // A beacon heard before the move (at the old place) arrives late: ignored.
  pol.observe(0, moved - Time::hours(1), witnesses_around(spec, {10, 10}, 6, 0.0, rng));
  // Honest evidence at the new place, during the lockout.
  pol.observe(0, moved + Time::days(1), witnesses_around(spec, {30, 30}, 6, 0.0, rng));
  CHECK(pol.score(0, moved) == 0.0);
  CHECK(pol.score(0, moved + Time::days(7) - Time::micros(1)) == 0.0);
  CHECK(pol.score(0, moved + Time::days(7)) == 1.0);

  // Without evidence after the move, PoL restarts at initial_score.
  ProofOfLocation quiet(spec, std::vector<double>{10}, std::vector<double>{10});
  quiet.observe(0, Time::days(1), witnesses_around(spec, {10, 10}, 6, 0.0, rng));
  quiet.relocate(0, 30, 30, moved);
  CHECK(quiet.score(0, moved + Time::days(8)) == spec.initial_score);
}

TEST_CASE("models::read_location_spec: reads the keys and refuses zero_score below tolerance",
          "[unit]") {
  using sim::config::Document;
  using sim::config::Reader;
  using sim::config::Section;
  const Document ok =
      Document::load_string("relocation_lockout: 2d\npath_loss_exponent: 3\n", "l.yaml");
  Reader r(ok);
  const LocationSpec spec =
      models::read_location_spec(Section::root(r, YAML::Node(YAML::NodeType::Map)));
  CHECK(r.ok());
  CHECK(spec.relocation_lockout == Time::days(2));
  CHECK(spec.path_loss_exponent == 3.0);
  CHECK(spec.tolerance_km == 2.0);
  const Document bad = Document::load_string("tolerance_km: 5\nzero_score_km: 4\n", "l.yaml");
  Reader rb(bad);
  models::read_location_spec(Section::root(rb, YAML::Node(YAML::NodeType::Map)));
  CHECK(rb.problems().size() == 1);
}
