#pragma once
// WeatherXM's quality of data (QoD v1): its per-parameter limits and daily score, and the oracle
// check that applies them to the simulator's temperature readings.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "models/validation/submission.hpp"
#include "sim/config.hpp"
#include "sim/time.hpp"

namespace models {

// ---------------------------------------------------------------------------------------------
// WeatherXM's tables and daily score (weatherxm-network/qod at 6f3c1960, src/obc_sqc/model/).

/// The seven parameters a WeatherXM station reports, in the order of its QoD code.
enum class WeatherParameter : std::uint8_t {
  humidity,        ///< relative humidity, %
  temperature,     ///< °C
  wind_direction,  ///< degrees
  wind_speed,      ///< m/s
  pressure,        ///< hPa
  illuminance,     ///< lx
  precipitation,   ///< rain rate, mm/s
};
inline constexpr std::size_t kWeatherParameterCount = 7;
inline constexpr std::array<WeatherParameter, kWeatherParameterCount> kWeatherParameters{
    WeatherParameter::humidity,     WeatherParameter::temperature, WeatherParameter::wind_direction,
    WeatherParameter::wind_speed,   WeatherParameter::pressure,    WeatherParameter::illuminance,
    WeatherParameter::precipitation};

std::string_view name_of(WeatherParameter p);

/// WeatherXM station models with limits of their own: the WS1000 (sold as the M5, a raw sample
/// every 16 s) and the WS2000 (the Helium station, every 180 s).
enum class StationModel : std::uint8_t { ws1000, ws2000 };

/// The range a parameter's sensor can measure, inclusive, in the parameter's unit.
struct ParameterLimits {
  double min = 0.0;
  double max = 0.0;
};

/// The manufacturer's limits WeatherXM's out-of-bounds check uses (initial_params.py
/// `obc_limits`). WS1000: temperature −40…60 °C, RH 10…99 %, wind direction 0…359°, wind speed
/// 0…50 m/s, pressure 300…1100 hPa, illuminance 0…400 000 lx, rain ≤ 0.254 mm/s (WeatherXM writes
/// it as 0.254 mm times the sample interval in s). WS2000: temperature ≤ 80 °C, RH ≥ 1 %,
/// pressure ≥ 540 hPa, illuminance ≤ 200 000 lx, the rest as WS1000.
///   if (value > limits_of(StationModel::ws1000, WeatherParameter::pressure).max) ...
ParameterLimits limits_of(StationModel model, WeatherParameter p);

/// True when value lies within limits_of(model, p). A NaN (no datum) is never within: WeatherXM
/// counts a missing datum as faulty too.
bool within_limits(StationModel model, WeatherParameter p, double value);

/// How long a parameter may hold the same value before WeatherXM calls it constant
/// (initial_params.py `time_window_constant`): humidity, wind direction and wind speed 360 min,
/// temperature 240 min, pressure and illuminance 120 min; precipitation is not checked (zero).
sim::Time constancy_window_of(WeatherParameter p);

/// A slot's share of valid data, (slots − faulty) / slots, as WeatherXM scores each hour
/// (hour_averaging.py `calculate_valid_percentage_rewards`, there in percent).
///   hourly_availability(225, 0) == 1.0
double hourly_availability(std::int64_t slots, std::int64_t faulty);

/// The daily QoD v1 of a station: the mean over parameters of the mean over hours of each hour's
/// availability, hourly_by_parameter[p][h] (obc_sqc_driver.py `calculate_daily_score`). Each
/// parameter may cover a different number of hours; an empty parameter list is refused.
///   daily_qod(hourly)  // 7 parameters, pressure 0 for 6 of 24 h: (6 + 18/24)/7 = 0.9643
double daily_qod(std::span<const std::vector<double>> hourly_by_parameter);

// ---------------------------------------------------------------------------------------------
// The oracle check on the simulator's readings (one parameter: temperature in °C).

struct QodSpec {
  double min_c = -40.0;             // WeatherXM WS1000 temperature limits
  double max_c = 60.0;              //
  double max_jump_c_per_h = 180.0;  // 3 °C per minute: WeatherXM's minute-average threshold
  double max_jump_c = 15.0;         // WeatherXM's cap however long between samples (WS2000)
  sim::Time constancy_window = sim::Time::minutes(240);  // WeatherXM temperature
  double constancy_tolerance_c = 0.0;                    // WeatherXM compares for exact equality
};

/// Reads the keys of a `kind: qod` entry (the caller declares `kind`).
QodSpec read_qod_spec(sim::config::Section s);

/// WeatherXM-style quality of data on temperature readings. Each station's readings are judged in
/// time order, each check only on readings still accepted:
///  - out_of_bounds: not a number, or outside [min_c, max_c];
///  - jump: differs from the last good reading by more than
///    min(max_jump_c, max_jump_c_per_h · hours between them) (at least a minute apart), provided
///    that reading is at most two sampling intervals old (WeatherXM compares consecutive samples
///    only, bridging one missing one; a spike is rejected and the next value judged against the
///    last good one, and a lasting step is accepted once the old reference expires);
///  - constant: a run of readings within constancy_tolerance_c of the run's first value, with no
///    gap longer than two sampling intervals, spans constancy_window (constant_data_check.py).
/// Each day, a station's slots are max(1 h, its sampling interval) long and expect
/// slot/interval readings; a slot scores (expected − faulty)/expected with missing readings
/// counted as faulty, and the station's QoD is the mean over the day's slots (an hour each for
/// WeatherXM). A reading an earlier check rejected counts as faulty.
///   QualityOfData q(spec, intervals);  q.check(subs, verdicts, day_start, Time::days(1), qod);
class QualityOfData {
 public:
  /// sampling_interval_per_station: the interval each station promises (all positive).
  QualityOfData(const QodSpec& spec, std::span<const sim::Time> sampling_interval_per_station);

  /// Flags faulty readings of one day (only readings still Verdict::accepted are changed) and
  /// writes each station's QoD for [day_start, day_start + day_length) into qod_out, one per
  /// station; a silent station scores 0. Readings outside the day are judged but not scored.
  /// What the checks remember (the last good reading, the current run of equal values) carries
  /// across days. Runs in parallel (OpenMP) over stations; any thread count gives the same result.
  void check(std::span<const Submission> subs, std::span<Verdict> verdicts, sim::Time day_start,
             sim::Time day_length, std::span<double> qod_out);

  std::size_t stations() const { return interval_.size(); }
  /// The length of a station's scoring slot: max(1 h, its sampling interval).
  sim::Time slot_of(std::uint32_t station) const;

 private:
  struct StationState {
    double last_good_c = 0.0;
    sim::Time last_good_taken;
    double run_anchor_c = 0.0;  // the run's first value
    sim::Time run_start;
    sim::Time run_last;
    bool has_last_good = false;
    bool has_run = false;
  };

  /// Judges one reading against the station's state, updating it; returns the verdict.
  Verdict judge(StationState& st, sim::Time interval, const Submission& s) const;

  QodSpec spec_;
  std::vector<sim::Time> interval_;
  std::vector<StationState> state_;
};

}  // namespace models
