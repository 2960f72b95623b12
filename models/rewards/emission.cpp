#include "models/rewards/emission.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

namespace {

constexpr long double kSecondsPerDay = 86'400.0L;
constexpr long double kSecondsPerYear = 365.0L * kSecondsPerDay;
/// Filecoin's chain epoch: its simple reward for epoch t is S·(e^λ − 1)·e^(−λt) with λ per epoch
/// [V, actors/reward/src/logic.rs], so each epoch pays for the one before it.
constexpr Time kFilecoinEpoch = Time::seconds(30);

long double seconds(Time t) {
  return static_cast<long double>(t.ticks()) / static_cast<long double>(Time::kTicksPerSecond);
}

long double ln2() {
  return std::log(2.0L);
}

/// ⌊x⌋, except that an x within 1e-9 (relative) of an integer is that integer: the factor is a
/// decimal such as 0.85 that binary cannot hold, and DIMO divides integers exactly
/// (1 105 000·85/100 = 939 250, not 939 249).
long double floor_decimal(long double x) {
  const long double nearest = std::nearbyint(x);
  if (std::fabs(x - nearest) <= 1e-9L * std::max(1.0L, std::fabs(x))) return nearest;
  return std::floor(x);
}

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument("EmissionSchedule: " + message);
}

bool non_negative(double x) {
  return std::isfinite(x) && x >= 0.0;
}

struct KindInfo {
  EmissionKind kind;
  std::string_view name;
  std::string_view help;
  void (*read)(Section&, EmissionSpec&);
};

void read_constant(Section& s, EmissionSpec& v) {
  v.per_day = s.number("per_day", v.per_day, "tokens/day", Range::at_least(0.0),
                       "tokens minted per day, uniformly in time");
}

void read_halving(Section& s, EmissionSpec& v) {
  v.initial_per_year = s.number("initial_per_year", v.initial_per_year, "tokens/yr",
                                Range::at_least(0.0), "rate in the first period (HIP-20: 60e6)");
  v.halving_every = s.duration("halving_every", v.halving_every, Time::seconds(1),
                               "the rate halves at the end of each such period (HIP-20: 2y)");
}

void read_exponential_decay(Section& s, EmissionSpec& v) {
  v.initial_per_year = s.number("initial_per_year", v.initial_per_year, "tokens/yr",
                                Range::at_least(0.0), "rate at genesis, decaying continuously");
  v.half_life =
      s.duration("half_life", v.half_life, Time::seconds(1), "time for the rate to halve");
}

void read_capped(Section& s, EmissionSpec& v) {
  v.per_day = s.number("per_day", v.per_day, "tokens/day", Range::at_least(0.0),
                       "tokens minted per day until the cap");
  v.max_supply = s.number("max_supply", v.max_supply, "tokens", Range::at_least(0.0),
                          "nothing is minted once this many tokens exist (counted from genesis)");
}

void read_yearly_decay(Section& s, EmissionSpec& v) {
  v.per_period = s.number("per_period", v.per_period, "tokens", Range::at_least(0.0),
                          "tokens in each period of the first step (DIMO: 1105000 a week)");
  v.period = s.duration("period", v.period, Time::seconds(1),
                        "one period; its tokens are spread uniformly over it");
  v.factor = s.number("factor", v.factor, "", Range::between(0.0, 1.0),
                      "each step's period amount is the previous one's times this");
  v.periods_per_step = s.integer("periods_per_step", v.periods_per_step, Range::at_least(1.0),
                                 "periods between two dampings (52 weeks: yearly)");
  v.round_down = s.boolean("round_down", v.round_down,
                           "round each step's amount down to a whole token, as DIMO does");
}

void read_filecoin(Section& s, EmissionSpec& v) {
  v.simple_supply = s.number("simple_supply", v.simple_supply, "tokens", Range::at_least(0.0),
                             "minted on time alone, S·(1 − e^(−λt)) (Filecoin: 330e6)");
  v.baseline_supply = s.number("baseline_supply", v.baseline_supply, "tokens", Range::at_least(0.0),
                               "minted as realised power catches up with the baseline (770e6)");
  v.half_life = s.duration("half_life", v.half_life, Time::seconds(1),
                           "half-life of both minting curves (Filecoin: 6y)");
  v.baseline_initial_bytes =
      s.number("baseline_initial_bytes", v.baseline_initial_bytes, "bytes", Range::above(0.0),
               "baseline power at genesis, B0 (Filecoin: 2.88888888e18)");
  v.baseline_growth_per_year =
      s.number("baseline_growth_per_year", v.baseline_growth_per_year, "", Range::at_least(1.0),
               "the baseline is multiplied by this each year (2: doubling)");
}

