#include "sim/time.hpp"

#include <stdexcept>

#include <catch2/catch.hpp>

using sim::parse_duration;
using sim::Time;

TEST_CASE("sim::parse_duration: reads every unit", "[unit]") {
  CHECK(parse_duration("90s") == Time::seconds(90));
  CHECK(parse_duration("250ms") == Time::millis(250));
  CHECK(parse_duration("15us") == Time::micros(15));
  CHECK(parse_duration("15min") == Time::minutes(15));
  CHECK(parse_duration("15m") == Time::minutes(15));
  CHECK(parse_duration("6h") == Time::hours(6));
  CHECK(parse_duration("30d") == Time::days(30));
  CHECK(parse_duration("2w") == Time::days(14));
  CHECK(parse_duration("2y") == Time::days(730));
  CHECK(parse_duration("1.5h") == Time::minutes(90));
  CHECK(parse_duration(" 6 h ") == Time::hours(6));
  CHECK(parse_duration("0s") == Time{});
}

TEST_CASE("sim::parse_duration: refuses what is not a duration, saying what it expected",
          "[unit]") {
  for (const char* bad :
       {"", "6", "h", "6x", "-3d", "1.2.3h", "6hours", "abc", "1e400s", "99999999999999999999y"}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH(parse_duration(bad), Catch::Contains("expected a duration"));
  }
  CHECK_THROWS_WITH(parse_duration("-3d"), Catch::Contains("negative"));
  CHECK_THROWS_WITH(parse_duration("6x"), Catch::Contains("unknown unit"));
}

TEST_CASE("sim::format_duration: picks the largest exact unit and round-trips", "[unit]") {
  CHECK(sim::format_duration(Time::days(30)) == "30d");
  CHECK(sim::format_duration(Time::hours(6)) == "6h");
  CHECK(sim::format_duration(Time::seconds(90)) == "90s");
  CHECK(sim::format_duration(Time::years(2)) == "2y");
  CHECK(sim::format_duration(Time::millis(1500)) == "1500ms");
  for (const char* text : {"90s", "6h", "30d", "2y", "250ms", "7us", "15min"}) {
    CHECK(parse_duration(sim::format_duration(parse_duration(text))) == parse_duration(text));
  }
}

TEST_CASE("sim::Time: arithmetic and conversions are exact in ticks", "[unit]") {
  CHECK(Time::days(1) / Time::hours(1) == 24);
  CHECK((Time::hours(25) % Time::days(1)) == Time::hours(1));
  CHECK(Time::seconds(3).to_seconds() == 3.0);
  CHECK(Time::from_seconds(1.0000004) == Time::micros(1'000'000));
  CHECK(Time::from_seconds(-0.0000016) == Time::micros(-2));
  CHECK(Time::hours(36).to_days() == 1.5);
}
