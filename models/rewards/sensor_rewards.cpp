#include "models/rewards/sensor_rewards.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace models {

using sim::config::Range;
using sim::config::Section;

namespace {

__extension__ typedef __int128 i128;

// WeatherXM: reward scores to 1e-9 and weights to 1e-6. Weights up to kMaxWeight keep
// pool·score·weight below 2^127 for any int64 pool.
constexpr std::int64_t kScoreScale = 1'000'000'000;
constexpr std::int64_t kWeightScale = 1'000'000;
constexpr double kMaxWeight = 1000.0;
// Helium: pool shares to 1e-12 (the published ones have two decimals).
constexpr std::int64_t kShareScale = 1'000'000'000'000;

std::int64_t quantise_share(double share) {
  return static_cast<std::int64_t>(std::llround(share * static_cast<double>(kShareScale)));
}

// The six pool shares in units of 1e-12, in the order of IotPools.
std::array<std::int64_t, 6> quantised_pool_shares(const IotPoolSpec& spec) {
  return {quantise_share(spec.beacons_share), quantise_share(spec.witnesses_share),
          quantise_share(spec.data_share),    quantise_share(spec.operations_share),
          quantise_share(spec.oracles_share), quantise_share(spec.delegators_share)};
}

Tokens floor_fraction(Tokens amount, std::int64_t parts, std::int64_t scale) {
  return static_cast<Tokens>(i128{amount} * parts / scale);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

ProRataSplit split_by_shares(Tokens pool, std::span<const double> shares) {
  double largest = 0.0;
  for (double s : shares) {
    if (!std::isfinite(s) || s < 0.0) {
      throw std::invalid_argument("split_by_shares: shares must be finite and non-negative");
    }
    largest = std::max(largest, s);
  }
  std::vector<std::int64_t> quantised(shares.size(), 0);
  if (largest > 0.0) {
    // One power of two for all shares, so that their ratios survive up to the rounding of
    // each to an integer; the largest lands in [2^61, 2^62), so Σq ≥ 2^61 and that rounding
    // moves a payout by under pool·(n+1)/2^62. It depends only on the largest share, so the
    // split does not depend on the order of the shares.
    int exponent = 0;
    std::frexp(largest, &exponent);
    for (std::size_t i = 0; i < shares.size(); ++i)
      quantised[i] = std::llround(std::ldexp(shares[i], 62 - exponent));
  }
  return split_pro_rata(pool, quantised);
}

// ---------------------------------------------------------------------------------------------

std::string_view name_of(DataRewardReason r) {
  switch (r) {
    case DataRewardReason::rewarded:
      return "rewarded";
    case DataRewardReason::no_wallet:
      return "no_wallet";
    case DataRewardReason::qod_threshold:
      return "qod_threshold";
    case DataRewardReason::pol_threshold:
      return "pol_threshold";
    case DataRewardReason::cell_capacity:
      return "cell_capacity";
  }
  return "unknown";
}

DataRewards weatherxm_data_rewards(Tokens pool, std::span<const StationScore> stations,
                                   const DataRewardSpec& spec) {
  if (pool < 0) throw std::invalid_argument("weatherxm_data_rewards: negative pool");
  if (spec.cell_cap < 1) throw std::invalid_argument("weatherxm_data_rewards: cell_cap < 1");
  const std::size_t n = stations.size();
  DataRewards out;
  out.payouts.assign(n, 0);
  out.reasons.assign(n, DataRewardReason::rewarded);

  std::vector<std::int64_t> score_q(n, 0), weight_q(n, 0);
  std::vector<std::size_t> ranked;  // eligible stations
  ranked.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const StationScore& s = stations[i];
    const auto in_unit = [](double x) { return x >= 0.0 && x <= 1.0; };  // false for NaN
    if (!in_unit(s.qod) || !in_unit(s.pol)) {
      throw std::invalid_argument("weatherxm_data_rewards: qod and pol must be in [0, 1]");
    }
    if (!(s.weight > 0.0 && s.weight <= kMaxWeight)) {
      throw std::invalid_argument("weatherxm_data_rewards: weight must be in (0, 1000]");
    }
    // Checked in WeatherXM's order, so the reason names the first rule that fails.
    if (!s.has_wallet) {
      out.reasons[i] = DataRewardReason::no_wallet;
    } else if (s.qod < spec.qod_threshold) {
      out.reasons[i] = DataRewardReason::qod_threshold;
    } else if (s.pol < spec.pol_threshold) {
      out.reasons[i] = DataRewardReason::pol_threshold;
    } else {
      score_q[i] = std::min<std::int64_t>(
          kScoreScale, std::llround(s.pol * s.qod * static_cast<double>(kScoreScale)));
      weight_q[i] =
          std::max<std::int64_t>(1, std::llround(s.weight * static_cast<double>(kWeightScale)));
      ranked.push_back(i);
    }
  }
  out.eligible = static_cast<std::int64_t>(ranked.size());

  // Rank each cell's eligible stations: higher score first, then the more senior, then the
  // lower index, so that the outcome never depends on the sort algorithm.
  std::sort(ranked.begin(), ranked.end(), [&](std::size_t a, std::size_t b) {
    if (stations[a].cell != stations[b].cell) return stations[a].cell < stations[b].cell;
    if (score_q[a] != score_q[b]) return score_q[a] > score_q[b];
    if (stations[a].seniority != stations[b].seniority) {
      return stations[a].seniority < stations[b].seniority;
    }
    return a < b;
  });
  i128 counted_weight_q = 0;
  std::size_t rank = 0;
  for (std::size_t k = 0; k < ranked.size(); ++k) {
    const std::size_t i = ranked[k];
    rank = (k > 0 && stations[ranked[k - 1]].cell == stations[i].cell) ? rank + 1 : 0;
    if (rank >= static_cast<std::size_t>(spec.cell_cap)) {
      out.reasons[i] = DataRewardReason::cell_capacity;
      ++out.capped;
      if (!spec.weights_include_capped) continue;
    }
    counted_weight_q += weight_q[i];
  }
  out.total_weight = static_cast<double>(counted_weight_q) / static_cast<double>(kWeightScale);

  // reward = score·E·weight/total_w, floored. Σ score·weight over the paid stations is at most
  // total_w (scores ≤ 1, the paid are among the counted), so Σ payouts ≤ E.
  Tokens paid = 0;
  if (counted_weight_q > 0) {
    const i128 denominator = i128{kScoreScale} * counted_weight_q;
    for (std::size_t i : ranked) {
      if (out.reasons[i] != DataRewardReason::rewarded) continue;
      out.payouts[i] = static_cast<Tokens>(i128{pool} * score_q[i] * weight_q[i] / denominator);
      paid += out.payouts[i];
    }
  }
  out.remainder = pool - paid;
  return out;
}

DataRewardSpec read_data_reward_spec(Section s) {
  DataRewardSpec v;
  v.qod_threshold = s.number("qod_threshold", v.qod_threshold, "", Range::between(0.0, 1.0),
                             "lowest Quality-of-Data score that is rewarded");
  v.pol_threshold = s.number("pol_threshold", v.pol_threshold, "", Range::between(0.0, 1.0),
                             "lowest Proof-of-Location score that is rewarded");
  v.cell_cap = static_cast<int>(s.integer("cell_cap", v.cell_cap, Range::between(1.0, 1e6),
                                          "most stations rewarded in one cell"));
  v.weights_include_capped =
      s.boolean("weights_include_capped", v.weights_include_capped,
                "count stations cut by the cell cap in total_w (WeatherXM does), leaving "
                "their shares unpaid");
  s.finish();
  return v;
}

// ---------------------------------------------------------------------------------------------

IotPools helium_iot_pools(Tokens emission, Tokens data_transfer_value, const IotPoolSpec& spec) {
  if (emission < 0 || data_transfer_value < 0) {
    throw std::invalid_argument("helium_iot_pools: negative emission or data transfer value");
  }
  for (double x : {spec.beacons_share, spec.witnesses_share, spec.data_share, spec.operations_share,
                   spec.oracles_share, spec.delegators_share, spec.unused_data_to_beacons}) {
    if (!(x >= 0.0 && x <= 1.0)) {
      throw std::invalid_argument("helium_iot_pools: shares must be in [0, 1]");
    }
  }
  const auto q = quantised_pool_shares(spec);
  if (std::accumulate(q.begin(), q.end(), std::int64_t{0}) > kShareScale) {
    throw std::invalid_argument("helium_iot_pools: pool shares sum above 1");
  }
  IotPools p;
  p.beacons = floor_fraction(emission, q[0], kShareScale);
  p.witnesses = floor_fraction(emission, q[1], kShareScale);
  const Tokens data_cap = floor_fraction(emission, q[2], kShareScale);
  p.operations = floor_fraction(emission, q[3], kShareScale);
  p.oracles = floor_fraction(emission, q[4], kShareScale);
  p.delegators = floor_fraction(emission, q[5], kShareScale);
  // Data transfer is paid its value up to the cap; what it leaves goes to proof of coverage
  // (reward_share.rs before HIP-149: 20 % beacons, 80 % witnesses) or, after HIP-149, to the
  // operations fund. The sink takes all of it, so no dust arises here.
  p.data = std::min(data_transfer_value, data_cap);
  p.unused_data = data_cap - p.data;
  if (spec.unused_data_sink == UnusedDataSink::operations) {
    p.operations += p.unused_data;
  } else {
    const Tokens to_beacons =
        floor_fraction(p.unused_data, quantise_share(spec.unused_data_to_beacons), kShareScale);
    p.beacons += to_beacons;
    p.witnesses += p.unused_data - to_beacons;
  }
  p.unallocated =
      emission - p.beacons - p.witnesses - p.data - p.operations - p.oracles - p.delegators;
  return p;
}

Tokens data_credit_value(std::int64_t data_credits, double token_price_usd) {
  if (data_credits < 0) throw std::invalid_argument("data_credit_value: negative data credits");
  if (!(token_price_usd > 0.0) || !std::isfinite(token_price_usd)) {
    throw std::invalid_argument("data_credit_value: price must be positive and finite");
  }
  // DC·$1e-5 / price tokens, times 1e6 units per token: DC·10/price units.
  const long double units = std::floor(static_cast<long double>(data_credits) *
                                       (kUsdPerDataCredit * kUnitsPerToken) / token_price_usd);
  if (units >= static_cast<long double>(std::numeric_limits<Tokens>::max())) {
    throw std::overflow_error("data_credit_value: value does not fit in Tokens");
  }
  return static_cast<Tokens>(units);
}

IotPoolSpec read_iot_pool_spec(Section s) {
  IotPoolSpec v;
  const Range share = Range::between(0.0, 1.0);
  v.beacons_share = s.number("beacons_share", v.beacons_share, "", share,
                             "share of the emission for beaconers (HIP-20 year 1: 0.06)");
  v.witnesses_share = s.number("witnesses_share", v.witnesses_share, "", share,
                               "share of the emission for witnesses (0.24)");
  v.data_share = s.number("data_share", v.data_share, "", share,
                          "cap on the share paid for data transfer (0.50)");
  v.operations_share = s.number("operations_share", v.operations_share, "", share,
                                "share for the operations fund (0.07; 0.37 after HIP-149)");
  v.oracles_share =
      s.number("oracles_share", v.oracles_share, "", share, "share for the oracles (0.07)");
  v.delegators_share = s.number("delegators_share", v.delegators_share, "", share,
                                "share kept at the sub-DAO level for veHNT delegators (0.06)");
  v.unused_data_to_beacons =
      s.number("unused_data_to_beacons", v.unused_data_to_beacons, "", share,
               "with unused_data_sink poc: fraction of the unused data cap added to beacons, "
               "the rest to witnesses");
  static constexpr std::array<std::string_view, 2> kSinks{"poc", "operations"};
  v.unused_data_sink =
      s.choice("unused_data_sink", "poc", kSinks,
               "where the unused data cap goes: poc (HIP-70 era) or operations (HIP-149)") ==
              "operations"
          ? UnusedDataSink::operations
          : UnusedDataSink::proof_of_coverage;
  const auto q = quantised_pool_shares(v);
  const std::int64_t total = std::accumulate(q.begin(), q.end(), std::int64_t{0});
  if (total != kShareScale) {
    s.problem("", "the six pool shares must sum to 1 (to 12 decimals), found " +
                      sim::config::format_number(static_cast<double>(total) /
                                                 static_cast<double>(kShareScale)));
  }
  s.finish();
  return v;
}

}  // namespace models
