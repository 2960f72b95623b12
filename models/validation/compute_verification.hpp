#pragma once
// The verifier of a compute network: from the answers providers returned for a job (and its own
// re-executions), decide which answer to accept and who is proven wrong. It never sees the truth.

#include <cstdint>
#include <functional>
#include <span>

#include "sim/config.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace models {

/// How a compute network checks results (MECHANISMS.md §3.3).
enum class ComputeVerificationKind : std::uint8_t {
  none,         ///< the single answer is accepted as returned (Akash, Render today)
  replication,  ///< k providers run the job; the answers are compared
  spot_check,   ///< the verifier re-executes a job with probability p and compares
  optimistic,   ///< accepted unless a challenger disputes it within a window (Truebit, Gensyn)
};

/// When k replicas' answers are enough to accept one.
enum class ReplicationRule : std::uint8_t {
  majority,   ///< more than k/2 of the k replicas asked for return the same answer
  unanimous,  ///< all k replicas return the same answer
};

/// What replication does when its rule is not met (a tie, no majority, a missing replica under
/// unanimity).
enum class Disagreement : std::uint8_t {
  rerun,   ///< a referee re-executes the job: answers equal to its result are accepted and paid,
           ///< the others are proven wrong
  reject,  ///< the job is rejected: nobody is paid and nobody proven wrong (nothing is proven)
};

/// Largest replication factor (replica sets are bit masks in ComputeVerdict).
inline constexpr std::int64_t kMaxComputeReplicas = 9;

/// The `compute.verification:` section. The defaults are design values [U].
///   ComputeVerificationSpec v;  v.kind = ComputeVerificationKind::spot_check;
struct ComputeVerificationSpec {
  ComputeVerificationKind kind = ComputeVerificationKind::none;
  std::int64_t replicas = 3;  // k, for replication
  ReplicationRule rule = ReplicationRule::majority;
  Disagreement on_disagreement = Disagreement::rerun;
  double spot_check_probability = 0.1;               // p
  double challenge_probability = 0.1;                // q: a job draws a challenger
  sim::Time challenge_window = sim::Time::days(1);   // optimistic results are final after this
  sim::Time dispute_round = sim::Time::minutes(10);  // one move of the bisection game
  double steps_per_unit = 1e6;  // execution steps in one work unit: t of the dispute game
};

/// Reads the `compute.verification:` section.
ComputeVerificationSpec read_compute_verification_spec(sim::config::Section s);

/// The verifier's decision on one job. Replica bits index the answers passed to verify().
struct ComputeVerdict {
  bool accepted = false;
  std::uint64_t answer = 0;  // the accepted answer (when accepted)
  std::uint32_t paid = 0;    // bit r: replica r's answer was accepted, so it is paid
  std::uint32_t wrong = 0;   // bit r: replica r is proven wrong, so it is slashed
  bool re_executed = false;  // a verifier, referee or challenger ran the job itself
  std::int64_t dispute_rounds = 0;
  double verification_work_units = 0.0;  // redundant replicas, re-executions, the dispute's step
};

/// ⌈log₂ t⌉: rounds of a bisection (binary-search) verification game over t execution steps,
/// after which the arbiter executes the one step the parties disagree on (Truebit [V]; the
/// count is [D]). 2³⁰ steps take 30 rounds; one step takes none.
std::int64_t dispute_rounds(std::uint64_t steps);

/// P(a cheater is caught at least once in m jobs, each checked with probability q) =
/// 1 − (1 − q)^m [D, MECHANISMS.md §3.3]: q = 0.1, m = 20 → 0.878.
double detection_probability(double q, std::int64_t m);
/// P(all k replicas are malicious) = f^k for a malicious share f [D, §3.3]: f = 0.2, k = 3 →
/// 0.008. When the malicious agree on one answer this is how often unanimity accepts it.
double all_replicas_malicious_probability(double f, std::int64_t k);
/// P(more than k/2 of k replicas are malicious) = Σ_{j>k/2} C(k, j) f^j (1−f)^(k−j): how often
/// majority voting accepts an answer the malicious agree on (f = 0.2, k = 3 → 0.104) [D].
double majority_malicious_probability(double f, std::int64_t k);
/// The slash above which cheating does not pay, S* = ((1 − p)·G − p·R)/p, for audit probability
/// p, saving G and payment R [D, §3.3]: p = 0.1, G = R → 8R.
double deterrent_slash(double p, double saving, double reward);
/// Expected gain of cheating over honest work on one job: (1 − p)·G − p·(R + S): unaudited it
/// keeps the saving; audited it loses the payment and the slash (and redoes the work). Its sign
/// changes at S = deterrent_slash(p, G, R).
double cheating_gain(double p, double saving, double reward, double slash);

/// The network's verifier. It sees only what a real one could: the answers returned (result
/// hashes) and, when it pays for one, a re-execution (the `re_execute` callback, which runs the
/// job honestly). Its own random stream decides spot checks and which jobs draw a challenger,
/// so its draws do not depend on how providers are processed.
///
/// Per kind, for the answers returned (dropped replicas return nothing):
///   none:        the answer is accepted and paid; no answer, rejected.
///   replication: under `majority`, an answer returned by more than k/2 of the k replicas asked
///                for is accepted; its replicas are paid and the others proven wrong by the
///                vote (an outvoted honest replica is slashed: that is the rule's weakness).
///                Under `unanimous`, all k must return the same answer. Otherwise
///                on_disagreement decides (see Disagreement). Verification work: every
///                returned replica beyond the first, plus the referee's re-run.
///   spot_check:  with probability p the verifier re-executes; a different answer is rejected
///                and proven wrong. Work: the re-executions.
///   optimistic:  the answer is accepted; with probability q a challenger re-executes it and, if
///                it differs, wins the bisection game in dispute_rounds(t) rounds: the answer is
///                rejected and its provider proven wrong (the challenger is honest, so it never
///                loses). Work: the challenger's re-execution plus the arbiter's one step.
///   ComputeVerifier v(spec, streams.stream("compute.verifier"));
///   ComputeVerdict d = v.verify(answers, 4.0, [&] { return rerun_job(); });
class ComputeVerifier {
 public:
  /// Throws std::invalid_argument for replicas outside [1, kMaxComputeReplicas], a probability
  /// outside [0, 1], or non-positive steps per unit.
  ComputeVerifier(const ComputeVerificationSpec& spec, sim::RandomStream rng);

  const ComputeVerificationSpec& spec() const { return spec_; }
  /// Replicas each job asks for: k under replication, 1 otherwise.
  std::size_t replicas() const;

  /// Decides one job of `work_units`, given the answers returned (at most replicas()).
  /// Throws std::invalid_argument when more answers than replicas() are passed.
  ComputeVerdict verify(std::span<const std::uint64_t> answers, double work_units,
                        const std::function<std::uint64_t()>& re_execute);

  /// How long after its answers are in a job's verdict becomes final: the challenge window for
  /// an unchallenged optimistic result, the dispute's rounds for a challenged one, 0 otherwise.
  sim::Time finality_delay(const ComputeVerdict& verdict) const;

 private:
  ComputeVerdict replicate(std::span<const std::uint64_t> answers, double work_units,
                           const std::function<std::uint64_t()>& re_execute);

  ComputeVerificationSpec spec_;
  sim::RandomStream rng_;
};

}  // namespace models
