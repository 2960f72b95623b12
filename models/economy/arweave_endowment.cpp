#include "models/economy/arweave_endowment.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace models {

using sim::config::Range;
using sim::config::Section;

namespace {

constexpr double kGiBytes = 1073741824.0;

void check(const ArweaveSpec& spec) {
  if (spec.replicas < 1) throw std::invalid_argument("ArweaveSpec: replicas must be >= 1");
  if (!(spec.cost_usd_per_gib_year >= 0.0)) {
    throw std::invalid_argument("ArweaveSpec: cost_usd_per_gib_year must be >= 0");
  }
  if (!(spec.assumed_decay_per_year > 0.0 && spec.assumed_decay_per_year < 1.0)) {
    throw std::invalid_argument("ArweaveSpec: assumed_decay_per_year must be in (0, 1)");
  }
  if (!(spec.cost_decay_per_year > 0.0 && spec.cost_decay_per_year <= 1.0)) {
    throw std::invalid_argument("ArweaveSpec: cost_decay_per_year must be in (0, 1]");
  }
  if (!(spec.latch_reset_tokens >= 0.0)) {
    throw std::invalid_argument("ArweaveSpec: latch_reset_tokens must be >= 0");
  }
}

}  // namespace

double perpetual_years(double decay_per_year) {
  if (!(decay_per_year > 0.0 && decay_per_year < 1.0)) {
    throw std::invalid_argument("perpetual_years: the decay must be in (0, 1)");
  }
  return 1.0 / -std::log(decay_per_year);
}

ArweaveFee arweave_fee(const ArweaveSpec& spec, double bytes, double kryder_multiplier) {
  check(spec);
  if (!(bytes >= 0.0) || !(kryder_multiplier >= 1.0)) {
    throw std::invalid_argument("arweave_fee: bytes must be >= 0 and the multiplier >= 1");
  }
  ArweaveFee f;
  f.endowment_usd = static_cast<double>(spec.replicas) * spec.cost_usd_per_gib_year *
                    (bytes / kGiBytes) * perpetual_years(spec.assumed_decay_per_year) *
                    kryder_multiplier;
  f.miner_usd = f.endowment_usd / 20.0;
  f.total_usd = f.endowment_usd + f.miner_usd;
  return f;
}

double storage_cost_usd(const ArweaveSpec& spec, double bytes, sim::Time from, sim::Time to) {
  check(spec);
  if (to < from) throw std::invalid_argument("storage_cost_usd: the span ends before it starts");
  const double a = from.to_days() / 365.0, b = to.to_days() / 365.0;
  const double per_year = spec.cost_usd_per_gib_year * bytes / kGiBytes;
  const double delta = spec.cost_decay_per_year;
  if (delta == 1.0) return per_year * (b - a);
  // ∫_a^b δ^t dt = (δ^a − δ^b)/(−ln δ): exact over any step, so daily sums add up to the total.
  return per_year * (std::pow(delta, a) - std::pow(delta, b)) / -std::log(delta);
}

ArweaveEndowment::ArweaveEndowment(const ArweaveSpec& spec) : spec_(spec) {
  check(spec_);
}

ArweaveEndowment::Payout ArweaveEndowment::pay(double owed_tokens, double balance_tokens) {
  if (!(owed_tokens >= 0.0)) throw std::invalid_argument("ArweaveEndowment: owed must be >= 0");
  Payout p;
  const double available = std::max(0.0, balance_tokens);
  p.paid_tokens = std::min(owed_tokens, available);
  p.shortfall_tokens = owed_tokens - p.paid_tokens;
  if (p.shortfall_tokens > 0.0) {
    // The pool is empty: raise fees once, then hold the latch so a pool that stays low does not
    // double them again every block.
    if (!latch_) {
      multiplier_ *= 2.0;
      latch_ = true;
      p.multiplier_raised = true;
    }
  } else if (available - p.paid_tokens > spec_.latch_reset_tokens) {
    latch_ = false;
  }
  return p;
}

ArweaveSpec read_arweave_spec(Section s) {
  ArweaveSpec a;
  a.replicas = s.integer("replicas", a.replicas, Range::at_least(1.0),
                         "replicas the fee pays for (Arweave 2.6: 20)");
  a.cost_usd_per_gib_year =
      s.number("cost_usd_per_gib_year", a.cost_usd_per_gib_year, "USD/GiB/yr", Range::at_least(0.0),
               "today's cost of keeping one replica of a GiB for a year");
  a.assumed_decay_per_year =
      s.number("assumed_decay_per_year", a.assumed_decay_per_year, "1/yr", Range::between(0.5, 1.0),
               "yearly factor fees assume the cost falls by (PRICE_DECAY_ANNUAL, below 1)");
  if (a.assumed_decay_per_year >= 1.0) {
    s.problem("assumed_decay_per_year", "must be below 1: fees would be infinite");
    a.assumed_decay_per_year = 0.995;
  }
  a.cost_decay_per_year =
      s.number("cost_decay_per_year", a.cost_decay_per_year, "1/yr", Range::between(0.5, 1.0),
               "yearly factor the true cost falls by (1: it never falls)");
  a.latch_reset_tokens =
      s.number("latch_reset_tokens", a.latch_reset_tokens, "tokens", Range::at_least(0.0),
               "endowment balance above which the Kryder+ latch opens again");
  s.finish();
  return a;
}

}  // namespace models
