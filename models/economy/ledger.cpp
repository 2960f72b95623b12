#include "models/economy/ledger.hpp"

#include <numeric>

namespace models {

Ledger::Account Ledger::open(std::string label) {
  balances_.push_back(0);
  labels_.push_back(std::move(label));
  return static_cast<Account>(balances_.size() - 1);
}

void Ledger::check_amount(Tokens amount, const char* what) {
  if (amount < 0) {
    throw LedgerError(std::string("Ledger: negative amount in ") + what + ": " +
                      std::to_string(amount));
  }
}

void Ledger::debit(Account from, Tokens amount, const char* what) {
  check_amount(amount, what);
  Tokens& b = balances_.at(from);
  if (b < amount) {
    throw LedgerError(std::string("Ledger: ") + what + " of " + std::to_string(amount) +
                      " units from \"" + labels_[from] + "\" exceeds its balance " +
                      std::to_string(b));
  }
  b -= amount;
}

void Ledger::mint(Account to, Tokens amount) {
  check_amount(amount, "mint");
  balances_.at(to) += amount;
  minted_ += amount;
}

void Ledger::transfer(Account from, Account to, Tokens amount) {
  balances_.at(to);  // validates `to` before anything moves
  debit(from, amount, "transfer");
  balances_[to] += amount;
}

void Ledger::burn(Account from, Tokens amount) {
  debit(from, amount, "burn");
  burned_ += amount;
}

void Ledger::slash(Account from, Tokens amount) {
  debit(from, amount, "slash");
  slashed_ += amount;
}

void Ledger::check_conservation() const {
  const Tokens held = std::accumulate(balances_.begin(), balances_.end(), Tokens{0});
  if (minted_ != held + burned_ + slashed_) {
    throw LedgerError("Ledger: conservation broken: minted " + std::to_string(minted_) +
                      " != held " + std::to_string(held) + " + burned " + std::to_string(burned_) +
                      " + slashed " + std::to_string(slashed_));
  }
}

}  // namespace models
