#include "models/validation/compute_verification.hpp"

#include <array>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

namespace {

bool is_probability(double p) {
  return p >= 0.0 && p <= 1.0;
}

}  // namespace

std::int64_t dispute_rounds(std::uint64_t steps) {
  // ⌈log₂ t⌉ for t ≥ 1 is the bit width of t − 1, exactly, with no floating point.
  return steps <= 1 ? 0 : static_cast<std::int64_t>(std::bit_width(steps - 1));
}

double detection_probability(double q, std::int64_t m) {
  if (!is_probability(q)) throw std::invalid_argument("detection_probability: q must be in [0, 1]");
  if (m < 0) throw std::invalid_argument("detection_probability: negative number of jobs");
  return 1.0 - std::pow(1.0 - q, static_cast<double>(m));
}

double all_replicas_malicious_probability(double f, std::int64_t k) {
  if (!is_probability(f)) {
    throw std::invalid_argument("all_replicas_malicious_probability: f must be in [0, 1]");
  }
  if (k < 1) throw std::invalid_argument("all_replicas_malicious_probability: k must be >= 1");
  return std::pow(f, static_cast<double>(k));
}

double majority_malicious_probability(double f, std::int64_t k) {
  if (!is_probability(f)) {
    throw std::invalid_argument("majority_malicious_probability: f must be in [0, 1]");
  }
  if (k < 1) throw std::invalid_argument("majority_malicious_probability: k must be >= 1");
  double total = 0.0, binomial = 1.0;  // C(k, j), built up as j grows
  for (std::int64_t j = 0; j <= k; ++j) {
    if (j > 0) binomial = binomial * static_cast<double>(k - j + 1) / static_cast<double>(j);
    if (2 * j > k) {
      total += binomial * std::pow(f, static_cast<double>(j)) *
               std::pow(1.0 - f, static_cast<double>(k - j));
    }
  }
  return total;
}

double deterrent_slash(double p, double saving, double reward) {
  if (!(p > 0.0 && p <= 1.0)) throw std::invalid_argument("deterrent_slash: p must be in (0, 1]");
  return ((1.0 - p) * saving - p * reward) / p;
}

double cheating_gain(double p, double saving, double reward, double slash) {
  if (!is_probability(p)) throw std::invalid_argument("cheating_gain: p must be in [0, 1]");
  return (1.0 - p) * saving - p * (reward + slash);
}

ComputeVerifier::ComputeVerifier(const ComputeVerificationSpec& spec, sim::RandomStream rng)
    : spec_(spec), rng_(rng) {
  if (spec.replicas < 1 || spec.replicas > kMaxComputeReplicas) {
    throw std::invalid_argument("ComputeVerifier: replicas must be between 1 and " +
                                std::to_string(kMaxComputeReplicas));
  }
  if (!is_probability(spec.spot_check_probability) || !is_probability(spec.challenge_probability)) {
    throw std::invalid_argument("ComputeVerifier: probabilities must be in [0, 1]");
  }
  if (!(spec.steps_per_unit > 0.0)) {
    throw std::invalid_argument("ComputeVerifier: steps_per_unit must be positive");
  }
  if (spec.challenge_window < Time{} || spec.dispute_round < Time{}) {
    throw std::invalid_argument("ComputeVerifier: negative challenge window or dispute round");
  }
}

std::size_t ComputeVerifier::replicas() const {
  return spec_.kind == ComputeVerificationKind::replication
             ? static_cast<std::size_t>(spec_.replicas)
             : 1;
}

ComputeVerdict ComputeVerifier::verify(std::span<const std::uint64_t> answers, double work_units,
                                       const std::function<std::uint64_t()>& re_execute) {
  if (answers.size() > replicas()) {
    throw std::invalid_argument("ComputeVerifier::verify: more answers than replicas asked for");
  }
  if (spec_.kind == ComputeVerificationKind::replication) {
    return replicate(answers, work_units, re_execute);
  }
  ComputeVerdict v;
  if (answers.empty()) return v;  // nothing came back: rejected, nobody to pay or blame
  const std::uint64_t answer = answers[0];
  const bool checks = spec_.kind == ComputeVerificationKind::spot_check
                          ? rng_.bernoulli(spec_.spot_check_probability)
                      : spec_.kind == ComputeVerificationKind::optimistic
                          ? rng_.bernoulli(spec_.challenge_probability)
                          : false;
  bool right = true;
  if (checks) {
    v.re_executed = true;
    v.verification_work_units = work_units;
    right = re_execute() == answer;
    if (!right && spec_.kind == ComputeVerificationKind::optimistic) {
      const double steps = std::ceil(work_units * spec_.steps_per_unit);
      v.dispute_rounds = dispute_rounds(steps < 1.0 ? 1 : static_cast<std::uint64_t>(steps));
      v.verification_work_units += 1.0 / spec_.steps_per_unit;  // the arbiter's one step
    }
  }
  if (right) {
    v.accepted = true;
    v.answer = answer;
    v.paid = 1;
  } else {
    v.wrong = 1;
  }
  return v;
}

