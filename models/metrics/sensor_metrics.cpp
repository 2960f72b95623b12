#include "models/metrics/sensor_metrics.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <string>

namespace models {

namespace {

std::int64_t sum(const EpochTally::PerBehaviour& v) {
  return std::accumulate(v.begin(), v.end(), std::int64_t{0});
}
double ratio(double num, double den) {
  return den == 0 ? std::numeric_limits<double>::quiet_NaN() : num / den;
}
double ratio(std::int64_t num, std::int64_t den) {
  return ratio(static_cast<double>(num), static_cast<double>(den));
}
std::string name(std::size_t b) {
  return std::string(kBehaviourNames[b]);
}

}  // namespace

SensorMetrics::SensorMetrics(MetricsLayout layout) : layout_(std::move(layout)) {
  auto& r = recorder_;
  epoch_ = r.count("time/epoch", "1", "epoch index, from 0");
  end_days_ = r.real("time/end_days", "d", "simulated time at the end of the epoch");
  sensors_ = r.count("nodes/sensors", "1",
                     "sensors in the network at the epoch's end (joined and not left)");
  for (std::size_t b = 0; b < kBehaviourCount; ++b) {
    online_[b] = r.count("nodes/online_" + name(b), "1",
                         name(b) + " sensors working and connected at the epoch's end");
  }
  declare_quality();
  if (layout_.coverage) declare_coverage();
  declare_tokens();
  declare_economy();
  totals_.checks.resize(layout_.check_kinds.size());
}

void SensorMetrics::declare_quality() {
  auto& r = recorder_;
  submitted_ = r.count("quality/submitted", "1", "readings taken and sent to the oracle");
  lost_ = r.count("quality/lost", "1", "readings lost on a link, cut off, or unroutable");
  late_ = r.count("quality/late", "1", "readings delivered after the epoch's cut-off");
  arrived_ = r.count("quality/arrived", "1", "readings delivered in time and judged");
  accepted_ = r.count("quality/accepted", "1", "readings the oracle accepted");
  rejected_ = r.count("quality/rejected", "1", "readings the oracle rejected");
  rejected_bounds_ = r.count("quality/rejected_bounds", "1", "rejected as out of bounds");
  rejected_jump_ = r.count("quality/rejected_jump", "1", "rejected for a jump");
  rejected_outlier_ = r.count("quality/rejected_outlier", "1", "rejected by spatial consensus");
  rejected_constant_ = r.count("quality/rejected_constant", "1", "rejected as a constant value");
  unverified_ =
      r.count("quality/unverified", "1", "accepted without enough neighbour readings to compare");
  bad_arrived_ = r.count("quality/bad_arrived", "1",
                         "judged readings farther than metrics.bad_error_c from the truth");
  bad_accepted_ = r.count("quality/bad_accepted", "1", "bad readings the oracle accepted");
  rmse_c_ = r.real("quality/rmse_c", "degC", "RMSE of accepted readings against the truth");
  false_accept_rate_ =
      r.real("quality/false_accept_rate", "1", "share of bad readings the whole pipeline accepted");
  false_reject_rate_ = r.real("quality/false_reject_rate", "1",
                              "share of good readings the whole pipeline rejected");
  for (std::size_t b = 0; b < kBehaviourCount; ++b) {
    const std::string g = "quality/" + name(b) + "/";
    const std::string who = name(b) + " sensors";
    b_submitted_[b] = r.count(g + "submitted", "1", "readings sent by " + who);
    b_arrived_[b] = r.count(g + "arrived", "1", "readings of " + who + " judged");
    b_accepted_[b] = r.count(g + "accepted", "1", "readings of " + who + " accepted");
    b_rejected_[b] = r.count(g + "rejected", "1", "readings of " + who + " rejected");
    b_bad_accepted_[b] = r.count(g + "bad_accepted", "1", "bad readings of " + who + " accepted");
  }
  // Two checks of one kind get the step number appended to stay apart.
  std::map<std::string, int> seen;
  for (const std::string& kind : layout_.check_kinds) {
    const int n = seen[kind]++;
    const std::string g = "quality/checks/" + kind + (n == 0 ? "" : "_" + std::to_string(n)) + "/";
    const std::string what = " by the " + kind + " check";
    CheckSeries c;
    c.judged = r.count(g + "judged", "1", "readings still accepted when the check ran");
    c.rejected_bad = r.count(g + "rejected_bad", "1", "bad readings rejected" + what);
    c.rejected_good = r.count(g + "rejected_good", "1", "good readings rejected" + what);
    c.passed_bad = r.count(g + "passed_bad", "1", "bad readings passed" + what);
    c.false_accept_rate =
        r.real(g + "false_accept_rate", "1", "share of the bad readings it judged it passed");
    c.false_reject_rate =
        r.real(g + "false_reject_rate", "1", "share of the good readings it judged it rejected");
    checks_.push_back(c);
  }
  hexes_ = r.count("coverage/hexes", "1", "cells of the coverage grid over the region");
  hexes_claimed_share_ = r.real("coverage/claimed_share", "1",
                                "share of cells with an accepted reading claimed in them");
  hexes_valid_share_ = r.real("coverage/valid_share", "1",
                              "share of cells with an accepted reading that is truly good");
}

void SensorMetrics::declare_coverage() {
  auto& r = recorder_;
  forged_reports_ =
      r.count("coverage/forged_reports", "1", "witness reports of beacons never heard");
  forged_valid_ = r.count("coverage/forged_valid", "1", "forged witness reports rewarded");
  genuine_reports_ = r.count("coverage/genuine_reports", "1",
                             "witness reports of beacons really heard, honestly reported");
  genuine_rejected_ =
      r.count("coverage/genuine_rejected", "1", "genuine witness reports rejected by a check");
  for (std::size_t b = 0; b < kBehaviourCount; ++b) {
    const std::string g = "coverage/" + name(b) + "/";
    const std::string who = name(b) + " nodes";
    beacons_[b] = r.count(g + "beacons", "1", "beacons of " + who + " that reached the oracle");
    beacons_valid_[b] = r.count(g + "beacons_valid", "1", "beacons of " + who + " judged valid");
    reports_[b] = r.count(g + "reports", "1", "witness reports of " + who);
    reports_valid_[b] = r.count(g + "reports_valid", "1", "rewarded witness reports of " + who);
    units_[b] = r.real(g + "units", "1", "HIP-15 units x hex scale earned by " + who);
  }
}

void SensorMetrics::declare_tokens() {
  auto& r = recorder_;
  for (std::size_t b = 0; b < kBehaviourCount; ++b) {
    flagged_[b] =
        r.count("validation/flagged_" + name(b), "1", name(b) + " nodes on the collusion denylist");
    pol_mean_[b] = r.real("validation/pol_mean_" + name(b), "1",
                          "mean proof-of-location score of " + name(b) + " nodes");
  }
  minted_ = r.real("tokens/minted", "token", "tokens minted this epoch");
  undistributed_ =
      r.real("tokens/undistributed", "token", "emission not paid to nodes, sent to the treasury");
  supply_ = r.real("tokens/supply", "token", "tokens in existence at the end of the epoch");
  fraud_leakage_ = r.real("tokens/fraud_leakage", "1",
                          "share of the emission paid to dishonest nodes (fabricator, spoofer, "
                          "colluder, sybil)");
  for (std::size_t b = 0; b < kBehaviourCount; ++b) {
    paid_[b] = r.real("tokens/paid_" + name(b), "token", "tokens paid to " + name(b) + " nodes");
    cost_usd_[b] = r.real("operators/cost_usd_" + name(b), "USD",
                          "capex (first epoch) and opex of the devices behind " + name(b) +
                              " nodes (a ring or swarm shares one device)");
    earned_usd_[b] = r.real("operators/earned_usd_" + name(b), "USD",
                            "tokens paid to " + name(b) + " nodes at the epoch's closing price");
  }
}

void SensorMetrics::declare_economy() {
  auto& r = recorder_;
  EconomySeries& e = econ_;
  e.reminted = r.real("tokens/reminted", "token", "burned tokens minted again (net emissions)");
  e.burned = r.real("tokens/burned", "token", "tokens buyers burned for usage this epoch");
  e.slashed = r.real("tokens/slashed", "token", "stake destroyed for proven fraud this epoch");
  e.not_minted = r.real("tokens/not_minted", "token",
                        "emission of roles with nobody to pay that the split does not mint");
  e.to_validators = r.real("tokens/to_validators", "token", "emission to validators and oracles");
  e.to_treasury = r.real("tokens/to_treasury", "token", "emission minted to the treasury");
  e.circulating = r.real("tokens/circulating", "token",
                         "supply held by operators, the market and other holders");
  e.locked = r.real("tokens/locked", "token", "supply staked (bonded or unbonding)");
  e.vesting = r.real("tokens/vesting", "token", "rewards granted and not yet vested");
  e.protocol = r.real("tokens/protocol", "token", "supply held by the pool and the treasury");
  e.treasury = r.real("tokens/treasury", "token", "the treasury's balance");
  e.market = r.real("tokens/market", "token", "tokens held by the market (all other holders)");
  e.unmet_burn = r.real("tokens/unmet_burn", "token",
                        "tokens buyers wanted to burn that the market did not hold");
  e.price = r.real("market/price_usd", "USD", "token price at the end of the epoch");
  e.market_cap = r.real("market/market_cap_usd", "USD", "circulating supply at the price");
  e.emission_usd = r.real("market/emission_usd", "USD", "tokens minted this epoch at the price");
  e.demand_usd = r.real("market/demand_usd", "USD", "what buyers paid for the network's data");
  e.usd_kept = r.real("market/usd_kept", "USD", "the part of the demand that burned nothing");
  e.burn_mint_ratio = r.real("market/burn_mint_ratio", "1", "tokens burned / tokens minted");
  e.tokens_sold = r.real("market/tokens_sold", "token", "tokens operators sold this epoch");
  e.usd_to_sellers = r.real("market/usd_to_sellers", "USD", "what their sales fetched");
  e.usd_per_accepted_reading = r.real("market/usd_per_accepted_reading", "USD",
                                      "node rewards at the price per accepted reading");
  e.active = r.count("operators/active", "1", "operators in the network");
  e.joined = r.count("operators/joined", "1", "operators that joined at this close");
  e.left = r.count("operators/left", "1", "operators that left at this close");
  e.slashed_operators = r.count("operators/slashed", "1", "operators slashed for proven fraud");
  e.nodes_joined = r.count("nodes/joined", "1", "nodes that joined at this close");
  e.nodes_left = r.count("nodes/left", "1", "nodes that left at this close");
  e.share_profitable =
      r.real("operators/share_profitable", "1",
             "share of active operators whose epoch was profitable (operators.exit_on)");
  e.mean_roi =
      r.real("operators/mean_roi", "1", "mean of (sales + holdings at the price - costs) / capex");
  e.median_roi = r.real("operators/median_roi", "1", "median of the same ROI");
  e.gini_rewards = r.real("operators/gini_rewards", "1", "Gini coefficient of rewards by operator");
  e.nakamoto_rewards = r.count("operators/nakamoto_rewards", "1",
                               "fewest operators taking more than half the rewards");
  e.gini_stake = r.real("operators/gini_stake", "1", "Gini coefficient of bonded stake");
  e.nakamoto_stake =
      r.count("operators/nakamoto_stake", "1", "fewest operators holding more than half the stake");
  for (const std::string& c : layout_.hardware_classes) {
    e.payback_days.push_back(r.real(
        "operators/payback_days_" + c, "d",
        "mean time to pay back, of " + c + " operators who have (cash + holdings >= costs)"));
    e.paid_back_share.push_back(r.real("operators/paid_back_share_" + c, "1",
                                       "share of " + c + " operators who have paid back"));
  }
  if (layout_.providers) {
    e.to_storage = r.real("tokens/to_storage", "token", "emission for storage providers");
    e.to_compute = r.real("tokens/to_compute", "token", "emission for compute providers");
    e.client_usd = r.real("market/client_usd", "USD",
                          "clients' payments to storage and compute providers, net of the take");
    e.client_tokens = r.real("tokens/client_payments", "token",
                             "tokens clients bought from the market to pay providers");
    e.take_tokens = r.real("tokens/take", "token", "the protocol's take on clients' payments");
    e.service_burn_usd = r.real("market/service_burn_usd", "USD",
                                "clients' spending on compute burned as tokens (burn-and-mint)");
    e.endowment_in = r.real("tokens/endowment_in", "token",
                            "clients' up-front fees for permanent storage into the endowment");
    e.endowment_out =
        r.real("tokens/endowment_out", "token", "the endowment's payments to storage providers");
    e.endowment = r.real("tokens/endowment", "token", "the endowment's balance at the close");
    e.collateral_locked =
        r.real("tokens/collateral_locked", "token", "providers' collateral locked this epoch");
    e.collateral_released = r.real("tokens/collateral_released", "token",
                                   "providers' collateral given back this epoch");
    e.collateral = r.real("tokens/collateral", "token", "providers' collateral held at the close");
    e.penalties = r.real("tokens/penalties", "token",
                         "fees and slashes providers paid this epoch (reporters' part included)");
    e.penalties_to_reporters = r.real("tokens/penalties_to_reporters", "token",
                                      "part of the penalties paid to whoever proved the fault");
    e.penalties_unpaid = r.real("tokens/penalties_unpaid", "token",
                                "penalties providers could not pay from collateral or wallet");
  }
}

void SensorMetrics::record_economy(const EpochTally& t) {
  auto& r = recorder_;
  const EconomySeries& e = econ_;
  const EconomyTally& x = t.economy;
  r.set(e.reminted, x.reminted);
  r.set(e.burned, x.burned);
  r.set(e.slashed, x.slashed);
  r.set(e.not_minted, x.not_minted);
  r.set(e.to_validators, x.to_validators);
  r.set(e.to_treasury, x.to_treasury);
  r.set(e.circulating, x.circulating);
  r.set(e.locked, x.locked);
  r.set(e.vesting, x.vesting);
  r.set(e.protocol, x.protocol);
  r.set(e.treasury, x.treasury);
  r.set(e.market, x.market);
  r.set(e.unmet_burn, x.unmet_burn);
  r.set(e.price, x.price_usd);
  r.set(e.market_cap, x.circulating * x.price_usd);
  r.set(e.emission_usd, x.minted * x.price_usd);
  r.set(e.demand_usd, x.demand_usd);
  r.set(e.usd_kept, x.usd_kept);
  r.set(e.burn_mint_ratio, ratio(x.burned, x.minted));
  r.set(e.tokens_sold, x.tokens_sold);
  r.set(e.usd_to_sellers, x.usd_to_sellers);
  r.set(e.usd_per_accepted_reading, t.usd_per_accepted_reading);
  r.set(e.active, x.operators_active);
  r.set(e.joined, x.operators_joined);
  r.set(e.left, x.operators_left);
  r.set(e.slashed_operators, x.operators_slashed);
  r.set(e.nodes_joined, t.nodes_joined);
  r.set(e.nodes_left, t.nodes_left);
  r.set(e.share_profitable, x.share_profitable);
  r.set(e.mean_roi, x.mean_roi);
  r.set(e.median_roi, x.median_roi);
  r.set(e.gini_rewards, x.gini_rewards);
  r.set(e.nakamoto_rewards, x.nakamoto_rewards);
  r.set(e.gini_stake, x.gini_stake);
  r.set(e.nakamoto_stake, x.nakamoto_stake);
  for (std::size_t c = 0; c < e.payback_days.size(); ++c) {
    r.set(e.payback_days[c], c < t.payback_days.size() ? t.payback_days[c] : ratio(0.0, 0.0));
    r.set(e.paid_back_share[c], c < t.paid_back_share.size() ? t.paid_back_share[c] : 0.0);
  }
  if (layout_.providers) {
    r.set(e.to_storage, x.to_storage);
    r.set(e.to_compute, x.to_compute);
    r.set(e.client_usd, x.client_usd);
    r.set(e.client_tokens, x.client_tokens);
    r.set(e.take_tokens, x.take_tokens);
    r.set(e.service_burn_usd, x.service_burn_usd);
    r.set(e.endowment_in, x.endowment_in);
    r.set(e.endowment_out, x.endowment_out);
    r.set(e.endowment, x.endowment);
    r.set(e.collateral_locked, x.collateral_locked);
    r.set(e.collateral_released, x.collateral_released);
    r.set(e.collateral, x.collateral);
    r.set(e.penalties, x.penalties);
    r.set(e.penalties_to_reporters, x.penalties_to_reporters);
    r.set(e.penalties_unpaid, x.penalties_unpaid);
  }
}

void SensorMetrics::record(const EpochTally& t) {
  auto& r = recorder_;
  r.set(epoch_, t.epoch);
  r.set(end_days_, static_cast<double>(t.epoch + 1) * layout_.epoch_days);
  r.set(sensors_, t.sensors);
  const std::int64_t accepted = sum(t.accepted);
  const std::int64_t arrived = sum(t.arrived);
  const std::int64_t bad_arrived = sum(t.bad_arrived);
  const std::int64_t bad_accepted = sum(t.bad_accepted);
  r.set(submitted_, sum(t.submitted));
  r.set(lost_, sum(t.lost));
  r.set(late_, sum(t.late));
  r.set(arrived_, arrived);
  r.set(accepted_, accepted);
  r.set(rejected_, arrived - accepted);
  r.set(rejected_bounds_, t.rejected_bounds);
  r.set(rejected_jump_, t.rejected_jump);
  r.set(rejected_outlier_, t.rejected_outlier);
  r.set(rejected_constant_, t.rejected_constant);
  r.set(unverified_, t.unverified);
  r.set(bad_arrived_, bad_arrived);
  r.set(bad_accepted_, bad_accepted);
  r.set(rmse_c_, accepted == 0
                     ? std::numeric_limits<double>::quiet_NaN()
                     : std::sqrt(t.accepted_sq_error_sum / static_cast<double>(accepted)));
  r.set(false_accept_rate_, ratio(bad_accepted, bad_arrived));
  const std::int64_t good_arrived = arrived - bad_arrived;
  const std::int64_t good_accepted = accepted - bad_accepted;
  r.set(false_reject_rate_, ratio(good_arrived - good_accepted, good_arrived));
  for (std::size_t b = 0; b < kBehaviourCount; ++b) {
    r.set(online_[b], t.online[b]);
    r.set(b_submitted_[b], t.submitted[b]);
    r.set(b_arrived_[b], t.arrived[b]);
    r.set(b_accepted_[b], t.accepted[b]);
    r.set(b_rejected_[b], t.arrived[b] - t.accepted[b]);
    r.set(b_bad_accepted_[b], t.bad_accepted[b]);
  }
  for (std::size_t k = 0; k < checks_.size(); ++k) {
    const CheckTally c = k < t.checks.size() ? t.checks[k] : CheckTally{};
    const CheckSeries& s = checks_[k];
    r.set(s.judged, c.judged);
    r.set(s.rejected_bad, c.rejected_bad);
    r.set(s.rejected_good, c.rejected_good);
    r.set(s.passed_bad, c.passed_bad);
    r.set(s.false_accept_rate, ratio(c.passed_bad, c.passed_bad + c.rejected_bad));
    const std::int64_t good = c.judged - c.passed_bad - c.rejected_bad;
    r.set(s.false_reject_rate, ratio(c.rejected_good, good));
  }
  r.set(hexes_, t.hexes);
  r.set(hexes_claimed_share_, ratio(t.hexes_claimed, t.hexes));
  r.set(hexes_valid_share_, ratio(t.hexes_valid, t.hexes));
  if (layout_.coverage) {
    const CoverageTally& c = t.coverage;
    r.set(forged_reports_, c.forged_reports);
    r.set(forged_valid_, c.forged_valid);
    r.set(genuine_reports_, c.genuine_reports);
    r.set(genuine_rejected_, c.genuine_rejected);
    for (std::size_t b = 0; b < kBehaviourCount; ++b) {
      r.set(beacons_[b], c.beacons[b]);
      r.set(beacons_valid_[b], c.beacons_valid[b]);
      r.set(reports_[b], c.reports[b]);
      r.set(reports_valid_[b], c.reports_valid[b]);
      r.set(units_[b], c.units[b]);
    }
  }
  Tokens dishonest = 0;
  for (std::size_t b = 0; b < kBehaviourCount; ++b) {
    r.set(flagged_[b], t.flagged[b]);
    r.set(pol_mean_[b], ratio(t.pol_sum[b], static_cast<double>(t.online[b])));
    r.set(paid_[b], to_tokens(t.paid[b]));
    r.set(cost_usd_[b], t.cost_usd[b]);
    r.set(earned_usd_[b], t.earned_usd[b]);
    if (is_dishonest(static_cast<Behaviour>(b))) dishonest += t.paid[b];
  }
  r.set(minted_, to_tokens(t.minted));
  r.set(undistributed_, to_tokens(t.undistributed));
  r.set(supply_, to_tokens(t.supply));
  r.set(fraud_leakage_, ratio(static_cast<double>(dishonest), static_cast<double>(t.minted)));
  record_economy(t);
  r.end_row();
  add_to_totals(t);
}

void SensorMetrics::add_to_totals(const EpochTally& t) {
  auto add = [](auto& into, const auto& from) {
    for (std::size_t b = 0; b < into.size(); ++b)
      into[b] += from[b];
  };
  totals_.epoch = t.epoch + 1;  // epochs recorded
  totals_.sensors = t.sensors;
  totals_.online = t.online;
  totals_.flagged = t.flagged;
  add(totals_.submitted, t.submitted);
  add(totals_.lost, t.lost);
  add(totals_.late, t.late);
  add(totals_.arrived, t.arrived);
  add(totals_.accepted, t.accepted);
  add(totals_.bad_arrived, t.bad_arrived);
  add(totals_.bad_accepted, t.bad_accepted);
  totals_.rejected_bounds += t.rejected_bounds;
  totals_.rejected_jump += t.rejected_jump;
  totals_.rejected_outlier += t.rejected_outlier;
  totals_.rejected_constant += t.rejected_constant;
  totals_.unverified += t.unverified;
  totals_.accepted_sq_error_sum += t.accepted_sq_error_sum;
  for (std::size_t k = 0; k < t.checks.size() && k < totals_.checks.size(); ++k) {
    totals_.checks[k].judged += t.checks[k].judged;
    totals_.checks[k].rejected_bad += t.checks[k].rejected_bad;
    totals_.checks[k].rejected_good += t.checks[k].rejected_good;
    totals_.checks[k].passed_bad += t.checks[k].passed_bad;
  }
  CoverageTally& c = totals_.coverage;
  add(c.beacons, t.coverage.beacons);
  add(c.beacons_valid, t.coverage.beacons_valid);
  add(c.reports, t.coverage.reports);
  add(c.reports_valid, t.coverage.reports_valid);
  add(c.units, t.coverage.units);
  c.forged_reports += t.coverage.forged_reports;
  c.forged_valid += t.coverage.forged_valid;
  c.genuine_reports += t.coverage.genuine_reports;
  c.genuine_rejected += t.coverage.genuine_rejected;
  totals_.hexes = t.hexes;
  totals_.hexes_claimed = t.hexes_claimed;
  totals_.hexes_valid = t.hexes_valid;
  totals_.minted += t.minted;
  totals_.undistributed += t.undistributed;
  totals_.providers_paid += t.providers_paid;
  add(totals_.paid, t.paid);
  add(totals_.cost_usd, t.cost_usd);
  add(totals_.earned_usd, t.earned_usd);
  totals_.supply = t.supply;
  totals_.nodes_joined += t.nodes_joined;
  totals_.nodes_left += t.nodes_left;
  // The economy's states as at the last epoch, its flows summed over the run.
  const EconomyTally before = totals_.economy;
  EconomyTally& x = totals_.economy;
  x = t.economy;
  x.minted += before.minted;
  x.reminted += before.reminted;
  x.burned += before.burned;
  x.slashed += before.slashed;
  x.not_minted += before.not_minted;
  x.to_nodes += before.to_nodes;
  x.to_validators += before.to_validators;
  x.to_treasury += before.to_treasury;
  x.demand_usd += before.demand_usd;
  x.usd_kept += before.usd_kept;
  x.tokens_sold += before.tokens_sold;
  x.usd_to_sellers += before.usd_to_sellers;
  x.unmet_burn += before.unmet_burn;
  x.operators_joined += before.operators_joined;
  x.operators_left += before.operators_left;
  x.operators_slashed += before.operators_slashed;
}

}  // namespace models
