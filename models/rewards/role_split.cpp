#include "models/rewards/role_split.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace models {

using sim::config::Range;
using sim::config::Section;

namespace {

constexpr std::array<std::string_view, kRoleCount> kRoleNames{"data",    "coverage",   "storage",
                                                              "compute", "validators", "treasury"};
constexpr std::array<std::string_view, 3> kUnusedNames{"treasury", "burn", "pro_rata"};
constexpr auto kTreasury = static_cast<std::size_t>(Role::treasury);
constexpr double kShareTolerance = 1e-9;

}  // namespace

std::string_view role_name(Role role) {
  return kRoleNames.at(static_cast<std::size_t>(role));
}

RoleSplitSpec read_role_split_spec(Section s) {
  RoleSplitSpec v;
  static constexpr std::array<std::string_view, kRoleCount> kHelp{
      "share of the emission paid for data (readings, data transfer)",
      "share paid for coverage (beacons and witnesses)",
      "share paid to storage providers",
      "share paid to compute providers",
      "share paid to validators and oracles",
      "share kept by the treasury"};
  const std::size_t before = s.problems_so_far();
  double sum = 0.0;
  for (std::size_t r = 0; r < kRoleCount; ++r) {
    v.share[r] = s.number(kRoleNames[r], v.share[r], "", Range::between(0.0, 1.0), kHelp[r]);
    sum += v.share[r];
  }
  const bool shares_in_range = s.problems_so_far() == before;
  const std::string unused =
      s.choice("unused", "treasury", kUnusedNames,
               "where the share of a role with nobody to pay goes: treasury, burn (not minted) "
               "or pro_rata (to the used roles)");
  for (std::size_t u = 0; u < kUnusedNames.size(); ++u) {
    if (unused == kUnusedNames[u]) v.unused = static_cast<UnusedShare>(u);
  }
  // A share out of range was already reported (and replaced by its default): the sum would
  // only echo it.
  if (std::fabs(sum - 1.0) > kShareTolerance && shares_in_range && !s.describing()) {
    s.problem("", "the role shares sum to " + sim::config::format_number(sum) + ", must sum to 1");
  }
  s.finish();
  return v;
}

RoleAmounts split_by_role(const RoleSplitSpec& spec, double emission,
                          const std::array<bool, kRoleCount>& used) {
  if (!(std::isfinite(emission) && emission >= 0.0)) {
    throw std::invalid_argument("split_by_role: emission must be a non-negative number");
  }
  double sum = 0.0;
  for (double share : spec.share) {
    if (!(std::isfinite(share) && share >= 0.0)) {
      throw std::invalid_argument("split_by_role: shares must be non-negative numbers");
    }
    sum += share;
  }
  if (std::fabs(sum - 1.0) > kShareTolerance) {
    throw std::invalid_argument("split_by_role: shares sum to " + sim::config::format_number(sum) +
                                ", must sum to 1");
  }
  const auto is_used = [&](std::size_t r) { return r == kTreasury || used[r]; };

  RoleAmounts out;
  double used_share = 0.0;
  double unused_share = 0.0;
  for (std::size_t r = 0; r < kRoleCount; ++r)
    (is_used(r) ? used_share : unused_share) += spec.share[r];

  if (spec.unused == UnusedShare::pro_rata) {
    if (used_share == 0.0) {
      // Nobody with a share is there to be paid: keep the emission rather than lose it.
      out.tokens[kTreasury] = emission;
      return out;
    }
    for (std::size_t r = 0; r < kRoleCount; ++r) {
      if (is_used(r)) out.tokens[r] = emission * (spec.share[r] / used_share);
    }
    return out;
  }
  // Shares are normalised by their sum, so that a sum off 1 by rounding loses nothing.
  for (std::size_t r = 0; r < kRoleCount; ++r) {
    if (is_used(r)) out.tokens[r] = emission * (spec.share[r] / sum);
  }
  const double unused_tokens = emission * (unused_share / sum);
  if (spec.unused == UnusedShare::burn) {
    out.not_minted = unused_tokens;
  } else {
    out.tokens[kTreasury] += unused_tokens;
  }
  return out;
}

}  // namespace models
