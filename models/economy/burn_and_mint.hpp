#pragma once
// Burn-and-mint: buyers burn tokens for USD-pegged usage credits; the protocol mints and re-mints.

#include <cstdint>

#include "sim/config.hpp"
#include "sim/time.hpp"

namespace models {

/// Whether burned tokens come back as emission.
enum class RemintKind {
  none,           // burned tokens are gone
  burned_capped,  // a share of each interval's burn is re-minted, up to a cap per day
};

/// HIP-20 net emissions cap: 34.24 HNT per epoch with 336 epochs a week (48 a day) is
/// 1 643.52 HNT/day [V, helium/HIP 0020-hnt-max-supply.md; the day figure D]. Helium's docs
/// later state 1 643.835 616 HNT/day (600 000 a year) for the Solana-era daily epoch [U].
inline constexpr double kHip20RemintCapHntPerDay = 34.24 * 48.0;
/// Hivemapper MIP-15: 25 % of the HONEY burned for Map Credits is re-minted as consumption
/// rewards, up to 500 000 HONEY a week [V, docs.hivemapper.com MIP-15].
inline constexpr double kMip15RemintCapHoneyPerDay = 500'000.0 / 7.0;

/// How usage is paid for.
///   Helium:     burn_share 1, credit_usd 1e-5 (one Data Credit), remint burned_capped,
///               remint_share 1, remint_cap_per_day 1643.52 (HIP-20 net emissions).
///   Hivemapper: burn_share 1, credit_usd 0.0075 (one Map Credit), remint burned_capped,
///               remint_share 0.25, remint_cap_per_day 500000/7 (MIP-15). Modelling it instead as
///               burn_share 0.75 with no re-mint gives the same net burn while under the cap.
///   Render:     burn_share 1, remint none (emissions are fixed and independent of the burn).
struct BmeSpec {
  double burn_share = 1.0;   // share of the USD paid that buys tokens to burn; the rest is kept
  double credit_usd = 1e-5;  // one usage credit (Helium DC $0.00001 [V, iot_verifier])
  RemintKind remint = RemintKind::none;
  double remint_share = 1.0;  // share of the burned tokens eligible for re-mint
  double remint_cap_per_day = kHip20RemintCapHntPerDay;  // tokens re-minted per day at most
};

/// Reads the `economy.burn:` section.
BmeSpec read_bme_spec(sim::config::Section s);

/// One interval's usage, settled.
struct BmeSettlement {
  double credits = 0;          // usage credits issued: the whole USD amount / credit_usd
  double tokens_burned = 0;    // burn_share · usd / price
  double usd_kept = 0;         // (1 − burn_share) · usd, e.g. paid to a treasury in USD
  double tokens_reminted = 0;  // min(remint_share · burned, cap · interval); 0 without re-mint
};

/// Buyers spend `usd`; at the token price, burn_share of it buys tokens that are burned (credits
/// are issued for the whole USD amount); the rest stays in USD. Re-mint returns burned tokens as
/// emission, capped for the interval (cap per day × interval in days). Helium's pool that smooths
/// re-mint over 336 epochs (HIP-20) is not modelled: the re-mint is paid in the same interval.
///   auto s = settle_usage(spec, 1.0, hnt_price_usd, sim::Time::days(1));  // $1 → 100 000 DC
BmeSettlement settle_usage(const BmeSpec& spec, double usd, double price_usd, sim::Time interval);

/// Burn-and-mint equilibrium price P* = burn_share · D / M, with D the USD spent per unit time and
/// M the tokens minted per unit time (the same unit) [D, MECHANISMS 5]. At P* the supply change
/// ΔS = M − burn_share·D/P is zero; below it supply shrinks, above it supply grows.
///   bme_equilibrium_price(1e6, 20'000)  // $50
double bme_equilibrium_price(double demand_usd, double mint_tokens, double burn_share = 1.0);

/// ΔS = M − burn_share·D/P: the change of supply when M tokens are minted and D USD of usage is
/// paid at price P (MECHANISMS 5). Re-mint, if any, is part of M.
double bme_supply_change(double mint_tokens, double demand_usd, double price_usd,
                         double burn_share = 1.0);

/// Akash take-rate split of a lease payment, in integer base units (e.g. uusdc).
struct AkashTake {
  std::int64_t earnings = 0;  // to the provider
  std::int64_t fee = 0;       // to the community pool
};
/// fee = ⌊amount·rate_percent/100⌋, earnings = amount − fee [V, akash-network/node
/// x/take/keeper/keeper.go]; AEP-23 uses 20 % for USDC. 1000 at 20 % → 800 + 200.
AkashTake akash_take(std::int64_t amount, std::int64_t rate_percent);

/// Akash BME between AKT and ACT (ACT = $1): minted = burned·P_from/P_to − spread, in the minted
/// token [V, akash-network/node x/bme/keeper/keeper.go]. A spread larger than the converted
/// amount mints nothing (0, never negative).
///   akash_bme_mint(100, 1.0, 1.14, 0)  // 100 ACT → 87.719298 AKT
double akash_bme_mint(double burned, double price_from_usd, double price_to_usd, double spread);

/// Render: an operator's share of an epoch's emission pool in proportion to the work value it did
/// [V, rendernetwork/RNPs RNP-001]. No work in the epoch pays nothing.
///   render_epoch_share(43'758, 10, 100)  // 4 375.8 RENDER
double render_epoch_share(double pool_tokens, double operator_work_value, double total_work_value);

}  // namespace models
