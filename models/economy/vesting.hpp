#pragma once
// Reward vesting: part of each reward is locked in an escrow and released linearly in steps.

#include <cstdint>
#include <vector>

#include "models/economy/ledger.hpp"
#include "sim/config.hpp"
#include "sim/time.hpp"

namespace models {

/// Filecoin's block rewards: locked_share 0.75, duration 180 days, step 1 day (MECHANISMS.md
/// §2.1, filecoin-project/builtin-actors [V]). The default locks nothing.
struct VestingSpec {
  double locked_share = 0.0;                  // share of each reward that vests
  sim::Time duration = sim::Time::days(180);  // from grant to the last release
  sim::Time step = sim::Time::days(1);        // releases happen at multiples of this
};

/// Reads the `rewards.vesting:` section.
VestingSpec read_vesting_spec(sim::config::Section s);

/// Rewards that vest linearly, held in one vesting escrow account of the ledger.
///
/// A grant of A at time t pays A − L to the beneficiary at once, where L = floor(A·locked_share),
/// and moves L into the escrow. Time is cut into steps at the multiples of `step`; with
/// n = duration/step, tranche k (k = 1…n) of L vests at boundary ⌈t/step⌉ + k, so a grant on a
/// boundary vests at t + step, t + 2·step, … and lastly at t + duration, and a grant inside a
/// step starts with that step's end (the Filecoin miner actor also quantizes vesting epochs [U]).
/// At its k-th boundary a tranche releases floor(L·k/n) − floor(L·(k−1)/n), so it has released
/// floor(L·k/n) after k boundaries and exactly L after n.
///
/// Consecutive grants to one beneficiary that start at the same boundary are merged into one
/// tranche (grants made in time order always are; a grant out of order starts a new one). Memory:
/// each beneficiary with anything unvested keeps a ring of per-boundary amounts, 8 bytes for each
/// of the n (+1) steps of the vesting period however many grants it has, plus 64 bytes of
/// bookkeeping and 4 bytes per ledger account for the index: about 1.5 kB per beneficiary for
/// Filecoin's 180 daily steps, so 150 MB for 100k beneficiaries. A grant costs O(n) additions (no
/// divisions); a release costs O(beneficiaries) plus the steps it pays. The ring is freed once
/// everything has vested.
///
/// Times must not go backwards: grant() and release() refuse a time before the last release.
///   Vesting v(spec, ledger, ledger.open("vesting", AccountKind::vesting));
///   v.grant(pool, node_wallet, reward, now);  v.release(now);
class Vesting {
 public:
  /// Throws std::invalid_argument when the escrow is not a vesting account, locked_share is
  /// outside [0, 1], or duration is not a positive whole number of positive steps.
  Vesting(const VestingSpec& spec, Ledger& ledger, Ledger::Account escrow);

  /// A reward of `amount` to `beneficiary` held in `from` (e.g. the reward pool): the liquid
  /// part is transferred now, locked_share is moved to the escrow and vests linearly: equal
  /// parts at each step boundary after `now`, the last at now + duration.
  void grant(Ledger::Account from, Ledger::Account beneficiary, Tokens amount, sim::Time now);
  /// Releases everything vested by `now` to its beneficiaries. Returns the total released.
  Tokens release(sim::Time now);

  Tokens unvested(Ledger::Account beneficiary) const;
  Tokens unvested_total() const { return unvested_total_; }
  Ledger::Account escrow() const { return escrow_; }
  /// n = duration/step: the number of releases of each grant.
  std::int64_t steps() const { return steps_; }

 private:
  /// One beneficiary's unvested tokens: slots_[(head + i) % size] vests at boundary next + i.
  struct Schedule {
    Ledger::Account beneficiary = 0;
    std::uint32_t head = 0;
    std::int64_t next = 0;
    Tokens unvested = 0;
    // The newest grant, not yet spread into the ring so that grants starting at the same
    // boundary merge into one tranche.
    std::int64_t pending_start = 0;
    Tokens pending = 0;
    std::vector<Tokens> slots;
  };

  Schedule& schedule_of(Ledger::Account beneficiary);
  /// Spreads the pending tranche over the ring, growing it if needed.
  void spread_pending(Schedule& s) const;
  void check_time(sim::Time now, const char* what) const;

  VestingSpec spec_;
  Ledger* ledger_;
  Ledger::Account escrow_;
  std::int64_t steps_;
  std::vector<std::uint32_t> index_;  // ledger account -> schedules_ position, or kNone
  std::vector<Schedule> schedules_;
  Tokens unvested_total_ = 0;
  sim::Time last_release_;
};

}  // namespace models
