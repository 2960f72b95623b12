#include "models/validation/compute_verification.hpp"

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/random.hpp"
#include "tests/models/config_reading.hpp"

using models::ComputeVerdict;
using models::ComputeVerificationKind;
using models::ComputeVerificationSpec;
using models::ComputeVerifier;
using models::Disagreement;
using models::ReplicationRule;

namespace {

constexpr std::uint64_t kTruth = 42;
constexpr std::uint64_t kWrong = 666;

ComputeVerificationSpec verification(ComputeVerificationKind kind) {
  ComputeVerificationSpec spec;
  spec.kind = kind;
  return spec;
}

ComputeVerifier verifier(const ComputeVerificationSpec& spec, std::uint64_t seed = 1) {
  return ComputeVerifier(spec, sim::RandomStreams(seed, 0).stream("compute.verifier"));
}

ComputeVerdict verify(ComputeVerifier& v, std::vector<std::uint64_t> answers,
                      double work_units = 4.0) {
  return v.verify(answers, work_units, [] { return kTruth; });
}

// The statistical tolerance of every simulated rate below: four binomial standard errors of
// the mean of n trials of probability p (a false failure about once in 16 000 runs).
double four_se(double p, double n) {
  return 4.0 * std::sqrt(p * (1.0 - p) / n);
}

}  // namespace

TEST_CASE("models::dispute_rounds: bisection over 2^30 steps takes 30 rounds", "[unit]") {
  CHECK(models::dispute_rounds(std::uint64_t{1} << 30) == 30);
  CHECK(models::dispute_rounds((std::uint64_t{1} << 30) + 1) == 31);
  CHECK(models::dispute_rounds(1) == 0);
  CHECK(models::dispute_rounds(2) == 1);
  CHECK(models::dispute_rounds(3) == 2);
  CHECK(models::dispute_rounds(1000) == 10);
}

TEST_CASE("models::ComputeVerifier: the closed forms give MECHANISMS.md's worked numbers",
          "[unit]") {
  CHECK(models::detection_probability(0.1, 20) == Approx(0.878).margin(5e-4));
  CHECK(models::all_replicas_malicious_probability(0.2, 3) == Approx(0.008));
  // Majority of 3: three of three, or two of three in 3 ways: 0.008 + 3·0.04·0.8.
  CHECK(models::majority_malicious_probability(0.2, 3) == Approx(0.104));
  CHECK(models::majority_malicious_probability(0.2, 1) == Approx(0.2));
  // p = 0.1 and G = R: cheating stops paying above S = 8R, and the gain is zero there.
  const double reward = 3.0;
  CHECK(models::deterrent_slash(0.1, reward, reward) == Approx(8 * reward));
  CHECK(models::cheating_gain(0.1, reward, reward, 8 * reward) == Approx(0.0).margin(1e-12));
  CHECK(models::cheating_gain(0.1, reward, reward, 7 * reward) > 0);
  CHECK(models::cheating_gain(0.1, reward, reward, 9 * reward) < 0);
}

TEST_CASE("models::ComputeVerifier: spot checks catch a cheater within 20 jobs at 1 - 0.9^20",
          "[unit]") {
  // 4 000 cheaters, each returning 20 wrong answers to its own verifier (its own seed) with
  // q = 0.1: the share caught at least once is 1 − (1 − q)^m = 0.878 within 4 standard errors.
  const double q = 0.1;
  const int m = 20, cheaters = 4000;
  for (auto kind : {ComputeVerificationKind::spot_check, ComputeVerificationKind::optimistic}) {
    ComputeVerificationSpec spec = verification(kind);
    spec.spot_check_probability = q;
    spec.challenge_probability = q;
    int caught = 0;
    for (int seed = 0; seed < cheaters; ++seed) {
      ComputeVerifier v = verifier(spec, static_cast<std::uint64_t>(seed));
      bool found = false;
      for (int job = 0; job < m; ++job)
        found = verify(v, {kWrong}).wrong != 0 || found;
      caught += found ? 1 : 0;
    }
    const double expected = models::detection_probability(q, m);
    CHECK(caught / double(cheaters) == Approx(expected).margin(four_se(expected, cheaters)));
  }
}

