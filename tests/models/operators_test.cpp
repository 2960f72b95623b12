#include "models/economy/operators.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

using models::ExitMeasure;
using models::OperatorBook;
using models::OperatorEpoch;
using models::OperatorSpec;
using sim::Time;

namespace {

OperatorSpec exiting_after(std::int64_t n, ExitMeasure measure) {
  OperatorSpec spec;
  spec.exit_after_unprofitable_epochs = n;
  spec.exit_measure = measure;
  return spec;
}

OperatorSpec entering(double hurdle, double cap, double elasticity, std::int64_t window = 7) {
  OperatorSpec spec;
  spec.entry_hurdle_roi_per_year = hurdle;
  spec.max_growth_per_epoch = cap;
  spec.entry_elasticity = elasticity;
  spec.expectation_epochs = window;
  return spec;
}

// 73 days: five epochs make a year, so yearly figures are easy to check by hand.
const Time kEpoch = Time::days(73);

}  // namespace

TEST_CASE(
    "models::OperatorBook: 100 tokens at 1 USD with opex of 30 USD is +20 cash and +70 accrual",
    "[unit]") {
  OperatorBook book(OperatorSpec{}, 1);  // sell_fraction 0.5
  const std::vector<OperatorEpoch> first{{100.0, 30.0, 400.0}};
  const std::vector<OperatorEpoch> later{{100.0, 30.0, 0.0}};
  CHECK(book.tokens_to_sell(first) == 50.0);
  CHECK(book.close_epoch(0, kEpoch, first, 1.0, 1.0).empty());
  const auto& a = book.account(0);
  CHECK(a.cash_last_usd == Approx(20.0));  // 50 sold at $1 − 30
  CHECK(a.pnl_last_usd == Approx(70.0));   // 100 earned at $1 − 30
  CHECK(a.tokens_held == Approx(50.0));
  CHECK(a.usd_revenue == Approx(50.0));
  CHECK(a.usd_cost() == Approx(430.0));
  CHECK(a.cash_usd() == Approx(-380.0));
  CHECK(book.roi(0) == Approx(-0.825));  // (50 + 50 − 430)/400
  CHECK(a.payback_epochs == -1);

  // Cash + holdings = −400 + 70·k: −50 after 5 epochs, +20 after 6.
  for (std::int64_t e = 1; e < 5; ++e)
    book.close_epoch(e, kEpoch, later, 1.0, 1.0);
  CHECK(book.account(0).payback_epochs == -1);
  CHECK(book.account(0).cash_usd() + book.account(0).tokens_held == Approx(-50.0));
  // Five 73-day epochs are a year: (250 + 250 − 150)/400 = 0.875 per year.
  CHECK(book.roi_per_year(0) == Approx(0.875));
  book.close_epoch(5, kEpoch, later, 1.0, 1.0);
  CHECK(book.account(0).payback_epochs == 6);
  CHECK(book.roi(0) == Approx(0.05));  // (300 + 300 − 580)/400

  // The price collapses: holdings are worth nothing, but payback is not revoked.
  book.close_epoch(6, kEpoch, later, 0.0, 0.0);
  CHECK(book.roi(0) == Approx(-0.775));  // (300 + 350·0 − 610)/400
  CHECK(book.account(0).payback_epochs == 6);
  CHECK(book.account(0).pnl_last_usd == Approx(-30.0));
}

TEST_CASE("models::OperatorBook: payback counts holdings at market whatever share is sold",
          "[unit]") {
  for (const double sell : {0.0, 0.5, 1.0}) {
    OperatorSpec spec;
    spec.sell_fraction = sell;
    OperatorBook book(spec, 1);
    for (std::int64_t e = 0; e < 8; ++e) {
      const std::vector<OperatorEpoch> epoch{{100.0, 30.0, e == 0 ? 400.0 : 0.0}};
      book.close_epoch(e, kEpoch, epoch, 1.0, 1.0);
    }
    CHECK(book.account(0).payback_epochs == 6);
    CHECK(book.account(0).tokens_held == Approx(800.0 * (1.0 - sell)));
  }
}

TEST_CASE("models::OperatorBook: a sale into an AMM books the realised price as cash", "[unit]") {
  OperatorBook book(OperatorSpec{}, 1);
  const std::vector<OperatorEpoch> epoch{{100.0, 30.0, 400.0}};
  book.close_epoch(0, kEpoch, epoch, 1.0, 0.8);
  CHECK(book.account(0).usd_revenue == Approx(40.0));
  CHECK(book.account(0).cash_last_usd == Approx(10.0));  // 50 sold at $0.80 − 30
  CHECK(book.account(0).pnl_last_usd == Approx(70.0));   // accrual uses the market price
  CHECK(book.roi(0) == Approx(-0.85));                   // (40 + 50 − 430)/400
}

