#include "models/validation/quality_of_data.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

namespace {

// weatherxm-network/qod initial_params.py `obc_limits`, in WeatherParameter order. Rain is
// checked on the accumulated total's increase per sample, at most 0.254 mm per second.
constexpr std::array<ParameterLimits, kWeatherParameterCount> kWs1000Limits{{
    {10.0, 99.0},
    {-40.0, 60.0},
    {0.0, 359.0},
    {0.0, 50.0},
    {300.0, 1100.0},
    {0.0, 400'000.0},
    {0.0, 0.254},
}};
constexpr std::array<ParameterLimits, kWeatherParameterCount> kWs2000Limits{{
    {1.0, 99.0},
    {-40.0, 80.0},
    {0.0, 359.0},
    {0.0, 50.0},
    {540.0, 1100.0},
    {0.0, 200'000.0},
    {0.0, 0.254},
}};
// initial_params.py `time_window_constant`, minutes; precipitation is exempt.
constexpr std::array<int, kWeatherParameterCount> kConstancyWindowMin{360, 240, 360, 360,
                                                                      120, 120, 0};

// WeatherXM compares consecutive samples only, after filling a single missing one with the
// previous value (filling_ignoring_period.py; the WS1000 also fills gaps up to a minute); a
// longer gap ends the comparison and restarts the constancy search. Readings further apart than
// this many sampling intervals are therefore neither compared for jumps nor kept in one run.
constexpr Time::Rep kBridgedIntervals = 2;

Time abs_time(Time t) {
  return t < Time{} ? Time{} - t : t;
}

}  // namespace

std::string_view name_of(WeatherParameter p) {
  static constexpr std::array<std::string_view, kWeatherParameterCount> kNames{
      "humidity", "temperature", "wind_direction", "wind_speed",
      "pressure", "illuminance", "precipitation"};
  return kNames[static_cast<std::size_t>(p)];
}

ParameterLimits limits_of(StationModel model, WeatherParameter p) {
  const auto i = static_cast<std::size_t>(p);
  return model == StationModel::ws1000 ? kWs1000Limits[i] : kWs2000Limits[i];
}

bool within_limits(StationModel model, WeatherParameter p, double value) {
  const ParameterLimits l = limits_of(model, p);
  return value >= l.min && value <= l.max;  // false for NaN
}

Time constancy_window_of(WeatherParameter p) {
  return Time::minutes(kConstancyWindowMin[static_cast<std::size_t>(p)]);
}

double hourly_availability(std::int64_t slots, std::int64_t faulty) {
  if (slots <= 0) throw std::invalid_argument("hourly_availability: slots must be positive");
  if (faulty < 0 || faulty > slots) {
    throw std::invalid_argument("hourly_availability: faulty must be in [0, slots]");
  }
  return static_cast<double>(slots - faulty) / static_cast<double>(slots);
}

double daily_qod(std::span<const std::vector<double>> hourly_by_parameter) {
  if (hourly_by_parameter.empty()) throw std::invalid_argument("daily_qod: no parameters");
  double sum = 0.0;
  for (const std::vector<double>& hours : hourly_by_parameter) {
    if (hours.empty()) throw std::invalid_argument("daily_qod: a parameter has no hours");
    sum += std::accumulate(hours.begin(), hours.end(), 0.0) / static_cast<double>(hours.size());
  }
  return sum / static_cast<double>(hourly_by_parameter.size());
}

QualityOfData::QualityOfData(const QodSpec& spec,
                             std::span<const Time> sampling_interval_per_station)
    : spec_(spec),
      interval_(sampling_interval_per_station.begin(), sampling_interval_per_station.end()),
      state_(interval_.size()) {
  if (!(spec.min_c < spec.max_c)) throw std::invalid_argument("QualityOfData: min_c >= max_c");
  if (!(spec.max_jump_c_per_h > 0.0) || !(spec.max_jump_c > 0.0)) {
    throw std::invalid_argument("QualityOfData: jump thresholds must be positive");
  }
  if (spec.constancy_window <= Time{}) {
    throw std::invalid_argument("QualityOfData: constancy_window must be positive");
  }
  if (!(spec.constancy_tolerance_c >= 0.0)) {
    throw std::invalid_argument("QualityOfData: constancy_tolerance_c must be >= 0");
  }
  for (Time t : interval_) {
    if (t <= Time{}) throw std::invalid_argument("QualityOfData: sampling interval <= 0");
  }
}

Time QualityOfData::slot_of(std::uint32_t station) const {
  return std::max(Time::hours(1), interval_.at(station));
}

Verdict QualityOfData::judge(StationState& st, Time interval, const Submission& s) const {
  const double v = s.value_c;
  if (!std::isfinite(v) || v < spec_.min_c || v > spec_.max_c) return Verdict::out_of_bounds;
  const Time bridge = interval * kBridgedIntervals;
  if (st.has_last_good) {
    const Time gap = abs_time(s.taken - st.last_good_taken);
    if (gap <= bridge) {
      // A minute is WeatherXM's finest threshold (minute averages); closer readings are judged
      // as if a minute apart, so that a burst cannot make the threshold zero.
      const double hours = std::max(gap.to_hours(), 1.0 / 60.0);
      const double limit_c = std::min(spec_.max_jump_c, spec_.max_jump_c_per_h * hours);
      if (std::abs(v - st.last_good_c) > limit_c) return Verdict::jump;
    }
  }
  Verdict verdict = Verdict::accepted;
  if (st.has_run && std::abs(v - st.run_anchor_c) <= spec_.constancy_tolerance_c &&
      abs_time(s.taken - st.run_last) <= bridge) {
    st.run_last = std::max(st.run_last, s.taken);
    if (s.taken - st.run_start >= spec_.constancy_window) verdict = Verdict::constant;
  } else {
    st.has_run = true;
    st.run_anchor_c = v;
    st.run_start = s.taken;
    st.run_last = s.taken;
  }
  if (verdict == Verdict::accepted) {
    st.has_last_good = true;
    st.last_good_c = v;
    st.last_good_taken = s.taken;
  }
  return verdict;
}

void QualityOfData::check(std::span<const Submission> subs, std::span<Verdict> verdicts,
                          Time day_start, Time day_length, std::span<double> qod_out) {
  if (verdicts.size() != subs.size()) {
    throw std::invalid_argument("QualityOfData: one verdict per submission");
  }
  if (qod_out.size() != stations()) {
    throw std::invalid_argument("QualityOfData: one QoD per station");
  }
  if (day_length <= Time{}) throw std::invalid_argument("QualityOfData: day_length <= 0");

  // Group by station with a stable counting sort: O(n + stations).
  const std::size_t n_stations = stations();
  std::vector<std::size_t> start(n_stations + 1, 0);
  for (const Submission& s : subs) {
    if (s.sensor >= n_stations) throw std::out_of_range("QualityOfData: unknown station");
    ++start[s.sensor + 1];
  }
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<std::size_t> order(subs.size());
  {
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < subs.size(); ++i)
      order[fill[subs[i].sensor]++] = i;
  }
  // Time order; readings taken at the same moment in a fixed order by value, so that the
  // arrival order cannot change a verdict (equal readings are interchangeable).
  const auto earlier = [&](std::size_t a, std::size_t b) {
    const Submission& x = subs[a];
    const Submission& y = subs[b];
    if (x.taken != y.taken) return x.taken < y.taken;
    const bool x_nan = std::isnan(x.value_c);
    const bool y_nan = std::isnan(y.value_c);
    if (x_nan != y_nan) return y_nan;
    if (!x_nan && x.value_c != y.value_c) return x.value_c < y.value_c;
    return a < b;
  };
  const Time day_end = day_start + day_length;

  const auto n = static_cast<std::int64_t>(n_stations);
#pragma omp parallel for schedule(dynamic, 1024)
  for (std::int64_t kk = 0; kk < n; ++kk) {
    const auto k = static_cast<std::size_t>(kk);
    const auto first = order.begin() + static_cast<std::ptrdiff_t>(start[k]);
    const auto last = order.begin() + static_cast<std::ptrdiff_t>(start[k + 1]);
    if (!std::is_sorted(first, last, earlier)) std::sort(first, last, earlier);

    const Time interval = interval_[k];
    const Time::Rep slots = std::max<Time::Rep>(1, day_length / std::max(Time::hours(1), interval));
    const Time slot_length = Time::from_ticks(day_length.ticks() / slots);
    const Time::Rep expected =
        std::max<Time::Rep>(1, (slot_length + Time::from_ticks(interval.ticks() / 2)) / interval);

    StationState& st = state_[k];
    double score_sum = 0.0;
    Time::Rep slot = -1;
    Time::Rep present = 0;
    Time::Rep faulty = 0;
    const auto close_slot = [&] {
      if (slot < 0) return;
      const Time::Rep missing = std::max<Time::Rep>(0, expected - present);
      score_sum += hourly_availability(expected, std::min(expected, faulty + missing));
    };
    for (auto it = first; it != last; ++it) {
      const std::size_t i = *it;
      const Submission& s = subs[i];
      if (is_accepted(verdicts[i])) verdicts[i] = judge(st, interval, s);
      if (s.taken < day_start || s.taken >= day_end) continue;
      // Readings are in time order, so slots arrive in order and each is closed once.
      const Time::Rep r = std::min(slots - 1, (s.taken - day_start) / slot_length);
      if (r != slot) {
        close_slot();
        slot = r;
        present = 0;
        faulty = 0;
      }
      ++present;
      if (!is_accepted(verdicts[i])) ++faulty;
    }
    close_slot();
    qod_out[k] = score_sum / static_cast<double>(slots);
  }
}

QodSpec read_qod_spec(Section s) {
  QodSpec v;
  v.min_c = s.number("min_c", v.min_c, "degC", Range{},
                     "lowest plausible temperature (WeatherXM WS1000: -40)");
  v.max_c = s.number("max_c", v.max_c, "degC", Range{},
                     "highest plausible temperature (WeatherXM WS1000: 60, WS2000: 80)");
  if (v.max_c <= v.min_c) s.problem("max_c", "must be greater than min_c");
  v.max_jump_c_per_h =
      s.number("max_jump_c_per_h", v.max_jump_c_per_h, "degC/h", Range::above(0.0),
               "fastest believable change between readings (WeatherXM: 3 degC per minute)");
  v.max_jump_c = s.number("max_jump_c", v.max_jump_c, "degC", Range::above(0.0),
                          "largest believable change between two readings, however far apart");
  v.constancy_window =
      s.duration("constancy_window", v.constancy_window, Time::seconds(1),
                 "a run of unchanged readings this long is constant (WeatherXM: 240min)");
  v.constancy_tolerance_c =
      s.number("constancy_tolerance_c", v.constancy_tolerance_c, "degC", Range::at_least(0.0),
               "readings within this of a run's first value count as unchanged");
  s.finish();
  return v;
}

}  // namespace models
