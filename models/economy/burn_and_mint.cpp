#include "models/economy/burn_and_mint.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

namespace models {

using sim::config::Range;
using sim::config::Section;

namespace {

bool is_share(double x) {
  return x >= 0.0 && x <= 1.0;
}

void check_spec(const BmeSpec& spec) {
  if (!is_share(spec.burn_share)) {
    throw std::invalid_argument("settle_usage: burn_share must be in [0, 1]");
  }
  if (!(spec.credit_usd > 0.0 && std::isfinite(spec.credit_usd))) {
    throw std::invalid_argument("settle_usage: credit_usd must be positive");
  }
  if (!is_share(spec.remint_share)) {
    throw std::invalid_argument("settle_usage: remint_share must be in [0, 1]");
  }
  if (!(spec.remint_cap_per_day >= 0.0)) {
    throw std::invalid_argument("settle_usage: remint_cap_per_day must be non-negative");
  }
}

}  // namespace

BmeSettlement settle_usage(const BmeSpec& spec, double usd, double price_usd, sim::Time interval) {
  check_spec(spec);
  if (!(usd >= 0.0 && std::isfinite(usd))) {
    throw std::invalid_argument("settle_usage: usd must be a non-negative number");
  }
  if (interval < sim::Time{}) throw std::invalid_argument("settle_usage: negative interval");
  const double burn_usd = spec.burn_share * usd;
  if (burn_usd > 0.0 && !(price_usd > 0.0 && std::isfinite(price_usd))) {
    throw std::invalid_argument("settle_usage: burning needs a positive token price, got " +
                                std::to_string(price_usd));
  }
  BmeSettlement s;
  s.credits = usd / spec.credit_usd;
  s.tokens_burned = burn_usd > 0.0 ? burn_usd / price_usd : 0.0;
  s.usd_kept = usd - burn_usd;
  if (spec.remint == RemintKind::burned_capped) {
    const double cap = spec.remint_cap_per_day * interval.to_days();
    s.tokens_reminted = std::min(spec.remint_share * s.tokens_burned, cap);
  }
  return s;
}

double bme_equilibrium_price(double demand_usd, double mint_tokens, double burn_share) {
  if (!(demand_usd >= 0.0)) throw std::invalid_argument("bme_equilibrium_price: negative demand");
  if (!(mint_tokens > 0.0)) {
    throw std::invalid_argument("bme_equilibrium_price: no equilibrium without minting");
  }
  if (!is_share(burn_share)) {
    throw std::invalid_argument("bme_equilibrium_price: burn_share must be in [0, 1]");
  }
  return burn_share * demand_usd / mint_tokens;
}

double bme_supply_change(double mint_tokens, double demand_usd, double price_usd,
                         double burn_share) {
  if (!(price_usd > 0.0)) throw std::invalid_argument("bme_supply_change: price must be positive");
  if (!is_share(burn_share)) {
    throw std::invalid_argument("bme_supply_change: burn_share must be in [0, 1]");
  }
  return mint_tokens - burn_share * demand_usd / price_usd;
}

AkashTake akash_take(std::int64_t amount, std::int64_t rate_percent) {
  if (amount < 0) throw std::invalid_argument("akash_take: negative amount");
  if (rate_percent < 0 || rate_percent > 100) {
    throw std::invalid_argument("akash_take: rate_percent must be in [0, 100]");
  }
  // amount = 100q + r, so ⌊amount·rate/100⌋ = q·rate + ⌊r·rate/100⌋ without overflowing.
  const std::int64_t fee = amount / 100 * rate_percent + amount % 100 * rate_percent / 100;
  return AkashTake{amount - fee, fee};
}

double akash_bme_mint(double burned, double price_from_usd, double price_to_usd, double spread) {
  if (!(burned >= 0.0)) throw std::invalid_argument("akash_bme_mint: negative burn");
  if (!(price_from_usd > 0.0 && price_to_usd > 0.0)) {
    throw std::invalid_argument("akash_bme_mint: prices must be positive");
  }
  if (!(spread >= 0.0)) throw std::invalid_argument("akash_bme_mint: negative spread");
  return std::max(0.0, burned * price_from_usd / price_to_usd - spread);
}

double render_epoch_share(double pool_tokens, double operator_work_value, double total_work_value) {
  if (!(pool_tokens >= 0.0)) throw std::invalid_argument("render_epoch_share: negative pool");
  if (!(operator_work_value >= 0.0 && operator_work_value <= total_work_value)) {
    throw std::invalid_argument("render_epoch_share: work value must be in [0, total_work_value]");
  }
  if (total_work_value == 0.0) return 0.0;
  return pool_tokens * operator_work_value / total_work_value;
}

BmeSpec read_bme_spec(Section s) {
  BmeSpec v;
  v.burn_share = s.number("burn_share", v.burn_share, "", Range::between(0.0, 1.0),
                          "share of the USD paid for usage that buys tokens to burn");
  v.credit_usd = s.number("credit_usd", v.credit_usd, "USD", Range::above(0.0),
                          "price of one usage credit (Helium Data Credit: 0.00001)");
  static constexpr std::array<std::string_view, 2> kRemints{"none", "burned_capped"};
  const std::string remint =
      s.choice("remint", "none", kRemints,
               "none, or burned_capped: re-mint a share of the burn as emission, capped per day");
  if (remint == "burned_capped") v.remint = RemintKind::burned_capped;
  // The re-mint's keys are read only with it: with remint: none they are unknown keys.
  if (v.remint == RemintKind::burned_capped || s.describing()) {
    v.remint_share =
        s.number("remint_share", v.remint_share, "", Range::between(0.0, 1.0),
                 "burned_capped: share of the burn re-minted (Hivemapper MIP-15: 0.25)");
    v.remint_cap_per_day =
        s.number("remint_cap_per_day", v.remint_cap_per_day, "tokens/day", Range::at_least(0.0),
                 "burned_capped: most tokens re-minted per day (HIP-20: 34.24 HNT x 48 epochs)");
  }
  s.finish();
  return v;
}

}  // namespace models
