#pragma once
// The token economy of a run: emission, reward pools, stakes, vesting, buyers' demand and its
// burn, the token price, and the operators who decide whether running nodes pays.

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "models/economy/burn_and_mint.hpp"
#include "models/economy/demand.hpp"
#include "models/economy/ledger.hpp"
#include "models/economy/operators.hpp"
#include "models/economy/price_model.hpp"
#include "models/economy/staking.hpp"
#include "models/economy/vesting.hpp"
#include "models/rewards/emission.hpp"
#include "models/rewards/role_split.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace models {

/// The network's power over time, for Filecoin's baseline minting while a run has no storage
/// providers of its own: P(t) = initial · growth^(t / 1 year).
struct NetworkPowerSpec {
  double initial_bytes = 0.0;
  double growth_per_year = 1.0;  // 2.0 doubles every year
};

/// Everything economic a scenario declares (`rewards.emission`, `rewards.split`,
/// `rewards.staking`, `rewards.vesting`, `economy`, `operators`).
struct EconomySpec {
  EmissionSpec emission;
  RoleSplitSpec split;
  std::optional<StakingSpec> staking;  // absent: nobody stakes
  std::optional<VestingSpec> vesting;  // absent: rewards are liquid at once
  double initial_supply = 0.0;         // tokens held by the market (all other holders) at the start
  DemandSpec demand;
  BmeSpec burn;
  PriceSpec price;
  NetworkPowerSpec power;
  OperatorSpec operators;
  std::filesystem::path directory;  // of the scenario file, for files it names
};

/// One epoch of the economy, in tokens (doubles) and USD, as the metrics record it.
struct EconomyTally {
  double minted = 0, reminted = 0, burned = 0, slashed = 0, not_minted = 0;
  double to_nodes = 0, to_validators = 0, to_treasury = 0;
  double supply_total = 0, circulating = 0, locked = 0, vesting = 0, protocol = 0;
  double treasury = 0, market = 0;
  double price_usd = 0, demand_usd = 0, usd_kept = 0, tokens_sold = 0, usd_to_sellers = 0;
  double unmet_burn = 0;  // tokens buyers wanted to burn but the market did not hold
  double to_storage = 0, to_compute = 0;  // the storage and compute roles' emission
  // Storage and compute providers: clients' payments, the protocol's take, the clients'
  // spending burned, the endowment, collateral, and penalties (fees and slashes).
  double client_usd = 0, client_tokens = 0, take_tokens = 0, service_burn_usd = 0;
  double endowment_in = 0, endowment_out = 0, endowment = 0;
  double collateral_locked = 0, collateral_released = 0, collateral = 0;
  double penalties = 0, penalties_to_reporters = 0, penalties_unpaid = 0;
  std::int64_t operators_active = 0, operators_joined = 0, operators_left = 0;
  std::int64_t operators_slashed = 0;
  double share_profitable = 0, mean_roi = 0, median_roi = 0;
  double gini_rewards = 0, gini_stake = 0;
  std::int64_t nakamoto_rewards = 0, nakamoto_stake = 0;
};

/// What each operator did in the epoch, as the world counts it.
struct OperatorActivity {
  Tokens payout = 0;       // from the reward rule
  double opex_usd = 0.0;   // running costs of its nodes in the network this epoch
  double capex_usd = 0.0;  // hardware bought this epoch (its first)
  bool caught = false;     // proven fraud this epoch: its stake is slashed
  // Its storage and compute providers' dealings (zero for sensors):
  double client_usd = 0.0;        // clients' payments for service, net of the take
  double take_usd = 0.0;          // the protocol's take on them (to the treasury)
  double burn_usd = 0.0;          // clients' spending burned as tokens (burn-and-mint)
  Tokens endowment = 0;           // paid from the storage endowment
  Tokens collateral_lock = 0;     // collateral to lock (bought from the market if need be)
  Tokens collateral_release = 0;  // collateral to give back
  Tokens penalty = 0;             // fees and slashes: from its collateral first, then its wallet
  Tokens to_reporters = 0;        // the part of the penalty paid to whoever proved the fault
};