TEST_CASE("models::OperatorBook: exits exactly after N unprofitable epochs and not at N - 1",
          "[unit]") {
  OperatorBook book(exiting_after(3, ExitMeasure::accrual), 3);
  // Operators 0 and 2 earn $20 against $30 of opex; operator 1 earns $50.
  const std::vector<OperatorEpoch> epoch{{20.0, 30.0, 0.0}, {50.0, 30.0, 0.0}, {20.0, 30.0, 0.0}};
  CHECK(book.close_epoch(0, kEpoch, epoch, 1.0, 1.0).empty());
  CHECK(book.close_epoch(1, kEpoch, epoch, 1.0, 1.0).empty());
  CHECK(book.account(0).unprofitable_streak == 2);
  CHECK(book.share_profitable() == Approx(1.0 / 3.0));
  CHECK(book.close_epoch(2, kEpoch, epoch, 1.0, 1.0) == std::vector<std::uint32_t>{0, 2});
  CHECK_FALSE(book.active(0));
  CHECK(book.active(1));
  CHECK(book.account(0).left_epoch == 2);
  CHECK(book.account(1).left_epoch == -1);
  CHECK(book.active_count() == 1);
  CHECK(book.account(0).tokens_held == Approx(30.0));  // it leaves with its tokens

  // Its nodes are gone: an entry for it is a caller's error, and nothing is booked.
  CHECK_THROWS_AS(book.close_epoch(3, kEpoch, epoch, 1.0, 1.0), std::invalid_argument);
  CHECK(book.account(1).epochs == 3);
  const std::vector<OperatorEpoch> only_one{{}, {50.0, 30.0, 0.0}, {}};
  CHECK(book.close_epoch(3, kEpoch, only_one, 1.0, 1.0).empty());
  CHECK(book.share_profitable() == 1.0);
  CHECK(book.account(0).epochs == 3);
}

TEST_CASE("models::OperatorBook: a profitable epoch resets the unprofitable streak", "[unit]") {
  OperatorBook book(exiting_after(3, ExitMeasure::accrual), 1);
  const std::vector<OperatorEpoch> bad{{20.0, 30.0, 0.0}};
  const std::vector<OperatorEpoch> good{{40.0, 30.0, 0.0}};
  std::int64_t e = 0;
  for (const auto* epoch : {&bad, &bad, &good, &bad, &bad}) {
    REQUIRE(book.close_epoch(e++, kEpoch, *epoch, 1.0, 1.0).empty());
  }
  CHECK(book.account(0).unprofitable_streak == 2);
  CHECK(book.close_epoch(e, kEpoch, bad, 1.0, 1.0) == std::vector<std::uint32_t>{0});
  CHECK(book.account(0).left_epoch == 5);
}

TEST_CASE("models::OperatorBook: cash exit sees the unsold half that accrual counts", "[unit]") {
  // 50 tokens at $1, half sold: cash 25 − 30 = −5, accrual 50 − 30 = +20.
  const std::vector<OperatorEpoch> epoch{{50.0, 30.0, 0.0}};
  OperatorBook cash(exiting_after(2, ExitMeasure::cash), 1);
  OperatorBook accrual(exiting_after(2, ExitMeasure::accrual), 1);
  CHECK(cash.close_epoch(0, kEpoch, epoch, 1.0, 1.0).empty());
  CHECK(cash.share_profitable() == 0.0);
  CHECK(cash.close_epoch(1, kEpoch, epoch, 1.0, 1.0) == std::vector<std::uint32_t>{0});
  for (std::int64_t e = 0; e < 10; ++e) {
    REQUIRE(accrual.close_epoch(e, kEpoch, epoch, 1.0, 1.0).empty());
  }
  CHECK(accrual.share_profitable() == 1.0);
  // Never exiting by default, however bad.
  OperatorBook stays(OperatorSpec{}, 1);
  const std::vector<OperatorEpoch> ruin{{0.0, 30.0, 0.0}};
  for (std::int64_t e = 0; e < 50; ++e) {
    REQUIRE(stays.close_epoch(e, kEpoch, ruin, 1.0, 1.0).empty());
  }
  CHECK(stays.account(0).unprofitable_streak == 50);
}

