#pragma once
// Operators' stakes: deposits, the stake required per node, unbonding after a lock-up, slashing.

#include <cstdint>
#include <span>
#include <vector>

#include "models/economy/ledger.hpp"
#include "sim/config.hpp"
#include "sim/time.hpp"

namespace models {

struct StakingSpec {
  double min_stake_per_node = 0;  // tokens an operator must have bonded for each node it runs
  double stake_per_operator = 0;  // plus a fixed stake per operator, in tokens
  sim::Time lockup;               // unbonding: unstaked tokens return this long after the request
  double slash_fraction = 0.5;    // share of the operator's stake taken on proven fraud [U]
  double reporter_share = 0.0;    // share of the slashed amount paid to the reporter [U]
};

/// Reads the `rewards.staking:` section.
StakingSpec read_staking_spec(sim::config::Section s);

/// What one slash took from an operator. to_reporter + slashed == taken, to the unit.
struct SlashResult {
  Tokens taken = 0;        // from the operator's bonded and unbonding stake
  Tokens to_reporter = 0;  // paid to the reporter who proved the fraud
  Tokens slashed = 0;      // destroyed (Ledger::slash)
};

/// Operators' stakes, all held in one stake escrow account that this object opens in the ledger.
///
/// Staking prices identities: k Sybil nodes cost k·min_stake_per_node, and a slash S deters
/// cheating that saves G per audit round when S > ((1 − p)·G − p·R)/p for audit probability p
/// and reward R (MECHANISMS.md §3.3 and "Stake sizing" [D]). Published slashes are small shares
/// of stake, e.g. UMA's 0.1 % per wrong vote (uma-docs dvm-2.0.md [V]); published reporter
/// rewards are part of the penalty, e.g. 4 FIL of Filecoin's invalid-PoSt penalty goes to the
/// disputer (builtin-actors miner actor, MECHANISMS.md §2.2 [V]). The defaults are design
/// values [U].
///
/// Unbonding: request_unbond() moves tokens from bonded to unbonding at once (they stop counting
/// towards the requirement) and release_due() pays them out once now ≥ request time + lockup.
/// Until then they stay in the escrow, locked, and a slash takes slash_fraction of them too:
/// fraud proven during the lock-up is still punished, which is what a lock-up is for (Cosmos
/// slashes unbonding delegations the same way [U]).
///
/// Rounding: a slash takes floor(f·bonded) from the bonded stake and floor(f·amount) from each
/// pending unbonding request, so it may take up to one unit per part less than f·stake; the
/// reporter gets floor(reporter_share·taken) and the rest is destroyed, so no unit is lost.
///   Staking stakes(spec, ledger, operators);  stakes.deposit(op, wallet, stakes.required(nodes));
///   SlashResult r = stakes.slash(op, reporter_wallet);
class Staking {
 public:
  /// Throws std::invalid_argument when a share is outside [0, 1] or a stake or lock-up negative.
  Staking(const StakingSpec& spec, Ledger& ledger, std::size_t operators);

  Ledger::Account escrow() const { return escrow_; }
  std::size_t operators() const { return bonded_.size(); }

  /// min_stake_per_node·nodes + stake_per_operator, in units (each rounded to a unit first).
  Tokens required(std::size_t nodes) const;
  bool meets_requirement(std::size_t op, std::size_t nodes) const {
    return bonded(op) >= required(nodes);
  }

  /// Stakes `amount` from the operator's account `from` into the escrow, bonded at once.
  void deposit(std::size_t op, Ledger::Account from, Tokens amount);
  /// Starts the lock-up of `amount` of op's bonded stake. Throws LedgerError when more than is
  /// bonded is asked for.
  void request_unbond(std::size_t op, Tokens amount, sim::Time now);
  /// Pays every unbonding request with request time + lockup ≤ now to to[op] (one account per
  /// operator). Returns the total paid.
  Tokens release_due(sim::Time now, std::span<const Ledger::Account> to);
  /// Proven fraud: takes slash_fraction of op's bonded and unbonding stake; reporter_share of it
  /// goes to `reporter` (a transfer), the rest is slashed (destroyed). With no reporter
  /// (Ledger::kNoAccount) everything taken is destroyed. An operator without stake loses nothing.
  SlashResult slash(std::size_t op, Ledger::Account reporter);

  Tokens bonded(std::size_t op) const { return bonded_.at(op); }
  Tokens unbonding(std::size_t op) const { return unbonding_.at(op); }
  /// Σ over operators; bonded + unbonding totals equal the escrow's balance.
  Tokens total_bonded() const { return total_bonded_; }
  Tokens total_unbonding() const { return total_unbonding_; }

 private:
  struct Unbond {
    sim::Time due;
    std::uint32_t op;
    Tokens amount;
  };

  StakingSpec spec_;
  Ledger* ledger_;
  Ledger::Account escrow_;
  Tokens per_node_units_;
  Tokens per_operator_units_;
  std::vector<Tokens> bonded_;
  std::vector<Tokens> unbonding_;
  Tokens total_bonded_ = 0;
  Tokens total_unbonding_ = 0;
  std::vector<Unbond> queue_;  // sorted by due time; equal times in request order
};

}  // namespace models
