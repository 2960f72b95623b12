#include "models/economy/vesting.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/random.hpp"

using models::AccountKind;
using models::kUnitsPerToken;
using models::Ledger;
using models::Tokens;
using models::Vesting;
using models::VestingSpec;
using sim::Time;
using sim::config::ConfigError;
using sim::config::Document;
using sim::config::Reader;
using sim::config::Section;

namespace {

/// A funded reward pool, a vesting escrow and some beneficiaries.
struct Books {
  Ledger ledger;
  Ledger::Account pool = ledger.open("reward_pool", AccountKind::protocol);
  Ledger::Account escrow = ledger.open("vesting escrow", AccountKind::vesting);
  std::vector<Ledger::Account> wallets;

  explicit Books(std::size_t beneficiaries) {
    ledger.mint(pool, 1'000'000 * kUnitsPerToken);
    for (std::size_t i = 0; i < beneficiaries; ++i)
      wallets.push_back(ledger.open("node " + std::to_string(i)));
  }
};

VestingSpec filecoin() {
  VestingSpec spec;
  spec.locked_share = 0.75;
  spec.duration = Time::days(180);
  spec.step = Time::days(1);
  return spec;
}

VestingSpec linear(double share, Time duration, Time step) {
  VestingSpec spec;
  spec.locked_share = share;
  spec.duration = duration;
  spec.step = step;
  return spec;
}

void require_consistent(const Books& b, const Vesting& v) {
  REQUIRE_NOTHROW(b.ledger.check_conservation());
  Tokens unvested = 0;
  for (auto w : b.wallets)
    unvested += v.unvested(w);
  REQUIRE(unvested == v.unvested_total());
  REQUIRE(b.ledger.balance(b.escrow) == unvested);
  REQUIRE(b.ledger.vesting() == unvested);
}

VestingSpec read_yaml(const std::string& yaml) {
  const Document doc = Document::load_string(yaml, "s.yaml");
  Reader reader(doc);
  Section root = Section::root(reader, YAML::Node(YAML::NodeType::Map));
  Section rewards = root.section("rewards", "");
  const VestingSpec spec = models::read_vesting_spec(rewards.section("vesting", ""));
  rewards.finish();
  root.finish();
  reader.throw_if_problems();
  return spec;
}

std::string first_error(const std::string& yaml) {
  try {
    read_yaml(yaml);
  } catch (const ConfigError& e) {
    return e.problems().front().format();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("models::Vesting: Filecoin's 100 FIL reward pays 25 at once and 75 over 180 days",
          "[unit]") {
  // MECHANISMS.md §2.1: 75 % of the block reward is locked and vests linearly over 180 days in
  // 1-day steps, 25 % is liquid.
  Books b(1);
  const auto miner = b.wallets[0];
  Vesting v(filecoin(), b.ledger, b.escrow);
  CHECK(v.steps() == 180);
  v.grant(b.pool, miner, 100 * kUnitsPerToken, Time{});
  CHECK(b.ledger.balance(miner) == 25 * kUnitsPerToken);
  CHECK(v.unvested(miner) == 75 * kUnitsPerToken);
  CHECK(b.ledger.flows().vest_locked == 75 * kUnitsPerToken);
  require_consistent(b, v);

  // Nothing before the first step.
  CHECK(v.release(Time::days(1) - Time::micros(1)) == 0);
  CHECK(v.unvested(miner) == 75 * kUnitsPerToken);

  // After day k the miner has 25 + floor(75·k/180) FIL, i.e. 75/180 = 0.416667 FIL a day.
  const Tokens locked = 75 * kUnitsPerToken;
  for (std::int64_t k = 1; k <= 180; ++k) {
    const Tokens released = v.release(Time::days(k));
    REQUIRE(released == locked * k / 180 - locked * (k - 1) / 180);
    REQUIRE((released == 416'666 || released == 416'667));
    REQUIRE(b.ledger.balance(miner) == 25 * kUnitsPerToken + locked * k / 180);
    if (k == 179) {
      // One day before the end, one day's worth is still locked.
      CHECK(v.release(Time::days(180) - Time::micros(1)) == 0);
      CHECK(v.unvested(miner) == locked - locked * 179 / 180);
      CHECK(v.unvested(miner) == 416'667);
    }
    require_consistent(b, v);
  }
  CHECK(v.unvested(miner) == 0);
  CHECK(b.ledger.balance(miner) == 100 * kUnitsPerToken);
  CHECK(b.ledger.balance(b.escrow) == 0);
  CHECK(v.release(Time::days(400)) == 0);
}

TEST_CASE("models::Vesting: one late release pays every step passed, and repeating it pays nothing",
          "[unit]") {
  Books b(1);
  Vesting v(filecoin(), b.ledger, b.escrow);
  v.grant(b.pool, b.wallets[0], 100 * kUnitsPerToken, Time::days(3));
  const Tokens locked = 75 * kUnitsPerToken;
  // The grant is on a boundary: tranches at days 4 … 183.
  CHECK(v.release(Time::days(13) + Time::hours(5)) == locked * 10 / 180);
  const Tokens balance = b.ledger.balance(b.wallets[0]);
  CHECK(v.release(Time::days(13) + Time::hours(5)) == 0);
  CHECK(v.release(Time::days(14) - Time::micros(1)) == 0);
  CHECK(b.ledger.balance(b.wallets[0]) == balance);
  CHECK(v.release(Time::days(183) - Time::micros(1)) == locked * 179 / 180 - locked * 10 / 180);
  CHECK(v.release(Time::days(183)) == locked - locked * 179 / 180);
  CHECK(v.unvested(b.wallets[0]) == 0);
  require_consistent(b, v);
  // Time must not run backwards.
  CHECK_THROWS_AS(v.release(Time::days(182)), std::invalid_argument);
  CHECK_THROWS_AS(v.grant(b.pool, b.wallets[0], 1, Time::days(100)), std::invalid_argument);
}

TEST_CASE("models::Vesting: a grant inside a step starts vesting at the step's end", "[unit]") {
  Books b(1);
  Vesting v(linear(1.0, Time::days(3), Time::days(1)), b.ledger, b.escrow);
  v.grant(b.pool, b.wallets[0], 7, Time::hours(12));
  CHECK(b.ledger.balance(b.wallets[0]) == 0);
  // ⌈0.5⌉ = 1: tranches at days 2, 3 and 4, of floor(7k/3) − floor(7(k−1)/3) = 2, 2, 3.
  CHECK(v.release(Time::days(2) - Time::micros(1)) == 0);
  CHECK(v.release(Time::days(2)) == 2);
  CHECK(v.release(Time::days(3)) == 2);
  CHECK(v.release(Time::days(3) + Time::hours(12)) == 0);
  CHECK(v.release(Time::days(4)) == 3);
  CHECK(b.ledger.balance(b.wallets[0]) == 7);
  require_consistent(b, v);
}

TEST_CASE("models::Vesting: grants to one beneficiary in the same step merge into one tranche",
          "[unit]") {
  // Merged, 1 + 1 units over two steps vest as floor(2·1/2) = 1 and then 1. Rounded apart, each
  // would give floor(1/2) = 0 at the first step.
  Books b(2);
  Vesting v(linear(1.0, Time::days(2), Time::days(1)), b.ledger, b.escrow);
  v.grant(b.pool, b.wallets[0], 1, Time::hours(1));
  v.grant(b.pool, b.wallets[0], 1, Time::hours(20));
  v.grant(b.pool, b.wallets[1], 1, Time::hours(2));  // another beneficiary: its own tranche
  CHECK(v.unvested(b.wallets[0]) == 2);
  CHECK(v.release(Time::days(2)) == 1);
  CHECK(b.ledger.balance(b.wallets[0]) == 1);
  CHECK(b.ledger.balance(b.wallets[1]) == 0);
  CHECK(v.release(Time::days(3)) == 2);
  CHECK(b.ledger.balance(b.wallets[1]) == 1);
  require_consistent(b, v);
}

TEST_CASE("models::Vesting: many grants at many times vest exactly by the floor rule", "[unit]") {
  // A reference computed from scratch: consecutive grants to one beneficiary starting at the same
  // boundary s0 form one tranche of L, which has released floor(L·k/n) by boundary c, with
  // k = clamp(c − s0, 0, n). Grants arrive out of time order here, so a beneficiary can have two
  // tranches with the same s0, each rounded on its own.
  const Time step = Time::hours(6);
  const std::int64_t n = 10;
  Books b(6);
  b.ledger.record_entries(false);
  Vesting v(linear(0.6, step * n, step), b.ledger, b.escrow);
  sim::RandomStream rng(sim::StreamId{5, 0, sim::stream_hash("vesting_test"), 0});
  std::map<Ledger::Account, std::vector<std::pair<std::int64_t, Tokens>>> tranches;
  std::map<Ledger::Account, Tokens> liquid;
  Time last;
  for (int round = 0; round < 400; ++round) {
    // A few grants at times after the last release, in no particular order.
    const int grants = static_cast<int>(rng.uniform_int(4));
    for (int g = 0; g < grants; ++g) {
      const auto w = b.wallets[rng.uniform_int(b.wallets.size())];
      const Time at = last + Time::from_ticks(static_cast<Time::Rep>(
                                 rng.uniform_int(static_cast<std::uint64_t>(3 * step.ticks()))));
      const auto amount = static_cast<Tokens>(rng.uniform_int(5'000'000));
      const Tokens locked = models::share_of(amount, 0.6);
      v.grant(b.pool, w, amount, at);
      liquid[w] += amount - locked;
      const std::int64_t start = (at.ticks() + step.ticks() - 1) / step.ticks();
      auto& mine = tranches[w];
      if (locked > 0 && !mine.empty() && mine.back().first == start) {
        mine.back().second += locked;
      } else if (locked > 0) {
        mine.emplace_back(start, locked);
      }
      require_consistent(b, v);
    }
    // Sometimes several steps pass between releases, sometimes none.
    last += Time::from_ticks(
        static_cast<Time::Rep>(rng.uniform_int(static_cast<std::uint64_t>(2 * step.ticks()))));
    v.release(last);
    if (rng.uniform_int(5) == 0) REQUIRE(v.release(last) == 0);  // idempotent
    const std::int64_t reached = last / step;
    std::map<Ledger::Account, Tokens> expected = liquid;
    for (const auto& [w, list] : tranches) {
      for (const auto& [start, amount] : list) {
        const std::int64_t k = std::clamp<std::int64_t>(reached - start, 0, n);
        expected[w] += amount * k / n;
      }
    }
    for (auto w : b.wallets)
      REQUIRE(b.ledger.balance(w) == expected[w]);
    require_consistent(b, v);
  }
  // Everything granted has vested once n steps have passed after the last grant.
  v.release(last + step * (n + 3));
  CHECK(v.unvested_total() == 0);
  CHECK(b.ledger.balance(b.escrow) == 0);
  Tokens granted_to_wallets = 0;
  for (auto w : b.wallets)
    granted_to_wallets += b.ledger.balance(w);
  CHECK(granted_to_wallets == 1'000'000 * kUnitsPerToken - b.ledger.balance(b.pool));
}

TEST_CASE("models::Vesting: with nothing locked every reward is paid at once", "[unit]") {
  Books b(1);
  Vesting v(VestingSpec{}, b.ledger, b.escrow);
  v.grant(b.pool, b.wallets[0], 12345, Time::days(2));
  CHECK(b.ledger.balance(b.wallets[0]) == 12345);
  CHECK(v.unvested(b.wallets[0]) == 0);
  CHECK(b.ledger.vesting() == 0);
  CHECK(v.release(Time::days(3)) == 0);
}

TEST_CASE("models::Vesting: refuses bad schedules, bad accounts and overdrafts", "[unit]") {
  Books b(1);
  CHECK_THROWS_AS(Vesting(filecoin(), b.ledger, b.pool), std::invalid_argument);
  CHECK_THROWS_AS(Vesting(linear(1.5, Time::days(2), Time::days(1)), b.ledger, b.escrow),
                  std::invalid_argument);
  CHECK_THROWS_AS(Vesting(linear(0.5, Time::days(10), Time::days(3)), b.ledger, b.escrow),
                  std::invalid_argument);
  CHECK_THROWS_AS(Vesting(linear(0.5, Time::hours(12), Time::days(1)), b.ledger, b.escrow),
                  std::invalid_argument);
  CHECK_THROWS_AS(Vesting(linear(0.5, Time::days(1), Time{}), b.ledger, b.escrow),
                  std::invalid_argument);

  Vesting v(filecoin(), b.ledger, b.escrow);
  const auto poor = b.ledger.open("poor");
  CHECK_THROWS_AS(v.grant(poor, b.wallets[0], 10, Time{}), models::LedgerError);
  CHECK_THROWS_AS(v.grant(b.pool, b.escrow, 10, Time{}), models::LedgerError);
  CHECK_THROWS_AS(v.grant(b.pool, b.wallets[0], -1, Time{}), models::LedgerError);
  CHECK(b.ledger.balance(b.wallets[0]) == 0);
  CHECK(v.unvested_total() == 0);
  require_consistent(b, v);
}

TEST_CASE("models::read_vesting_spec: reads rewards.vesting and names a bad key", "[unit]") {
  const VestingSpec defaults = read_yaml("rewards: {}\n");
  CHECK(defaults.locked_share == 0.0);
  CHECK(defaults.duration == Time::days(180));
  CHECK(defaults.step == Time::days(1));

  const VestingSpec spec =
      read_yaml("rewards:\n  vesting: {locked_share: 0.75, duration: 26w, step: 12h}\n");
  CHECK(spec.locked_share == 0.75);
  CHECK(spec.duration == Time::days(182));
  CHECK(spec.step == Time::hours(12));

  CHECK(first_error("rewards:\n  vesting:\n    locked_share: 1.2\n") ==
        "s.yaml:3:19: rewards.vesting.locked_share: must be between 0 and 1, found 1.2");
  CHECK(first_error("rewards:\n  vesting:\n    duration: 10d\n    step: 3d\n")
            .find("rewards.vesting.duration: must be a whole number of steps (3d), found 10d") !=
        std::string::npos);
  CHECK(first_error("rewards:\n  vesting:\n    stepp: 1d\n")
            .find("rewards.vesting.stepp: unknown key") != std::string::npos);
}