TEST_CASE(
    "models::ComputeVerifier: replicas that agree on a wrong answer pass at f^k or the "
    "majority tail",
    "[unit]") {
  // Each of k = 3 replicas is malicious with probability f = 0.2 (the test's own draws); the
  // malicious agree on one wrong answer. Unanimity accepts it only when all three are
  // malicious (f^k = 0.008); a majority also when two are (0.104).
  const double f = 0.2;
  const int jobs = 200'000;
  auto draws = sim::RandomStreams(7, 0).stream("test.malicious");
  for (auto rule : {ReplicationRule::unanimous, ReplicationRule::majority}) {
    ComputeVerificationSpec spec = verification(ComputeVerificationKind::replication);
    spec.replicas = 3;
    spec.rule = rule;
    ComputeVerifier v = verifier(spec);
    int wrong_accepted = 0, honest_blamed = 0, malicious_missed = 0, undecided = 0;
    for (int j = 0; j < jobs; ++j) {
      std::vector<std::uint64_t> answers;
      for (int r = 0; r < 3; ++r)
        answers.push_back(draws.bernoulli(f) ? kWrong : kTruth);
      const ComputeVerdict d = verify(v, answers);
      undecided += d.accepted ? 0 : 1;
      wrong_accepted += d.answer != kTruth ? 1 : 0;
      for (int r = 0; r < 3; ++r) {
        const bool blamed = (d.wrong >> r & 1u) != 0;
        honest_blamed += blamed && answers[r] == kTruth ? 1 : 0;
        malicious_missed += !blamed && answers[r] != kTruth && d.answer == kTruth ? 1 : 0;
      }
    }
    const double expected = rule == ReplicationRule::unanimous
                                ? models::all_replicas_malicious_probability(f, 3)
                                : models::majority_malicious_probability(f, 3);
    CHECK(wrong_accepted / double(jobs) == Approx(expected).margin(four_se(expected, jobs)));
    CHECK(undecided == 0);  // a referee settles every disagreement (on_disagreement: rerun)
    // A wrong answer that loses is always proven wrong; an honest one only when outvoted.
    CHECK(malicious_missed == 0);
    if (rule == ReplicationRule::unanimous) CHECK(honest_blamed == 0);
    if (rule == ReplicationRule::majority) CHECK(honest_blamed > 0);
  }
}

TEST_CASE("models::ComputeVerifier: cheating under spot checks stops paying at S = 8R", "[unit]") {
  // p = 0.1, G = R = 1. An unchecked wrong job keeps the saving G; a checked one loses the
  // payment R and the slash S (MECHANISMS.md §3.3). The simulated mean gain matches
  // (1 − p)G − p(R + S) within 4 standard errors and changes sign at S = 8R.
  const double p = 0.1, reward = 1.0, saving = 1.0;
  const int jobs = 40'000;
  ComputeVerificationSpec spec = verification(ComputeVerificationKind::spot_check);
  spec.spot_check_probability = p;
  for (double slash : {6.0, 8.0, 10.0}) {
    ComputeVerifier v = verifier(spec, static_cast<std::uint64_t>(slash));
    double gain = 0.0;
    int checked = 0;
    for (int j = 0; j < jobs; ++j) {
      const ComputeVerdict d = verify(v, {kWrong});
      checked += d.re_executed ? 1 : 0;
      gain += d.wrong != 0 ? -(reward + slash) : saving;
    }
    const double mean = gain / jobs;
    // The gain takes two values G and −(R + S), so its standard error is (G + R + S)·√(p(1−p)/n).
    const double tolerance = (saving + reward + slash) * four_se(p, jobs);
    CHECK(checked / double(jobs) == Approx(p).margin(four_se(p, jobs)));
    CHECK(mean == Approx(models::cheating_gain(p, saving, reward, slash)).margin(tolerance));
    if (slash < 8.0) CHECK(mean > 0.0);
    if (slash > 8.0) CHECK(mean < 0.0);
  }
}

