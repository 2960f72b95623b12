#pragma once
// Splitting one epoch's emission among the network's roles, and what happens to unused shares.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sim/config.hpp"

namespace models {

/// Who an emission pays. A network uses some of them: Helium pays coverage and data, Filecoin
/// storage, Render compute, and most keep a treasury share.
enum class Role : std::uint8_t { data, coverage, storage, compute, validators, treasury };
inline constexpr std::size_t kRoleCount = 6;

/// "data", "coverage", ... as written in the YAML.
std::string_view role_name(Role role);

/// Where the share of a role with nobody to pay goes.
enum class UnusedShare : std::uint8_t {
  treasury,  // to the treasury
  burn,      // nowhere: it is not minted
  pro_rata,  // to the used roles in proportion to their shares
};

/// Shares of the emission by role (indexed by Role) and the rule for unused ones.
///   RoleSplitSpec spec;  spec.share = {0.5, 0.3, 0, 0, 0, 0.2};
struct RoleSplitSpec {
  std::array<double, kRoleCount> share{1.0, 0.0, 0.0, 0.0, 0.0, 0.0};  // sum to 1 (within 1e-9)
  /// Where an unused role's share goes: `unused: treasury` (default), `burn` (not minted),
  /// or `pro_rata` (to the used roles in proportion to their shares).
  UnusedShare unused = UnusedShare::treasury;
};

/// Reads the `rewards.split:` mapping: keys data, coverage, storage, compute, validators,
/// treasury (defaults: data 1, the others 0) and unused. Shares that do not add up to 1 are a
/// problem at the mapping that names the sum.
RoleSplitSpec read_role_split_spec(sim::config::Section s);

/// One epoch's emission by role, and the part that is not minted (unused shares burned).
/// Σ tokens + not_minted = the emission.
struct RoleAmounts {
  std::array<double, kRoleCount> tokens{};
  double not_minted = 0.0;

  double operator[](Role role) const { return tokens[static_cast<std::size_t>(role)]; }
};

/// Splits `emission` by the shares. used[r]: whether role r has anyone to pay this epoch (no
/// storage providers → false). The treasury can always be paid, so used[treasury] is ignored.
/// With `pro_rata`, when no used role has a positive share the whole emission goes to the
/// treasury rather than vanishing. Throws std::invalid_argument for a negative emission or
/// shares that are negative or do not sum to 1.
///   RoleAmounts a = split_by_role(spec, 10'000.0, used);  double c = a[Role::coverage];
RoleAmounts split_by_role(const RoleSplitSpec& spec, double emission,
                          const std::array<bool, kRoleCount>& used);

}  // namespace models
