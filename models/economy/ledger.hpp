#pragma once
// The token ledger: every token minted, moved, burned or slashed goes through here.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace models {

/// Token amounts in integer base units (1 token = 10^6 units), so that conservation is exact.
using Tokens = std::int64_t;
inline constexpr Tokens kUnitsPerToken = 1'000'000;
inline constexpr double to_tokens(Tokens units) {
  return static_cast<double>(units) / static_cast<double>(kUnitsPerToken);
}

/// A ledger operation that would break the books: a negative amount, an overdraft, an unknown
/// account, or totals that no longer add up.
class LedgerError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// Balances of every account and the running totals of minted, burned and slashed tokens.
/// Invariant, checked by check_conservation(): minted = sum of balances + burned + slashed.
///   Ledger l; auto pool = l.open("reward_pool"); l.mint(pool, 100 * kUnitsPerToken);
class Ledger {
 public:
  using Account = std::uint32_t;

  Account open(std::string label);
  std::size_t accounts() const { return balances_.size(); }
  const std::string& label(Account a) const { return labels_.at(a); }

  void mint(Account to, Tokens amount);
  void transfer(Account from, Account to, Tokens amount);
  void burn(Account from, Tokens amount);
  /// Removes tokens from an account as a penalty; counted apart from voluntary burns.
  void slash(Account from, Tokens amount);

  Tokens balance(Account a) const { return balances_.at(a); }
  Tokens minted() const { return minted_; }
  Tokens burned() const { return burned_; }
  Tokens slashed() const { return slashed_; }
  /// Tokens in existence: minted minus burned and slashed.
  Tokens supply() const { return minted_ - burned_ - slashed_; }

  /// Throws LedgerError when minted != sum of balances + burned + slashed.
  void check_conservation() const;

 private:
  void debit(Account from, Tokens amount, const char* what);
  static void check_amount(Tokens amount, const char* what);

  std::vector<Tokens> balances_;
  std::vector<std::string> labels_;
  Tokens minted_ = 0;
  Tokens burned_ = 0;
  Tokens slashed_ = 0;
};

}  // namespace models
