#pragma once
// Beta reputation: each node's record of good and bad behaviour, with forgetting, as an expected
// probability of good behaviour.

#include <cstdint>
#include <span>
#include <vector>

#include "sim/config.hpp"

namespace models {

struct ReputationSpec {
  double forgetting = 0.9;        // λ: weight one epoch's evidence keeps after each new epoch [U]
  double initial_positive = 0.0;  // r every node starts with, forgotten like any other evidence
  double initial_negative = 0.0;  // s every node starts with
};

/// Reads the `validation.reputation:` section.
ReputationSpec read_reputation_spec(sim::config::Section s);

/// Beta reputation system (A. Jøsang and R. Ismail, "The Beta Reputation System", 15th Bled
/// Electronic Commerce Conference, 2002). Each node has positive evidence r and negative evidence
/// s; at the end of every epoch both decay by the forgetting factor λ and that epoch's counts are
/// added:
///   r ← λ·r + r_new,   s ← λ·s + s_new.
/// The reputation is the expectation of Beta(r+1, s+1), E = (r+1)/(r+s+2), in [0, 1] (0.5 with no
/// evidence), and the rating is (r−s)/(r+s+2), in (−1, 1). With λ < 1 a node's old record fades,
/// so a node that turns bad loses its reputation within a bounded number of epochs, and constant
/// evidence c per epoch converges to c/(1−λ). λ = 1 keeps everything for ever.
///   BetaReputation rep(spec, nodes);  rep.update(good, bad);  double e = rep.expectation(i);
class BetaReputation {
 public:
  BetaReputation(const ReputationSpec& spec, std::size_t nodes);

  /// Closes one epoch: positives[i] and negatives[i] are node i's good and bad outcomes in it
  /// (e.g. accepted and rejected readings). Every node decays, whether it reported or not.
  void update(std::span<const std::int64_t> positives, std::span<const std::int64_t> negatives);

  /// E = (r+1)/(r+s+2): the expected probability that node i behaves well next time.
  double expectation(std::size_t i) const;
  /// (r−s)/(r+s+2): the same evidence on a −1 (bad) … +1 (good) scale, 0 with none.
  double rating(std::size_t i) const;
  double positive_evidence(std::size_t i) const { return r_[i]; }
  double negative_evidence(std::size_t i) const { return s_[i]; }
  std::size_t size() const { return r_.size(); }

 private:
  ReputationSpec spec_;
  std::vector<double> r_;
  std::vector<double> s_;
};

}  // namespace models
