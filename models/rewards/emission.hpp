#pragma once
// Token emission schedules: how many tokens a network mints over any interval of simulated time.

#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/config.hpp"
#include "sim/time.hpp"

namespace models {

/// The shape of an emission schedule (`rewards.emission.kind`).
enum class EmissionKind : std::uint8_t {
  constant,           // a fixed number of tokens per day, for ever
  halving,            // HIP-20: a yearly rate that halves every period
  exponential_decay,  // a continuous rate r0·e^(−λt)
  capped,             // a fixed rate until a maximum supply is reached
  yearly_decay,       // DIMO/Render: a per-period amount damped by a factor every n periods
  filecoin,           // Filecoin simple + baseline minting
};

/// "constant", "halving", ... as written in the YAML.
std::string_view emission_kind_name(EmissionKind kind);

/// Parameters of every kind; each kind reads only its own keys (see read_emission_spec).
///   EmissionSpec spec;  spec.kind = EmissionKind::halving;  EmissionSchedule hip20(spec);
struct EmissionSpec {
  EmissionKind kind = EmissionKind::constant;
  double per_day = 10'000.0;  // constant, capped: tokens per day
  // halving, exponential_decay: tokens per year at genesis. HIP-20: 60M HNT/yr [V].
  double initial_per_year = 60e6;
  sim::Time halving_every = sim::Time::years(2);  // halving: HIP-20 halves every 2 years [V]
  // exponential_decay, filecoin: time for the rate to halve. Filecoin: 6·1 051 200 epochs of 30 s
  // = 6 years of 365 days exactly [V, actors/reward/src/logic.rs].
  sim::Time half_life = sim::Time::years(6);
  double max_supply = 100e6;  // capped: tokens; nothing is minted beyond it
  // yearly_decay. DIMO: 1 105 000 per week, ×0.85 every 52 weeks, floored [V, rewards-api].
  double per_period = 1'105'000.0;        // tokens in each period of the first step
  sim::Time period = sim::Time::days(7);  // one period; its amount is spread uniformly over it
  double factor = 0.85;                   // damping applied at each step
  std::int64_t periods_per_step = 52;     // periods between two dampings
  bool round_down = true;                 // limit = ⌊limit·factor⌋ at each step, as DIMO does
  // filecoin [V, builtin-actors actors/reward/src/logic.rs; mechaFIL minting.py].
  // Tokens minted on time alone. Each 30 s chain epoch pays for the one before it, as the actor
  // does, so the simple supply is S·e^(λ·30 s): 36 FIL above 330M.
  double simple_supply = 330e6;
  double baseline_supply = 770e6;  // tokens minted as the network's power reaches the baseline
  double baseline_initial_bytes = 2.88888888e18;  // B0: BASELINE_INITIAL_VALUE, 2.5057 EiB
  double baseline_growth_per_year = 2.0;          // B(t) = B0·growth^(t/yr): doubling yearly
  // How far into the schedule the scenario starts (`start_at`): Helium in 2024 is 5 years into
  // HIP-20. Tokens of the schedule minted before it are minted_before_start().
  sim::Time genesis_offset{};
};

/// Reads the `rewards.emission:` mapping: `kind:` and that kind's keys; another kind's key is an
/// unknown key.
EmissionSpec read_emission_spec(sim::config::Section s);

/// Tokens minted from the schedule's genesis up to any time, so that an epoch's emission does not
/// depend on the epoch length: every kind is a cumulative function C(t) and the interval [t0, t1)
/// mints C(t1) − C(t0). A year run in daily or hourly epochs mints the same total.
///
/// The filecoin kind is the one with state: its baseline minting depends on the network's
/// quality-adjusted power, which it accumulates from the calls (see tokens()).
///   EmissionSchedule s(spec);  double minted = s.tokens(t, t + epoch);
class EmissionSchedule {
 public:
  explicit EmissionSchedule(const EmissionSpec& spec);

  /// Tokens minted in [start, end) (times since the scenario start; genesis_offset is added).
  /// network_power_bytes: the network's quality-adjusted power over the interval, used by the
  /// filecoin kind's baseline minting (ignored by the others). Calls cover consecutive intervals:
  /// the first starts at 0 and each one where the previous ended (throws std::invalid_argument
  /// otherwise), since the filecoin kind accumulates realised power.
  double tokens(sim::Time start, sim::Time end, double network_power_bytes = 0.0);
  /// Sum of everything tokens() has returned.
  double minted_total() const { return minted_total_; }
  /// Tokens the schedule minted between its genesis and the scenario start (genesis_offset): the
  /// supply already in existence when the scenario begins. For filecoin the network is assumed to
  /// have met the baseline until then.
  double minted_before_start() const { return minted_before_start_; }
  /// Upper bound on the supply this schedule can ever mint, counted from its genesis (so it
  /// includes minted_before_start()); infinity when unbounded. HIP-20: 240M.
  double max_supply() const;
  /// Filecoin's effective network time θ since genesis, in seconds (0 for the other kinds).
  double effective_network_time_s() const { return static_cast<double>(theta_s_); }
  const EmissionSpec& spec() const { return spec_; }

 private:
  /// Tokens minted from genesis to `since_genesis`, for every kind but filecoin.
  long double cumulative(sim::Time since_genesis) const;
  /// Amount of each period in step s of the yearly_decay kind (grows the cache as needed).
  long double step_amount(std::size_t step) const;
  long double filecoin_simple(long double a_s, long double b_s) const;
  /// Advances θ over [a_s, b_s) at constant power; returns the baseline tokens minted.
  long double filecoin_baseline(long double a_s, long double b_s, long double power_bytes);

  EmissionSpec spec_;
  long double lambda_per_s_ = 0.0L;                // exponential_decay, filecoin: ln 2 / half_life
  long double growth_per_s_ = 0.0L;                // filecoin: g = ln(growth)/year
  long double theta_s_ = 0.0L;                     // filecoin: effective network time since genesis
  mutable std::vector<long double> step_amounts_;  // yearly_decay: per-period amount of each step
  mutable std::vector<long double> step_prefix_;   // yearly_decay: tokens before each step
  sim::Time next_start_{};
  double minted_total_ = 0.0;
  double minted_before_start_ = 0.0;
};

}  // namespace models
