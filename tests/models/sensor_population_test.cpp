#include "models/nodes/sensor_population.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <catch2/catch.hpp>

using models::Behaviour;
using models::SensorGroupSpec;
using models::SensorPopulation;

namespace {

using Shares = std::array<double, models::kBehaviourCount>;
using Counts = std::array<std::int64_t, models::kBehaviourCount>;

Shares only(Behaviour b) {
  Shares s{};
  s[static_cast<std::size_t>(b)] = 1.0;
  return s;
}

double distance(double ax, double ay, double bx, double by) {
  return std::hypot(ax - bx, ay - by);
}

}  // namespace

TEST_CASE("models::behaviour_counts: exact counts by largest remainder", "[unit]") {
  CHECK(models::behaviour_counts({0.9, 0.04, 0, 0.02, 0, 0, 0.04}, 2000) ==
        Counts{1800, 80, 0, 40, 0, 0, 80});
  // 7 * {0.5, 0.25, 0.25} = {3.5, 1.75, 1.75}: floors 3,1,1 and two more to the largest
  // fractional parts (0.75, 0.75).
  CHECK(models::behaviour_counts({0.5, 0.25, 0.25}, 7) == Counts{3, 2, 2});
  CHECK(models::behaviour_counts({1.0}, 0) == Counts{});
}

TEST_CASE("models::SensorPopulation: builds groups with exact shares inside the region", "[unit]") {
  SensorGroupSpec a;
  a.count = 500;
  a.share = {0.8, 0.1, 0, 0, 0, 0, 0.1};
  SensorGroupSpec b;
  b.count = 100;
  b.share = only(Behaviour::stuck);
  const sim::RandomStreams streams(4, 0);
  const auto p = SensorPopulation::build({a, b}, 30, 20, streams);
  REQUIRE(p.size() == 600);
  CHECK(std::count(p.behaviour.begin(), p.behaviour.begin() + 500, Behaviour::honest) == 400);
  CHECK(std::count(p.behaviour.begin(), p.behaviour.begin() + 500, Behaviour::noisy) == 50);
  CHECK(std::count(p.behaviour.begin() + 500, p.behaviour.end(), Behaviour::stuck) == 100);
  CHECK(*std::max_element(p.x_km.begin(), p.x_km.end()) < 30);
  CHECK(*std::max_element(p.y_km.begin(), p.y_km.end()) < 20);
  CHECK(*std::min_element(p.y_km.begin(), p.y_km.end()) >= 0);
  // Honest-looking nodes claim where they are and are each their own operator.
  CHECK(p.claimed_x_km == p.x_km);
  CHECK(p.operators == 600);
  // Behaviours are shuffled, not in blocks.
  CHECK(std::count(p.behaviour.begin(), p.behaviour.begin() + 100, Behaviour::honest) < 100);

  const auto again = SensorPopulation::build({a, b}, 30, 20, streams);
  CHECK(again.x_km == p.x_km);
  CHECK(again.behaviour == p.behaviour);
}

TEST_CASE("models::SensorPopulation: spoofers, rings and swarms claim places they are not at",
          "[unit]") {
  SensorGroupSpec g;
  g.count = 400;
  g.share = {0.5, 0, 0, 0, 0, 0, 0, 0.1, 0.2, 0.2};  // 200 honest, 40 spoofers, 80 + 80
  g.params.spoof_offset_km = 25;
  g.params.ring_size = 8;
  g.params.ring_radius_km = 10;
  g.params.swarm_size = 10;
  g.params.swarm_spread_km = 3;
  const auto p = SensorPopulation::build({g}, 1000, 1000, sim::RandomStreams(9, 0));
  std::map<std::uint32_t, std::vector<std::size_t>> by_operator;
  for (std::size_t i = 0; i < p.size(); ++i)
    by_operator[p.operator_id[i]].push_back(i);
  // 200 + 40 own operators, 80/8 rings, 80/10 swarms.
  CHECK(p.operators == 200 + 40 + 10 + 8);
  CHECK(by_operator.size() == p.operators);
  for (const auto& [op, members] : by_operator) {
    const std::size_t first = members.front();
    switch (p.behaviour[first]) {
      case Behaviour::spoofer:
        REQUIRE(members.size() == 1);
        // Clamping at the region's edge can only shorten the offset.
        CHECK(distance(p.x_km[first], p.y_km[first], p.claimed_x_km[first],
                       p.claimed_y_km[first]) <= Approx(25));
        break;
      case Behaviour::colluder:
      case Behaviour::sybil: {
        const bool ring = p.behaviour[first] == Behaviour::colluder;
        CHECK(members.size() == (ring ? 8u : 10u));
        std::set<std::pair<double, double>> claims;
        for (std::size_t m : members) {
          CHECK(p.behaviour[m] == p.behaviour[first]);
          CHECK(p.x_km[m] == p.x_km[first]);  // one physical place
          CHECK(distance(p.x_km[m], p.y_km[m], p.claimed_x_km[m], p.claimed_y_km[m]) <=
                (ring ? 10.0 : 3.0));
          claims.insert({p.claimed_x_km[m], p.claimed_y_km[m]});
        }
        CHECK(claims.size() == members.size());  // every virtual node claims its own spot
        break;
      }
      default:
        CHECK(members.size() == 1);
    }
  }
}

