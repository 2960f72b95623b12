#include "models/scenario.hpp"

#include <catch2/catch.hpp>

#include "models/validation/spatial_consensus.hpp"

using models::load_scenario;
using sim::Time;
using sim::config::ConfigError;
using sim::config::Document;

namespace {

const char* const kMinimal = R"(name: tiny
seed: 3
run: {duration: 10d, epoch: 1d}
population:
  - kind: sensor
    count: 50
    behaviour: {honest: 0.8, fabricator: {share: 0.2, spread_c: 2}}
)";

std::string first_error(const std::string& yaml) {
  try {
    load_scenario(Document::load_string(yaml, "s.yaml"));
  } catch (const ConfigError& e) {
    return e.problems().front().format();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("models::load_scenario: fills defaults and reads what is given", "[unit]") {
  const auto s = load_scenario(Document::load_string(kMinimal, "s.yaml"));
  CHECK(s.name == "tiny");
  CHECK(s.seed == 3);
  CHECK(s.epochs() == 10);
  CHECK(s.sensor_count() == 50);
  CHECK(s.sensors[0].share[0] == 0.8);
  CHECK(s.sensors[0].share[static_cast<std::size_t>(models::Behaviour::fabricator)] == 0.2);
  CHECK(s.sensors[0].params.fabricator_spread_c == 2.0);
  CHECK(s.sensors[0].sampling == Time::hours(1));  // default
  CHECK(s.width_km == 200.0);                      // default
  // Without validation.readings, the oracle checks bounds and jumps, then consensus.
  REQUIRE(s.validation.readings.size() == 2);
  CHECK(s.validation.readings[0].kind == "sanity");
  CHECK(s.validation.readings[1].kind == "spatial_consensus");
  CHECK(std::any_cast<const models::ConsensusSpec&>(s.validation.readings[1].params).neighbours ==
        8);
}

TEST_CASE("models::load_scenario: the resolved scenario reads back to itself", "[unit]") {
  const auto s = load_scenario(Document::load_string(kMinimal, "s.yaml"));
  CHECK(s.resolved_yaml.find("correlation_km: 25") != std::string::npos);
  const auto again = load_scenario(Document::load_string(s.resolved_yaml, "resolved.yaml"));
  CHECK(again.resolved_yaml == s.resolved_yaml);
}

TEST_CASE("models::load_scenario: --set overrides any key with the same checks", "[unit]") {
  Document doc = Document::load_string(kMinimal, "s.yaml");
  doc.apply_override("run.duration=4d");
  doc.apply_override("population[0].count=7");
  doc.apply_override("network.latency.base=1s");
  const auto s = load_scenario(doc);
  CHECK(s.epochs() == 4);
  CHECK(s.sensor_count() == 7);
  CHECK(s.network.base_latency == Time::seconds(1));

  Document bad = Document::load_string(kMinimal, "s.yaml");
  bad.apply_override("run.duration=soon");
  CHECK_THROWS_WITH(
      load_scenario(bad),
      Catch::StartsWith("--set run.duration=soon: run.duration: expected a duration"));
  Document typo = Document::load_string(kMinimal, "s.yaml");
  typo.apply_override("run.durration=4d");
  CHECK_THROWS_WITH(load_scenario(typo), Catch::Contains("did you mean \"duration\""));
  Document past_end = Document::load_string(kMinimal, "s.yaml");
  CHECK_THROWS_WITH(past_end.apply_override("population[3].count=1"),
                    Catch::Contains("has no element [3]"));
}

TEST_CASE("models::load_scenario: each mistake names the file, line, column and key", "[unit]") {
  CHECK(first_error("run: {duration: 10d, epoch: 1d}\npopulation:\n  - count: -5\n") ==
        "s.yaml:3:12: population[0].count: must be non-negative, found -5");
  CHECK(first_error("population:\n  - count: 10\n    sampling: often\n") ==
        "s.yaml:3:15: population[0].sampling: expected a duration such as 90s, 6h, 30d or 2y, "
        "found \"often\" (no number)");
  CHECK(first_error("popullation: []\n") ==
        "s.yaml:1:1: popullation: unknown key; did you mean \"population\"? (known keys: name, "
        "seed, run, region, field, network, radio, population, validation, rewards, economy, "
        "operators, output, metrics)");
  CHECK(first_error("population:\n  - count: 10\n    behaviour: {honest: 0.5, stuck: 0.4}\n") ==
        "s.yaml:3:16: population[0].behaviour: behaviour shares must sum to 1, found 0.9");
  CHECK(first_error("network: {topology: mesh}\npopulation: [{count: 5}]\n") ==
        "s.yaml:1:21: network.topology: unknown value \"mesh\" (expected one of random_geometric, "
        "small_world, scale_free, star)");
  CHECK(first_error("run: [1, 2]\npopulation: [{count: 5}]\n") ==
        "s.yaml:1:6: run: expected a mapping of keys, found a list");
  CHECK(first_error("population: [{count: 5}]\nrun: {duration: 10d, epoch: 3d}\n") ==
        "s.yaml:2:17: run.duration: must be a whole number of epochs (3d)");
  CHECK(first_error("population: []\n") ==
        "s.yaml:1:13: population: the scenario has no nodes: add a group with count > 0");
  CHECK(first_error("population: [{count: 100000000000}]\n").find("too large") !=
        std::string::npos);
  CHECK(first_error("seed: [\n").find("s.yaml:2:1: malformed YAML") == 0);
}

TEST_CASE("models::load_scenario: reports every problem at once", "[unit]") {
  try {
    load_scenario(Document::load_string(
        "seed: -1\nrun: {epoch: 0s}\npopulation: [{count: 10, colour: red}]\n", "s.yaml"));
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(e.problems().size() == 3);
  }
}
