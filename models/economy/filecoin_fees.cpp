#include "models/economy/filecoin_fees.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace models {

using sim::config::Range;
using sim::config::Section;

namespace {

void check_qap(double qap_bytes, const char* where) {
  if (!(qap_bytes >= 0.0) || !std::isfinite(qap_bytes)) {
    throw std::invalid_argument(std::string(where) + ": power must be finite and non-negative");
  }
}

}  // namespace

double quality_adjusted_power_bytes(double size_bytes, double verified_share) {
  if (!(size_bytes >= 0.0) || !std::isfinite(size_bytes)) {
    throw std::invalid_argument("quality_adjusted_power_bytes: size must be non-negative");
  }
  if (!(verified_share >= 0.0 && verified_share <= 1.0)) {
    throw std::invalid_argument("quality_adjusted_power_bytes: verified share must be in [0, 1]");
  }
  // size·(10·(1 − v) + 100·v)/10, written as the actors weigh space-time.
  return size_bytes * (10.0 * (1.0 - verified_share) + 100.0 * verified_share) / 10.0;
}

double filecoin_baseline_bytes(double initial_bytes, sim::Time t) {
  return initial_bytes * std::exp2(t.to_days() / 365.0);
}

double expected_reward_tokens(const FilecoinNetworkState& s, double qap_bytes,
                              std::int64_t epochs) {
  check_qap(qap_bytes, "expected_reward_tokens");
  if (qap_bytes == 0.0) return 0.0;
  const double network = std::max(s.network_qap_bytes, qap_bytes);
  return s.reward_tokens_per_epoch * static_cast<double>(epochs) * qap_bytes / network;
}

double precommit_deposit_tokens(const FilecoinNetworkState& s, double qap_bytes) {
  return expected_reward_tokens(s, qap_bytes, kPreCommitDepositEpochs);
}

double initial_pledge_tokens(const FilecoinNetworkState& s, double qap_bytes) {
  check_qap(qap_bytes, "initial_pledge_tokens");
  if (!(s.gamma >= 0.0 && s.gamma <= 1.0)) {
    throw std::invalid_argument("initial_pledge_tokens: gamma must be in [0, 1]");
  }
  if (qap_bytes == 0.0) return 0.0;
  const double storage = expected_reward_tokens(s, qap_bytes, kInitialPledgeEpochs);
  // The consensus pledge: 30 % of the circulating supply, in the sector's share of power, with
  // the share taken against the baseline for γ of it (FIP-0081).
  const double with_baseline = std::max({s.network_qap_bytes, s.baseline_bytes, qap_bytes});
  const double without = std::max(s.network_qap_bytes, qap_bytes);
  const double consensus = 0.3 * s.circulating_tokens * qap_bytes *
                           (s.gamma / with_baseline + (1.0 - s.gamma) / without);
  const double cap = s.pledge_cap_tokens_per_32gib * qap_bytes / kSector32GiB;
  return std::min(storage + consensus, cap);
}

double continued_fault_fee_tokens(const FilecoinNetworkState& s, double qap_bytes) {
  return expected_reward_tokens(s, qap_bytes, kContinuedFaultEpochs);
}

InvalidPostPenalty invalid_post_penalty(const FilecoinNetworkState& s, double qap_bytes) {
  InvalidPostPenalty p;
  p.penalty_tokens =
      expected_reward_tokens(s, qap_bytes, kInvalidPostEpochs) + kInvalidPostBaseTokens;
  p.disputer_tokens = kInvalidPostDisputerTokens;
  return p;
}

double termination_fee_tokens(double initial_pledge_tokens, double fault_fee_tokens,
                              sim::Time sector_age) {
  if (!(initial_pledge_tokens >= 0.0) || !(fault_fee_tokens >= 0.0)) {
    throw std::invalid_argument("termination_fee_tokens: pledge and fault fee must be >= 0");
  }
  if (sector_age < sim::Time{}) {
    throw std::invalid_argument("termination_fee_tokens: sector age must be >= 0");
  }
  // FIP-0098: 8.5 % of the pledge, ramped in over the first 140 days of the sector's life, and
  // never less than 2 % of the pledge or 1.05 continued fault fees.
  const double simple = 0.085 * initial_pledge_tokens;
  const double by_age = simple * sector_age.to_days() / 140.0;
  const double floor = std::max(0.02 * initial_pledge_tokens, 1.05 * fault_fee_tokens);
  return std::max(std::min(simple, by_age), floor);
}

double daily_fee_tokens(const FilecoinNetworkState& s, double qap_bytes) {
  check_qap(qap_bytes, "daily_fee_tokens");
  const double fee = 161817e-30 * s.circulating_tokens * qap_bytes;
  const double cap = 0.5 * expected_reward_tokens(s, qap_bytes, kFilecoinEpochsPerDay);
  return std::min(fee, cap);
}

FilecoinFeeSpec read_filecoin_fee_spec(Section s) {
  FilecoinFeeSpec f;
  f.penalties = s.boolean("penalties", f.penalties,
                          "charge fault, invalid-PoSt and termination fees (payment: filecoin)");
  f.daily_fee = s.boolean("daily_fee", f.daily_fee,
                          "charge the FIP-0100 daily fee, 161817e-30·CS·qap per day");
  f.gamma = s.number("gamma", f.gamma, "", Range::between(0.0, 1.0),
                     "FIP-0081 weight of the baseline in the consensus pledge");
  f.baseline_pib =
      s.number("baseline_pib", f.baseline_pib, "PiB", Range::at_least(0.0),
               "baseline power at the start, doubling every year (0: no baseline term)");
  f.pledge_cap_tokens_per_32gib =
      s.number("pledge_cap_tokens_per_32gib", f.pledge_cap_tokens_per_32gib, "tokens",
               Range::above(0.0), "cap on the initial pledge per 32 GiB of QAP");
  f.min_power_tib = s.number("min_power_tib", f.min_power_tib, "TiB", Range::at_least(0.0),
                             "raw power a provider needs to win blocks (consensus minimum)");
  s.finish();
  return f;
}

}  // namespace models
