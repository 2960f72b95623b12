#include "models/validation/quality_of_data.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <vector>

#include <catch2/catch.hpp>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "sim/random.hpp"

using models::QodSpec;
using models::QualityOfData;
using models::StationModel;
using models::Submission;
using models::Verdict;
using models::WeatherParameter;
using sim::Time;

namespace {

struct DayResult {
  std::vector<Verdict> verdicts;
  std::vector<double> qod;
};

DayResult run_day(QualityOfData& q, const std::vector<Submission>& subs, Time day_start,
                  std::vector<Verdict> verdicts = {}) {
  DayResult r;
  r.verdicts = verdicts.empty() ? std::vector<Verdict>(subs.size(), Verdict::accepted) : verdicts;
  r.qod.assign(q.stations(), -1.0);
  q.check(subs, r.verdicts, day_start, Time::days(1), r.qod);
  return r;
}

/// A smooth diurnal cycle, 10 ± 6 °C, different in phase for each station, plus noise.
double smooth_c(std::uint32_t station, Time t, double noise_c) {
  const double phase = 0.1 * station;
  return 10.0 + 6.0 * std::sin(2.0 * std::numbers::pi * t.to_days() + phase) + noise_c;
}

}  // namespace

TEST_CASE("models::daily_qod: reproduces WeatherXM's worked example of pressure out for 6 h",
          "[unit]") {
  // MECHANISMS.md 1.2: 7 parameters all valid, except pressure which is 0 for 6 of 24 hours.
  std::vector<std::vector<double>> hourly(models::kWeatherParameterCount,
                                          std::vector<double>(24, 0.0));
  for (WeatherParameter p : models::kWeatherParameters) {
    for (int h = 0; h < 24; ++h) {
      const bool out = p == WeatherParameter::pressure && h < 6;
      hourly[static_cast<std::size_t>(p)][static_cast<std::size_t>(h)] =
          models::hourly_availability(225, out ? 225 : 0);  // 225 samples of 16 s an hour
    }
  }
  const double qod = models::daily_qod(hourly);
  CHECK(qod == Approx((6.0 + 18.0 / 24.0) / 7.0).epsilon(1e-12));
  CHECK(std::round(qod * 1e4) / 1e4 == 0.9643);
  CHECK(models::hourly_availability(225, 45) == Approx(0.8));
  CHECK_THROWS_AS(models::hourly_availability(10, 11), std::invalid_argument);
  CHECK_THROWS_AS(models::daily_qod({}), std::invalid_argument);
}

TEST_CASE("models::within_limits: applies WeatherXM's WS1000 and WS2000 bounds per parameter",
          "[unit]") {
  using P = WeatherParameter;
  const auto ws1 = StationModel::ws1000;
  const auto ws2 = StationModel::ws2000;
  // {parameter, WS1000 min, max, WS2000 min, max} from initial_params.py obc_limits.
  struct Row {
    P p;
    double min1, max1, min2, max2;
  };
  const std::vector<Row> table{
      {P::humidity, 10, 99, 1, 99},          {P::temperature, -40, 60, -40, 80},
      {P::wind_direction, 0, 359, 0, 359},   {P::wind_speed, 0, 50, 0, 50},
      {P::pressure, 300, 1100, 540, 1100},   {P::illuminance, 0, 400000, 0, 200000},
      {P::precipitation, 0, 0.254, 0, 0.254}};
  for (const Row& r : table) {
    INFO(models::name_of(r.p));
    CHECK(models::within_limits(ws1, r.p, r.min1));
    CHECK(models::within_limits(ws1, r.p, r.max1));
    CHECK_FALSE(models::within_limits(ws1, r.p, r.min1 - 1e-3));
    CHECK_FALSE(models::within_limits(ws1, r.p, r.max1 + 1e-3));
    CHECK(models::within_limits(ws2, r.p, r.min2));
    CHECK(models::within_limits(ws2, r.p, r.max2));
    CHECK_FALSE(models::within_limits(ws2, r.p, r.min2 - 1e-3));
    CHECK_FALSE(models::within_limits(ws2, r.p, r.max2 + 1e-3));
    CHECK_FALSE(models::within_limits(ws1, r.p, std::nan("")));
  }
  // The models differ where the table says so.
  CHECK_FALSE(models::within_limits(ws1, P::temperature, 70));
  CHECK(models::within_limits(ws2, P::temperature, 70));
  CHECK(models::within_limits(ws1, P::pressure, 400));
  CHECK_FALSE(models::within_limits(ws2, P::pressure, 400));
  CHECK(models::constancy_window_of(P::temperature) == Time::minutes(240));
  CHECK(models::constancy_window_of(P::pressure) == Time::minutes(120));
  CHECK(models::constancy_window_of(P::precipitation) == Time{});
}

