#include "sim/time.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace sim {

namespace {

struct Unit {
  std::string_view suffix;
  Time::Rep ticks;
};

// Longest suffixes first so that "ms" is not read as "m" + "s".
constexpr std::array<Unit, 9> kUnits{{
    {"min", Time::minutes(1).ticks()},
    {"us", 1},
    {"ms", Time::millis(1).ticks()},
    {"s", Time::seconds(1).ticks()},
    {"m", Time::minutes(1).ticks()},
    {"h", Time::hours(1).ticks()},
    {"d", Time::days(1).ticks()},
    {"w", Time::days(7).ticks()},
    {"y", Time::years(1).ticks()},
}};

[[noreturn]] void fail(std::string_view text, std::string_view why) {
  throw std::invalid_argument("expected a duration such as 90s, 6h, 30d or 2y, found \"" +
                              std::string(text) + "\"" + (why.empty() ? "" : " (") +
                              std::string(why) + (why.empty() ? "" : ")"));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

Time Time::from_seconds(double s) {
  // Round half away from zero, as llround does, without its library call on the hot path.
  const double ticks = s * static_cast<double>(kTicksPerSecond);
  return Time(static_cast<Rep>(ticks >= 0.0 ? ticks + 0.5 : ticks - 0.5));
}

Time parse_duration(std::string_view text) {
  const std::string_view s = trim(text);
  std::size_t split = 0;
  while (split < s.size() && (std::isdigit(static_cast<unsigned char>(s[split])) ||
                              s[split] == '.' || s[split] == '-' || s[split] == '+')) {
    ++split;
  }
  const std::string_view number = trim(s.substr(0, split));
  const std::string_view suffix = trim(s.substr(split));
  if (number.empty()) fail(text, "no number");
  if (suffix.empty()) fail(text, "no unit; add one of us, ms, s, min, h, d, w, y");
  const Unit* unit = nullptr;
  for (const Unit& u : kUnits) {
    if (u.suffix == suffix) {
      unit = &u;
      break;
    }
  }
  if (unit == nullptr) fail(text, "unknown unit \"" + std::string(suffix) + "\"");
  if (number.front() == '-') fail(text, "durations cannot be negative");

  const std::string_view digits = number.front() == '+' ? number.substr(1) : number;
  if (digits.find('.') == std::string_view::npos) {
    Time::Rep n = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc{} || end != digits.data() + digits.size()) fail(text, "not a number");
    if (n > std::numeric_limits<Time::Rep>::max() / unit->ticks) fail(text, "too long");
    return Time::from_ticks(n * unit->ticks);
  }
  double x = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), x);
  if (ec != std::errc{} || end != digits.data() + digits.size() || !std::isfinite(x)) {
    fail(text, "not a number");
  }
  const double ticks = x * static_cast<double>(unit->ticks);
  if (ticks >= 9.2e18) fail(text, "too long");
  return Time::from_ticks(static_cast<Time::Rep>(std::llround(ticks)));
}

std::string format_duration(Time t) {
  const Time::Rep ticks = t.ticks();
  if (ticks == 0) return "0s";
  static constexpr std::array<Unit, 7> kByLargest{{
      {"y", Time::years(1).ticks()},
      {"d", Time::days(1).ticks()},
      {"h", Time::hours(1).ticks()},
      {"min", Time::minutes(1).ticks()},
      {"s", Time::seconds(1).ticks()},
      {"ms", Time::millis(1).ticks()},
      {"us", 1},
  }};
  for (const Unit& u : kByLargest) {
    if (ticks % u.ticks == 0) return std::to_string(ticks / u.ticks) + std::string(u.suffix);
  }
  return std::to_string(ticks) + "us";
}

}  // namespace sim
