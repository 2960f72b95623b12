#pragma once
// Simulated time: a strong int64 count of microsecond ticks.

#include <compare>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace sim {

/// A point in simulated time or a span of it, in integer microsecond ticks.
/// Integer ticks make event order exact and identical on every machine.
///   Time t = Time::hours(6) + Time::seconds(90);  double h = t.to_hours();
class Time {
 public:
  using Rep = std::int64_t;
  static constexpr Rep kTicksPerSecond = 1'000'000;

  constexpr Time() = default;
  static constexpr Time from_ticks(Rep ticks) { return Time(ticks); }
  static constexpr Time micros(Rep n) { return Time(n); }
  static constexpr Time millis(Rep n) { return Time(n * 1'000); }
  static constexpr Time seconds(Rep n) { return Time(n * kTicksPerSecond); }
  static constexpr Time minutes(Rep n) { return seconds(n * 60); }
  static constexpr Time hours(Rep n) { return seconds(n * 3'600); }
  static constexpr Time days(Rep n) { return seconds(n * 86'400); }
  /// A year is 365 days: simulated calendars have no leap years.
  static constexpr Time years(Rep n) { return days(n * 365); }
  /// Rounds to the nearest tick.
  static Time from_seconds(double s);
  static constexpr Time max() { return Time(std::numeric_limits<Rep>::max()); }

  constexpr Rep ticks() const { return ticks_; }
  constexpr double to_seconds() const { return static_cast<double>(ticks_) / kTicksPerSecond; }
  constexpr double to_hours() const { return to_seconds() / 3'600.0; }
  constexpr double to_days() const { return to_seconds() / 86'400.0; }

  constexpr auto operator<=>(const Time&) const = default;
  constexpr Time operator+(Time o) const { return Time(ticks_ + o.ticks_); }
  constexpr Time operator-(Time o) const { return Time(ticks_ - o.ticks_); }
  constexpr Time& operator+=(Time o) {
    ticks_ += o.ticks_;
    return *this;
  }
  constexpr Time& operator-=(Time o) {
    ticks_ -= o.ticks_;
    return *this;
  }
  constexpr Time operator*(Rep k) const { return Time(ticks_ * k); }
  /// How many whole `o` fit in this span (floor division for non-negative spans).
  constexpr Rep operator/(Time o) const { return ticks_ / o.ticks_; }
  constexpr Time operator%(Time o) const { return Time(ticks_ % o.ticks_); }

 private:
  constexpr explicit Time(Rep ticks) : ticks_(ticks) {}
  Rep ticks_ = 0;
};

/// Parses a duration such as "90s", "250ms", "15min", "6h", "30d", "2w", "2y" or "1.5h".
/// Units: us, ms, s, min (or m), h, d, w, y (365 d). Throws std::invalid_argument with a message
/// that says what was expected when the text is not a duration, is negative, or overflows.
Time parse_duration(std::string_view text);

/// Formats a duration with the largest unit that divides it exactly: "30d", "6h", "90s", "250ms".
std::string format_duration(Time t);

}  // namespace sim
