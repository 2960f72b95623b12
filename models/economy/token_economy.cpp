#include "models/economy/token_economy.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "models/economy/concentration.hpp"

namespace models {

namespace {

constexpr double kSecondsPerYear = 365.0 * 86'400.0;

Tokens units_of(double tokens) {
  return tokens > 0.0 ? to_units(tokens) : 0;
}

}  // namespace

TokenEconomy::TokenEconomy(const EconomySpec& spec, Ledger& ledger,
                           std::span<const std::int64_t> nodes_per_operator,
                           const sim::RandomStreams& streams)
    : spec_(spec),
      ledger_(&ledger),
      emission_(spec.emission),
      demand_(spec.demand),
      price_(make_price_model(spec.price, spec.directory)),
      book_(spec.operators, 0),
      market_rng_(streams.stream("economy.price")),
      demand_rng_(streams.stream("economy.demand")) {
  pool_ = ledger.open("reward_pool", AccountKind::protocol);
  treasury_ = ledger.open("treasury", AccountKind::protocol);
  validators_ = ledger.open("validators", AccountKind::holder);
  market_ = ledger.open("market", AccountKind::holder);
  reporters_ = ledger.open("reporters", AccountKind::holder);
  ledger.mint(market_, units_of(spec.initial_supply));

  const std::size_t n = nodes_per_operator.size();
  account_.reserve(n);
  for (std::size_t op = 0; op < n; ++op)
    account_.push_back(ledger.open("operator " + std::to_string(op)));
  stake_capex_usd_.assign(n, 0.0);
  if (spec.staking) staking_.emplace(*spec.staking, ledger, n);
  if (spec.vesting) {
    vesting_.emplace(*spec.vesting, ledger, ledger.open("vesting", AccountKind::vesting));
  }
  // Opened after the others so that a sensor network's account ids do not depend on them.
  endowment_ = ledger.open("endowment", AccountKind::protocol);
  collateral_ = ledger.open("collateral", AccountKind::stake);
  collateral_of_.assign(n, 0);
  book_.add_slots(n);
  for (std::size_t op = 0; op < n; ++op) {
    if (nodes_per_operator[op] == 0) continue;  // waits in the reserve
    book_.activate(static_cast<std::uint32_t>(op), 0);
    if (!buy_stake(static_cast<std::uint32_t>(op), nodes_per_operator[op])) {
      throw std::invalid_argument(
          "economy.initial_supply: the market's " + format_tokens(ledger.balance(market_)) +
          " tokens cannot fund the stakes of the operators running from the start (raise "
          "economy.initial_supply or lower rewards.staking)");
    }
  }
  tally_.price_usd = price_->price_usd();
}

bool TokenEconomy::buy_stake(std::uint32_t op, std::int64_t nodes) {
  if (!staking_) return true;
  const Tokens amount = staking_->required(static_cast<std::size_t>(nodes));
  if (amount == 0) return true;
  if (ledger_->balance(market_) < amount) return false;
  // Bought at the going price without moving it: stakes are small next to the market.
  ledger_->transfer(market_, account_[op], amount);
  stake_capex_usd_[op] += to_tokens(amount) * price_->price_usd();
  staking_->deposit(op, account_[op], amount);
  return true;
}

TokenEconomy::RolesPresent TokenEconomy::sensor_roles() {
  RolesPresent present{};
  present[static_cast<std::size_t>(Role::data)] = true;
  present[static_cast<std::size_t>(Role::coverage)] = true;
  return present;
}

TokenEconomy::EpochOpening TokenEconomy::open_epoch(std::int64_t epoch, sim::Time start,
                                                    sim::Time end, const RolesPresent& present) {
  epoch_ = epoch;
  start_ = start;
  end_ = end;
  ledger_->set_epoch(epoch);
  tally_ = EconomyTally{};

  // Filecoin's baseline reads the network's power; the power path is taken at mid-epoch.
  const double mid_years = 0.5 * (start.to_seconds() + end.to_seconds()) / kSecondsPerYear;
  const double power = spec_.power.initial_bytes * std::pow(spec_.power.growth_per_year, mid_years);
  const double emitted = emission_.tokens(start, end, power);
  std::array<bool, kRoleCount> used = present;
  used[static_cast<std::size_t>(Role::validators)] = true;
  used[static_cast<std::size_t>(Role::treasury)] = true;
  const RoleAmounts split = split_by_role(spec_.split, emitted, used);

  EpochOpening open;
  // Burn-and-mint's re-mint goes to whoever does the network's work: the sensors' pool when
  // there are sensors, else storage, else compute.
  open.to_nodes = units_of(split[Role::data] + split[Role::coverage]);
  open.to_storage = units_of(split[Role::storage]);
  open.to_compute = units_of(split[Role::compute]);
  if (present[static_cast<std::size_t>(Role::data)] ||
      present[static_cast<std::size_t>(Role::coverage)]) {
    open.to_nodes += remint_next_;
  } else if (present[static_cast<std::size_t>(Role::storage)]) {
    open.to_storage += remint_next_;
  } else if (present[static_cast<std::size_t>(Role::compute)]) {
    open.to_compute += remint_next_;
  } else {
    open.to_nodes += remint_next_;
  }
  const Tokens to_validators = units_of(split[Role::validators]);
  const Tokens to_treasury = units_of(split[Role::treasury]);
  ledger_->mint(pool_, open.to_nodes + open.to_storage + open.to_compute);
  ledger_->mint(validators_, to_validators);
  ledger_->mint(treasury_, to_treasury);
  tally_.reminted = to_tokens(remint_next_);
  tally_.to_storage = to_tokens(open.to_storage);
  tally_.to_compute = to_tokens(open.to_compute);
  tally_.minted =
      to_tokens(open.to_nodes + open.to_storage + open.to_compute + to_validators + to_treasury);
  tally_.to_nodes = to_tokens(open.to_nodes + open.to_storage + open.to_compute);
  tally_.to_validators = to_tokens(to_validators);
  tally_.to_treasury = to_tokens(to_treasury);
  tally_.not_minted = split.not_minted;
  remint_next_ = 0;

  demand_usd_ = demand_.usd(start, end, demand_rng_);
  price_at_open_ = price_->price_usd();
  open.data_usage_tokens = price_at_open_ > 0.0 ? demand_usd_ / price_at_open_ : 0.0;
  return open;
}

std::vector<std::uint32_t> TokenEconomy::close_epoch(std::span<const OperatorActivity> activity,
                                                     Tokens unpaid) {
  const std::size_t n = account_.size();
  if (activity.size() != n) throw std::invalid_argument("TokenEconomy: one activity per operator");
  Ledger& ledger = *ledger_;

  // Rewards: the liquid part now, the rest into vesting; what the rule did not pay, and any
  // rounding left in the pool, to the treasury.
  std::vector<Tokens> before(n);
  for (std::size_t op = 0; op < n; ++op)
    before[op] = ledger.balance(account_[op]);
  std::vector<double> paid(n, 0.0);
  for (std::size_t op = 0; op < n; ++op) {
    const Tokens payout = activity[op].payout;
    if (payout == 0) continue;
    paid[op] = to_tokens(payout);
    if (vesting_) {
      vesting_->grant(pool_, account_[op], payout, end_);
    } else {
      ledger.transfer(pool_, account_[op], payout);
    }
  }
  ledger.transfer(pool_, treasury_, std::min(unpaid, ledger.balance(pool_)));
  ledger.transfer(pool_, treasury_, ledger.balance(pool_));
  if (vesting_) vesting_->release(end_);

  // Clients pay providers in tokens they buy from the market; the protocol's take goes to the
  // treasury; the endowment pays for what is stored. All of it is what operators received.
  double service_burn_usd = 0.0;
  for (std::size_t op = 0; op < n; ++op) {
    const OperatorActivity& a = activity[op];
    service_burn_usd += a.burn_usd;
    tally_.client_usd += a.client_usd;
    if (price_at_open_ > 0.0 && a.client_usd > 0.0) {
      const Tokens pay = std::min(units_of(a.client_usd / price_at_open_), ledger.balance(market_));
      ledger.transfer(market_, account_[op], pay);
      tally_.client_tokens += to_tokens(pay);
    }
    if (price_at_open_ > 0.0 && a.take_usd > 0.0) {
      const Tokens take = std::min(units_of(a.take_usd / price_at_open_), ledger.balance(market_));
      ledger.transfer(market_, treasury_, take);
      tally_.take_tokens += to_tokens(take);
    }
    if (a.endowment > 0) {
      const Tokens from_endowment = std::min(a.endowment, ledger.balance(endowment_));
      ledger.transfer(endowment_, account_[op], from_endowment);
      tally_.endowment_out += to_tokens(from_endowment);
    }
  }
  std::vector<Tokens> received(n);
  for (std::size_t op = 0; op < n; ++op)
    received[op] = ledger.balance(account_[op]) - before[op];
  for (std::size_t op = 0; op < n; ++op)
    settle_collateral(static_cast<std::uint32_t>(op), activity[op]);

  // Proven fraud costs the operator its stake; the reporters get their share.
  if (staking_) {
    for (std::size_t op = 0; op < n; ++op) {
      if (!activity[op].caught) continue;
      const SlashResult s = staking_->slash(op, reporters_);
      tally_.operators_slashed += s.taken > 0 ? 1 : 0;
    }
    staking_->release_due(end_, account_);
  }

  // Operators sell part of what they received into the market; buyers spend the demand on
  // tokens they burn (or keep the USD share the burn rule does not burn); the price moves.
  Tokens sold = 0;
  for (std::size_t op = 0; op < n; ++op) {
    if (!book_.active(static_cast<std::uint32_t>(op)) || received[op] <= 0) continue;
    // What collateral or penalties took since is no longer there to sell.
    const Tokens sell = std::min(share_of(received[op], spec_.operators.sell_fraction),
                                 ledger.balance(account_[op]));
    ledger.transfer(account_[op], market_, sell);
    sold += sell;
  }
  MarketInputs in;
  in.start = start_;
  in.end = end_;
  in.circulating_tokens = to_tokens(ledger.circulating());
  // Providers' clients who burn (Render's credits) spend all of it on tokens they burn.
  in.demand_usd = demand_usd_ + service_burn_usd;
  in.tokens_sold = to_tokens(sold);
  in.usd_bought = spec_.burn.burn_share * demand_usd_ + service_burn_usd;
  tally_.service_burn_usd = service_burn_usd;
  const PriceStep step = price_->advance(in, market_rng_);
  // Buyers cannot burn more than the market holds (nor, at a collapsed price, more than exists).
  const double held = to_tokens(ledger.balance(market_));
  const Tokens burned =
      std::min(units_of(std::min(step.tokens_to_buyers, held)), ledger.balance(market_));
  ledger.burn(market_, burned);
  if (spec_.burn.remint == RemintKind::burned_capped) {
    const double days = (end_ - start_).to_days();
    remint_next_ = units_of(std::min(spec_.burn.remint_share * to_tokens(burned),
                                     spec_.burn.remint_cap_per_day * days));
  }

  // The operators' books, at the price the epoch closed at.
  std::vector<OperatorEpoch> books(n);
  for (std::size_t op = 0; op < n; ++op) {
    if (!book_.active(static_cast<std::uint32_t>(op))) continue;
    books[op].tokens_earned = to_tokens(received[op]);
    books[op].opex_usd = activity[op].opex_usd;
    books[op].capex_usd = activity[op].capex_usd + stake_capex_usd_[op];
    stake_capex_usd_[op] = 0.0;
  }
  const double realised = in.tokens_sold > 0 ? step.usd_to_sellers / in.tokens_sold : 0.0;
  std::vector<std::uint32_t> exits =
      book_.close_epoch(epoch_, end_ - start_, books, step.price_usd, realised);
  if (staking_) {
    for (std::uint32_t op : exits)
      staking_->request_unbond(op, staking_->bonded(op), end_);
  }

  EconomyTally& t = tally_;
  t.burned = to_tokens(burned);
  t.unmet_burn = std::max(0.0, step.tokens_to_buyers - to_tokens(burned));
  t.slashed = to_tokens(ledger.flows().slashed);
  t.supply_total = to_tokens(ledger.total_supply());
  t.circulating = to_tokens(ledger.circulating());
  t.locked = to_tokens(ledger.locked());
  t.vesting = to_tokens(ledger.vesting());
  t.protocol = to_tokens(ledger.protocol_held());
  t.treasury = to_tokens(ledger.balance(treasury_));
  t.market = to_tokens(ledger.balance(market_));
  t.endowment = to_tokens(ledger.balance(endowment_));
  Tokens collateral = 0;
  for (Tokens c : collateral_of_)
    collateral += c;
  t.collateral = to_tokens(collateral);
  t.price_usd = step.price_usd;
  t.demand_usd = demand_usd_;
  t.usd_kept = (1.0 - spec_.burn.burn_share) * demand_usd_;
  t.tokens_sold = in.tokens_sold;
  t.usd_to_sellers = step.usd_to_sellers;
  t.operators_active = static_cast<std::int64_t>(book_.active_count());
  t.operators_left = static_cast<std::int64_t>(exits.size());
  t.share_profitable = book_.share_profitable();
  t.mean_roi = book_.mean_roi();
  t.median_roi = book_.median_roi();
  std::vector<double> rewards, stake;
  for (std::size_t op = 0; op < n; ++op) {
    if (!book_.active(static_cast<std::uint32_t>(op)) &&
        std::find(exits.begin(), exits.end(), op) == exits.end()) {
      continue;
    }
    rewards.push_back(paid[op]);
    if (staking_) stake.push_back(to_tokens(staking_->bonded(op)));
  }
  t.gini_rewards = gini(rewards);
  t.nakamoto_rewards = static_cast<std::int64_t>(nakamoto(rewards));
  t.gini_stake = stake.empty() ? 0.0 : gini(stake);
  t.nakamoto_stake = stake.empty() ? 0 : static_cast<std::int64_t>(nakamoto(stake));
  return exits;
}

void TokenEconomy::settle_collateral(std::uint32_t op, const OperatorActivity& a) {
  Ledger& ledger = *ledger_;
  // Given back first, so that a provider that ends one deal and starts another needs to buy
  // only the difference.
  const Tokens release = std::min(a.collateral_release, collateral_of_[op]);
  if (release > 0) {
    ledger.unstake(collateral_, account_[op], release);
    collateral_of_[op] -= release;
    tally_.collateral_released += to_tokens(release);
  }
  if (a.collateral_lock > 0) {
    const Tokens short_by = a.collateral_lock - ledger.balance(account_[op]);
    if (short_by > 0) {
      const Tokens bought = std::min(short_by, ledger.balance(market_));
      ledger.transfer(market_, account_[op], bought);
      stake_capex_usd_[op] += to_tokens(bought) * price_at_open_;
    }
    const Tokens lock = std::min(a.collateral_lock, ledger.balance(account_[op]));
    if (lock > 0) ledger.stake(account_[op], collateral_, lock);
    collateral_of_[op] += lock;
    tally_.collateral_locked += to_tokens(lock);
  }
  // Penalties: from the collateral, then the wallet; the reporters' part is paid, the rest
  // destroyed. What neither holds is recorded as unpaid.
  if (a.penalty <= 0) return;
  const Tokens to_reporters = std::min(a.to_reporters, a.penalty);
  Tokens owed = a.penalty;
  Tokens reported = to_reporters;
  const auto take = [&](Ledger::Account from, Tokens available) {
    const Tokens amount = std::min(owed, available);
    const Tokens paid = std::min(reported, amount);
    if (paid > 0) ledger.transfer(from, reporters_, paid);
    if (amount > paid) ledger.slash(from, amount - paid);
    reported -= paid;
    owed -= amount;
    return amount;
  };
  collateral_of_[op] -= take(collateral_, collateral_of_[op]);
  take(account_[op], ledger.balance(account_[op]));
  tally_.penalties += to_tokens(a.penalty - owed);
  tally_.penalties_to_reporters += to_tokens(to_reporters - reported);
  tally_.penalties_unpaid += to_tokens(owed);
}

void TokenEconomy::deposit_endowment(double usd) {
  if (usd <= 0.0 || price_->price_usd() <= 0.0) return;
  const Tokens tokens = std::min(units_of(usd / price_->price_usd()), ledger_->balance(market_));
  if (tokens > 0) ledger_->transfer(market_, endowment_, tokens);
  tally_.endowment_in += to_tokens(tokens);
}

std::int64_t TokenEconomy::entrants(double capex_usd, double opex_usd_per_year,
                                    std::int64_t active_nodes) {
  return book_.entrants(price_->price_usd(), capex_usd, opex_usd_per_year, active_nodes,
                        end_ - start_);
}

bool TokenEconomy::join(std::uint32_t op, std::int64_t nodes) {
  if (!buy_stake(op, nodes)) return false;
  book_.activate(op, epoch_ + 1);
  ++tally_.operators_joined;
  return true;
}

}  // namespace models
