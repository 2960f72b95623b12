#pragma once
// Reward rules of sensor networks: WeatherXM's daily data rewards, Helium IoT's epoch pools, and
// the exact split of a pool by fractional shares. Every amount is in integer base units, and no
// rule ever pays out more than its pool: what it cannot pay is returned as a remainder.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "models/economy/ledger.hpp"
#include "models/rewards/pro_rata.hpp"
#include "sim/config.hpp"

namespace models {

// ---------------------------------------------------------------------------------------------
// Shares

/// Splits `pool` in proportion to non-negative real shares (Helium's Σ hex_scale·reward_unit;
/// helium/oracles reward_share.rs divides with 15-decimal Decimals): payout_i = ⌊pool·q_i/Σq⌋,
/// where q_i is share_i times one power of two, rounded to an integer, with the power chosen so
/// that the largest q_i lies in [2^61, 2^62). Each payout is within 1 + pool·(n+1)/2^62 base units
/// of the exact pool·share_i/Σshares, the payouts never add up to more than the pool, and the
/// remainder is below the number of positive shares (the whole pool when every share is zero). The
/// result does not depend on the order of the shares.
///   auto split = split_by_shares(pools.witnesses, witness_units);
ProRataSplit split_by_shares(Tokens pool, std::span<const double> shares);

// ---------------------------------------------------------------------------------------------
// WeatherXM data rewards (reward mechanism v1.5 / v2.0 base reward)

/// What the reward oracle knows about one WeatherXM station at the end of a day; no ground truth.
///   StationScore s{.qod = 0.95, .pol = 1.0, .cell = h3_res7, .seniority = claimed_at_s};
struct StationScore {
  double qod = 0.0;            // Quality-of-Data score, in [0, 1]
  double pol = 0.0;            // Proof-of-Location score, in [0, 1]
  std::uint64_t cell = 0;      // reward cell (WeatherXM: H3 resolution 7, about 5 km²)
  std::int64_t seniority = 0;  // last claim time; lower = more senior, wins ties
  double weight = 1.0;         // hardware-class weight (docs pseudocode: M5 1.1, Helium 0.9)
  bool has_wallet = true;      // a station whose owner has no wallet is never rewardable
};

struct DataRewardSpec {
  double qod_threshold = 0.8;  // WeatherXM publishes no value; an assumption
  double pol_threshold = 0.8;  // likewise
  int cell_cap = 10;           // "currently set to the fixed value of 10" (docs cell-capacity)
  // The published rule counts every eligible station in total_w, those later cut by the cell
  // cap included, so capped stations' shares stay unpaid. false: count only rewarded stations.
  bool weights_include_capped = true;
};

/// Reads a WeatherXM data-reward section (`rewards.weatherxm:`).
DataRewardSpec read_data_reward_spec(sim::config::Section s);

/// Why a station was or was not paid, in the order WeatherXM checks (its `reward_reason`).
enum class DataRewardReason : std::uint8_t {
  rewarded,
  no_wallet,
  qod_threshold,  ///< qod < qod_threshold
  pol_threshold,  ///< pol < pol_threshold
  cell_capacity,  ///< eligible, but ranked beyond cell_cap in its cell
};

std::string_view name_of(DataRewardReason r);

/// One day's WeatherXM base rewards: a payout and a reason per station, and the part of the
/// emission that was not paid (scores below 1, capped and ineligible stations, rounding dust).
struct DataRewards {
  std::vector<Tokens> payouts;
  std::vector<DataRewardReason> reasons;
  Tokens remainder = 0;       // pool − Σ payouts; the caller sends it to the treasury
  double total_weight = 0.0;  // total_w = Σ count·weight over the stations counted
  std::int64_t eligible = 0;  // passed wallet and both thresholds
  std::int64_t capped = 0;    // eligible but beyond their cell's cap