/// The token economy around a network. Each epoch the world calls open_epoch() before the reward
/// rule runs (it mints the epoch's emission into the pools and sets the demand) and
/// close_epoch() after (payouts, slashing, sales, burns, the price, operators' P&L and exits).
/// Every token moves through the ledger, whose identities the world checks each epoch.
///   TokenEconomy e(spec, ledger, nodes_per_operator, streams);
///   auto mint = e.open_epoch(k, start, end);  ...  auto exits = e.close_epoch(activity, unpaid);
class TokenEconomy {
 public:
  /// nodes_per_operator: nodes each operator runs from the start (0 for operators who wait).
  /// Throws std::invalid_argument when the initial supply cannot fund the initial stakes.
  TokenEconomy(const EconomySpec& spec, Ledger& ledger,
               std::span<const std::int64_t> nodes_per_operator, const sim::RandomStreams& streams);

  struct EpochOpening {
    Tokens to_nodes = 0;             // into pool(): what the sensors' reward rule distributes
    Tokens to_storage = 0;           // into pool(): the storage providers' share
    Tokens to_compute = 0;           // into pool(): the compute providers' share
    double data_usage_tokens = 0.0;  // buyers' USD for data at today's price (Helium's DCs)
  };
  /// Which roles have anyone to pay this epoch (indexed by Role); validators and the treasury
  /// are always paid.
  using RolesPresent = std::array<bool, kRoleCount>;
  /// A sensor network's roles: data and coverage.
  static RolesPresent sensor_roles();
  /// Mints the emission of [start, end) by role (plus last epoch's re-mint, into the nodes'
  /// pool) and draws the epoch's demand. Shares of absent roles follow `rewards.split.unused`.
  EpochOpening open_epoch(std::int64_t epoch, sim::Time start, sim::Time end,
                          const RolesPresent& present = sensor_roles());

  /// Closes the epoch: pays each operator its payout from the pool (vesting the locked share),
  /// `unpaid` to the treasury, and its clients' payments and endowment share; settles
  /// collateral and penalties; slashes caught operators; operators sell part of what they
  /// received; buyers spend the demand and providers' clients their burn (burning tokens); the
  /// price moves; the operators' books close. Returns the operators who leave now, in
  /// increasing order.
  /// Clients buy the tokens they pay with (and operators the collateral they lock) from the
  /// market at the opening price without moving it, as stakes are bought: a modelling choice
  /// that keeps service payments price-neutral; only burns move the price.
  std::vector<std::uint32_t> close_epoch(std::span<const OperatorActivity> activity, Tokens unpaid);

  /// New nodes that want to join now, from the operators' expected return on a node with this
  /// capex and opex.
  std::int64_t entrants(double capex_usd, double opex_usd_per_year, std::int64_t active_nodes);
  /// Operator `op` joins with `nodes` nodes: it buys its stake from the market. Returns false
  /// (and nothing changes) when the market does not hold enough tokens to sell it.
  bool join(std::uint32_t op, std::int64_t nodes);

  /// Clients' up-front payment for permanent storage: tokens bought from the market at today's
  /// price go to the endowment (what the market holds at most).
  void deposit_endowment(double usd);

  Ledger::Account pool() const { return pool_; }
  Ledger::Account endowment() const { return endowment_; }
  /// Collateral an operator has locked and not yet got back or lost.
  Tokens collateral(std::uint32_t op) const { return collateral_of_.at(op); }
  double price_usd() const { return price_->price_usd(); }
  const OperatorBook& operators() const { return book_; }
  const Staking* staking() const { return staking_ ? &*staking_ : nullptr; }
  const EconomyTally& tally() const { return tally_; }
  std::int64_t epoch() const { return epoch_; }

 private:
  bool buy_stake(std::uint32_t op, std::int64_t nodes);

  EconomySpec spec_;
  Ledger* ledger_;
  EmissionSchedule emission_;
  Demand demand_;
  std::unique_ptr<PriceModel> price_;
  OperatorBook book_;
  std::optional<Staking> staking_;
  std::optional<Vesting> vesting_;
  sim::RandomStream market_rng_;
  sim::RandomStream demand_rng_;
  /// Settles one operator's providers' collateral and penalties (after its earnings).
  void settle_collateral(std::uint32_t op, const OperatorActivity& a);

  Ledger::Account pool_, treasury_, validators_, market_, reporters_;
  Ledger::Account endowment_, collateral_;
  std::vector<Tokens> collateral_of_;     // per operator
  std::vector<Ledger::Account> account_;  // per operator
  std::vector<double> stake_capex_usd_;   // stake bought, not yet booked as the operator's capex
  std::int64_t epoch_ = -1;
  sim::Time start_, end_;
  double demand_usd_ = 0.0;
  double price_at_open_ = 0.0;
  Tokens remint_next_ = 0;
  EconomyTally tally_;
};

}  // namespace models