ComputeVerdict ComputeVerifier::replicate(std::span<const std::uint64_t> answers, double work_units,
                                          const std::function<std::uint64_t()>& re_execute) {
  ComputeVerdict v;
  if (answers.empty()) return v;
  v.verification_work_units = static_cast<double>(answers.size() - 1) * work_units;
  // The most frequent answer (the first such, on a tie; a tie never wins anyway).
  std::size_t best = 0, best_votes = 0;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    std::size_t votes = 0;
    for (std::uint64_t a : answers)
      votes += a == answers[i] ? 1 : 0;
    if (votes > best_votes) best = i, best_votes = votes;
  }
  const auto k = static_cast<std::size_t>(spec_.replicas);
  const bool carried =
      spec_.rule == ReplicationRule::majority ? 2 * best_votes > k : best_votes == k;
  std::uint64_t accepted = answers[best];
  if (!carried) {
    if (spec_.on_disagreement == Disagreement::reject) return v;
    v.re_executed = true;
    v.verification_work_units += work_units;
    accepted = re_execute();
  }
  for (std::size_t i = 0; i < answers.size(); ++i) {
    if (answers[i] == accepted) {
      v.paid |= 1u << i;
    } else {
      v.wrong |= 1u << i;
    }
  }
  v.accepted = v.paid != 0;
  if (v.accepted) v.answer = accepted;
  return v;
}

Time ComputeVerifier::finality_delay(const ComputeVerdict& verdict) const {
  if (spec_.kind != ComputeVerificationKind::optimistic) return Time{};
  if (verdict.dispute_rounds > 0 || verdict.wrong != 0)
    return spec_.dispute_round * verdict.dispute_rounds;
  return spec_.challenge_window;
}

ComputeVerificationSpec read_compute_verification_spec(Section s) {
  ComputeVerificationSpec v;
  static constexpr std::array<std::string_view, 4> kKinds{"none", "replication", "spot_check",
                                                          "optimistic"};
  const std::string kind = s.choice(
      "kind", "none", kKinds,
      "none: accept as returned; replication: k replicas compared; spot_check: re-execute with "
      "probability p; optimistic: challenge window and bisection dispute");
  v.kind = kind == "replication"  ? ComputeVerificationKind::replication
           : kind == "spot_check" ? ComputeVerificationKind::spot_check
           : kind == "optimistic" ? ComputeVerificationKind::optimistic
                                  : ComputeVerificationKind::none;
  const bool all = s.describing();
  if (v.kind == ComputeVerificationKind::replication || all) {
    v.replicas = s.integer("replicas", v.replicas, Range::between(1.0, double(kMaxComputeReplicas)),
                           "replication: providers that run each job (k)");
    static constexpr std::array<std::string_view, 2> kRules{"majority", "unanimous"};
    v.rule = s.choice("rule", "majority", kRules,
                      "replication: accept an answer of more than k/2 replicas, or of all k") ==
                     "unanimous"
                 ? ReplicationRule::unanimous
                 : ReplicationRule::majority;
    static constexpr std::array<std::string_view, 2> kOnDisagreement{"rerun", "reject"};
    v.on_disagreement =
        s.choice("on_disagreement", "rerun", kOnDisagreement,
                 "replication, rule not met: a referee re-runs the job and the answers that "
                 "differ are proven wrong (rerun), or the job is rejected (reject)") == "reject"
            ? Disagreement::reject
            : Disagreement::rerun;
  }
  if (v.kind == ComputeVerificationKind::spot_check || all) {
    v.spot_check_probability =
        s.number("spot_check_probability", v.spot_check_probability, "", Range::between(0.0, 1.0),
                 "spot_check: probability that the verifier re-executes a job (p)");
  }
  if (v.kind == ComputeVerificationKind::optimistic || all) {
    v.challenge_probability =
        s.number("challenge_probability", v.challenge_probability, "", Range::between(0.0, 1.0),
                 "optimistic: probability that a job draws a challenger who re-executes it (q)");
    v.challenge_window = s.duration("challenge_window", v.challenge_window, Time{},
                                    "optimistic: results are final (and paid) this long after");
    v.dispute_round = s.duration("dispute_round", v.dispute_round, Time{},
                                 "optimistic: duration of one round of the bisection game");
    v.steps_per_unit =
        s.number("steps_per_unit", v.steps_per_unit, "steps/unit", Range::at_least(1.0),
                 "optimistic: execution steps per work unit (t of the dispute)");
  }
  s.finish();
  return v;
}

}  // namespace models
