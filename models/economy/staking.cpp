#include "models/economy/staking.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

namespace {

void require_share(double share, const char* name) {
  if (!(share >= 0.0 && share <= 1.0)) {
    throw std::invalid_argument(std::string("Staking: ") + name + " must be in [0, 1], found " +
                                std::to_string(share));
  }
}

Tokens stake_units(double tokens, const char* name) {
  if (!(tokens >= 0.0) || !std::isfinite(tokens)) {
    throw std::invalid_argument(std::string("Staking: ") + name +
                                " must be a non-negative number of tokens, found " +
                                std::to_string(tokens));
  }
  return to_units(tokens);
}

}  // namespace

Staking::Staking(const StakingSpec& spec, Ledger& ledger, std::size_t operators)
    : spec_(spec),
      ledger_(&ledger),
      escrow_(0),
      per_node_units_(stake_units(spec.min_stake_per_node, "min_stake_per_node")),
      per_operator_units_(stake_units(spec.stake_per_operator, "stake_per_operator")),
      bonded_(operators, 0),
      unbonding_(operators, 0) {
  require_share(spec.slash_fraction, "slash_fraction");
  require_share(spec.reporter_share, "reporter_share");
  if (spec.lockup < Time{}) throw std::invalid_argument("Staking: lockup must not be negative");
  if (operators > std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument("Staking: too many operators");
  }
  escrow_ = ledger.open("staking escrow", AccountKind::stake);
}

Tokens Staking::required(std::size_t nodes) const {
  // Saturates rather than wraps: a requirement too large to represent is one nobody meets.
  constexpr Tokens kMax = std::numeric_limits<Tokens>::max();
  if (nodes > 0 && per_node_units_ > (kMax - per_operator_units_) / static_cast<Tokens>(nodes)) {
    return kMax;
  }
  return per_node_units_ * static_cast<Tokens>(nodes) + per_operator_units_;
}

void Staking::deposit(std::size_t op, Ledger::Account from, Tokens amount) {
  Tokens& bonded = bonded_.at(op);
  ledger_->stake(from, escrow_, amount);  // checks the amount and the accounts first
  bonded += amount;
  total_bonded_ += amount;
}

void Staking::request_unbond(std::size_t op, Tokens amount, Time now) {
  Tokens& bonded = bonded_.at(op);
  if (amount < 0 || amount > bonded) {
    throw LedgerError("Staking: operator " + std::to_string(op) + " cannot unbond " +
                      format_tokens(amount) + " tokens with " + format_tokens(bonded) + " bonded");
  }
  if (amount == 0) return;
  bonded -= amount;
  unbonding_[op] += amount;
  total_bonded_ -= amount;
  total_unbonding_ += amount;
  const Time due = now + spec_.lockup;
  // Requests usually arrive in time order, so this is almost always an append.
  const auto at = std::upper_bound(queue_.begin(), queue_.end(), due,
                                   [](Time t, const Unbond& u) { return t < u.due; });
  queue_.insert(at, Unbond{due, static_cast<std::uint32_t>(op), amount});
}

Tokens Staking::release_due(Time now, std::span<const Ledger::Account> to) {
  if (to.size() != bonded_.size()) {
    throw std::invalid_argument("Staking: release_due needs one account per operator (" +
                                std::to_string(bonded_.size()) + "), got " +
                                std::to_string(to.size()));
  }
  const auto end = std::upper_bound(queue_.begin(), queue_.end(), now,
                                    [](Time t, const Unbond& u) { return t < u.due; });
  // Check every destination before paying any, so that a bad account leaves the books as they
  // were.
  for (auto it = queue_.begin(); it != end; ++it) {
    const AccountKind k = ledger_->kind(to[it->op]);
    if (k == AccountKind::stake || k == AccountKind::vesting) {
      throw LedgerError("Staking: operator " + std::to_string(it->op) +
                        "'s stake cannot be released into the escrow \"" +
                        ledger_->label(to[it->op]) + "\"");
    }
  }
  Tokens paid = 0;
  for (auto it = queue_.begin(); it != end; ++it) {
    if (it->amount == 0) continue;  // fully slashed while unbonding
    ledger_->unstake(escrow_, to[it->op], it->amount);
    unbonding_[it->op] -= it->amount;
    paid += it->amount;
  }
  total_unbonding_ -= paid;
  queue_.erase(queue_.begin(), end);
  return paid;
}

SlashResult Staking::slash(std::size_t op, Ledger::Account reporter) {
  SlashResult r;
  const Tokens from_bonded = share_of(bonded_.at(op), spec_.slash_fraction);
  r.taken = from_bonded;
  if (unbonding_[op] > 0) {
    for (const Unbond& u : queue_) {
      if (u.op == op) r.taken += share_of(u.amount, spec_.slash_fraction);
    }
  }
  if (reporter != Ledger::kNoAccount) r.to_reporter = share_of(r.taken, spec_.reporter_share);
  r.slashed = r.taken - r.to_reporter;
  if (r.taken == 0) return r;

  // The ledger moves first: it refuses a reporter account of the wrong kind before any token
  // moves, and then neither call can fail, so the operator's records change only on success.
  if (r.to_reporter > 0) ledger_->transfer(escrow_, reporter, r.to_reporter);
  if (r.slashed > 0) ledger_->slash(escrow_, r.slashed);

  bonded_[op] -= from_bonded;
  total_bonded_ -= from_bonded;
  const Tokens from_unbonding = r.taken - from_bonded;
  if (from_unbonding > 0) {
    for (Unbond& u : queue_) {
      if (u.op == op) u.amount -= share_of(u.amount, spec_.slash_fraction);
    }
    unbonding_[op] -= from_unbonding;
    total_unbonding_ -= from_unbonding;
  }
  return r;
}

StakingSpec read_staking_spec(Section s) {
  StakingSpec v;
  v.min_stake_per_node =
      s.number("min_stake_per_node", v.min_stake_per_node, "tokens", Range::at_least(0.0),
               "stake an operator must have bonded for each node it runs");
  v.stake_per_operator = s.number("stake_per_operator", v.stake_per_operator, "tokens",
                                  Range::at_least(0.0), "fixed stake each operator must bond");
  v.lockup = s.duration("lockup", v.lockup, Time{},
                        "unbonding period: unstaked tokens are paid out this long after the "
                        "request, and can be slashed until then");
  v.slash_fraction = s.number("slash_fraction", v.slash_fraction, "", Range::between(0.0, 1.0),
                              "share of an operator's stake (bonded and unbonding) taken when "
                              "fraud is proven");
  v.reporter_share = s.number("reporter_share", v.reporter_share, "", Range::between(0.0, 1.0),
                              "share of the slashed amount paid to whoever proved the fraud; "
                              "the rest is destroyed");
  s.finish();
  return v;
}

}  // namespace models