TEST_CASE("models::QualityOfData: flags a jump and judges the next value against the last good",
          "[unit]") {
  QodSpec spec;
  spec.max_jump_c_per_h = 5;
  spec.max_jump_c = 8;
  const std::vector<Time> hourly(2, Time::hours(1));
  QualityOfData q(spec, hourly);
  const std::vector<Submission> subs{
      {0, Time::hours(0), 10.0},  // first reading
      {0, Time::hours(1), 14.0},  // +4 in 1 h: accepted
      {0, Time::hours(2), 25.0},  // +11 in 1 h: jump
      {0, Time::hours(3), 22.0},  // +8 in 2 h since 14 (rate allows 10, cap 8): accepted
      {0, Time::hours(4), 31.0},  // +9 in 1 h: jump
      {0, Time::hours(5), 31.5},  // +9.5 in 2 h: above the 8 °C cap, jump
      {0, Time::hours(6), 32.0},  // 3 h since the last good: too old to compare, accepted
      {1, Time::hours(0), 61.0},  // above WeatherXM's 60 °C
      {1, Time::hours(1), std::nan("")},
  };
  const DayResult r = run_day(q, subs, Time{});
  CHECK(r.verdicts == std::vector<Verdict>{Verdict::accepted, Verdict::accepted, Verdict::jump,
                                           Verdict::accepted, Verdict::jump, Verdict::jump,
                                           Verdict::accepted, Verdict::out_of_bounds,
                                           Verdict::out_of_bounds});
  CHECK(r.qod[0] == Approx(4.0 / 24.0));  // 4 good hours of 24
  CHECK(r.qod[1] == 0.0);
}

TEST_CASE("models::QualityOfData: flags a stuck sensor once its run spans the window, not before",
          "[unit]") {
  QodSpec spec;  // 240 min, exact equality
  const std::vector<Time> intervals{Time::hours(1), Time::hours(6)};
  QualityOfData q(spec, intervals);
  std::vector<Submission> subs;
  for (int h = 0; h < 24; ++h)
    subs.push_back({0, Time::hours(h), 17.25});
  for (int h = 0; h < 24; h += 6)
    subs.push_back({1, Time::hours(h), 17.25});
  const DayResult r = run_day(q, subs, Time{});
  for (std::size_t i = 0; i < 24; ++i) {
    INFO("hour " << i);
    CHECK(r.verdicts[i] == (i < 4 ? Verdict::accepted : Verdict::constant));
  }
  // Six hours apart, the second equal reading already spans the 4 h window.
  CHECK(r.verdicts[24] == Verdict::accepted);
  CHECK(r.verdicts[25] == Verdict::constant);
  CHECK(r.qod[0] == Approx(4.0 / 24.0));
  CHECK(r.qod[1] == Approx(1.0 / 4.0));

  // The run carries across midnight; one change ends it, and a new run starts from there.
  std::vector<Submission> next{
      {0, Time::hours(24), 17.25}, {0, Time::hours(25), 17.5}, {0, Time::hours(26), 17.5}};
  const DayResult r2 = run_day(q, next, Time::days(1));
  CHECK(r2.verdicts ==
        std::vector<Verdict>{Verdict::constant, Verdict::accepted, Verdict::accepted});
}

