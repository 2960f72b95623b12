#include "models/validation/sanity_check.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

SanityCheck::SanityCheck(const SanitySpec& spec, std::size_t sensors)
    : spec_(spec), last_value_c_(sensors, 0.0), last_taken_(sensors), has_last_(sensors, false) {
  if (!(spec.min_c < spec.max_c)) throw std::invalid_argument("SanityCheck: min_c must be < max_c");
}

void SanityCheck::check(std::span<const Submission> submissions, std::span<Verdict> verdicts) {
  if (verdicts.size() != submissions.size()) {
    throw std::invalid_argument("SanityCheck: one verdict per submission");
  }
  // Group by sensor with a stable counting sort (O(n); submissions usually come in time order),
  // then put any sensor's run that is out of time order right.
  std::vector<std::size_t> start(last_value_c_.size() + 1, 0);
  for (const Submission& s : submissions) {
    if (s.sensor >= last_value_c_.size()) throw std::out_of_range("SanityCheck: unknown sensor");
    ++start[s.sensor + 1];
  }
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<std::size_t> order(submissions.size());
  std::vector<std::size_t> fill(start.begin(), start.end() - 1);
  for (std::size_t i = 0; i < submissions.size(); ++i)
    order[fill[submissions[i].sensor]++] = i;
  const auto earlier = [&](std::size_t a, std::size_t b) {
    return submissions[a].taken < submissions[b].taken;
  };
  for (std::size_t k = 0; k + 1 < start.size(); ++k) {
    const auto first = order.begin() + static_cast<std::ptrdiff_t>(start[k]);
    const auto last = order.begin() + static_cast<std::ptrdiff_t>(start[k + 1]);
    if (!std::is_sorted(first, last, earlier)) std::stable_sort(first, last, earlier);
  }
  for (std::size_t i : order) {
    const Submission& s = submissions[i];
    if (!std::isfinite(s.value_c) || s.value_c < spec_.min_c || s.value_c > spec_.max_c) {
      verdicts[i] = Verdict::out_of_bounds;
      continue;
    }
    if (has_last_[s.sensor]) {
      const double hours = std::max((s.taken - last_taken_[s.sensor]).to_hours(), 1.0 / 60.0);
      if (std::abs(s.value_c - last_value_c_[s.sensor]) > spec_.max_jump_c_per_h * hours) {
        verdicts[i] = Verdict::jump;
        continue;
      }
    }
    verdicts[i] = Verdict::accepted;
    last_value_c_[s.sensor] = s.value_c;
    last_taken_[s.sensor] = s.taken;
    has_last_[s.sensor] = true;
  }
}

SanitySpec read_sanity_spec(Section sanity) {
  SanitySpec v;
  v.min_c = sanity.number("min_c", v.min_c, "degC", Range{}, "lowest plausible value");
  v.max_c = sanity.number("max_c", v.max_c, "degC", Range{}, "highest plausible value");
  if (v.max_c <= v.min_c) sanity.problem("max_c", "must be greater than min_c");
  v.max_jump_c_per_h = sanity.number("max_jump_c_per_h", v.max_jump_c_per_h, "degC/h",
                                     Range::above(0.0), "fastest believable change");
  sanity.finish();
  return v;
}

}  // namespace models