TEST_CASE("models::ComputeVerifier: a majority of the replicas asked for carries the vote",
          "[unit]") {
  ComputeVerificationSpec spec = verification(ComputeVerificationKind::replication);
  spec.replicas = 3;
  ComputeVerifier v = verifier(spec);
  // One of three dropped, the other two agree: 2 > 3/2, accepted without a referee.
  ComputeVerdict d = verify(v, {kWrong, kWrong}, 4.0);
  CHECK(d.accepted);
  CHECK(d.answer == kWrong);
  CHECK(d.paid == 0b11);
  CHECK(d.wrong == 0);
  CHECK_FALSE(d.re_executed);
  CHECK(d.verification_work_units == 4.0);  // the second replica
  // Two of three disagree: no majority, the referee re-runs and blames the one that differs.
  d = verify(v, {kTruth, kWrong}, 4.0);
  CHECK(d.accepted);
  CHECK(d.answer == kTruth);
  CHECK(d.paid == 0b01);
  CHECK(d.wrong == 0b10);
  CHECK(d.re_executed);
  CHECK(d.verification_work_units == 8.0);
  // Three different answers, none right: nothing accepted, all three proven wrong.
  d = verify(v, {7, 8, 9}, 1.0);
  CHECK_FALSE(d.accepted);
  CHECK(d.wrong == 0b111);
  CHECK(d.verification_work_units == 3.0);
  // Nothing came back: rejected, nobody blamed, no work.
  d = verify(v, {});
  CHECK_FALSE(d.accepted);
  CHECK(d.wrong == 0);
  CHECK(d.verification_work_units == 0.0);
}

TEST_CASE("models::ComputeVerifier: under reject a disagreement pays and blames nobody", "[unit]") {
  ComputeVerificationSpec spec = verification(ComputeVerificationKind::replication);
  spec.replicas = 3;
  spec.rule = ReplicationRule::unanimous;
  spec.on_disagreement = Disagreement::reject;
  ComputeVerifier v = verifier(spec);
  ComputeVerdict d = verify(v, {kTruth, kTruth, kWrong});
  CHECK_FALSE(d.accepted);
  CHECK(d.paid == 0);
  CHECK(d.wrong == 0);
  CHECK_FALSE(d.re_executed);
  // Unanimity needs all k: two agreeing answers of three asked for are not enough.
  d = verify(v, {kTruth, kTruth});
  CHECK_FALSE(d.accepted);
  d = verify(v, {kTruth, kTruth, kTruth});
  CHECK(d.accepted);
  CHECK(d.paid == 0b111);
}

TEST_CASE("models::ComputeVerifier: a challenged wrong result loses the bisection game", "[unit]") {
  ComputeVerificationSpec spec = verification(ComputeVerificationKind::optimistic);
  spec.challenge_probability = 1.0;
  spec.steps_per_unit = 1 << 20;
  spec.challenge_window = sim::Time::days(2);
  spec.dispute_round = sim::Time::minutes(10);
  ComputeVerifier v = verifier(spec);
  // 1 024 units of 2^20 steps: t = 2^30, so 30 rounds of 10 minutes.
  ComputeVerdict d = verify(v, {kWrong}, 1024.0);
  CHECK_FALSE(d.accepted);
  CHECK(d.wrong == 1);
  CHECK(d.dispute_rounds == 30);
  CHECK(d.verification_work_units == Approx(1024.0 + 1.0 / (1 << 20)));
  CHECK(v.finality_delay(d) == sim::Time::minutes(300));
  // A right result survives its challenge and is final when the window closes.
  d = verify(v, {kTruth}, 1024.0);
  CHECK(d.accepted);
  CHECK(d.dispute_rounds == 0);
  CHECK(v.finality_delay(d) == sim::Time::days(2));
  // Without challengers a wrong result is accepted.
  spec.challenge_probability = 0.0;
  ComputeVerifier trusting = verifier(spec);
  d = verify(trusting, {kWrong});
  CHECK(d.accepted);
  CHECK(d.verification_work_units == 0.0);
}

