// The token economy's side of storage and compute providers: role pools, clients' payments,
// collateral, penalties and the endowment, each through the ledger.
#include <array>
#include <vector>

#include <catch2/catch.hpp>

#include "models/economy/token_economy.hpp"

using models::EconomySpec;
using models::kUnitsPerToken;
using models::Ledger;
using models::OperatorActivity;
using models::Role;
using models::TokenEconomy;
using models::Tokens;
using sim::Time;

namespace {

// A constant price of $2, 1,000 tokens a day, no selling: what an operator holds is what it got.
EconomySpec provider_spec() {
  EconomySpec s;
  s.emission.kind = models::EmissionKind::constant;
  s.emission.per_day = 1'000.0;
  s.price.kind = models::PriceKind::constant;
  s.price.initial_usd = 2.0;
  s.initial_supply = 1e6;
  s.operators.sell_fraction = 0.0;
  return s;
}

TokenEconomy::RolesPresent roles(std::initializer_list<Role> present) {
  TokenEconomy::RolesPresent r{};
  for (Role role : present)
    r[static_cast<std::size_t>(role)] = true;
  return r;
}

struct Books {
  Ledger ledger;
  TokenEconomy economy;
  explicit Books(const EconomySpec& spec, std::size_t operators = 2)
      : economy(spec, ledger, std::vector<std::int64_t>(operators, 1), sim::RandomStreams(3, 0)) {}
  Tokens wallet(std::uint32_t op) const {
    // Operator accounts are opened right after the five shared ones, in id order.
    return ledger.balance(static_cast<Ledger::Account>(5 + op));
  }
};

}  // namespace

TEST_CASE("models::TokenEconomy: the storage and compute shares are minted for their providers",
          "[unit]") {
  EconomySpec spec = provider_spec();
  spec.split.share = {0.0, 0.0, 0.6, 0.3, 0.0, 0.1};
  Books b(spec);
  const auto open =
      b.economy.open_epoch(0, Time{}, Time::days(1), roles({Role::storage, Role::compute}));
  CHECK(open.to_nodes == 0);
  CHECK(open.to_storage == 600 * kUnitsPerToken);
  CHECK(open.to_compute == 300 * kUnitsPerToken);
  std::vector<OperatorActivity> a(2);
  a[0].payout = open.to_storage;
  a[1].payout = open.to_compute;
  b.economy.close_epoch(a, 0);
  b.ledger.check_conservation();
  CHECK(b.wallet(0) == 600 * kUnitsPerToken);
  CHECK(b.wallet(1) == 300 * kUnitsPerToken);
  CHECK(b.economy.tally().to_storage == Approx(600.0));

  // Without compute providers, the compute share follows `unused` (the treasury by default).
  Books c(spec);
  const auto only = c.economy.open_epoch(0, Time{}, Time::days(1), roles({Role::storage}));
  CHECK(only.to_compute == 0);
  CHECK(c.economy.tally().to_treasury == Approx(400.0));
}

