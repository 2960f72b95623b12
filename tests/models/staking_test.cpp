#include "models/economy/staking.hpp"

#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/random.hpp"

using models::AccountKind;
using models::kUnitsPerToken;
using models::Ledger;
using models::LedgerError;
using models::SlashResult;
using models::Staking;
using models::StakingSpec;
using models::Tokens;
using sim::Time;
using sim::config::ConfigError;
using sim::config::Document;
using sim::config::Reader;
using sim::config::Section;

namespace {

/// A ledger with a funded wallet per operator and one reporter.
struct Books {
  Ledger ledger;
  Ledger::Account pool = ledger.open("pool", AccountKind::protocol);
  Ledger::Account reporter = ledger.open("reporter");
  std::vector<Ledger::Account> wallets;

  explicit Books(std::size_t operators, Tokens each = 1000 * kUnitsPerToken) {
    for (std::size_t i = 0; i < operators; ++i) {
      wallets.push_back(ledger.open("operator " + std::to_string(i)));
      ledger.mint(wallets.back(), each);
    }
  }
};

/// Both books agree: the ledger balances, and the escrow holds exactly the stakes on record.
void require_consistent(const Books& b, const Staking& s) {
  REQUIRE_NOTHROW(b.ledger.check_conservation());
  Tokens bonded = 0, unbonding = 0;
  for (std::size_t op = 0; op < s.operators(); ++op) {
    REQUIRE(s.bonded(op) >= 0);
    REQUIRE(s.unbonding(op) >= 0);
    bonded += s.bonded(op);
    unbonding += s.unbonding(op);
  }
  REQUIRE(bonded == s.total_bonded());
  REQUIRE(unbonding == s.total_unbonding());
  REQUIRE(b.ledger.balance(s.escrow()) == bonded + unbonding);
  REQUIRE(b.ledger.locked() == bonded + unbonding);
}

StakingSpec spec_with(double fraction, double reporter_share, Time lockup = Time{}) {
  StakingSpec spec;
  spec.slash_fraction = fraction;
  spec.reporter_share = reporter_share;
  spec.lockup = lockup;
  return spec;
}

StakingSpec read_yaml(const std::string& yaml) {
  const Document doc = Document::load_string(yaml, "s.yaml");
  Reader reader(doc);
  Section root = Section::root(reader, YAML::Node(YAML::NodeType::Map));
  Section rewards = root.section("rewards", "");
  const StakingSpec spec = models::read_staking_spec(rewards.section("staking", ""));
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

TEST_CASE("models::Staking: the requirement is the per-node stake times nodes plus the fixed part",
          "[unit]") {
  Books b(1);
  StakingSpec spec;
  spec.min_stake_per_node = 10;
  spec.stake_per_operator = 5.5;
  Staking s(spec, b.ledger, 1);
  CHECK(s.required(0) == 5'500'000);
  CHECK(s.required(1) == 15'500'000);
  CHECK(s.required(3) == 35'500'000);
  // Sybil cost of k identities is k·stake (MECHANISMS.md, stake sizing): 1000 nodes cost 10 000.
  CHECK(s.required(1000) - s.required(0) == 10'000 * kUnitsPerToken);
  // Too large to represent: saturates, so nobody meets it, rather than wrapping to a small number.
  CHECK(s.required(std::numeric_limits<std::size_t>::max()) == std::numeric_limits<Tokens>::max());

  CHECK_FALSE(s.meets_requirement(0, 0));
  s.deposit(0, b.wallets[0], 35'500'000);
  CHECK(s.meets_requirement(0, 3));
  CHECK_FALSE(s.meets_requirement(0, 4));
  // Unbonding stake no longer counts, even while it is still locked in the escrow.
  s.request_unbond(0, 1, Time::days(1));
  CHECK_FALSE(s.meets_requirement(0, 3));
  CHECK(s.bonded(0) == 35'499'999);
  CHECK(s.unbonding(0) == 1);
  require_consistent(b, s);
}

TEST_CASE("models::Staking: unbonded tokens return exactly when the lock-up has passed", "[unit]") {
  Books b(2);
  Staking s(spec_with(0.5, 0.0, Time::days(7)), b.ledger, 2);
  s.deposit(0, b.wallets[0], 100 * kUnitsPerToken);
  s.deposit(1, b.wallets[1], 50 * kUnitsPerToken);
  CHECK(b.ledger.balance(b.wallets[0]) == 900 * kUnitsPerToken);
  require_consistent(b, s);

  s.request_unbond(0, 40 * kUnitsPerToken, Time::days(2));  // due at day 9
  s.request_unbond(1, 10 * kUnitsPerToken, Time::days(3));  // due at day 10
  s.request_unbond(0, 5 * kUnitsPerToken, Time::days(1));   // due at day 8, asked out of order
  require_consistent(b, s);
  CHECK_THROWS_AS(s.request_unbond(1, 41 * kUnitsPerToken, Time::days(3)), LedgerError);

  // A destination that is an escrow is refused before anything is paid.
  const std::vector<Ledger::Account> into_escrow{s.escrow(), b.wallets[1]};
  CHECK_THROWS_AS(s.release_due(Time::days(8), into_escrow), LedgerError);
  CHECK(s.unbonding(0) == 45 * kUnitsPerToken);
  CHECK(s.release_due(Time::days(8) - Time::micros(1), b.wallets) == 0);
  CHECK(s.release_due(Time::days(8), b.wallets) == 5 * kUnitsPerToken);
  CHECK(s.release_due(Time::days(9) - Time::micros(1), b.wallets) == 0);
  CHECK(b.ledger.balance(b.wallets[0]) == 905 * kUnitsPerToken);
  CHECK(s.unbonding(0) == 40 * kUnitsPerToken);
  require_consistent(b, s);

  CHECK(s.release_due(Time::days(9), b.wallets) == 40 * kUnitsPerToken);
  CHECK(b.ledger.balance(b.wallets[0]) == 945 * kUnitsPerToken);
  CHECK(s.unbonding(0) == 0);
  CHECK(s.unbonding(1) == 10 * kUnitsPerToken);         // not due before day 10
  CHECK(s.release_due(Time::days(9), b.wallets) == 0);  // paid once only
  CHECK(s.release_due(Time::days(30), b.wallets) == 10 * kUnitsPerToken);
  CHECK(b.ledger.balance(b.wallets[1]) == 960 * kUnitsPerToken);
  CHECK(b.ledger.flows().unstaked == 55 * kUnitsPerToken);
  require_consistent(b, s);

  // With no lock-up a request is paid by the next release at the same time.
  Staking now(spec_with(0.5, 0.0), b.ledger, 2);
  now.deposit(1, b.wallets[1], 7);
  now.request_unbond(1, 7, Time::days(4));
  CHECK(now.release_due(Time::days(4), b.wallets) == 7);
  CHECK(now.bonded(1) + now.unbonding(1) == 0);
  CHECK_THROWS_AS(now.release_due(Time::days(4), std::vector<Ledger::Account>{b.wallets[0]}),
                  std::invalid_argument);
}

TEST_CASE("models::Staking: a slash splits between reporter and burn without losing a unit",
          "[unit]") {
  Books b(1);
  b.ledger.record_entries(true);
  Staking s(spec_with(0.5, 0.1, Time::days(7)), b.ledger, 1);
  s.deposit(0, b.wallets[0], 1334);
  s.request_unbond(0, 333, Time::days(1));  // 1001 bonded, 333 unbonding
  const Tokens slashed_before = b.ledger.slashed();

  const SlashResult r = s.slash(0, b.reporter);
  // floor(0.5·1001) = 500 from the bond, floor(0.5·333) = 166 from the unbonding request.
  CHECK(r.taken == 666);
  CHECK(r.to_reporter == 66);  // floor(0.1·666)
  CHECK(r.slashed == 600);
  CHECK(r.to_reporter + r.slashed == r.taken);
  CHECK(s.bonded(0) == 501);
  CHECK(s.unbonding(0) == 167);
  CHECK(b.ledger.balance(b.reporter) == 66);
  CHECK(b.ledger.slashed() - slashed_before == 600);
  CHECK(b.ledger.entries().back().kind == models::EntryKind::slash);
  require_consistent(b, s);

  // The slashed request still matures, with what is left of it.
  CHECK(s.release_due(Time::days(8), b.wallets) == 167);
  require_consistent(b, s);

  // Without a reporter everything taken is destroyed.
  const SlashResult alone = s.slash(0, Ledger::kNoAccount);
  CHECK(alone.taken == 250);
  CHECK(alone.to_reporter == 0);
  CHECK(alone.slashed == 250);
  require_consistent(b, s);

  // A reporter that is an escrow is refused before anything moves.
  Staking other(spec_with(0.5, 0.5), b.ledger, 1);
  other.deposit(0, b.wallets[0], 100);
  CHECK_THROWS_AS(other.slash(0, s.escrow()), LedgerError);
  CHECK(other.bonded(0) == 100);
  CHECK_NOTHROW(b.ledger.check_conservation());
}

TEST_CASE("models::Staking: UMA's 0.1 % slash takes 1000 of 1M staked per wrong vote", "[unit]") {
  // uma-docs dvm-2.0.md: 0.1 % of stake per wrong or missed vote. The MECHANISMS.md figure of
  // 2000 UMA for two wrong votes charges both against the same stake. Slashed one after the
  // other the second takes 0.1 % of what is left: 1000 + 999 = 1999.
  Books b(1, 2'000'000 * kUnitsPerToken);
  Staking s(spec_with(0.001, 0.0), b.ledger, 1);
  s.deposit(0, b.wallets[0], 1'000'000 * kUnitsPerToken);
  CHECK(s.slash(0, b.reporter).taken == 1000 * kUnitsPerToken);
  CHECK(s.slash(0, b.reporter).taken == 999 * kUnitsPerToken);
  CHECK(b.ledger.slashed() == 1999 * kUnitsPerToken);
  require_consistent(b, s);
}

TEST_CASE("models::Staking: slashing an operator with no stake takes nothing", "[unit]") {
  Books b(2);
  b.ledger.record_entries(true);
  Staking s(spec_with(1.0, 0.5), b.ledger, 2);
  s.deposit(1, b.wallets[1], 10);
  const auto entries = b.ledger.entries().size();
  const SlashResult r = s.slash(0, b.reporter);
  CHECK(r.taken == 0);
  CHECK(r.to_reporter == 0);
  CHECK(r.slashed == 0);
  CHECK(b.ledger.entries().size() == entries);
  CHECK(s.bonded(1) == 10);
  // A full slash (fraction 1) empties the operator, and a second one finds nothing.
  CHECK(s.slash(1, b.reporter).taken == 10);
  CHECK(s.slash(1, b.reporter).taken == 0);
  require_consistent(b, s);
}

TEST_CASE("models::Staking: the books stay consistent through random deposits, unbonds and slashes",
          "[unit]") {
  Books b(5);
  Staking s(spec_with(0.3, 0.25, Time::hours(30)), b.ledger, 5);
  sim::RandomStream rng(sim::StreamId{11, 0, sim::stream_hash("staking_test"), 0});
  Time now;
  Tokens released = 0, reported = 0;
  for (int step = 0; step < 3000; ++step) {
    const std::size_t op = rng.uniform_int(5);
    switch (rng.uniform_int(4)) {
      case 0:
        s.deposit(op, b.wallets[op], static_cast<Tokens>(rng.uniform_int(1'000'000)));
        break;
      case 1:
        s.request_unbond(
            op, static_cast<Tokens>(rng.uniform_int(static_cast<std::uint64_t>(s.bonded(op)) + 1)),
            now);
        break;
      case 2:
        released += s.release_due(now, b.wallets);
        break;
      default: {
        const Tokens before = s.bonded(op) + s.unbonding(op);
        const SlashResult r = s.slash(op, b.reporter);
        REQUIRE(r.to_reporter + r.slashed == r.taken);
        REQUIRE(s.bonded(op) + s.unbonding(op) == before - r.taken);
        reported += r.to_reporter;
        break;
      }
    }
    require_consistent(b, s);
    now += Time::hours(static_cast<Time::Rep>(rng.uniform_int(6)));
  }
  CHECK(released > 0);
  CHECK(b.ledger.balance(b.reporter) == reported);
  CHECK(b.ledger.slashed() > 0);
}

TEST_CASE("models::Staking: refuses shares outside 0 to 1 and negative stakes", "[unit]") {
  Books b(1);
  CHECK_THROWS_AS(Staking(spec_with(1.5, 0.0), b.ledger, 1), std::invalid_argument);
  CHECK_THROWS_AS(Staking(spec_with(0.5, -0.1), b.ledger, 1), std::invalid_argument);
  CHECK_THROWS_AS(Staking(spec_with(0.5, 0.0, Time::days(-1)), b.ledger, 1), std::invalid_argument);
  StakingSpec negative;
  negative.min_stake_per_node = -1;
  CHECK_THROWS_AS(Staking(negative, b.ledger, 1), std::invalid_argument);
}

TEST_CASE("models::read_staking_spec: reads rewards.staking and names a bad key", "[unit]") {
  const StakingSpec defaults = read_yaml("rewards: {}\n");
  CHECK(defaults.min_stake_per_node == 0.0);
  CHECK(defaults.lockup == Time{});
  CHECK(defaults.slash_fraction == 0.5);
  CHECK(defaults.reporter_share == 0.0);

  const StakingSpec spec = read_yaml(R"(rewards:
  staking:
    min_stake_per_node: 10
    stake_per_operator: 250
    lockup: 7d
    slash_fraction: 0.2
    reporter_share: 0.25
)");
  CHECK(spec.min_stake_per_node == 10.0);
  CHECK(spec.stake_per_operator == 250.0);
  CHECK(spec.lockup == Time::days(7));
  CHECK(spec.slash_fraction == 0.2);
  CHECK(spec.reporter_share == 0.25);

  CHECK(first_error("rewards:\n  staking:\n    slash_fraction: 1.5\n") ==
        "s.yaml:3:21: rewards.staking.slash_fraction: must be between 0 and 1, found 1.5");
  CHECK(first_error("rewards:\n  staking:\n    lockup: soon\n").find("rewards.staking.lockup") !=
        std::string::npos);
  CHECK(first_error("rewards:\n  staking:\n    slash_fraktion: 0.1\n")
            .find("rewards.staking.slash_fraktion: unknown key") != std::string::npos);
}