constexpr std::array<KindInfo, 6> kKinds{{
    {EmissionKind::constant, "constant", "a fixed number of tokens per day", &read_constant},
    {EmissionKind::halving, "halving", "HIP-20 style: a yearly rate halving every period",
     &read_halving},
    {EmissionKind::exponential_decay, "exponential_decay", "a rate decaying as r0·e^(−λt)",
     &read_exponential_decay},
    {EmissionKind::capped, "capped", "a fixed rate until a maximum supply", &read_capped},
    {EmissionKind::yearly_decay, "yearly_decay",
     "DIMO/Render style: a per-period amount damped every n periods", &read_yearly_decay},
    {EmissionKind::filecoin, "filecoin", "Filecoin simple + baseline minting", &read_filecoin},
}};

}  // namespace

std::string_view emission_kind_name(EmissionKind kind) {
  for (const KindInfo& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

EmissionSpec read_emission_spec(Section s) {
  EmissionSpec v;
  std::array<std::string_view, kKinds.size()> names{};
  for (std::size_t k = 0; k < kKinds.size(); ++k)
    names[k] = kKinds[k].name;
  const std::size_t before = s.problems_so_far();
  const std::string kind = s.choice("kind", "constant", names,
                                    "emission schedule; its keys are listed under [kind=...]");
  if (s.describing()) {
    for (const KindInfo& k : kKinds) {
      Section variant = s.variant("kind=" + std::string(k.name));
      variant.choice("kind", k.name, names, k.help);
      k.read(variant, v);
    }
    v = EmissionSpec{};
  } else if (s.problems_so_far() != before) {
    return v;  // a bad kind: the other keys mean nothing
  } else {
    for (const KindInfo& k : kKinds) {
      if (k.name == kind) {
        v.kind = k.kind;
        k.read(s, v);
      }
    }
  }
  v.genesis_offset =
      s.duration("start_at", v.genesis_offset, Time{},
                 "how far into the schedule the scenario starts (Helium in 2024: 5y into HIP-20)");
  s.finish();
  return v;
}

EmissionSchedule::EmissionSchedule(const EmissionSpec& spec) : spec_(spec) {
  require(spec.genesis_offset >= Time{}, "start_at must not be negative");
  switch (spec.kind) {
    case EmissionKind::constant:
      require(non_negative(spec.per_day), "per_day must be a non-negative number");
      break;
    case EmissionKind::halving:
      require(non_negative(spec.initial_per_year), "initial_per_year must be non-negative");
      require(spec.halving_every > Time{}, "halving_every must be positive");
      break;
    case EmissionKind::exponential_decay:
      require(non_negative(spec.initial_per_year), "initial_per_year must be non-negative");
      require(spec.half_life > Time{}, "half_life must be positive");
      break;
    case EmissionKind::capped:
      require(non_negative(spec.per_day), "per_day must be a non-negative number");
      require(non_negative(spec.max_supply), "max_supply must be a non-negative number");
      break;
    case EmissionKind::yearly_decay:
      require(non_negative(spec.per_period), "per_period must be a non-negative number");
      require(spec.period > Time{}, "period must be positive");
      require(std::isfinite(spec.factor) && spec.factor >= 0.0 && spec.factor <= 1.0,
              "factor must be in [0, 1]");
      require(spec.periods_per_step >= 1, "periods_per_step must be at least 1");
      break;
    case EmissionKind::filecoin:
      require(non_negative(spec.simple_supply), "simple_supply must be non-negative");
      require(non_negative(spec.baseline_supply), "baseline_supply must be non-negative");
      require(spec.half_life > Time{}, "half_life must be positive");
      require(std::isfinite(spec.baseline_initial_bytes) && spec.baseline_initial_bytes > 0.0,
              "baseline_initial_bytes must be positive");
      require(std::isfinite(spec.baseline_growth_per_year) && spec.baseline_growth_per_year >= 1.0,
              "baseline_growth_per_year must be at least 1");
      break;
  }
  lambda_per_s_ = ln2() / seconds(spec.half_life);
  if (spec.kind == EmissionKind::filecoin) {
    growth_per_s_ =
        std::log(static_cast<long double>(spec.baseline_growth_per_year)) / kSecondsPerYear;
    // Before the scenario starts the network is assumed to have met the baseline: θ = offset.
    theta_s_ = seconds(spec.genesis_offset);
    minted_before_start_ =
        static_cast<double>(filecoin_simple(0.0L, theta_s_) +
                            spec.baseline_supply * -std::expm1(-lambda_per_s_ * theta_s_));
  } else {
    minted_before_start_ = static_cast<double>(cumulative(spec.genesis_offset));
  }
}

long double EmissionSchedule::step_amount(std::size_t step) const {
  if (step_amounts_.empty()) {
    const long double first = spec_.per_period;
    step_amounts_.push_back(spec_.round_down ? floor_decimal(first) : first);
    step_prefix_.push_back(0.0L);
  }
  const auto per_step = static_cast<long double>(spec_.periods_per_step);
  // Once the amount is zero it stays zero: stop growing the cache.
  while (step_amounts_.size() <= step && step_amounts_.back() != 0.0L) {
    const long double last = step_amounts_.back();
    const long double next = last * static_cast<long double>(spec_.factor);
    step_prefix_.push_back(step_prefix_.back() + per_step * last);
    step_amounts_.push_back(spec_.round_down ? floor_decimal(next) : next);
  }
  return step < step_amounts_.size() ? step_amounts_[step] : 0.0L;
}

long double EmissionSchedule::cumulative(Time t) const {
  switch (spec_.kind) {
    case EmissionKind::constant:
      return spec_.per_day * seconds(t) / kSecondsPerDay;
    case EmissionKind::capped:
      return std::min<long double>(spec_.per_day * seconds(t) / kSecondsPerDay, spec_.max_supply);
    case EmissionKind::halving: {
      // Period k mints P0·2^(−k); n whole periods mint 2·P0·(1 − 2^(−n)).
      const long double per_period =
          spec_.initial_per_year * seconds(spec_.halving_every) / kSecondsPerYear;
      const std::int64_t n = t / spec_.halving_every;
      const long double fraction = static_cast<long double>((t % spec_.halving_every).ticks()) /
                                   static_cast<long double>(spec_.halving_every.ticks());
      const int whole = static_cast<int>(std::min<std::int64_t>(n, 100'000));
      const long double rate = std::ldexp(per_period, -whole);
      return 2.0L * (per_period - rate) + rate * fraction;
    }
    case EmissionKind::exponential_decay: {
      const long double rate_per_s = spec_.initial_per_year / kSecondsPerYear;
      return rate_per_s / lambda_per_s_ * -std::expm1(-lambda_per_s_ * seconds(t));
    }
    case EmissionKind::yearly_decay: {
      const std::int64_t n = t / spec_.period;
      const long double fraction = static_cast<long double>((t % spec_.period).ticks()) /
                                   static_cast<long double>(spec_.period.ticks());
      const auto step = static_cast<std::size_t>(n / spec_.periods_per_step);
      const auto into_step = static_cast<long double>(n % spec_.periods_per_step);
      const long double amount = step_amount(step);
      // Past the cache the amount has reached zero, so the last prefix is the whole supply.
      const long double before = step_prefix_[std::min(step, step_prefix_.size() - 1)];
      return before + amount * (into_step + fraction);
    }
    case EmissionKind::filecoin:
      break;
  }
  throw std::logic_error("EmissionSchedule::cumulative: not a stateless kind");
}

long double EmissionSchedule::filecoin_simple(long double a_s, long double b_s) const {
  // C_s(t) = S·e^(λε)·(1 − e^(−λt)): each 30 s epoch [kε, (k+1)ε) mints S·(e^(λε) − 1)·e^(−λkε),
  // Filecoin's simple reward for epoch k, so the supply is S·e^(λε) (36 FIL above 330M).
  const long double lead = std::exp(lambda_per_s_ * seconds(kFilecoinEpoch));
  return spec_.simple_supply * lead * std::exp(-lambda_per_s_ * a_s) *
         -std::expm1(-lambda_per_s_ * (b_s - a_s));
}

long double EmissionSchedule::filecoin_baseline(long double a_s, long double b_s,
                                                long double power_bytes) {
  // Realised power ∫ min(P, B(τ)) dτ over [a, b) with P constant and B(τ) = B0·e^(gτ) rising.
  const long double b0 = spec_.baseline_initial_bytes;
  const long double g = growth_per_s_;
  const long double span = b_s - a_s;
  long double realised = 0.0L;
  if (power_bytes > 0.0L && span > 0.0L) {
    if (g == 0.0L) {
      realised = std::min(power_bytes, b0) * span;
    } else {
      // ∫_x^y B = B(x)·(e^(g(y−x)) − 1)/g
      const auto baseline_integral = [&](long double x, long double y) {
        return b0 * std::exp(g * x) * std::expm1(g * (y - x)) / g;
      };
      const long double crossing = std::log(power_bytes / b0) / g;  // where B(τ) = P
      if (crossing <= a_s) {
        realised = power_bytes * span;
      } else if (crossing >= b_s) {
        realised = baseline_integral(a_s, b_s);
      } else {
        realised = baseline_integral(a_s, crossing) + power_bytes * (b_s - crossing);
      }
    }
  }
  // θ = (1/g)·ln(g·R̄/B0 + 1); in increments, Δθ = (1/g)·ln(1 + g·ΔR/B(θ)) since
  // B0 + g·R̄ = B0·e^(gθ) = B(θ). Increments keep per-epoch amounts exact to many digits.
  const long double d_theta =
      g == 0.0L ? realised / b0 : std::log1p(g * realised / (b0 * std::exp(g * theta_s_))) / g;
  const long double minted = spec_.baseline_supply * std::exp(-lambda_per_s_ * theta_s_) *
                             -std::expm1(-lambda_per_s_ * d_theta);
  theta_s_ += d_theta;
  return minted;
}

double EmissionSchedule::tokens(Time start, Time end, double network_power_bytes) {
  if (start != next_start_ || end < start) {
    throw std::invalid_argument(
        "EmissionSchedule: intervals must be consecutive from 0: expected one starting at " +
        sim::format_duration(next_start_) + ", got [" + sim::format_duration(start) + ", " +
        sim::format_duration(end) + ")");
  }
  long double minted = 0.0L;
  if (spec_.kind == EmissionKind::filecoin) {
    if (!(std::isfinite(network_power_bytes) && network_power_bytes >= 0.0)) {
      throw std::invalid_argument("EmissionSchedule: network power must be a non-negative number");
    }
    const long double a = seconds(spec_.genesis_offset + start);
    const long double b = seconds(spec_.genesis_offset + end);
    minted = filecoin_simple(a, b) + filecoin_baseline(a, b, network_power_bytes);
  } else {
    minted = cumulative(spec_.genesis_offset + end) - cumulative(spec_.genesis_offset + start);
  }
  next_start_ = end;
  const double out = std::max(0.0, static_cast<double>(minted));
  minted_total_ += out;
  return out;
}

double EmissionSchedule::max_supply() const {
  constexpr double kUnbounded = std::numeric_limits<double>::infinity();
  switch (spec_.kind) {
    case EmissionKind::constant:
      return spec_.per_day > 0.0 ? kUnbounded : 0.0;
    case EmissionKind::capped:
      return spec_.per_day > 0.0 ? spec_.max_supply : 0.0;
    case EmissionKind::halving:
      return 2.0 * spec_.initial_per_year *
             static_cast<double>(seconds(spec_.halving_every) / kSecondsPerYear);
    case EmissionKind::exponential_decay:
      return static_cast<double>(spec_.initial_per_year / kSecondsPerYear / lambda_per_s_);
    case EmissionKind::yearly_decay: {
      if (spec_.per_period == 0.0 || spec_.factor == 0.0) {
        return static_cast<double>(static_cast<long double>(spec_.periods_per_step) *
                                   step_amount(0));
      }
      if (spec_.factor >= 1.0) return step_amount(0) > 0.0L ? kUnbounded : 0.0;
      if (!spec_.round_down) {
        return spec_.per_period * static_cast<double>(spec_.periods_per_step) /
               (1.0 - spec_.factor);
      }
      // Rounding down reaches zero after finitely many steps: add them up.
      std::size_t step = 0;
      while (step_amount(step) != 0.0L)
        ++step;
      return static_cast<double>(step_prefix_.back());
    }
    case EmissionKind::filecoin:
      return static_cast<double>(spec_.simple_supply *
                                     std::exp(lambda_per_s_ * seconds(kFilecoinEpoch)) +
                                 spec_.baseline_supply);
  }
  return kUnbounded;
}

}  // namespace models
