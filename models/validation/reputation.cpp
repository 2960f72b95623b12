#include "models/validation/reputation.hpp"

#include <stdexcept>

namespace models {

using sim::config::Range;
using sim::config::Section;

BetaReputation::BetaReputation(const ReputationSpec& spec, std::size_t nodes)
    : spec_(spec), r_(nodes, spec.initial_positive), s_(nodes, spec.initial_negative) {
  if (!(spec.forgetting >= 0.0 && spec.forgetting <= 1.0)) {
    throw std::invalid_argument("BetaReputation: forgetting must be in [0, 1]");
  }
  if (!(spec.initial_positive >= 0.0 && spec.initial_negative >= 0.0)) {
    throw std::invalid_argument("BetaReputation: initial evidence must be non-negative");
  }
}

void BetaReputation::update(std::span<const std::int64_t> positives,
                            std::span<const std::int64_t> negatives) {
  if (positives.size() != r_.size() || negatives.size() != s_.size()) {
    throw std::invalid_argument("BetaReputation: one count per node");
  }
  // Check first, so that a bad call leaves every node as it was.
  for (std::size_t i = 0; i < r_.size(); ++i) {
    if (positives[i] < 0 || negatives[i] < 0) {
      throw std::invalid_argument("BetaReputation: counts must be non-negative");
    }
  }
  const double lambda = spec_.forgetting;
  for (std::size_t i = 0; i < r_.size(); ++i) {
    r_[i] = lambda * r_[i] + static_cast<double>(positives[i]);
    s_[i] = lambda * s_[i] + static_cast<double>(negatives[i]);
  }
}

double BetaReputation::expectation(std::size_t i) const {
  return (r_.at(i) + 1.0) / (r_[i] + s_[i] + 2.0);
}

double BetaReputation::rating(std::size_t i) const {
  return (r_.at(i) - s_[i]) / (r_[i] + s_[i] + 2.0);
}

ReputationSpec read_reputation_spec(Section s) {
  ReputationSpec v;
  v.forgetting = s.number("forgetting", v.forgetting, "", Range::between(0.0, 1.0),
                          "weight last epoch's evidence keeps each epoch (1 = never forget)");
  v.initial_positive = s.number("initial_positive", v.initial_positive, "", Range::at_least(0.0),
                                "positive evidence every node starts with");
  v.initial_negative = s.number("initial_negative", v.initial_negative, "", Range::at_least(0.0),
                                "negative evidence every node starts with");
  s.finish();
  return v;
}

}  // namespace models