TEST_CASE("models::QualityOfData: a value within the tolerance continues a run, a gap ends it",
          "[unit]") {
  QodSpec spec;
  spec.constancy_tolerance_c = 0.05;
  QualityOfData q(spec, std::vector<Time>{Time::hours(1)});
  const std::vector<Submission> subs{{0, Time::hours(0), 20.00},
                                     {0, Time::hours(1), 20.04},
                                     {0, Time::hours(2), 19.96},
                                     {0, Time::hours(3), 20.01},
                                     {0, Time::hours(4), 20.03},  // spans 4 h: constant
                                     {0, Time::hours(7), 20.00},  // 3 h gap: a new run starts
                                     {0, Time::hours(8), 20.00},
                                     {0, Time::hours(11), 20.00},  // 3 h gap again: the 7 h run
                                                                   // never spans 4 h
                                     {0, Time::hours(12), 20.02}};
  const DayResult r = run_day(q, subs, Time{});
  CHECK(r.verdicts == std::vector<Verdict>{Verdict::accepted, Verdict::accepted, Verdict::accepted,
                                           Verdict::accepted, Verdict::constant, Verdict::accepted,
                                           Verdict::accepted, Verdict::accepted,
                                           Verdict::accepted});
}

TEST_CASE("models::QualityOfData: missing and faulty readings lower the QoD exactly", "[unit]") {
  QodSpec spec;
  const std::vector<Time> intervals{Time::hours(1), Time::hours(6), Time::minutes(10),
                                    Time::hours(1)};
  QualityOfData q(spec, intervals);
  std::vector<Submission> subs;
  for (int h = 0; h < 18; ++h)  // 18 of 24 hourly readings
    subs.push_back({0, Time::hours(h), smooth_c(0, Time::hours(h), 0.0)});
  for (int h : {0, 6, 12})  // 3 of 4 six-hourly readings
    subs.push_back({1, Time::hours(h) + Time::minutes(30), smooth_c(1, Time::hours(h), 0.0)});
  for (int m = 0; m < 24 * 60; m += 10) {  // every 10 min, minus 2 of the 6 in hour 0
    if (m == 10 || m == 20) continue;
    subs.push_back({2, Time::minutes(m), smooth_c(2, Time::minutes(m), 0.0)});
  }
  // Station 3 stays silent.
  std::vector<Verdict> verdicts(subs.size(), Verdict::accepted);
  verdicts[5] = Verdict::outlier;  // an earlier check rejected hour 5 of station 0
  const DayResult r = run_day(q, subs, Time{}, verdicts);
  CHECK(r.qod[0] == Approx(17.0 / 24.0));
  CHECK(r.qod[1] == Approx(0.75));
  CHECK(r.qod[2] == Approx((23.0 + 4.0 / 6.0) / 24.0));
  CHECK(r.qod[3] == 0.0);
  CHECK(r.verdicts[5] == Verdict::outlier);  // left as the earlier check decided

  QualityOfData fresh(spec, intervals);
  CHECK(run_day(fresh, subs, Time{}).qod[0] == Approx(0.75));  // 24 slots, 18 good readings
}

