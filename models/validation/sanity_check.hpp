#pragma once
// Per-reading plausibility checks: bounds and rate of change.

#include <span>
#include <vector>

#include "models/validation/submission.hpp"
#include "sim/config.hpp"

namespace models {

struct SanitySpec {
  double min_c = -60.0;
  double max_c = 60.0;
  double max_jump_c_per_h = 10.0;  // fastest believable change between two readings
};

/// Reads the `validation.sanity:` section.
SanitySpec read_sanity_spec(sim::config::Section s);

/// Rejects readings outside [min_c, max_c] and readings that differ from the same sensor's
/// previous plausible reading by more than max_jump_c_per_h times the hours between them
/// (at least one minute apart, so that a burst of readings cannot divide by zero). The last
/// plausible reading of each sensor is remembered across epochs.
///   SanityCheck s(spec, sensors);  s.check(submissions, verdicts);
class SanityCheck {
 public:
  SanityCheck(const SanitySpec& spec, std::size_t sensors);

  /// Sets verdicts[i] for submissions[i]. Submissions of one sensor are judged in time order,
  /// whatever order they arrived in.
  void check(std::span<const Submission> submissions, std::span<Verdict> verdicts);

 private:
  SanitySpec spec_;
  std::vector<double> last_value_c_;
  std::vector<sim::Time> last_taken_;
  std::vector<bool> has_last_;
};

}  // namespace models
