#include "models/nodes/sensor_population.hpp"

#include <algorithm>

#include <catch2/catch.hpp>

using models::Behaviour;
using models::SensorGroupSpec;
using models::SensorPopulation;

TEST_CASE("models::behaviour_counts: exact counts by largest remainder", "[unit]") {
  CHECK(models::behaviour_counts({0.9, 0.04, 0.04, 0.02}, 2000) ==
        std::array<std::int64_t, 4>{1800, 80, 80, 40});
  // 7 * {0.5, 0.25, 0.25, 0} = {3.5, 1.75, 1.75, 0}: floors 3,1,1 and two more to the largest
  // fractional parts (0.75, 0.75).
  CHECK(models::behaviour_counts({0.5, 0.25, 0.25, 0.0}, 7) ==
        std::array<std::int64_t, 4>{3, 2, 2, 0});
  CHECK(models::behaviour_counts({1.0, 0, 0, 0}, 0) == std::array<std::int64_t, 4>{0, 0, 0, 0});
}

TEST_CASE("models::SensorPopulation: builds groups with exact shares inside the region", "[unit]") {
  SensorGroupSpec a;
  a.count = 500;
  a.share = {0.8, 0.1, 0.1, 0.0};
  SensorGroupSpec b;
  b.count = 100;
  b.share = {0.0, 0.0, 0.0, 1.0};
  const sim::RandomStreams streams(4, 0);
  const auto p = SensorPopulation::build({a, b}, 30, 20, streams);
  REQUIRE(p.size() == 600);
  CHECK(std::count(p.behaviour.begin(), p.behaviour.begin() + 500, Behaviour::honest) == 400);
  CHECK(std::count(p.behaviour.begin(), p.behaviour.begin() + 500, Behaviour::noisy) == 50);
  CHECK(std::count(p.behaviour.begin() + 500, p.behaviour.end(), Behaviour::stuck) == 100);
  CHECK(*std::max_element(p.x_km.begin(), p.x_km.end()) < 30);
  CHECK(*std::max_element(p.y_km.begin(), p.y_km.end()) < 20);
  CHECK(*std::min_element(p.y_km.begin(), p.y_km.end()) >= 0);
  // Behaviours are shuffled, not in blocks.
  CHECK(std::count(p.behaviour.begin(), p.behaviour.begin() + 100, Behaviour::honest) < 100);

  const auto again = SensorPopulation::build({a, b}, 30, 20, streams);
  CHECK(again.x_km == p.x_km);
  CHECK(again.behaviour == p.behaviour);
}

TEST_CASE("models::SensorPopulation: each behaviour reports as described", "[unit]") {
  SensorGroupSpec g;
  g.count = 4;
  g.noise_sd_c = 0.0;
  g.noisy_sd_c = 2.0;
  g.fabricator_spread_c = 0.0;
  g.share = {0.25, 0.25, 0.25, 0.25};
  const sim::RandomStreams streams(1, 0);
  auto p = SensorPopulation::build({g}, 10, 10, streams);
  const models::TemperatureField field(models::TemperatureFieldSpec{}, streams.stream("field"));
  auto rng = streams.stream("test");
  for (std::size_t i = 0; i < 4; ++i) {
    const sim::Time t1 = sim::Time::hours(5), t2 = sim::Time::hours(11);
    const double v1 = p.reading(i, t1, 12.0, field, rng);
    const double v2 = p.reading(i, t2, 18.0, field, rng);
    switch (p.behaviour[i]) {
      case Behaviour::honest:
        CHECK(v1 == 12.0);
        CHECK(v2 == 18.0);
        break;
      case Behaviour::noisy:
        CHECK(v1 != 12.0);
        break;
      case Behaviour::fabricator:
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
