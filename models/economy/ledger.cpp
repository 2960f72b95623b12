#include "models/economy/ledger.hpp"

#include <cmath>
#include <cstdlib>

namespace models {

namespace {

constexpr std::int64_t kPartsPerBillion = 1'000'000'000;

std::string quoted(const std::string& label) {
  return "\"" + label + "\"";
}

}  // namespace

Tokens to_units(double tokens) {
  const double units = tokens * static_cast<double>(kUnitsPerToken);
  // 2^63 is exactly representable; anything at or beyond it does not fit an int64.
  if (!std::isfinite(units) || std::fabs(units) >= 9.223372036854775808e18) {
    throw std::invalid_argument("to_units: " + std::to_string(tokens) +
                                " tokens is not a representable amount");
  }
  return static_cast<Tokens>(std::llround(units));
}

Tokens share_of(Tokens amount, double share) {
  if (amount < 0) {
    throw std::invalid_argument("share_of: negative amount " + std::to_string(amount));
  }
  if (!(share >= 0.0 && share <= 1.0)) {
    throw std::invalid_argument("share_of: share must be in [0, 1], found " +
                                std::to_string(share));
  }
  const std::int64_t ppb = std::llround(share * static_cast<double>(kPartsPerBillion));
  // amount·ppb can overflow int64, so split amount = hi·1e9 + lo: hi·ppb ≤ amount fits, and
  // lo·ppb < 1e18 fits, and floor((hi·1e9 + lo)·ppb / 1e9) = hi·ppb + floor(lo·ppb / 1e9).
  const Tokens hi = amount / kPartsPerBillion;
  const Tokens lo = amount % kPartsPerBillion;
  return hi * ppb + lo * ppb / kPartsPerBillion;
}

std::string format_tokens(Tokens units) {
  const bool negative = units < 0;
  // Through unsigned so that the most negative value has a magnitude too.
  const std::uint64_t magnitude =
      negative ? 0 - static_cast<std::uint64_t>(units) : static_cast<std::uint64_t>(units);
  const auto per = static_cast<std::uint64_t>(kUnitsPerToken);
  std::string fraction = std::to_string(magnitude % per);
  fraction.insert(0, 6 - fraction.size(), '0');
  return (negative ? "-" : "") + std::to_string(magnitude / per) + "." + fraction;
}

std::string_view to_string(AccountKind kind) {
  switch (kind) {
    case AccountKind::holder:
      return "holder";
    case AccountKind::protocol:
      return "protocol";
    case AccountKind::stake:
      return "stake";
    case AccountKind::vesting:
      return "vesting";
  }
  return "unknown";
}

std::string_view to_string(EntryKind kind) {
  switch (kind) {
    case EntryKind::mint:
      return "mint";
    case EntryKind::burn:
      return "burn";
    case EntryKind::transfer:
      return "transfer";
    case EntryKind::stake:
      return "stake";
    case EntryKind::unstake:
      return "unstake";
    case EntryKind::slash:
      return "slash";
    case EntryKind::vest_lock:
      return "vest_lock";
    case EntryKind::vest:
      return "vest";
  }
  return "unknown";
}

Ledger::Account Ledger::open(std::string label) {
  return open(std::move(label), AccountKind::holder);
}

Ledger::Account Ledger::open(std::string label, AccountKind kind) {
  if (balances_.size() >= kNoAccount) throw LedgerError("Ledger: too many accounts");
  balances_.push_back(0);
  kinds_.push_back(kind);
  labels_.push_back(std::move(label));
  return static_cast<Account>(balances_.size() - 1);
}

void Ledger::set_epoch(std::int64_t epoch) {
  flows_ = EpochFlows{};
  flows_.epoch = epoch;
}

void Ledger::check_amount(Tokens amount, const char* what) {
  if (amount < 0) {
    throw LedgerError(std::string("Ledger: negative amount in ") + what + ": " +
                      std::to_string(amount));
  }
}

void Ledger::require_kind(Account a, AccountKind wanted, const char* what) const {
  const AccountKind k = kinds_.at(a);
  if (k != wanted) {
    throw LedgerError(std::string("Ledger: ") + what + " needs a " +
                      std::string(to_string(wanted)) + " account, but " + quoted(labels_[a]) +
                      " is a " + std::string(to_string(k)) + " account");
  }
}

void Ledger::require_free(Account a, const char* what) const {
  const AccountKind k = kinds_.at(a);
  if (k == AccountKind::stake || k == AccountKind::vesting) {
    throw LedgerError(std::string("Ledger: ") + what + " cannot pay into " + quoted(labels_[a]) +
                      ", a " + std::string(to_string(k)) +
                      " escrow: tokens enter escrows only by stake or lock_vesting");
  }
}

void Ledger::debit(Account from, Tokens amount, const char* what) {
  check_amount(amount, what);
  Tokens& b = balances_.at(from);
  if (b < amount) {
    throw LedgerError(std::string("Ledger: ") + what + " of " + std::to_string(amount) +
                      " units from " + quoted(labels_[from]) + " exceeds its balance " +
                      std::to_string(b));
  }
  b -= amount;
  held_[static_cast<std::size_t>(kinds_[from])] -= amount;
}

void Ledger::credit(Account to, Tokens amount) {
  balances_[to] += amount;
  held_[static_cast<std::size_t>(kinds_[to])] += amount;
}

void Ledger::record(EntryKind kind, Account from, Account to, Tokens amount) {
  if (recording_) entries_.push_back(Entry{flows_.epoch, kind, from, to, amount});
}

void Ledger::mint(Account to, Tokens amount) {
  check_amount(amount, "mint");
  require_free(to, "mint");
  if (amount > std::numeric_limits<Tokens>::max() - minted_) {
    throw LedgerError("Ledger: minting " + std::to_string(amount) +
                      " units would overflow the minted total");
  }
  credit(to, amount);
  minted_ += amount;
  flows_.minted += amount;
  record(EntryKind::mint, kNoAccount, to, amount);
}

void Ledger::transfer(Account from, Account to, Tokens amount) {
  require_free(to, "transfer");  // validates `to` before anything moves
  debit(from, amount, "transfer");
  credit(to, amount);
  flows_.transferred += amount;
  record(EntryKind::transfer, from, to, amount);
}

void Ledger::burn(Account from, Tokens amount) {
  debit(from, amount, "burn");
  burned_ += amount;
  flows_.burned += amount;
  record(EntryKind::burn, from, kNoAccount, amount);
}

void Ledger::slash(Account from, Tokens amount) {
  debit(from, amount, "slash");
  slashed_ += amount;
  flows_.slashed += amount;
  record(EntryKind::slash, from, kNoAccount, amount);
}

void Ledger::stake(Account from, Account escrow, Tokens amount) {
  require_kind(escrow, AccountKind::stake, "stake");
  require_free(from, "stake");  // staking from another escrow would bypass its flows
  debit(from, amount, "stake");
  credit(escrow, amount);
  flows_.staked += amount;
  record(EntryKind::stake, from, escrow, amount);
}

void Ledger::unstake(Account escrow, Account to, Tokens amount) {
  require_kind(escrow, AccountKind::stake, "unstake");
  require_free(to, "unstake");
  debit(escrow, amount, "unstake");
  credit(to, amount);
  flows_.unstaked += amount;
  record(EntryKind::unstake, escrow, to, amount);
}

void Ledger::lock_vesting(Account from, Account escrow, Tokens amount) {
  require_kind(escrow, AccountKind::vesting, "lock_vesting");
  require_free(from, "lock_vesting");
  debit(from, amount, "lock_vesting");
  credit(escrow, amount);
  flows_.vest_locked += amount;
  record(EntryKind::vest_lock, from, escrow, amount);
}

void Ledger::vest(Account escrow, Account to, Tokens amount) {
  require_kind(escrow, AccountKind::vesting, "vest");
  require_free(to, "vest");
  debit(escrow, amount, "vest");
  credit(to, amount);
  flows_.vested += amount;
  record(EntryKind::vest, escrow, to, amount);
}

void Ledger::check_conservation() const {
  std::array<Tokens, kAccountKinds> by_kind{};
  for (std::size_t i = 0; i < balances_.size(); ++i) {
    by_kind[static_cast<std::size_t>(kinds_[i])] += balances_[i];
  }
  Tokens held = 0;
  for (Tokens k : by_kind)
    held += k;
  const std::string where = "Ledger: books broken at epoch " + std::to_string(flows_.epoch) + ": ";
  if (held != supply()) {
    throw LedgerError(where + "balances sum to " + format_tokens(held) +
                      " tokens but minted - burned - slashed is " + format_tokens(supply()) +
                      " tokens (minted " + format_tokens(minted_) + ", burned " +
                      format_tokens(burned_) + ", slashed " + format_tokens(slashed_) +
                      "), an imbalance of " + format_tokens(held - supply()) + " tokens");
  }
  for (std::size_t k = 0; k < kAccountKinds; ++k) {
    if (by_kind[k] != held_[k]) {
      throw LedgerError(where + std::string(to_string(static_cast<AccountKind>(k))) +
                        " accounts hold " + format_tokens(by_kind[k]) +
                        " tokens but their running total is " + format_tokens(held_[k]) +
                        " tokens, an imbalance of " + format_tokens(by_kind[k] - held_[k]) +
                        " tokens");
    }
  }
}

}  // namespace models