TEST_CASE("models::SensorPopulation: each behaviour reports as described", "[unit]") {
  SensorGroupSpec g;
  g.count = static_cast<std::int64_t>(models::kBehaviourCount);
  g.hardware.noise_sd_c = 0.0;
  g.params.noisy_sd_c = 2.0;
  g.params.fabricator_spread_c = 0.0;
  g.params.drift_c_per_day = 0.5;
  g.params.indoor_c = 20.0;
  g.params.indoor_coupling = 0.25;
  g.share.fill(1.0 / static_cast<double>(models::kBehaviourCount));
  const sim::RandomStreams streams(1, 0);
  auto p = SensorPopulation::build({g}, 10, 10, streams);
  const models::TemperatureField field(models::TemperatureFieldSpec{}, streams.stream("field"));
  auto rng = streams.stream("test");
  const sim::Time t1 = sim::Time::days(2), t2 = sim::Time::days(4);
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double v1 = p.reading(i, t1, 12.0, field, rng);
    const double v2 = p.reading(i, t2, 18.0, field, rng);
    INFO(models::name_of(p.behaviour[i]));
    switch (p.behaviour[i]) {
      case Behaviour::honest:
      case Behaviour::intermittent:
      case Behaviour::spoofer:
      case Behaviour::sybil:
        CHECK(v1 == 12.0);  // they measure truly (where they physically are)
        CHECK(v2 == 18.0);
        break;
      case Behaviour::noisy:
        CHECK(v1 != 12.0);
        break;
      case Behaviour::drifting:
        CHECK(std::abs(v1 - 12.0) == Approx(1.0));  // 0.5 degC a day, after 2 and 4 days
        CHECK(std::abs(v2 - 18.0) == Approx(2.0));
        break;
      case Behaviour::indoor:
        CHECK(v1 == Approx(20.0 + 0.25 * (12.0 - 20.0)));
        break;
      case Behaviour::fabricator:
      case Behaviour::colluder:
        CHECK(v1 == field.climatology(t1));  // knows the climatology, not the weather
        CHECK(v2 == field.climatology(t2));
        break;
      case Behaviour::stuck:
        CHECK(v1 == 12.0);
        CHECK(v2 == 12.0);  // repeats its first reading
        break;
    }
  }
}

TEST_CASE("models::SensorPopulation: intermittent nodes are online the share of periods asked",
          "[unit]") {
  SensorGroupSpec g;
  g.count = 200;
  g.share = only(Behaviour::intermittent);
  g.params.uptime = 0.7;
  g.params.outage_period = sim::Time::hours(6);
  const auto p = SensorPopulation::build({g}, 10, 10, sim::RandomStreams(3, 0));
  int online = 0, total = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    for (int period = 0; period < 100; ++period) {
      const sim::Time t = sim::Time::hours(6 * period + 1);
      const bool up = p.online(i, t);
      CHECK(up == p.online(i, t + sim::Time::hours(4)));  // the same within a period
      online += up ? 1 : 0;
      ++total;
    }
  }
  // 20,000 Bernoulli(0.7) draws: sd 0.0032, so 0.7 +- 0.02 is over 6 sd.
  CHECK(static_cast<double>(online) / total == Approx(0.7).margin(0.02));
}

TEST_CASE("models::SensorPopulation: hardware fails at the configured rate", "[unit]") {
  SensorGroupSpec g;
  g.count = 5000;
  g.share = only(Behaviour::honest);
  g.hardware.failure_per_year = 0.5;
  const auto p = SensorPopulation::build({g}, 10, 10, sim::RandomStreams(5, 0));
  const sim::Time year = sim::Time::years(1);
  const auto failed =
      std::count_if(p.fails_at.begin(), p.fails_at.end(), [&](sim::Time t) { return t < year; });
  // P(fail within a year) = 1 - exp(-0.5) = 0.3935; 5000 draws: sd 0.0069.
  CHECK(static_cast<double>(failed) / 5000.0 == Approx(1 - std::exp(-0.5)).margin(0.03));
  const auto first = std::min_element(p.fails_at.begin(), p.fails_at.end()) - p.fails_at.begin();
  CHECK_FALSE(p.online(static_cast<std::size_t>(first), p.fails_at[first]));
  CHECK(p.online(static_cast<std::size_t>(first), p.fails_at[first] - sim::Time::seconds(1)));
}

TEST_CASE("models::SensorPopulation: ids follow place within each group", "[unit]") {
  SensorGroupSpec a;
  a.count = 300;
  a.share = {0.5, 0, 0, 0, 0, 0, 0, 0, 0.3, 0.2};
  SensorGroupSpec b = a;
  b.sampling = sim::Time::hours(6);
  const auto p = SensorPopulation::build({a, b}, 100, 100, sim::RandomStreams(8, 0));
  // Consecutive ids are near each other: their mean distance is far below that of random pairs
  // (about 52 km on 100 km x 100 km).
  double consecutive = 0;
  for (std::size_t i = 1; i < 300; ++i)
    consecutive += distance(p.x_km[i], p.y_km[i], p.x_km[i - 1], p.y_km[i - 1]);
  CHECK(consecutive / 299 < 20.0);
  CHECK(std::all_of(p.group.begin(), p.group.begin() + 300, [](auto g) { return g == 0; }));
  // Renumbering moves whole rows: every ring and swarm still shares one operator and one place.
  for (std::size_t i = 0; i < p.size(); ++i) {
    for (std::size_t j = 0; j < p.size(); ++j) {
      if (p.operator_id[i] == p.operator_id[j]) {
        CHECK(p.x_km[i] == p.x_km[j]);
        CHECK(p.behaviour[i] == p.behaviour[j]);
      }
    }
  }
}
