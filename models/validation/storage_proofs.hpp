#pragma once
// The storage oracle's proof ledger in the style of Filecoin's WindowPoSt: per data unit, active,
// faulty or terminated, judged once a proving period from proofs alone.

#include <cstdint>
#include <span>
#include <vector>

#include "sim/config.hpp"
#include "sim/time.hpp"

namespace models {

/// The proof system's parameters. The ledger reads the first three; the network the rest.
///   ProofSpec p;  p.deadlines = 48;  ProofLedger ledger(p);
struct ProofSpec {
  sim::Time period = sim::Time::days(1);              // proving period: 2880 epochs [V]
  std::int64_t deadlines = 48;                        // 48 deadlines of 30 min [V]
  sim::Time terminate_after = sim::Time::days(42);    // faulty this long: terminated [V]
  sim::Time proof_deadline = sim::Time::minutes(30);  // challenge to proof due: one window [V]
  std::int64_t challenges_per_sector = 10;            // WindowPoSt leaves per sector [U]
  double dispute_probability = 1.0;                   // an invalid proof is disputed [U]

  /// The length of one deadline's window: period / deadlines.
  sim::Time window() const { return sim::Time::from_ticks(period.ticks() / deadlines); }
};

/// Reads the `storage.proofs:` section.
ProofSpec read_proof_spec(sim::config::Section s);

/// What the oracle knows of one unit.
enum class UnitProof : std::uint8_t { vacant, active, faulty, terminated };

/// What one proving period changed. Fees are the caller's: a new fault costs nothing at once, a
/// continued fault costs FF, a termination the termination fee (filecoin_fees.hpp).
struct ProofEvents {
  struct Detection {
    std::uint32_t unit;
    sim::Time at;  // the end of the deadline whose proof was missing
  };
  std::vector<Detection> new_faults;            // active units whose proof was missing
  std::vector<std::uint32_t> continued_faults;  // faulty before this period and still faulty
  std::vector<std::uint32_t> recoveries;        // declared recovered and proven
  std::vector<std::uint32_t> terminations;      // faulty for terminate_after: now terminated
};

/// The oracle's ledger of data units under WindowPoSt (builtin-actors `miner/src/lib.rs`
/// handle_proving_deadline, `deadline_state.rs`) [V]. Each unit sits in one of the period's
/// deadlines and is judged once a period, at the end of its deadline, from one bit: did a valid
/// proof arrive in time. The ledger never sees the truth.
///  - active and proven: stays active. Active and missing: newly faulty, faulty since the end of
///    that deadline, no fee at once.
///  - faulty: a declared recovery that is proven makes it active again; anything else keeps it
///    faulty (a failed recovery is cancelled) and a continued fault fee is due.
///  - faulty for terminate_after (counted from deadline end to deadline end): terminated instead
///    of charged; the slot stays terminated until close().
/// A unit opened after its deadline's end in a period is first judged in the next period.
///   ProofLedger ledger(spec);  ledger.open(u, deadline, now);  auto ev = ledger.close_period(
///   start, proven);
class ProofLedger {
 public:
  /// Throws std::invalid_argument unless period > 0, 1 ≤ deadlines ≤ 65535 and deadlines divide
  /// the period, and terminate_after ≥ period.
  explicit ProofLedger(const ProofSpec& spec);

  const ProofSpec& spec() const { return spec_; }
  /// Starts proving `unit` (a vacant slot; the ledger grows to hold it) in `deadline` from `at`.
  void open(std::uint32_t unit, std::uint32_t deadline, sim::Time at);
  /// Stops proving `unit` (expired, or terminated and settled): the slot becomes vacant.
  void close(std::uint32_t unit);
  /// The provider says a faulty unit is sound again; it is judged at its next deadline. Throws
  /// std::logic_error unless the unit is faulty.
  void declare_recovery(std::uint32_t unit);

  /// Judges the period [start, start + period): proven[u] != 0 when u's proof arrived valid and
  /// in time. `proven` holds at least slots() entries; vacant and terminated slots are ignored.
  ProofEvents close_period(sim::Time start, std::span<const std::uint8_t> proven);

  // The accessors below sit on the per-unit hot path and do not check `unit` < slots().

  /// When `unit`'s deadline ends in the period starting at `start`.
  sim::Time deadline_end(std::uint32_t unit, sim::Time start) const {
    return start + window_ * (static_cast<sim::Time::Rep>(deadline_[unit]) + 1);
  }
  /// Whether `unit` is judged in the period starting at `start` (opened before its deadline ended).
  bool judged(std::uint32_t unit, sim::Time start) const {
    return opened_at_[unit] < deadline_end(unit, start);
  }

  UnitProof state(std::uint32_t unit) const { return state_[unit]; }
  sim::Time faulty_since(std::uint32_t unit) const { return faulty_since_.at(unit); }
  bool recovery_declared(std::uint32_t unit) const { return recovering_.at(unit) != 0; }
  std::uint32_t deadline(std::uint32_t unit) const { return deadline_.at(unit); }
  std::size_t slots() const { return state_.size(); }
  std::size_t active() const { return active_; }
  std::size_t faulty() const { return faulty_; }

 private:
  ProofSpec spec_;
  sim::Time window_;
  std::vector<UnitProof> state_;
  std::vector<std::uint8_t> recovering_;
  std::vector<std::uint16_t> deadline_;
  std::vector<sim::Time> opened_at_;
  std::vector<sim::Time> faulty_since_;
  std::size_t active_ = 0;
  std::size_t faulty_ = 0;
};

}  // namespace models
