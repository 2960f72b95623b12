#pragma once
// Filecoin's power and monies as pure functions: quality-adjusted power, expected reward, pledge,
// fault, dispute and termination fees, and the FIP-0100 daily fee.

#include <cstdint>

#include "sim/config.hpp"
#include "sim/time.hpp"

namespace models {

/// Chain time on Filecoin mainnet: a 30 s epoch, 2880 a day (builtin-actors
/// `runtime/src/runtime/policy.rs`) [V].
inline constexpr sim::Time kFilecoinChainEpoch = sim::Time::seconds(30);
inline constexpr std::int64_t kFilecoinEpochsPerDay = 2880;
inline constexpr double kGiB = 1073741824.0;
inline constexpr double kTiB = 1024.0 * kGiB;
inline constexpr double kPiB = 1024.0 * kTiB;
inline constexpr double kEiB = 1024.0 * kPiB;
/// The sector size the pledge cap and the worked example are stated for.
inline constexpr double kSector32GiB = 32.0 * kGiB;

/// Projection periods of the fees, in chain epochs (`miner/src/monies.rs`, `policy.rs`) [V]. The
/// continued fault fee projects 3.51 days with the actors' integer division: 2880·351/100 = 10108.
inline constexpr std::int64_t kPreCommitDepositEpochs = 20 * kFilecoinEpochsPerDay;
inline constexpr std::int64_t kInitialPledgeEpochs = 20 * kFilecoinEpochsPerDay;
inline constexpr std::int64_t kContinuedFaultEpochs = kFilecoinEpochsPerDay * 351 / 100;
inline constexpr std::int64_t kInvalidPostEpochs =
    kContinuedFaultEpochs + 2 * kFilecoinEpochsPerDay;
/// A disputed (invalid) WindowPoSt costs 20 FIL on top of BR(5.51 d); the disputer gets 4 [V].
inline constexpr double kInvalidPostBaseTokens = 20.0;
inline constexpr double kInvalidPostDisputerTokens = 4.0;

/// The Filecoin parameters a run may change: pledge shape, consensus minimum, which fees apply.
///   FilecoinFeeSpec f = read_filecoin_fee_spec(storage.section("fees", "..."));
struct FilecoinFeeSpec {
  double gamma = 0.7;                        // FIP-0081 weight of the baseline term (1 → 0.7) [V]
  double baseline_pib = 0.0;                 // B at t = 0, doubling yearly; 0: no baseline term
  double pledge_cap_tokens_per_32gib = 1.0;  // FIP-0081 cap on the pledge [V]
  double min_power_tib = 10.0;               // consensus minimum (raw bytes) to win blocks [V]
  bool penalties = true;                     // fault, invalid-PoSt and termination fees
  bool daily_fee = false;                    // FIP-0100 daily fee (mainnet since nv25)
};

/// Reads the `storage.fees:` section.
FilecoinFeeSpec read_filecoin_fee_spec(sim::config::Section s);

/// What every fee reads at one moment: the reward per chain epoch, network power, baseline and
/// circulating supply. Velocity is zero: BR extrapolates today's reward flat.
///   FilecoinNetworkState st{.reward_tokens_per_epoch = 25, .network_qap_bytes = 20 * kEiB,
///                           .baseline_bytes = 40 * kEiB, .circulating_tokens = 600e6};
struct FilecoinNetworkState {
  double reward_tokens_per_epoch = 0.0;  // r: block reward per 30 s chain epoch
  double network_qap_bytes = 0.0;        // QAP_net: the network's quality-adjusted power
  double baseline_bytes = 0.0;           // B(t)
  double circulating_tokens = 0.0;       // CS
  double gamma = 0.7;
  double pledge_cap_tokens_per_32gib = 1.0;
};

/// QAP = size·(10·(ST − VDW) + 100·VDW)/(10·ST) = size·(1 + 9·v), v the verified share of the
/// sector's space-time (`miner/src/policy.rs` qa_power_for_weight) [V]: a verified sector counts
/// 10×. Throws std::invalid_argument for a negative size or v outside [0, 1].
double quality_adjusted_power_bytes(double size_bytes, double verified_share);

/// B(t) = B0·2^(t/yr): the baseline doubles every year (`actors/reward`) [V].
double filecoin_baseline_bytes(double initial_bytes, sim::Time t);

/// BR(d) = r·d·qap/QAP_net with velocity 0 (`monies.rs` expected_reward_for_power) [V]; d in chain
/// epochs. With QAP_net below qap (an empty network) the sector would win every block: BR = r·d.
double expected_reward_tokens(const FilecoinNetworkState& s, double qap_bytes, std::int64_t epochs);

/// PreCommit deposit = BR(20 d) [V].
double precommit_deposit_tokens(const FilecoinNetworkState& s, double qap_bytes);

/// FIP-0081 initial pledge [V]:
///   IP = min(BR(20 d) + 0.3·CS·qap·[γ/max(QAP, B, qap) + (1−γ)/max(QAP, qap)], cap·qap/32 GiB).
double initial_pledge_tokens(const FilecoinNetworkState& s, double qap_bytes);

/// Continued fault fee FF = BR(3.51 d), charged each proving period a sector stays faulty after
/// the one that detected it [V].
double continued_fault_fee_tokens(const FilecoinNetworkState& s, double qap_bytes);

/// What a successful dispute of an invalid WindowPoSt costs the provider and pays the disputer.
struct InvalidPostPenalty {
  double penalty_tokens = 0.0;   // BR(3.51 d + 2 d) of the disputed power + 20 FIL
  double disputer_tokens = 0.0;  // 4 FIL of the penalty
};
/// The penalty for a disputed WindowPoSt over `qap_bytes` of power [V].
InvalidPostPenalty invalid_post_penalty(const FilecoinNetworkState& s, double qap_bytes);

/// FIP-0098 early termination fee [V]:
///   max( min(0.085·IP, 0.085·IP·age/140 d), max(0.02·IP, 1.05·FF) ).
double termination_fee_tokens(double initial_pledge_tokens, double fault_fee_tokens,
                              sim::Time sector_age);

/// FIP-0100 daily fee = 161817e-30·CS·qap, at most half the sector's expected reward for a day
/// [V]. The protocol fixes it at activation; callers decide which CS to pass.
double daily_fee_tokens(const FilecoinNetworkState& s, double qap_bytes);

}  // namespace models
