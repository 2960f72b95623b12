#include "models/economy/ledger.hpp"

#include <array>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/random.hpp"

using models::AccountKind;
using models::EntryKind;
using models::Ledger;
using models::LedgerError;
using models::Tokens;

namespace models {

/// Reaches into the books so the tests can break them on purpose.
struct LedgerTestAccess {
  static Tokens& balance(Ledger& l, Ledger::Account a) { return l.balances_.at(a); }
  static Tokens& held(Ledger& l, AccountKind k) { return l.held_[static_cast<std::size_t>(k)]; }
  static Tokens& minted(Ledger& l) { return l.minted_; }
};

}  // namespace models

namespace {

using models::LedgerTestAccess;

std::string conservation_error(const Ledger& l) {
  try {
    l.check_conservation();
  } catch (const LedgerError& e) {
    return e.what();
  }
  return "(no error)";
}

/// Σ balances of one kind, recomputed by the test from the public accessors.
Tokens sum_of_kind(const Ledger& l, AccountKind kind) {
  Tokens sum = 0;
  for (Ledger::Account a = 0; a < l.accounts(); ++a) {
    if (l.kind(a) == kind) sum += l.balance(a);
  }
  return sum;
}

bool escrow(AccountKind k) {
  return k == AccountKind::stake || k == AccountKind::vesting;
}

}  // namespace

