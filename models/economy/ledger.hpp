#pragma once
// The token ledger: every token minted, moved, staked, vested, burned or slashed goes through here.

#include <array>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace models {

/// Token amounts in integer base units (1 token = 10^6 units), so that conservation is exact.
using Tokens = std::int64_t;
inline constexpr Tokens kUnitsPerToken = 1'000'000;
inline constexpr double to_tokens(Tokens units) {
  return static_cast<double>(units) / static_cast<double>(kUnitsPerToken);
}
/// The whole number of units nearest to a token count: to_units(1.5) = 1'500'000. Throws
/// std::invalid_argument when the count is not finite or does not fit.
Tokens to_units(double tokens);
/// floor(amount·share) in units, exactly: the share is taken at a resolution of 1e-9 (so 0.7 is
/// 7/10, not the binary double below it) and the product never overflows. share is in [0, 1].
///   share_of(100 * kUnitsPerToken, 0.75) == 75 * kUnitsPerToken
Tokens share_of(Tokens amount, double share);
/// "12.345678" or "-0.000001": units printed as tokens, with all six decimals.
std::string format_tokens(Tokens units);

/// A ledger operation that would break the books: a negative amount, an overdraft, an unknown
/// account, an account of the wrong kind, or totals that no longer add up.
class LedgerError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// What an account's balance counts as in the supply.
///   holder:   operators, buyers, reporters: circulating tokens.
///   protocol: reward pools, treasuries, burn sinks: minted but not circulating.
///   stake:    escrow of staked tokens: locked.
///   vesting:  escrow of rewards not yet vested.
enum class AccountKind : std::uint8_t { holder, protocol, stake, vesting };
inline constexpr std::size_t kAccountKinds = 4;
std::string_view to_string(AccountKind kind);

/// The kind of one ledger movement. vest_lock moves tokens into a vesting escrow, vest releases
/// them from it; stake and unstake do the same for a stake escrow.
enum class EntryKind : std::uint8_t {
  mint,
  burn,
  transfer,
  stake,
  unstake,
  slash,
  vest_lock,
  vest
};
std::string_view to_string(EntryKind kind);

/// Tokens moved by each kind of operation since the last Ledger::set_epoch().
///   const EpochFlows& f = ledger.flows();  double minted = to_tokens(f.minted);
struct EpochFlows {
  std::int64_t epoch = 0;
  Tokens minted = 0;
  Tokens burned = 0;
  Tokens slashed = 0;
  Tokens staked = 0;
  Tokens unstaked = 0;
  Tokens vested = 0;       // released from vesting escrows
  Tokens vest_locked = 0;  // moved into vesting escrows
  Tokens transferred = 0;  // plain transfers only
};

/// Balances of every account, the running totals of minted, burned and slashed tokens, and the
/// supply split by account kind. Two identities hold after every operation and are verified by
/// check_conservation():
///   total_supply = minted − burned − slashed = Σ balances
///   circulating + protocol_held + locked + vesting = total_supply
/// Tokens enter an escrow only through stake() and lock_vesting(), and leave a vesting escrow
/// only through vest() (or a burn or slash), so the per-epoch flows() account for every token
/// that changes kind. Any account may be drawn from by transfer(), burn() and slash(): a slashed
/// stake may be destroyed or partly paid to whoever proved the fraud.
///   Ledger l; auto pool = l.open("reward_pool", AccountKind::protocol);
///   l.mint(pool, 100 * kUnitsPerToken);  l.check_conservation();
class Ledger {
 public:
  using Account = std::uint32_t;
  /// The `from` of a mint entry and the `to` of a burn or slash entry.
  static constexpr Account kNoAccount = std::numeric_limits<Account>::max();

  /// One movement of tokens, stamped with the epoch set by set_epoch().
  struct Entry {
    std::int64_t epoch;
    EntryKind kind;
    Account from, to;
    Tokens amount;
  };

  /// Opens a holder account (circulating tokens).
  Account open(std::string label);
  Account open(std::string label, AccountKind kind);
  std::size_t accounts() const { return balances_.size(); }
  const std::string& label(Account a) const { return labels_.at(a); }
  AccountKind kind(Account a) const { return kinds_.at(a); }

  /// Stamps later entries with `epoch` and starts new flows(). Epochs need not increase.
  void set_epoch(std::int64_t epoch);
  std::int64_t epoch() const { return flows_.epoch; }
  const EpochFlows& flows() const { return flows_; }
  /// Keeps every entry in entries() from now on. Off by default: about 32 bytes an entry, and a
  /// year of daily rewards to 100k nodes is tens of millions of entries.
  void record_entries(bool on) { recording_ = on; }
  bool recording_entries() const { return recording_; }
  const std::vector<Entry>& entries() const { return entries_; }

  /// Creates tokens in a holder or protocol account.
  void mint(Account to, Tokens amount);
  /// Moves tokens from any account to a holder or protocol account.
  void transfer(Account from, Account to, Tokens amount);
  void burn(Account from, Tokens amount);
  /// Removes tokens from an account as a penalty; counted apart from voluntary burns.
  void slash(Account from, Tokens amount);
  /// Locks tokens of a holder or protocol account in a stake escrow.
  void stake(Account from, Account escrow, Tokens amount);
  /// Returns tokens from a stake escrow to a holder or protocol account.
  void unstake(Account escrow, Account to, Tokens amount);
  /// Moves tokens of a holder or protocol account into a vesting escrow.
  void lock_vesting(Account from, Account escrow, Tokens amount);
  /// Releases vested tokens from a vesting escrow to a holder or protocol account.
  void vest(Account escrow, Account to, Tokens amount);

  Tokens balance(Account a) const { return balances_.at(a); }
  Tokens minted() const { return minted_; }
  Tokens burned() const { return burned_; }
  Tokens slashed() const { return slashed_; }
  /// Tokens in existence: minted minus burned and slashed.
  Tokens supply() const { return minted_ - burned_ - slashed_; }
  Tokens total_supply() const { return supply(); }
  /// Running sum of the balances of every account of one kind.
  Tokens held(AccountKind kind) const { return held_[static_cast<std::size_t>(kind)]; }
  Tokens circulating() const { return held(AccountKind::holder); }
  Tokens protocol_held() const { return held(AccountKind::protocol); }
  Tokens locked() const { return held(AccountKind::stake); }
  Tokens vesting() const { return held(AccountKind::vesting); }

  /// Recomputes the balances' sum, in total and by kind, and throws LedgerError naming the epoch
  /// and the imbalance in tokens when it differs from minted − burned − slashed or from a kind's
  /// running total.
  void check_conservation() const;

 private:
  friend struct LedgerTestAccess;  // lets tests corrupt the books to see the checks fire

  static void check_amount(Tokens amount, const char* what);
  /// Throws unless `a` is an account of kind `wanted`.
  void require_kind(Account a, AccountKind wanted, const char* what) const;
  /// Throws unless `a` is a holder or protocol account (not an escrow).
  void require_free(Account a, const char* what) const;
  void debit(Account from, Tokens amount, const char* what);
  void credit(Account to, Tokens amount);
  void record(EntryKind kind, Account from, Account to, Tokens amount);

  std::vector<Tokens> balances_;
  std::vector<AccountKind> kinds_;
  std::vector<std::string> labels_;
  std::array<Tokens, kAccountKinds> held_{};
  Tokens minted_ = 0;
  Tokens burned_ = 0;
  Tokens slashed_ = 0;
  EpochFlows flows_;
  bool recording_ = false;
  std::vector<Entry> entries_;
};

}  // namespace models