TEST_CASE("models::OperatorBook: expected ROI is the yearly margin of a node over its capex",
          "[unit]") {
  OperatorBook book(entering(0.25, 0.1, 1.0), 1);
  CHECK(std::isnan(book.expected_roi_per_year(1.0, 400.0, 150.0, 1, kEpoch)));  // no history
  const std::vector<OperatorEpoch> epoch{{100.0, 30.0, 400.0}};
  book.close_epoch(0, kEpoch, epoch, 1.0, 1.0);
  // 100 tokens per 73-day epoch at $1 = $500 a year: (500 − 150)/400, the same 0.875 per year
  // the operator realises with these numbers.
  CHECK(book.expected_roi_per_year(1.0, 400.0, 150.0, 1, kEpoch) == Approx(0.875));
  // Shared by four nodes: (125 − 150)/400.
  CHECK(book.expected_roi_per_year(1.0, 400.0, 150.0, 4, kEpoch) == Approx(-0.0625));
  CHECK(book.expected_roi_per_year(1.0, 0.0, 150.0, 1, kEpoch) ==
        std::numeric_limits<double>::infinity());
  CHECK(book.expected_roi_per_year(1.0, 0.0, 600.0, 1, kEpoch) ==
        -std::numeric_limits<double>::infinity());
  CHECK(std::isnan(book.expected_roi_per_year(1.0, 400.0, 150.0, 0, kEpoch)));
  // Free hardware makes the ROI infinite, yet zero elasticity still means no entry.
  OperatorBook inert(entering(0.25, 0.1, 0.0), 1);
  inert.close_epoch(0, kEpoch, epoch, 1.0, 1.0);
  CHECK(inert.entrants(1.0, 0.0, 150.0, 100, kEpoch) == 0);
}

