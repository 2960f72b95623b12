#include "sim/config.hpp"

#include <filesystem>
#include <fstream>

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

namespace {

/// Files in a fresh temporary directory, removed afterwards.
struct Files {
  std::filesystem::path dir;
  Files() {
    dir = std::filesystem::temp_directory_path() /
          ("config-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(dir);
  }
  ~Files() { std::filesystem::remove_all(dir); }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
    return dir / name;
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

}  // namespace

TEST_CASE("sim::config::Document: extends merges mappings and replaces lists", "[unit]") {
  Files f;
  f.write("base.yaml", "a: {x: 1, y: 2}\nlist: [1, 2, 3]\nkeep: base\n");
  const auto child = f.write("child.yaml", "extends: base.yaml\na: {y: 20, z: 30}\nlist: [9]\n");
  const Document d = Document::load_file(child);
  CHECK(d.root()["a"]["x"].as<int>() == 1);
  CHECK(d.root()["a"]["y"].as<int>() == 20);
  CHECK(d.root()["a"]["z"].as<int>() == 30);
  CHECK(d.root()["list"].size() == 1);
  CHECK(d.root()["keep"].as<std::string>() == "base");
  CHECK(!d.root()["extends"].IsDefined());
  CHECK(d.source_of("a.x") == (f.dir / "base.yaml").string());
  CHECK(d.source_of("a.y") == child.string());
  CHECK(d.source_of("list[0]") == child.string());
  CHECK(d.source_of("keep") == (f.dir / "base.yaml").string());
}

TEST_CASE("sim::config::Document: a problem in an extended file points into that file", "[unit]") {
  Files f;
  f.write("base.yaml", "top:\n  n: -1\n");
  const auto child = f.write("child.yaml", "extends: base.yaml\nother: {m: -2}\n");
  const Document d = Document::load_file(child);
  Reader r(d);
  Section root = Section::root(r, YAML::Node(YAML::NodeType::Map));
  root.section("top", "").number("n", 0, "", Range::at_least(0), "");
  root.section("other", "").number("m", 0, "", Range::at_least(0), "");
  REQUIRE(r.problems().size() == 2);
  CHECK(r.problems()[0].format() ==
        (f.dir / "base.yaml").string() + ":2:6: top.n: must be non-negative, found -1");
  CHECK(r.problems()[1].format() ==
        child.string() + ":2:12: other.m: must be non-negative, found -2");
}

TEST_CASE("sim::config::Document: extends chains, and refuses cycles and missing files", "[unit]") {
  Files f;
  f.write("a.yaml", "v: 1\nw: 1\n");
  f.write("b.yaml", "extends: a.yaml\nw: 2\n");
  const Document chained = Document::load_file(f.write("c.yaml", "extends: b.yaml\nx: 3\n"));
  CHECK(chained.root()["v"].as<int>() == 1);
  CHECK(chained.root()["w"].as<int>() == 2);
  CHECK(chained.root()["x"].as<int>() == 3);

  f.write("loop1.yaml", "extends: loop2.yaml\n");
  const auto loop2 = f.write("loop2.yaml", "extends: loop1.yaml\n");
  CHECK_THROWS_WITH(Document::load_file(loop2), Catch::Contains("a cycle"));
  const auto orphan = f.write("orphan.yaml", "name: x\nextends: nowhere.yaml\n");
  CHECK_THROWS_WITH(Document::load_file(orphan),
                    Catch::StartsWith(orphan.string() + ":2:10: extends: no such file"));
  const auto listy = f.write("listy.yaml", "extends: [a.yaml]\n");
  CHECK_THROWS_WITH(Document::load_file(listy),
                    Catch::Contains("extends: expected the path of a scenario file, found a list"));
}
