#include "models/validation/reputation.hpp"

#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

using models::BetaReputation;
using models::ReputationSpec;

namespace {

ReputationSpec with_forgetting(double lambda) {
  ReputationSpec spec;
  spec.forgetting = lambda;
  return spec;
}

}  // namespace

TEST_CASE("models::BetaReputation: r = 8 and s = 2 give E = 0.75 (Josang and Ismail 2002)",
          "[unit]") {
  BetaReputation rep(with_forgetting(1.0), 2);
  rep.update(std::vector<std::int64_t>{8, 0}, std::vector<std::int64_t>{2, 0});
  CHECK(rep.expectation(0) == Approx(0.75));
  CHECK(rep.rating(0) == Approx(0.5));  // (8 − 2)/(8 + 2 + 2)
  // No evidence: the uniform prior, E = 1/2 and rating 0.
  CHECK(rep.expectation(1) == 0.5);
  CHECK(rep.rating(1) == 0.0);

  ReputationSpec prior;
  prior.initial_positive = 8;
  prior.initial_negative = 2;
  const BetaReputation seeded(prior, 1);
  CHECK(seeded.expectation(0) == Approx(0.75));
}

TEST_CASE("models::BetaReputation: constant evidence follows the geometric closed form", "[unit]") {
  // r_k = c·(1 − λ^k)/(1 − λ) after k epochs of c, converging to c/(1 − λ).
  const double lambda = 0.9;
  const std::int64_t c = 5;
  BetaReputation rep(with_forgetting(lambda), 1);
  const std::vector<std::int64_t> good{c}, none{0};
  for (int k = 1; k <= 300; ++k) {
    rep.update(good, none);
    const double closed = c * (1 - std::pow(lambda, k)) / (1 - lambda);
    REQUIRE(rep.positive_evidence(0) == Approx(closed).epsilon(1e-12));
  }
  CHECK(rep.positive_evidence(0) == Approx(c / (1 - lambda)).epsilon(1e-12));
  CHECK(rep.negative_evidence(0) == 0.0);
  // E → (50 + 1)/(50 + 2).
  CHECK(rep.expectation(0) == Approx(51.0 / 52.0));
}

TEST_CASE("models::BetaReputation: a node that turns bad falls below 1/2 in the computed epochs",
          "[unit]") {
  // After a long good record r = R (s = 0), k bad epochs of c give r = λ^k·R and
  // s = c·(1 − λ^k)/(1 − λ), so E < 1/2 exactly when r < s. With R = c/(1 − λ) this is
  // λ^k < 1/2: k* = ⌈ln 2 / ln(1/λ)⌉ = 7 for λ = 0.9.
  const double lambda = 0.9;
  const std::int64_t c = 20;
  BetaReputation rep(with_forgetting(lambda), 2);
  const std::vector<std::int64_t> both_good{c, c}, none{0, 0};
  for (int k = 0; k < 400; ++k)
    rep.update(both_good, none);
  const double record = rep.positive_evidence(0);
  REQUIRE(record == Approx(c / (1 - lambda)).epsilon(1e-12));

  int bound = 0;
  for (int k = 1;; ++k) {
    const double r = std::pow(lambda, k) * record;
    const double s = c * (1 - std::pow(lambda, k)) / (1 - lambda);
    if ((r + 1) / (r + s + 2) < 0.5) {
      bound = k;
      break;
    }
  }
  CHECK(bound == static_cast<int>(std::ceil(std::log(2.0) / std::log(1 / lambda))));
  CHECK(bound == 7);

  const std::vector<std::int64_t> first_bad_good{0, c}, first_bad_bad{c, 0};
  for (int k = 1; k <= bound; ++k) {
    rep.update(first_bad_good, first_bad_bad);
    if (k < bound) REQUIRE(rep.expectation(0) >= 0.5);
  }
  CHECK(rep.expectation(0) < 0.5);
  CHECK(rep.rating(0) < 0.0);
  CHECK(rep.expectation(1) > 0.95);  // the node that stayed good keeps its reputation

  // Without forgetting the same record would take 10 bad epochs just to draw level.
  BetaReputation no_forgetting(with_forgetting(1.0), 1);
  const std::vector<std::int64_t> one_good{c}, one_none{0};
  for (int k = 0; k < 10; ++k)
    no_forgetting.update(one_good, one_none);
  for (int k = 0; k < bound; ++k)
    no_forgetting.update(one_none, one_good);
  CHECK(no_forgetting.expectation(0) > 0.5);
}

TEST_CASE("models::BetaReputation: an idle node drifts back to the uninformed 1/2", "[unit]") {
  BetaReputation rep(with_forgetting(0.5), 1);
  rep.update(std::vector<std::int64_t>{0}, std::vector<std::int64_t>{100});
  CHECK(rep.expectation(0) < 0.02);
  for (int k = 0; k < 60; ++k)
    rep.update(std::vector<std::int64_t>{0}, std::vector<std::int64_t>{0});
  CHECK(rep.expectation(0) == Approx(0.5).epsilon(1e-9));
}

TEST_CASE("models::BetaReputation: refuses bad counts and leaves every node unchanged", "[unit]") {
  BetaReputation rep(ReputationSpec{}, 2);
  rep.update(std::vector<std::int64_t>{3, 3}, std::vector<std::int64_t>{1, 1});
  const double before = rep.expectation(0);
  CHECK_THROWS_AS(rep.update(std::vector<std::int64_t>{1}, std::vector<std::int64_t>{1, 1}),
                  std::invalid_argument);
  CHECK_THROWS_AS(rep.update(std::vector<std::int64_t>{1, 1}, std::vector<std::int64_t>{1, -1}),
                  std::invalid_argument);
  CHECK(rep.expectation(0) == before);
  ReputationSpec bad;
  bad.forgetting = 1.5;
  CHECK_THROWS_AS(BetaReputation(bad, 1), std::invalid_argument);
}

TEST_CASE("models::read_reputation_spec: reads the keys and reports a forgetting above 1",
          "[unit]") {
  using sim::config::Document;
  using sim::config::Reader;
  using sim::config::Section;
  const Document ok = Document::load_string("forgetting: 0.8\ninitial_negative: 1\n", "r.yaml");
  Reader r(ok);
  const ReputationSpec spec = models::read_reputation_spec(Section::root(r, YAML::Node()));
  CHECK(r.ok());
  CHECK(spec.forgetting == 0.8);
  CHECK(spec.initial_positive == 0.0);
  CHECK(spec.initial_negative == 1.0);

  const Document bad = Document::load_string("forgetting: 1.2\nforgeting: 0.5\n", "r.yaml");
  Reader rb(bad);
  models::read_reputation_spec(Section::root(rb, YAML::Node()));
  CHECK(rb.problems().size() == 2);  // out of range, and an unknown key
}