TEST_CASE(
    "models::TokenEconomy: clients pay providers in tokens bought at the price and the take "
    "goes to the treasury",
    "[unit]") {
  Books b(provider_spec());
  b.economy.open_epoch(0, Time{}, Time::days(1), roles({Role::compute}));
  std::vector<OperatorActivity> a(2);
  a[0].client_usd = 800.0;  // Akash: $1,000 of leases, a 20 % take
  a[0].take_usd = 200.0;
  b.economy.close_epoch(a, 1'000 * kUnitsPerToken);
  b.ledger.check_conservation();
  CHECK(b.wallet(0) == 400 * kUnitsPerToken);  // $800 at $2
  CHECK(b.economy.tally().client_tokens == Approx(400.0));
  CHECK(b.economy.tally().take_tokens == Approx(100.0));
  CHECK(b.economy.tally().treasury == Approx(1'000.0 + 100.0));
  // What clients paid counts as earned in the operator's books.
  CHECK(b.economy.operators().account(0).tokens_earned == Approx(400.0));
}

TEST_CASE(
    "models::TokenEconomy: collateral is bought, locked, released, and penalties take it "
    "before the wallet",
    "[unit]") {
  EconomySpec spec = provider_spec();
  spec.split.share = {0.0, 0.0, 1.0, 0.0, 0.0, 0.0};  // all to storage
  Books b(spec);
  b.economy.open_epoch(0, Time{}, Time::days(1), roles({Role::storage}));
  std::vector<OperatorActivity> a(2);
  a[0].payout = 100 * kUnitsPerToken;
  a[0].collateral_lock = 150 * kUnitsPerToken;  // 100 from its reward, 50 bought at $2
  b.economy.close_epoch(a, 900 * kUnitsPerToken);
  b.ledger.check_conservation();
  CHECK(b.economy.collateral(0) == 150 * kUnitsPerToken);
  CHECK(b.wallet(0) == 0);
  CHECK(b.ledger.locked() == 150 * kUnitsPerToken);
  CHECK(b.economy.operators().account(0).capex_usd == Approx(100.0));  // the 50 it bought

  // A fee of 160 with 10 to the reporter: the 150 of collateral, then 10 of its 20 in hand.
  b.economy.open_epoch(1, Time::days(1), Time::days(2), roles({Role::storage}));
  std::vector<OperatorActivity> fee(2);
  fee[0].payout = 20 * kUnitsPerToken;
  fee[0].penalty = 160 * kUnitsPerToken;
  fee[0].to_reporters = 10 * kUnitsPerToken;
  const Tokens slashed_before = b.ledger.slashed();
  b.economy.close_epoch(fee, 980 * kUnitsPerToken);
  b.ledger.check_conservation();
  CHECK(b.economy.collateral(0) == 0);
  CHECK(b.wallet(0) == 10 * kUnitsPerToken);
  CHECK(b.ledger.slashed() - slashed_before == 150 * kUnitsPerToken);
  CHECK(b.economy.tally().penalties == Approx(160.0));
  CHECK(b.economy.tally().penalties_to_reporters == Approx(10.0));
  CHECK(b.economy.tally().penalties_unpaid == 0.0);

  // A fee larger than everything it holds: the rest is recorded as unpaid, nothing overdraws.
  b.economy.open_epoch(2, Time::days(2), Time::days(3), roles({Role::storage}));
  std::vector<OperatorActivity> big(2);
  big[0].penalty = 30 * kUnitsPerToken;
  b.economy.close_epoch(big, 1'000 * kUnitsPerToken);
  b.ledger.check_conservation();
  CHECK(b.wallet(0) == 0);
  CHECK(b.economy.tally().penalties == Approx(10.0));
  CHECK(b.economy.tally().penalties_unpaid == Approx(20.0));
}

TEST_CASE("models::TokenEconomy: released collateral returns to the wallet and is not earnings",
          "[unit]") {
  Books b(provider_spec());
  b.economy.open_epoch(0, Time{}, Time::days(1), roles({Role::storage}));
  std::vector<OperatorActivity> a(2);
  a[0].collateral_lock = 50 * kUnitsPerToken;
  b.economy.close_epoch(a, 1'000 * kUnitsPerToken);
  b.economy.open_epoch(1, Time::days(1), Time::days(2), roles({Role::storage}));
  std::vector<OperatorActivity> back(2);
  back[0].collateral_release = 80 * kUnitsPerToken;  // more than it has: what it has
  b.economy.close_epoch(back, 1'000 * kUnitsPerToken);
  b.ledger.check_conservation();
  CHECK(b.economy.collateral(0) == 0);
  CHECK(b.wallet(0) == 50 * kUnitsPerToken);
  CHECK(b.economy.operators().account(0).tokens_earned == 0.0);
}

TEST_CASE("models::TokenEconomy: the endowment takes clients' fees and pays providers from them",
          "[unit]") {
  Books b(provider_spec());
  b.economy.open_epoch(0, Time{}, Time::days(1), roles({Role::storage}));
  b.economy.deposit_endowment(400.0);  // 200 tokens at $2
  std::vector<OperatorActivity> a(2);
  a[0].endowment = 150 * kUnitsPerToken;
  a[1].endowment = 150 * kUnitsPerToken;  // only 50 are left for it
  b.economy.close_epoch(a, 1'000 * kUnitsPerToken);
  b.ledger.check_conservation();
  CHECK(b.wallet(0) == 150 * kUnitsPerToken);
  CHECK(b.wallet(1) == 50 * kUnitsPerToken);
  CHECK(b.economy.tally().endowment_in == Approx(200.0));
  CHECK(b.economy.tally().endowment_out == Approx(200.0));
  CHECK(b.economy.tally().endowment == 0.0);
}

TEST_CASE("models::TokenEconomy: compute clients' burn is bought and burned by the market",
          "[unit]") {
  Books b(provider_spec());
  b.economy.open_epoch(0, Time{}, Time::days(1), roles({Role::compute}));
  std::vector<OperatorActivity> a(2);
  a[1].burn_usd = 500.0;
  const Tokens burned_before = b.ledger.burned();
  b.economy.close_epoch(a, 1'000 * kUnitsPerToken);
  b.ledger.check_conservation();
  CHECK(b.economy.tally().service_burn_usd == Approx(500.0));
  CHECK(b.ledger.burned() - burned_before == 250 * kUnitsPerToken);  // $500 at $2
}