TEST_CASE("models::OperatorBook: no entrants at or below the hurdle and the cap far above it",
          "[unit]") {
  // 100 nodes share 10 000 tokens per 73-day epoch: 500 tokens a node a year.
  // ROI = (500·price − 150)/400: 0.125 at $0.40, 0.25 (the hurdle) at $0.50, 0.375 at $0.60.
  OperatorBook book(entering(0.25, 0.1, 1.0), 1);
  const std::vector<OperatorEpoch> epoch{{10'000.0, 0.0, 0.0}};
  CHECK(book.entrants(10.0, 400.0, 150.0, 100, kEpoch) == 0);  // no history yet
  book.close_epoch(0, kEpoch, epoch, 1.0, 1.0);
  std::int64_t joined = 0;
  for (int k = 0; k < 50; ++k) {
    joined += book.entrants(0.4, 400.0, 150.0, 100, kEpoch);
    joined += book.entrants(0.5, 400.0, 150.0, 100, kEpoch);
  }
  CHECK(joined == 0);
  // Far above: min(1, 12.125 − 0.25) = 1, so the cap: 0.1 · 100 nodes.
  CHECK(book.entrants(10.0, 400.0, 150.0, 100, kEpoch) == 10);
  CHECK(book.entrants(10.0, 400.0, 150.0, 0, kEpoch) == 0);
  // In between: 0.1 · (0.375 − 0.25) · 100 = 1.25 nodes an epoch: 1, 1, 1, 2.
  std::vector<std::int64_t> seq;
  for (int k = 0; k < 4; ++k)
    seq.push_back(book.entrants(0.6, 400.0, 150.0, 100, kEpoch));
  CHECK(seq == std::vector<std::int64_t>{1, 1, 1, 2});
  // Elasticity 4 makes the same excess pull 0.5 of the cap: 5 nodes.
  OperatorBook eager(entering(0.25, 0.1, 4.0), 1);
  eager.close_epoch(0, kEpoch, epoch, 1.0, 1.0);
  CHECK(eager.entrants(0.6, 400.0, 150.0, 100, kEpoch) == 5);
  // The default spec has no entry at all.
  OperatorBook closed(OperatorSpec{}, 1);
  closed.close_epoch(0, kEpoch, epoch, 1.0, 1.0);
  CHECK(closed.entrants(10.0, 400.0, 150.0, 100, kEpoch) == 0);
}

TEST_CASE("models::OperatorBook: 0.3 nodes an epoch carry over to one node every 3.3 epochs",
          "[unit]") {
  auto run = [] {
    OperatorBook book(entering(0.25, 0.03, 1.0), 1);  // 0.03 · 10 nodes = 0.3 at the cap
    const std::vector<OperatorEpoch> epoch{{10'000.0, 0.0, 0.0}};
    book.close_epoch(0, kEpoch, epoch, 1.0, 1.0);
    std::vector<std::int64_t> seq;
    for (int k = 0; k < 100; ++k)
      seq.push_back(book.entrants(1.0, 400.0, 150.0, 10, kEpoch));
    return seq;
  };
  const auto seq = run();
  CHECK(std::vector<std::int64_t>(seq.begin(), seq.begin() + 10) ==
        std::vector<std::int64_t>{0, 0, 0, 1, 0, 0, 1, 0, 0, 1});
  std::int64_t total = 0;
  for (const auto n : seq)
    total += n;
  CHECK(total == 30);
  CHECK(run() == seq);
}

TEST_CASE("models::OperatorBook: the expected reward is the mean of the trailing window",
          "[unit]") {
  // Totals 1000, 1000, 4000 over 10 nodes, $1, capex 1000, no opex, five epochs a year.
  OperatorBook recent(entering(0.25, 0.1, 1.0, 2), 1);
  OperatorBook longer(entering(0.25, 0.1, 1.0, 7), 1);
  std::int64_t e = 0;
  for (const double tokens : {1000.0, 1000.0, 4000.0}) {
    const std::vector<OperatorEpoch> epoch{{tokens, 0.0, 0.0}};
    recent.close_epoch(e, kEpoch, epoch, 1.0, 1.0);
    longer.close_epoch(e, kEpoch, epoch, 1.0, 1.0);
    ++e;
  }
  // Last two: 2500/10 nodes · 5 = 1250 a year; all three: 2000/10 · 5 = 1000.
  CHECK(recent.expected_roi_per_year(1.0, 1000.0, 0.0, 10, kEpoch) == Approx(1.25));
  CHECK(longer.expected_roi_per_year(1.0, 1000.0, 0.0, 10, kEpoch) == Approx(1.0));
}

TEST_CASE("models::OperatorBook: mean and median ROI leave out inactive operators", "[unit]") {
  OperatorSpec spec;
  spec.sell_fraction = 1.0;
  OperatorBook book(spec, 4);
  // Capex 100 and opex 20 each; ROI = (earned − 120)/100 = −0.7, −0.1, 0.7, −1.2.
  const std::vector<OperatorEpoch> epoch{
      {50.0, 20.0, 100.0}, {110.0, 20.0, 100.0}, {190.0, 20.0, 100.0}, {0.0, 20.0, 100.0}};
  book.close_epoch(0, kEpoch, epoch, 1.0, 1.0);
  CHECK(book.roi(1) == Approx(-0.1));
  CHECK(book.mean_roi() == Approx(-0.325));
  CHECK(book.median_roi() == Approx(-0.4));  // (−0.7 − 0.1)/2
  CHECK(book.share_profitable() == 0.75);    // accrual: 30, 90, 170, −20

  book.retire(3, 0);  // its only node failed
  CHECK(book.mean_roi() == Approx(-0.1 / 3.0));
  CHECK(book.median_roi() == Approx(-0.1));
  // A newcomer with slots 4 and 5 never joined: none has capex yet, so none counts.
  book.activate(6, 1);
  CHECK(book.size() == 7);
  CHECK(book.active_count() == 4);
  CHECK_FALSE(book.active(4));
  CHECK(book.account(4).joined_epoch == -1);
  CHECK(std::isnan(book.roi(6)));
  CHECK(book.median_roi() == Approx(-0.1));
  CHECK_THROWS_AS(book.activate(6, 2), std::invalid_argument);  // already joined
  CHECK_THROWS_AS(book.activate(3, 2), std::invalid_argument);  // ids are not reused
  CHECK_THROWS_AS(book.activate(7, 0), std::invalid_argument);  // epoch 0 is closed

  std::vector<OperatorEpoch> next(7);
  next[0] = {50.0, 20.0, 0.0};
  next[1] = {110.0, 20.0, 0.0};
  next[2] = {190.0, 20.0, 0.0};
  next[6] = {300.0, 20.0, 100.0};
  book.close_epoch(1, kEpoch, next, 1.0, 1.0);
  // (100 − 140)/100, (220 − 140)/100, (380 − 140)/100 and the newcomer (300 − 120)/100.
  CHECK(book.mean_roi() == Approx((-0.4 + 0.8 + 2.4 + 1.8) / 4.0));
  CHECK(book.median_roi() == Approx((0.8 + 1.8) / 2.0));
  CHECK(book.account(6).joined_epoch == 1);
  CHECK(book.account(6).epochs == 1);

  const OperatorBook empty(spec, 0);
  CHECK(std::isnan(empty.mean_roi()));
  CHECK(std::isnan(empty.median_roi()));
  CHECK(std::isnan(empty.share_profitable()));
}

TEST_CASE("models::OperatorBook: refuses bad input and leaves the books unchanged", "[unit]") {
  OperatorSpec bad;
  bad.sell_fraction = 1.5;
  CHECK_THROWS_AS(OperatorBook(bad, 1), std::invalid_argument);
  bad = OperatorSpec{};
  bad.expectation_epochs = 0;
  CHECK_THROWS_AS(OperatorBook(bad, 1), std::invalid_argument);

  OperatorBook book(OperatorSpec{}, 2);
  const std::vector<OperatorEpoch> ok{{10.0, 1.0, 0.0}, {10.0, 1.0, 0.0}};
  book.close_epoch(3, kEpoch, ok, 1.0, 1.0);
  const std::vector<OperatorEpoch> one{{10.0, 1.0, 0.0}};
  const std::vector<OperatorEpoch> negative{{10.0, 1.0, 0.0}, {-1.0, 1.0, 0.0}};
  CHECK_THROWS_AS(book.close_epoch(4, kEpoch, one, 1.0, 1.0), std::invalid_argument);
  CHECK_THROWS_AS(book.close_epoch(4, kEpoch, negative, 1.0, 1.0), std::invalid_argument);
  CHECK_THROWS_AS(book.close_epoch(3, kEpoch, ok, 1.0, 1.0), std::invalid_argument);
  CHECK_THROWS_AS(book.close_epoch(4, Time{}, ok, 1.0, 1.0), std::invalid_argument);
  CHECK_THROWS_AS(book.close_epoch(4, kEpoch, ok, std::nan(""), 1.0), std::invalid_argument);
  CHECK_THROWS_AS(book.close_epoch(4, kEpoch, ok, 1.0, -1.0), std::invalid_argument);
  CHECK_THROWS_AS(book.tokens_to_sell(one), std::invalid_argument);
  CHECK(book.account(0).epochs == 1);
  CHECK(book.account(0).tokens_earned == 10.0);
  CHECK_THROWS_AS(book.retire(5, 4), std::out_of_range);
}

TEST_CASE("models::read_operator_spec: reads the keys and names a bad sell_fraction", "[unit]") {
  using sim::config::ConfigError;
  using sim::config::Document;
  using sim::config::Reader;
  using sim::config::Section;
  const Document doc = Document::load_string(
      "sell_fraction: 0.3\nexit_after_unprofitable_epochs: 4\nexit_on: cash\n"
      "max_growth_per_epoch: 0.05\nexpectation_epochs: 14\n",
      "o.yaml");
  Reader r(doc);
  const OperatorSpec spec = models::read_operator_spec(Section::root(r, YAML::Node()));
  CHECK(r.ok());
  CHECK(spec.sell_fraction == 0.3);
  CHECK(spec.exit_after_unprofitable_epochs == 4);
  CHECK(spec.exit_measure == ExitMeasure::cash);
  CHECK(spec.max_growth_per_epoch == 0.05);
  CHECK(spec.expectation_epochs == 14);
  CHECK(spec.entry_hurdle_roi_per_year == 0.2);  // defaults
  CHECK(spec.entry_elasticity == 1.0);

  const Document empty = Document::load_string("{}\n", "o.yaml");
  Reader re(empty);
  CHECK(models::read_operator_spec(Section::root(re, YAML::Node())).exit_measure ==
        ExitMeasure::accrual);

  const Document bad = Document::load_string("sell_fraction: 1.5\n", "o.yaml");
  Reader rb(bad);
  models::read_operator_spec(Section::root(rb, YAML::Node()));
  try {
    rb.throw_if_problems();
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems().front().key == "sell_fraction");
  }

  const Document typo = Document::load_string("exit_on: sometimes\nsell_fractoin: 0.2\n", "o.yaml");
  Reader rt(typo);
  models::read_operator_spec(Section::root(rt, YAML::Node()));
  REQUIRE(rt.problems().size() == 2);
  const std::string first = rt.problems()[0].format() + rt.problems()[1].format();
  CHECK(first.find("exit_on") != std::string::npos);
  CHECK(first.find("accrual") != std::string::npos);
  CHECK(first.find("sell_fractoin") != std::string::npos);
}
