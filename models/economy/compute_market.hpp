#pragma once
// How compute jobs find providers and what their payments become: an Akash-style reverse auction
// with a take rate, or Render-style fixed prices settled by burn-and-mint.

#include <cstdint>
#include <vector>

#include "sim/config.hpp"
#include "sim/time.hpp"

namespace models {

/// Which market places jobs and settles their payments.
enum class ComputeMarketKind : std::uint8_t {
  akash,   ///< providers bid, the lowest bids within budget win, the protocol takes a share
  render,  ///< a fixed USD price per work unit, burned as tokens; providers paid from the pool
};

/// The `compute.market:` section.
///   Akash: kind akash, take_rate_percent 20 (AEP-23's rate for USDC [V, akash.network
///          sig-economics stable-payments-and-take-rate]).
///   Render: kind render, price_usd_per_unit set by the scenario (RNP-001 prices jobs in USD).
struct ComputeMarketSpec {
  ComputeMarketKind kind = ComputeMarketKind::akash;
  std::int64_t take_rate_percent = 20;   // Akash: the protocol's share of each payment
  double price_usd_per_unit = 0.1;       // Render: the fixed price of a work unit
  std::int64_t candidates_per_job = 20;  // providers that see an order (bid, or are tried)
  double bid_markup = 0.2;  // Akash: a bid is ask · (1 + U(0, bid_markup)), drawn per order
  sim::Time max_queue = sim::Time::hours(12);  // a provider takes work while its backlog is shorter
};

/// Reads the `compute.market:` section.
ComputeMarketSpec read_compute_market_spec(sim::config::Section s);

/// One provider's bid on an order, in USD per work unit.
struct ComputeBid {
  std::uint32_t provider = 0;
  double usd_per_unit = 0.0;
};

/// Akash's reverse auction for an order of `wanted` leases (one per replica): the tenant takes the
/// lowest bids at or under its budget, from distinct providers, and pays each winner its bid
/// [V, akash-network/node: orders, bids, leases]. On success `bids` holds the winners, lowest
/// first (equal bids: lower provider id first), and the result is true; with fewer than `wanted`
/// acceptable bids the order stays unplaced, `bids` is left empty and the result is false.
/// Throws std::invalid_argument when a provider bids twice or `wanted` is 0.
///   std::vector<ComputeBid> bids{{3, 0.9}, {7, 0.6}, {9, 1.4}};
///   reverse_auction(bids, 1.0, 1);  // true, bids == {{7, 0.6}}
bool reverse_auction(std::vector<ComputeBid>& bids, double budget_usd_per_unit, std::size_t wanted);

/// What one payment by a client for one replica's work becomes, as ProviderEpoch books it.
struct ComputePayment {
  double client_usd = 0.0;     // to the provider, net of the take (Akash)
  double take_usd = 0.0;       // to the treasury (Akash)
  double burn_usd = 0.0;       // the client's USD, burned as tokens (Render)
  double reward_weight = 0.0;  // the provider's claim on the compute pool: the work's value
};

/// The market rules of one run: whether a client takes a fixed price, and how a payment splits.
///
/// Akash: the payment is converted to integer micro-units (uusdc for USDC), split by
/// akash_take() into fee = ⌊amt·rate/100⌋ and earnings = amt − fee [V, x/take/keeper/keeper.go],
/// and converted back: 1000 uusdc at 20 % → 800 earnings + 200 fee.
/// Render: the client buys credits by burning tokens worth the USD price (RNP-001 [V]); the
/// provider is paid nothing directly but earns a claim on the epoch's node-operator pool in
/// proportion to the work value it did (render_epoch_share(): €10 of €100 of an epoch's work on
/// a 43 758 RENDER pool gets 4 375.8 [D]). Emission does not depend on the burn. The 5 % fee
/// reported by secondary sources [U] is not modelled.
///   ComputeMarket market(spec);  ComputePayment p = market.pay(0.001);  // $0.0008 + $0.0002
class ComputeMarket {
 public:
  /// Throws std::invalid_argument for a take rate outside [0, 100], a negative price or markup,
  /// or fewer than one candidate per job.
  explicit ComputeMarket(const ComputeMarketSpec& spec);
  const ComputeMarketSpec& spec() const { return spec_; }

  /// Render: whether a client with this budget buys at the fixed price.
  bool affordable(double budget_usd_per_unit) const {
    return spec_.price_usd_per_unit <= budget_usd_per_unit;
  }
  /// Splits `usd` paid by a client for one replica's accepted work.
  ComputePayment pay(double usd) const;

 private:
  ComputeMarketSpec spec_;
};

/// USD to integer micro-USD (the uusdc of USDC), to the nearest unit.
std::int64_t to_micro_usd(double usd);
inline double from_micro_usd(std::int64_t micro) {
  return static_cast<double>(micro) * 1e-6;
}

}  // namespace models