TEST_CASE("models::Ledger: conservation holds through any sequence of valid operations", "[unit]") {
  Ledger l;
  l.record_entries(true);
  std::vector<Ledger::Account> acc;
  const std::array kinds{AccountKind::holder, AccountKind::holder,   AccountKind::holder,
                         AccountKind::holder, AccountKind::protocol, AccountKind::protocol,
                         AccountKind::stake,  AccountKind::stake,    AccountKind::vesting,
                         AccountKind::vesting};
  for (std::size_t i = 0; i < kinds.size(); ++i)
    acc.push_back(l.open("a" + std::to_string(i), kinds[i]));
  sim::RandomStream rng(sim::StreamId{3, 0, sim::stream_hash("ledger_test"), 0});
  std::array<Tokens, 8> epoch_flows{};  // the test's own per-kind sums, by EntryKind
  std::int64_t epoch = 0;
  std::size_t rejected = 0;
  for (int step = 0; step < 40'000; ++step) {
    const auto a = acc[rng.uniform_int(acc.size())];
    const auto b = acc[rng.uniform_int(acc.size())];
    const auto amount = static_cast<Tokens>(rng.uniform_int(1000));
    const auto op = static_cast<EntryKind>(rng.uniform_int(8));
    const bool a_escrow = escrow(l.kind(a));
    const bool b_escrow = escrow(l.kind(b));
    const bool funded = l.balance(a) >= amount;
    bool valid = true;
    switch (op) {
      case EntryKind::mint:
        valid = !a_escrow;
        break;
      case EntryKind::transfer:
        valid = funded && !b_escrow;
        break;
      case EntryKind::burn:
      case EntryKind::slash:
        valid = funded;
        break;
      case EntryKind::stake:
        valid = funded && !a_escrow && l.kind(b) == AccountKind::stake;
        break;
      case EntryKind::unstake:
        valid = funded && l.kind(a) == AccountKind::stake && !b_escrow;
        break;
      case EntryKind::vest_lock:
        valid = funded && !a_escrow && l.kind(b) == AccountKind::vesting;
        break;
      case EntryKind::vest:
        valid = funded && l.kind(a) == AccountKind::vesting && !b_escrow;
        break;
    }
    const auto perform = [&] {
      switch (op) {
        case EntryKind::mint:
          l.mint(a, amount);
          break;
        case EntryKind::transfer:
          l.transfer(a, b, amount);
          break;
        case EntryKind::burn:
          l.burn(a, amount);
          break;
        case EntryKind::slash:
          l.slash(a, amount);
          break;
        case EntryKind::stake:
          l.stake(a, b, amount);
          break;
        case EntryKind::unstake:
          l.unstake(a, b, amount);
          break;
        case EntryKind::vest_lock:
          l.lock_vesting(a, b, amount);
          break;
        case EntryKind::vest:
          l.vest(a, b, amount);
          break;
      }
    };
    if (valid) {
      perform();
      epoch_flows[static_cast<std::size_t>(op)] += amount;
    } else {
      // A refused operation moves nothing, so the identities below still hold.
      REQUIRE_THROWS_AS(perform(), LedgerError);
      ++rejected;
    }
    REQUIRE_NOTHROW(l.check_conservation());
    REQUIRE(l.circulating() == sum_of_kind(l, AccountKind::holder));
    REQUIRE(l.protocol_held() == sum_of_kind(l, AccountKind::protocol));
    REQUIRE(l.locked() == sum_of_kind(l, AccountKind::stake));
    REQUIRE(l.vesting() == sum_of_kind(l, AccountKind::vesting));
    REQUIRE(l.circulating() + l.protocol_held() + l.locked() + l.vesting() == l.total_supply());
    REQUIRE(l.total_supply() == l.minted() - l.burned() - l.slashed());

    if (step % 1000 == 999) {
      const auto& f = l.flows();
      REQUIRE(f.epoch == epoch);
      REQUIRE(f.minted == epoch_flows[static_cast<std::size_t>(EntryKind::mint)]);
      REQUIRE(f.burned == epoch_flows[static_cast<std::size_t>(EntryKind::burn)]);
      REQUIRE(f.transferred == epoch_flows[static_cast<std::size_t>(EntryKind::transfer)]);
      REQUIRE(f.staked == epoch_flows[static_cast<std::size_t>(EntryKind::stake)]);
      REQUIRE(f.unstaked == epoch_flows[static_cast<std::size_t>(EntryKind::unstake)]);
      REQUIRE(f.slashed == epoch_flows[static_cast<std::size_t>(EntryKind::slash)]);
      REQUIRE(f.vest_locked == epoch_flows[static_cast<std::size_t>(EntryKind::vest_lock)]);
      REQUIRE(f.vested == epoch_flows[static_cast<std::size_t>(EntryKind::vest)]);
      l.set_epoch(++epoch);
      epoch_flows = {};
    }
  }
  CHECK(rejected > 1000);  // the wrong-kind refusals were exercised, not only valid operations
  CHECK(l.locked() > 0);
  CHECK(l.vesting() > 0);

  // Replaying the log from empty books gives every balance back, and the stamps follow set_epoch.
  std::vector<Tokens> replay(l.accounts(), 0);
  Tokens minted = 0;
  std::int64_t last_epoch = 0;
  for (const auto& e : l.entries()) {
    REQUIRE(e.epoch >= last_epoch);
    last_epoch = e.epoch;
    if (e.from != Ledger::kNoAccount) replay[e.from] -= e.amount;
    if (e.to != Ledger::kNoAccount) replay[e.to] += e.amount;
    if (e.kind == EntryKind::mint) minted += e.amount;
    REQUIRE((e.from == Ledger::kNoAccount) == (e.kind == EntryKind::mint));
    REQUIRE((e.to == Ledger::kNoAccount) ==
            (e.kind == EntryKind::burn || e.kind == EntryKind::slash));
  }
  CHECK(last_epoch == epoch - 1);
  CHECK(minted == l.minted());
  for (Ledger::Account a = 0; a < l.accounts(); ++a)
    REQUIRE(replay[a] == l.balance(a));
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

TEST_CASE("models::Ledger: the supply splits into circulating, protocol, locked and vesting",
          "[unit]") {
  Ledger l;
  const auto pool = l.open("reward_pool", AccountKind::protocol);
  const auto op = l.open("operator");
  const auto stake = l.open("stake", AccountKind::stake);
  const auto vesting = l.open("vesting", AccountKind::vesting);
  CHECK(l.kind(op) == AccountKind::holder);  // open(label) keeps opening holder accounts
  CHECK_FALSE(l.recording_entries());
  l.record_entries(true);
  l.set_epoch(1);
  l.mint(pool, 1000);
  l.transfer(pool, op, 300);
  l.stake(op, stake, 200);
  l.lock_vesting(pool, vesting, 100);
  l.vest(vesting, op, 40);
  l.slash(stake, 50);
  l.unstake(stake, op, 30);
  l.burn(op, 10);

  CHECK(l.circulating() == 300 - 200 + 40 + 30 - 10);
  CHECK(l.protocol_held() == 1000 - 300 - 100);
  CHECK(l.locked() == 200 - 50 - 30);
  CHECK(l.vesting() == 100 - 40);
  CHECK(l.total_supply() == 1000 - 50 - 10);
  CHECK(l.circulating() + l.protocol_held() + l.locked() + l.vesting() == l.total_supply());

  const auto& f = l.flows();
  CHECK(f.epoch == 1);
  CHECK(f.minted == 1000);
  CHECK(f.transferred == 300);
  CHECK(f.staked == 200);
  CHECK(f.vest_locked == 100);
  CHECK(f.vested == 40);
  CHECK(f.slashed == 50);
  CHECK(f.unstaked == 30);
  CHECK(f.burned == 10);

  REQUIRE(l.entries().size() == 8);
  const auto& s = l.entries()[2];
  CHECK(s.epoch == 1);
  CHECK(s.kind == EntryKind::stake);
  CHECK(s.from == op);
  CHECK(s.to == stake);
  CHECK(s.amount == 200);
  CHECK(l.entries()[5].to == Ledger::kNoAccount);

  l.set_epoch(2);
  CHECK(l.epoch() == 2);
  CHECK(l.flows().minted == 0);
  CHECK(l.flows().staked == 0);
  CHECK(l.flows().slashed == 0);
  l.transfer(op, pool, 5);
  CHECK(l.entries().back().epoch == 2);
  CHECK(l.flows().transferred == 5);
}

TEST_CASE("models::Ledger: typed transfers refuse accounts of the wrong kind and move nothing",
          "[unit]") {
  Ledger l;
  const auto pool = l.open("pool", AccountKind::protocol);
  const auto op = l.open("op");
  const auto stake = l.open("stake", AccountKind::stake);
  const auto vesting = l.open("vesting", AccountKind::vesting);
  l.mint(pool, 1000);
  l.transfer(pool, op, 500);
  l.stake(op, stake, 100);
  l.lock_vesting(pool, vesting, 100);

  try {
    l.stake(op, pool, 10);
    FAIL("staking into a protocol account was accepted");
  } catch (const LedgerError& e) {
    CHECK(std::string(e.what()) ==
          "Ledger: stake needs a stake account, but \"pool\" is a protocol account");
  }
  CHECK_THROWS_AS(l.stake(op, vesting, 10), LedgerError);
  CHECK_THROWS_AS(l.stake(vesting, stake, 10), LedgerError);  // escrow to escrow
  CHECK_THROWS_AS(l.unstake(vesting, op, 10), LedgerError);
  CHECK_THROWS_AS(l.unstake(stake, vesting, 10), LedgerError);
  CHECK_THROWS_AS(l.lock_vesting(op, stake, 10), LedgerError);
  CHECK_THROWS_AS(l.lock_vesting(stake, vesting, 10), LedgerError);
  CHECK_THROWS_AS(l.vest(stake, op, 10), LedgerError);
  CHECK_THROWS_AS(l.vest(vesting, stake, 10), LedgerError);
  CHECK_THROWS_AS(l.transfer(op, stake, 10), LedgerError);  // only stake() fills a stake escrow
  CHECK_THROWS_AS(l.transfer(op, vesting, 10), LedgerError);
  CHECK_THROWS_AS(l.mint(vesting, 10), LedgerError);
  CHECK_THROWS_AS(l.unstake(stake, op, 101), LedgerError);  // overdraft of the escrow

  CHECK(l.balance(pool) == 400);
  CHECK(l.balance(op) == 400);
  CHECK(l.balance(stake) == 100);
  CHECK(l.balance(vesting) == 100);
  // Paying a reporter out of a stake escrow is a plain transfer.
  l.transfer(stake, op, 10);
  CHECK(l.locked() == 90);
  CHECK_NOTHROW(l.check_conservation());
}

TEST_CASE("models::Ledger: a broken supply identity is reported with the epoch and the imbalance",
          "[unit]") {
  Ledger l;
  const auto pool = l.open("pool", AccountKind::protocol);
  const auto op = l.open("op");
  const auto stake = l.open("stake", AccountKind::stake);
  l.mint(pool, 10 * models::kUnitsPerToken);
  l.transfer(pool, op, 4 * models::kUnitsPerToken);
  l.stake(op, stake, 3 * models::kUnitsPerToken);
  l.set_epoch(7);
  REQUIRE(conservation_error(l) == "(no error)");

  SECTION("a balance changed behind the ledger's back breaks Σ balances = minted − destroyed") {
    LedgerTestAccess::balance(l, op) += 1'500'000;
    CHECK(conservation_error(l) ==
          "Ledger: books broken at epoch 7: balances sum to 11.500000 tokens but minted - "
          "burned - slashed is 10.000000 tokens (minted 10.000000, burned 0.000000, slashed "
          "0.000000), an imbalance of 1.500000 tokens");
  }
  SECTION("a wrong minted total breaks the same identity from the other side") {
    LedgerTestAccess::minted(l) += 1;
    CHECK(conservation_error(l).find("epoch 7") != std::string::npos);
    CHECK(conservation_error(l).find("an imbalance of -0.000001 tokens") != std::string::npos);
  }
  SECTION("a running kind total out of step with the balances breaks the split by kind") {
    LedgerTestAccess::held(l, AccountKind::stake) -= 2 * models::kUnitsPerToken;
    CHECK(l.locked() + l.circulating() + l.protocol_held() + l.vesting() != l.total_supply());
    CHECK(conservation_error(l) ==
          "Ledger: books broken at epoch 7: stake accounts hold 3.000000 tokens but their "
          "running total is 1.000000 tokens, an imbalance of 2.000000 tokens");
  }
  SECTION("tokens moved between kinds unseen keep the total but break the split") {
    LedgerTestAccess::balance(l, stake) -= 500'000;
    LedgerTestAccess::balance(l, op) += 500'000;
    CHECK(conservation_error(l) ==
          "Ledger: books broken at epoch 7: holder accounts hold 1.500000 tokens but their "
          "running total is 1.000000 tokens, an imbalance of 0.500000 tokens");
  }
}

TEST_CASE("models::share_of: takes exact shares of unit amounts without overflow", "[unit]") {
  using models::kUnitsPerToken;
  using models::share_of;
  CHECK(share_of(100 * kUnitsPerToken, 0.75) == 75 * kUnitsPerToken);  // Filecoin's locked 75 %
  CHECK(share_of(10, 0.7) == 7);  // 0.7 as a double is below 7/10, yet the share is exact
  CHECK(share_of(3, 0.5) == 1);   // floor
  CHECK(share_of(std::numeric_limits<Tokens>::max(), 1.0) == std::numeric_limits<Tokens>::max());
  CHECK(share_of(std::numeric_limits<Tokens>::max(), 0.5) ==
        std::numeric_limits<Tokens>::max() / 2);
  CHECK(share_of(12345, 0.0) == 0);
  CHECK_THROWS_AS(share_of(1, 1.5), std::invalid_argument);
  CHECK_THROWS_AS(share_of(-1, 0.5), std::invalid_argument);
  CHECK(models::to_units(1.5) == 1'500'000);
  CHECK(models::to_units(0.0000004) == 0);
  CHECK_THROWS_AS(models::to_units(1e20), std::invalid_argument);
  CHECK(models::format_tokens(-1) == "-0.000001");
  CHECK(models::format_tokens(1'234'567'890) == "1234.567890");
  CHECK(models::format_tokens(std::numeric_limits<Tokens>::min()) == "-9223372036854.775808");
}