TEST_CASE("models::ComputeVerifier: with no verification any answer is accepted for free",
          "[unit]") {
  ComputeVerifier v = verifier(verification(ComputeVerificationKind::none));
  CHECK(v.replicas() == 1);
  const ComputeVerdict d = verify(v, {kWrong});
  CHECK(d.accepted);
  CHECK(d.answer == kWrong);
  CHECK(d.verification_work_units == 0.0);
  CHECK(v.finality_delay(d) == sim::Time{});
  CHECK_THROWS_AS(verify(v, {kTruth, kTruth}), std::invalid_argument);
}

TEST_CASE("models::ComputeVerifier: refuses bad replication factors and probabilities", "[unit]") {
  ComputeVerificationSpec spec = verification(ComputeVerificationKind::replication);
  spec.replicas = 0;
  CHECK_THROWS_AS(verifier(spec), std::invalid_argument);
  spec.replicas = models::kMaxComputeReplicas + 1;
  CHECK_THROWS_AS(verifier(spec), std::invalid_argument);
  spec = verification(ComputeVerificationKind::spot_check);
  spec.spot_check_probability = 1.5;
  CHECK_THROWS_AS(verifier(spec), std::invalid_argument);
  spec = verification(ComputeVerificationKind::optimistic);
  spec.steps_per_unit = 0;
  CHECK_THROWS_AS(verifier(spec), std::invalid_argument);
  CHECK_THROWS_AS(models::deterrent_slash(0.0, 1, 1), std::invalid_argument);
}

TEST_CASE("models::read_compute_verification_spec: reads each kind's keys and names bad ones",
          "[unit]") {
  using test_support::names_key;
  using test_support::read_nested;
  ComputeVerificationSpec spec;
  auto problems = read_nested<ComputeVerificationSpec>(
      "compute:\n  verification: {kind: replication, replicas: 5, rule: unanimous,"
      " on_disagreement: reject}\n",
      "v.yaml", "compute", "verification", &models::read_compute_verification_spec, &spec);
  CHECK(problems.empty());
  CHECK(spec.kind == ComputeVerificationKind::replication);
  CHECK(spec.replicas == 5);
  CHECK(spec.rule == ReplicationRule::unanimous);
  CHECK(spec.on_disagreement == Disagreement::reject);

  problems = read_nested<ComputeVerificationSpec>(
      "compute:\n  verification: {kind: optimistic, challenge_window: 7d, "
      "challenge_probability: 0.05}\n",
      "v.yaml", "compute", "verification", &models::read_compute_verification_spec, &spec);
  CHECK(problems.empty());
  CHECK(spec.challenge_window == sim::Time::days(7));
  CHECK(spec.challenge_probability == 0.05);

  problems = read_nested<ComputeVerificationSpec>(
      "compute:\n  verification: {kind: replication, rule: plurality}\n", "v.yaml", "compute",
      "verification", &models::read_compute_verification_spec);
  CHECK(names_key(problems, "compute.verification.rule"));
  problems = read_nested<ComputeVerificationSpec>(
      "compute:\n  verification: {kind: replication, replicas: 10}\n", "v.yaml", "compute",
      "verification", &models::read_compute_verification_spec);
  CHECK(names_key(problems, "compute.verification.replicas"));
  // A spot-check probability given to replication is reported, not ignored.
  problems = read_nested<ComputeVerificationSpec>(
      "compute:\n  verification: {kind: replication, spot_check_probability: 0.2}\n", "v.yaml",
      "compute", "verification", &models::read_compute_verification_spec);
  CHECK(names_key(problems, "compute.verification.spot_check_probability"));
}
