#include "models/nodes/behaviour_mix.hpp"

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

using sim::config::Document;
using sim::config::Reader;
using sim::config::Section;

namespace {

constexpr std::array<std::string_view, 3> kNames{"honest", "lazy", "ring"};

// One `b:` section read: the shares, the problems reported, and which behaviours' parameters
// were read (with the ring's `size`).
struct Parsed {
  std::unique_ptr<Document> doc;
  std::unique_ptr<Reader> reader;
  std::array<double, 3> share{};
  std::vector<std::string> seen;
  std::vector<double> sizes;
};

Parsed read(const std::string& yaml) {
  Parsed p;
  p.doc = std::make_unique<Document>(Document::load_string(yaml, "f.yaml"));
  p.reader = std::make_unique<Reader>(*p.doc);
  Section root = Section::root(*p.reader, YAML::Node(YAML::NodeType::Map));
  models::read_behaviour_shares(root.section("b", ""), kNames, p.share, "nodes", "lazy: 0.1",
                                [&](std::string_view name, Section& d) {
                                  p.seen.emplace_back(name);
                                  if (name == "ring")
                                    p.sizes.push_back(d.number("size", 4, "", {}, ""));
                                });
  return p;
}

}  // namespace

TEST_CASE("models::read_behaviour_shares: shares, with or without parameters, summing to 1",
          "[unit]") {
  // The short form and the mapping form together; only mappings have parameters to read.
  const Parsed mixed = read("b: {honest: 0.7, lazy: 0.2, ring: {share: 0.1, size: 6}}\n");
  CHECK(mixed.reader->ok());
  CHECK(mixed.share == std::array<double, 3>{0.7, 0.2, 0.1});
  CHECK(mixed.seen == std::vector<std::string>{"ring"});
  CHECK(mixed.sizes == std::vector<double>{6.0});

  // No behaviour given: everyone takes the first.
  const Parsed none = read("b: {}\n");
  CHECK(none.reader->ok());
  CHECK(none.share == std::array<double, 3>{1.0, 0.0, 0.0});
}

TEST_CASE("models::read_behaviour_shares: one report per mistake", "[unit]") {
  const Parsed short_sum = read("b: {honest: 0.7, lazy: 0.2}\n");
  REQUIRE(short_sum.reader->problems().size() == 1);
  CHECK(short_sum.reader->problems()[0].key == "b");
  CHECK_THAT(short_sum.reader->problems()[0].message, Catch::Contains("must sum to 1, found 0.9"));

  // A misspelt behaviour is named; the sum it leaves short is not reported again.
  const Parsed misspelt = read("b: {honest: 0.7, lazzy: 0.3}\n");
  REQUIRE(misspelt.reader->problems().size() == 1);
  CHECK(misspelt.reader->problems()[0].key == "b.lazzy");

  // A share out of range is reported once, on its key.
  const Parsed too_big = read("b: {honest: 1.5}\n");
  REQUIRE(too_big.reader->problems().size() == 1);
  CHECK(too_big.reader->problems()[0].key == "b.honest");
}