  /// per_station_max for a station of weight w: E·w/total_w (in base units, 0 if none counted).
  double max_reward_units(Tokens pool, double weight) const {
    return total_weight > 0 ? static_cast<double>(pool) * weight / total_weight : 0.0;
  }
};

/// WeatherXM reward mechanism v1.5 (docs reward-mechanism.mdx, base reward of v2.0):
///  1. eligible iff has_wallet, qod ≥ qod_threshold and pol ≥ pol_threshold;
///  2. reward_score = pol·qod;
///  3. in each cell the eligible stations are ranked by score (descending), then seniority
///     (ascending), then index; those beyond cell_cap are not paid;
///  4. total_w = Σ_hc count_hc·weight_hc over the eligible stations (see weights_include_capped);
///  5. per_station_max = E·weight/total_w;  reward = reward_score·per_station_max.
/// Exact: scores are quantised to 1e-9 (ranking uses the quantised score, so scores equal to
/// nine places tie and seniority decides) and weights to 1e-6, and each payout is
/// ⌊E·score·weight / total_w⌋ in integer arithmetic, so Σ payouts ≤ E always.
///   auto day = weatherxm_data_rewards(14'246 * kUnitsPerToken, stations, spec);
DataRewards weatherxm_data_rewards(Tokens pool, std::span<const StationScore> stations,
                                   const DataRewardSpec& spec);

// ---------------------------------------------------------------------------------------------
// Helium IoT reward pools (HIP-20, HIP-51; helium/oracles iot_verifier reward_share.rs)

/// Where the part of the data-transfer cap that data transfer did not earn goes.
enum class UnusedDataSink : std::uint8_t {
  proof_of_coverage,  ///< unused_data_to_beacons to beacons, the rest to witnesses (HIP-70 era)
  operations,         ///< all to the operations fund (HIP-149, PoC retired)
};

/// Shares of an epoch's IoT emission; the six must sum to 1. The oracle emits only beacons,
/// witnesses, data, operations and oracles (94 %); the delegators' 6 % stays at the sub-DAO
/// level (HIP-51; the oracle's comment calls it "Routing").
///   IotPoolSpec hip149{.beacons_share = 0, .witnesses_share = 0, .operations_share = 0.37,
///                      .unused_data_sink = UnusedDataSink::operations};
struct IotPoolSpec {
  double beacons_share = 0.06;
  double witnesses_share = 0.24;
  double data_share = 0.50;  // a cap: data transfer earns at most this share of the emission
  double operations_share = 0.07;
  double oracles_share = 0.07;
  double delegators_share = 0.06;
  double unused_data_to_beacons = 0.2;  // with proof_of_coverage; the rest goes to witnesses
  UnusedDataSink unused_data_sink = UnusedDataSink::proof_of_coverage;
};

/// Reads a Helium IoT pool section (`rewards.helium_iot:`); reports shares that do not sum to 1.
IotPoolSpec read_iot_pool_spec(sim::config::Section s);

/// One epoch's IoT pools. The six pools plus unallocated equal the emission exactly;
/// unallocated is rounding dust (a few base units).
struct IotPools {
  Tokens beacons = 0;
  Tokens witnesses = 0;
  Tokens data = 0;  // what data transfer is paid: min(its value, the data cap)
  Tokens operations = 0;
  Tokens oracles = 0;
  Tokens delegators = 0;
  Tokens unallocated = 0;
  Tokens unused_data = 0;  // data cap − data, already moved into its sink's pools
};

/// Pools for one epoch's emission E given the token value of the data credits burned for data
/// transfer: data = min(value, data_share·E), and the unused part of that cap goes to its sink.
/// Shares are quantised to 1e-12. Throws std::invalid_argument when the shares sum above 1
/// (below 1 leaves the rest unallocated). The caller divides data among gateways with
/// split_by_shares(pools.data, dc_per_gateway): under the cap each is paid its DC value, over
/// it each is scaled down alike, as the oracle does.
///   auto p = helium_iot_pools(emission, data_credit_value(dc_burned, hnt_usd), IotPoolSpec{});
IotPools helium_iot_pools(Tokens emission, Tokens data_transfer_value, const IotPoolSpec& spec);

/// One data credit is worth $0.00001 (HIP-4, helium/oracles DC_USD_PRICE).
inline constexpr double kUsdPerDataCredit = 1e-5;

/// The token value of `data_credits` at `token_price_usd`: ⌊DC·1e-5/price⌋ in base units.
///   Tokens v = data_credit_value(2'000'000'000, 4.0);  // $20 000 at $4 → 5 000 tokens
Tokens data_credit_value(std::int64_t data_credits, double token_price_usd);

}  // namespace models