TEST_CASE("models::QualityOfData: out-of-order arrival gives the same verdicts and scores",
          "[unit]") {
  QodSpec spec;
  spec.max_jump_c_per_h = 4;
  spec.max_jump_c = 6;
  const std::vector<Time> intervals(50, Time::hours(1));
  auto rng = sim::RandomStreams(7, 0).stream("qod.order");
  std::vector<Submission> subs;
  for (std::uint32_t k = 0; k < 50; ++k) {
    for (int h = 0; h < 24; ++h) {
      if (rng.bernoulli(0.1)) continue;
      double v = smooth_c(k, Time::hours(h), rng.normal(0, 0.3));
      if (rng.bernoulli(0.05)) v += 12;    // spikes
      if (k % 10 == 0 && h >= 8) v = 5.0;  // stuck sensors
      if (rng.bernoulli(0.02)) v = 70;     // out of bounds
      subs.push_back({k, Time::hours(h) + Time::minutes(k % 60), v});
    }
  }
  std::vector<std::size_t> perm(subs.size());
  std::iota(perm.begin(), perm.end(), std::size_t{0});
  for (std::size_t i = perm.size(); i > 1; --i)
    std::swap(perm[i - 1], perm[rng.uniform_int(i)]);
  std::vector<Submission> shuffled(subs.size());
  for (std::size_t i = 0; i < perm.size(); ++i)
    shuffled[i] = subs[perm[i]];

  QualityOfData a(spec, intervals), b(spec, intervals);
  const DayResult ra = run_day(a, subs, Time{});
  const DayResult rb = run_day(b, shuffled, Time{});
  CHECK(ra.qod == rb.qod);
  for (std::size_t i = 0; i < perm.size(); ++i)
    REQUIRE(rb.verdicts[i] == ra.verdicts[perm[i]]);
  // Every check fired somewhere, so the comparison covers them all.
  for (Verdict v : {Verdict::jump, Verdict::constant, Verdict::out_of_bounds}) {
    CHECK(std::count(ra.verdicts.begin(), ra.verdicts.end(), v) > 0);
  }
#ifdef _OPENMP
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  QualityOfData c(spec, intervals);
  const DayResult rc = run_day(c, subs, Time{});
  omp_set_num_threads(threads);
  CHECK(rc.qod == ra.qod);
  CHECK(rc.verdicts == ra.verdicts);
#endif
}

TEST_CASE("models::QualityOfData: honest smooth data scores 1 day after day", "[unit]") {
  QodSpec spec;
  std::vector<Time> intervals;
  for (int k = 0; k < 200; ++k)
    intervals.push_back(k % 2 == 0 ? Time::hours(1) : Time::hours(6));
  QualityOfData q(spec, intervals);
  auto rng = sim::RandomStreams(11, 0).stream("qod.honest");
  for (int day = 0; day < 5; ++day) {
    std::vector<Submission> subs;
    for (std::uint32_t k = 0; k < intervals.size(); ++k) {
      const Time phase = Time::minutes(7 * k % 60);
      for (Time t = Time::days(day) + phase; t < Time::days(day + 1); t += intervals[k]) {
        subs.push_back({k, t, smooth_c(k, t, rng.normal(0, 0.3))});
      }
    }
    const DayResult r = run_day(q, subs, Time::days(day));
    CHECK(std::count(r.verdicts.begin(), r.verdicts.end(), Verdict::accepted) ==
          static_cast<std::ptrdiff_t>(subs.size()));
    for (double x : r.qod)
      REQUIRE(x == 1.0);
  }
}

TEST_CASE("models::read_qod_spec: reads every key and refuses unknown ones", "[unit]") {
  const auto doc = sim::config::Document::load_string(
      "min_c: -30\nmax_c: 50\nmax_jump_c_per_h: 6\nmax_jump_c: 12\n"
      "constancy_window: 6h\nconstancy_tolerance_c: 0.05\n",
      "qod.yaml");
  sim::config::Reader reader(doc);
  const QodSpec s = models::read_qod_spec(sim::config::Section::root(reader, YAML::Node()));
  REQUIRE(reader.ok());
  CHECK(s.min_c == -30);
  CHECK(s.max_c == 50);
  CHECK(s.max_jump_c_per_h == 6);
  CHECK(s.max_jump_c == 12);
  CHECK(s.constancy_window == Time::hours(6));
  CHECK(s.constancy_tolerance_c == 0.05);

  const auto bad = sim::config::Document::load_string("max_jump: 3\nmin_c: 70\n", "bad.yaml");
  sim::config::Reader bad_reader(bad);
  models::read_qod_spec(sim::config::Section::root(bad_reader, YAML::Node()));
  CHECK(bad_reader.problems().size() == 2);  // unknown key, and max_c not above min_c
}
