#include "sim/config.hpp"

#include <catch2/catch.hpp>

using sim::config::ConfigError;
using sim::config::Document;
using sim::config::Range;
using sim::config::Reader;
using sim::config::Section;

TEST_CASE("sim::config::format_number: shortest text that reads back exactly", "[unit]") {
  CHECK(sim::config::format_number(0.1) == "0.1");
  CHECK(sim::config::format_number(2000) == "2000");
  CHECK(sim::config::format_number(-3.25) == "-3.25");
  CHECK(std::stod(sim::config::format_number(1.0 / 3.0)) == 1.0 / 3.0);
}

TEST_CASE("sim::config::closest_match: suggests near misses only", "[unit]") {
  const std::vector<std::string> keys{"duration", "epoch", "population"};
  CHECK(sim::config::closest_match("durration", keys) == "duration");
  CHECK(sim::config::closest_match("epoc", keys) == "epoch");
  CHECK(sim::config::closest_match("colour", keys) == std::nullopt);
}

TEST_CASE("sim::config::Document: overrides reach nested keys and list elements", "[unit]") {
  Document d = Document::load_string("a: {b: 1}\nlist: [{x: 1}, {x: 2}]\n", "f.yaml");
  d.apply_override("a.b=5");
  d.apply_override("list[1].x=9");
  d.apply_override("new.key=hello");
  CHECK(d.root()["a"]["b"].as<int>() == 5);
  CHECK(d.root()["list"][0]["x"].as<int>() == 1);
  CHECK(d.root()["list"][1]["x"].as<int>() == 9);
  CHECK(d.root()["new"]["key"].as<std::string>() == "hello");
  CHECK(d.override_for("list[1].x") == "list[1].x=9");
  CHECK(d.override_for("list[0].x") == std::nullopt);
  CHECK_THROWS_WITH(d.apply_override("novalue"), Catch::Contains("expected key.path=value"));
  CHECK_THROWS_WITH(d.apply_override("a.b.c=1"), Catch::Contains("it has no key \"c\""));
  CHECK_THROWS_WITH(d.apply_override("a[0]=1"), Catch::Contains("not a list"));
}

TEST_CASE("sim::config::Section: reads typed values, keeps defaults, records the resolved tree",
          "[unit]") {
  const Document d = Document::load_string("n: 2.5\ni: 7\nflag: true\nwhen: 6h\n", "f.yaml");
  Reader r(d);
  YAML::Node resolved(YAML::NodeType::Map);
  Section s = Section::root(r, resolved);
  CHECK(s.number("n", 0, "m", Range::at_least(0), "") == 2.5);
  CHECK(s.integer("i", 0, Range{}, "") == 7);
  CHECK(s.boolean("flag", false, ""));
  CHECK(s.duration("when", sim::Time{}, sim::Time{}, "") == sim::Time::hours(6));
  CHECK(s.number("absent", 1.5, "", Range{}, "") == 1.5);
  s.finish();
  CHECK(r.ok());
  CHECK(resolved["absent"].as<std::string>() == "1.5");
  CHECK(resolved["when"].as<std::string>() == "6h");
}

TEST_CASE("sim::config::Section: problems carry file, line, column and key", "[unit]") {
  const Document d = Document::load_string("top:\n  n: -1\n  extra: 3\n", "f.yaml");
  Reader r(d);
  Section root = Section::root(r, YAML::Node(YAML::NodeType::Map));
  Section top = root.section("top", "");
  top.number("n", 0, "", Range::at_least(0), "");
  top.finish();
  root.finish();
  REQUIRE(r.problems().size() == 2);
  CHECK(r.problems()[0].format() == "f.yaml:2:6: top.n: must be non-negative, found -1");
  CHECK(r.problems()[1].format() == "f.yaml:3:3: top.extra: unknown key (known keys: n)");
  CHECK_THROWS_AS(r.throw_if_problems(), ConfigError);
}
