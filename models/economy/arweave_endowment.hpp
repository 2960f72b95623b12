#pragma once
// Arweave's storage pricing and endowment: an up-front fee for permanent storage, the payouts the
// endowment owes for data held, and the Kryder+ latch that raises fees when it runs dry.

#include <cstdint>

#include "sim/config.hpp"
#include "sim/time.hpp"

namespace models {

/// Arweave's pricing parameters (`apps/arweave/include/ar_pricing.hrl`).
///   ArweaveSpec a;  a.cost_usd_per_gib_year = 0.002;  ArweaveFee f = arweave_fee(a, 1 << 30);
struct ArweaveSpec {
  std::int64_t replicas = 20;             // N_REPLICATIONS from fork 2.6 [V]
  double cost_usd_per_gib_year = 0.002;   // today's cost of one replica of a GiB for a year [U]
  double assumed_decay_per_year = 0.995;  // PRICE_DECAY_ANNUAL: what fees assume [V]
  double cost_decay_per_year = 0.995;     // how the true cost falls: what payouts follow
  double latch_reset_tokens = 10'000.0;   // RESET_KRYDER_PLUS_LATCH_THRESHOLD, 1e16 winston [V]
};

/// Reads the `storage.arweave:` section.
ArweaveSpec read_arweave_spec(sim::config::Section s);

/// The up-front fee for permanent storage, split as the protocol splits it.
struct ArweaveFee {
  double endowment_usd = 0.0;  // X: into the endowment
  double miner_usd = 0.0;      // X/20 = 1/21 of the fee: to the miners at once
  double total_usd = 0.0;      // X + X/20
};

/// 1/(−ln δ): the years of today's cost that pay for storage for ever when the cost falls by δ a
/// year (∫₀^∞ δ^t dt). 199.5 at δ = 0.995. Throws std::invalid_argument unless 0 < δ < 1.
double perpetual_years(double decay_per_year);

/// The fee for `bytes` stored for ever [V, ar_pricing.hrl]: X = N·c·GiB/(−ln δ)·m, fee = X + X/20
/// (MINER_MINIMUM_ENDOWMENT_CONTRIBUTION_SHARE), miners 1/21 of it (MINER_FEE_SHARE); m is the
/// Kryder+ multiplier (1 until the endowment first runs dry).
ArweaveFee arweave_fee(const ArweaveSpec& spec, double bytes, double kryder_multiplier = 1.0);

/// USD one replica of `bytes` costs over [from, to), times from the start of the run, when today's
/// cost is cost_usd_per_gib_year and it falls by cost_decay_per_year:
/// c·GiB·(δ^from − δ^to)/(−ln δ), or c·GiB·(to − from) in years when δ = 1.
double storage_cost_usd(const ArweaveSpec& spec, double bytes, sim::Time from, sim::Time to);

/// The endowment's side of each payout: it pays what it owes from what it holds, reports what it
/// could not pay, and doubles the fee multiplier the first time it runs dry. The latch then stays
/// closed (no further doubling) until the balance is above latch_reset_tokens again, as the
/// block fields kryder_plus_rate_multiplier(_latch) do [V].
///   ArweaveEndowment e(spec);  auto p = e.pay(owed, balance);  fee = arweave_fee(spec, b,
///   e.fee_multiplier());
class ArweaveEndowment {
 public:
  struct Payout {
    double paid_tokens = 0.0;       // min(owed, balance)
    double shortfall_tokens = 0.0;  // owed − paid
    bool multiplier_raised = false;
  };

  explicit ArweaveEndowment(const ArweaveSpec& spec);

  /// Pays `owed_tokens` out of `balance_tokens` (the endowment before this payout).
  Payout pay(double owed_tokens, double balance_tokens);
  double fee_multiplier() const { return multiplier_; }
  bool latch_closed() const { return latch_; }

 private:
  ArweaveSpec spec_;
  double multiplier_ = 1.0;
  bool latch_ = false;
};

}  // namespace models
