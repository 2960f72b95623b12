#include "models/economy/ledger.hpp"

#include <random>

#include <catch2/catch.hpp>

using models::Ledger;
using models::LedgerError;

TEST_CASE("models::Ledger: conservation holds through any sequence of valid operations", "[unit]") {
  Ledger l;
  std::vector<Ledger::Account> acc;
  for (int i = 0; i < 10; ++i)
    acc.push_back(l.open("a" + std::to_string(i)));
  std::mt19937_64 rng(3);
  for (int step = 0; step < 20'000; ++step) {
    const auto a = acc[rng() % acc.size()];
    const auto b = acc[rng() % acc.size()];
    const models::Tokens amount = static_cast<models::Tokens>(rng() % 1000);
    switch (rng() % 4) {
      case 0:
        l.mint(a, amount);
        break;
      case 1:
        if (l.balance(a) >= amount) l.transfer(a, b, amount);
        break;
      case 2:
        if (l.balance(a) >= amount) l.burn(a, amount);
        break;
      default:
        if (l.balance(a) >= amount) l.slash(a, amount);
        break;
    }
    REQUIRE_NOTHROW(l.check_conservation());
  }
  models::Tokens held = 0;
  for (auto a : acc)
    held += l.balance(a);
  CHECK(l.minted() == held + l.burned() + l.slashed());
  CHECK(l.supply() == held);
}

TEST_CASE("models::Ledger: refuses overdrafts and negative amounts without moving anything",
          "[unit]") {
  Ledger l;
  const auto a = l.open("a");
  const auto b = l.open("b");
  l.mint(a, 100);
  CHECK_THROWS_AS(l.transfer(a, b, 101), LedgerError);
  CHECK_THROWS_AS(l.burn(a, 101), LedgerError);
  CHECK_THROWS_AS(l.slash(b, 1), LedgerError);
  CHECK_THROWS_AS(l.mint(a, -1), LedgerError);
  CHECK_THROWS_AS(l.transfer(a, b, -5), LedgerError);
  CHECK_THROWS(l.transfer(a, 99, 5));
  CHECK(l.balance(a) == 100);
  CHECK(l.balance(b) == 0);
  l.check_conservation();
}

TEST_CASE("models::Ledger: burned and slashed tokens leave the supply and are counted apart",
          "[unit]") {
  Ledger l;
  const auto a = l.open("a");
  l.mint(a, 1000);
  l.burn(a, 300);
  l.slash(a, 200);
  CHECK(l.supply() == 500);
  CHECK(l.burned() == 300);
  CHECK(l.slashed() == 200);
  CHECK(l.minted() == 1000);
}
