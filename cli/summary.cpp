#include "cli/summary.hpp"

#include "sim/config.hpp"

#include <cmath>
#include <cstdio>
#include <numeric>
#include <ostream>
#include <string>

namespace depinsim_cli {

namespace {

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

std::string percent(double fraction) {
  return std::isnan(fraction) ? "n/a" : fixed(100.0 * fraction, 1) + "%";
}

std::int64_t total(const models::EpochTally::PerBehaviour& v) {
  return std::accumulate(v.begin(), v.end(), std::int64_t{0});
}

double ratio(double num, double den) {
  return den == 0 ? std::nan("") : num / den;
}

/// JSON has no NaN: undefined figures are null.
std::string json_number(double x) {
  return std::isfinite(x) ? sim::config::format_number(x) : "null";
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

RunSummary RunSummary::of(const models::Scenario& scenario, const models::SensorWorld& world,
                          double wall_seconds) {
  const models::EpochTally& t = world.metrics().totals();
  RunSummary s;
  s.scenario = scenario.name;
  s.seed = scenario.seed;
  s.sensors = t.sensors;
  s.epochs = t.epoch;
  s.epoch_length = sim::format_duration(scenario.epoch);
  s.submitted = total(t.submitted);
  s.arrived = total(t.arrived);
  s.late = total(t.late);
  s.lost = total(t.lost);
  s.accepted = total(t.accepted);
  const auto d = [](std::int64_t x) { return static_cast<double>(x); };
  s.accepted_fraction = ratio(d(s.accepted), d(s.arrived));
  const std::int64_t bad_arrived = total(t.bad_arrived), bad_accepted = total(t.bad_accepted);
  s.bad_accepted_fraction = ratio(d(bad_accepted), d(bad_arrived));
  s.good_rejected_fraction =
      ratio(d(s.arrived - bad_arrived - (s.accepted - bad_accepted)), d(s.arrived - bad_arrived));
  s.rmse_c = std::sqrt(ratio(t.accepted_sq_error_sum, d(s.accepted)));
  s.tokens_minted = models::to_tokens(t.minted);
  double dishonest = 0;
  for (std::size_t b = 0; b < models::kBehaviourCount; ++b) {
    s.tokens_paid[b] = models::to_tokens(t.paid[b]);
    if (models::is_dishonest(static_cast<models::Behaviour>(b))) dishonest += s.tokens_paid[b];
  }
  const auto& sensors = world.sensors();
  for (std::size_t i = 0; i < sensors.size(); ++i) {
    if (sensors.joins_at[i] != sim::Time::max())
      ++s.nodes[static_cast<std::size_t>(sensors.behaviour[i])];
  }
  const models::EconomyTally& x = t.economy;
  s.price_usd = x.price_usd;
  s.tokens_burned = x.burned;
  s.operators_active = x.operators_active;
  s.operators_joined = x.operators_joined;
  s.operators_left = x.operators_left;
  s.share_profitable = x.share_profitable;
  s.median_roi = x.median_roi;
  s.fraud_leakage = ratio(dishonest, s.tokens_minted);
  for (std::size_t b = 0; b < models::kBehaviourCount; ++b) {
    if (!models::is_dishonest(static_cast<models::Behaviour>(b))) continue;
    s.dishonest_cost_usd += t.cost_usd[b];
    s.dishonest_earned_usd += t.earned_usd[b];
  }
  if (const models::StorageNetwork* net = world.storage()) {
    const models::StorageStats& last = net->last_epoch();
    const models::StorageStats& all = net->totals();
    s.storage_providers = static_cast<std::int64_t>(net->size());
    s.storage_bytes_held = last.bytes_held;
    s.storage_bytes_proven = last.bytes_proven;
    s.storage_bytes_lost = all.bytes_lost;
    s.storage_deals_lost = all.deals_lost;
    s.storage_faults_detected = all.faults_detected;
    s.storage_terminations = all.terminations;
    s.storage_mean_detect_days = all.mean_time_to_detect_days();
    s.storage_fees_tokens = all.fees_tokens;
    s.storage_damage_usd = all.damage_usd;
  }
  if (const models::ComputeNetwork* net = world.compute()) {
    const models::ComputeTally& all = net->totals();
    s.compute_providers = static_cast<std::int64_t>(net->size());
    s.jobs_arrived = all.arrived;
    s.jobs_accepted = all.accepted;
    s.jobs_wrong_accepted = all.wrong_accepted;
    s.jobs_missed = all.deadline_misses;
    s.compute_verification_share =
        ratio(all.verification_work_units, all.job_work_units + all.verification_work_units);
    s.compute_slashed_tokens = all.slashed_tokens;
  }
  s.wall_seconds = wall_seconds;
  s.node_days = static_cast<double>(s.sensors + s.storage_providers + s.compute_providers) *
                static_cast<double>(world.closed_epochs()) * scenario.epoch.to_days();
  return s;
}

namespace {

void print_sensor_lines(std::ostream& out, const RunSummary& s) {
  out << "  readings   submitted " << s.submitted << ", arrived " << s.arrived << ", late "
      << s.late << ", lost " << s.lost << "\n";
  out << "  quality    accepted " << percent(s.accepted_fraction)
      << " of arrived; bad data accepted " << percent(s.bad_accepted_fraction)
      << "; good data rejected " << percent(s.good_rejected_fraction) << "; RMSE of accepted "
      << fixed(s.rmse_c, 3) << " degC\n";
  out << "  tokens     minted " << fixed(s.tokens_minted, 0) << "; fraud leakage "
      << percent(s.fraud_leakage) << "; paid to";
  const char* sep = " ";
  for (std::size_t b = 0; b < models::kBehaviourCount; ++b) {
    if (s.nodes[b] == 0) continue;
    out << sep << models::kBehaviourNames[b] << " "
        << percent(ratio(s.tokens_paid[b], s.tokens_minted));
    sep = ", ";
  }
  out << "\n";
  if (s.dishonest_cost_usd > 0 || s.dishonest_earned_usd > 0) {
    out << "  fraud      dishonest operators spent " << fixed(s.dishonest_cost_usd, 0)
        << " USD and earned " << fixed(s.dishonest_earned_usd, 0) << " USD\n";
  }
}

void print_economy_lines(std::ostream& out, const RunSummary& s) {
  out << "  economy    price " << fixed(s.price_usd, 4) << " USD at the end; burned "
      << fixed(s.tokens_burned, 0) << "; operators " << s.operators_active << " active (+"
      << s.operators_joined << " joined, -" << s.operators_left << " left), "
      << percent(s.share_profitable) << " profitable last epoch, median ROI "
      << fixed(s.median_roi, 2) << "\n";
  out << "  wall time  " << fixed(s.wall_seconds, 2) << " s (" << fixed(s.node_days / 1e6, 2)
      << " M node-days, " << fixed(s.node_days / 1e6 / s.wall_seconds, 2) << " M node-days/s)\n";
}

}  // namespace

void print_table(std::ostream& out, const RunSummary& s) {
  out << s.scenario << " (seed " << s.seed << "): " << s.sensors << " sensors, ";
  if (s.storage_providers > 0) out << s.storage_providers << " storage providers, ";
  if (s.compute_providers > 0) out << s.compute_providers << " compute providers, ";
  out << s.epochs << " epochs of " << s.epoch_length << "\n";
  if (s.storage_providers > 0) {
    const double tib = 1024.0 * 1024 * 1024 * 1024;
    out << "  storage    held " << fixed(s.storage_bytes_held / tib, 1) << " TiB, proven "
        << fixed(s.storage_bytes_proven / tib, 1) << " TiB at the end; lost "
        << fixed(s.storage_bytes_lost / tib, 2) << " TiB (" << s.storage_deals_lost
        << " deals); faults detected " << s.storage_faults_detected << " (mean "
        << fixed(s.storage_mean_detect_days, 2) << " d to detect), terminated "
        << s.storage_terminations << "; fees " << fixed(s.storage_fees_tokens, 1)
        << " tokens against " << fixed(s.storage_damage_usd, 0) << " USD of damage\n";
  }
  if (s.compute_providers > 0) {
    out << "  compute    jobs " << s.jobs_arrived << " arrived, " << s.jobs_accepted
        << " accepted, " << s.jobs_wrong_accepted << " wrong results accepted, " << s.jobs_missed
        << " deadlines missed; verification " << percent(s.compute_verification_share)
        << " of compute; slashed " << fixed(s.compute_slashed_tokens, 0) << " tokens\n";
  }
  if (s.sensors > 0 || (s.storage_providers == 0 && s.compute_providers == 0)) {
    print_sensor_lines(out, s);
  } else {
    out << "  tokens     minted " << fixed(s.tokens_minted, 0) << "\n";
  }
  print_economy_lines(out, s);
}

void print_json(std::ostream& out, const RunSummary& s, const std::string& output_path) {
  out << "{\"scenario\": " << json_string(s.scenario) << ", \"seed\": " << s.seed
      << ", \"sensors\": " << s.sensors << ", \"epochs\": " << s.epochs
      << ", \"epoch\": " << json_string(s.epoch_length)
      << ",\n \"readings\": {\"submitted\": " << s.submitted << ", \"arrived\": " << s.arrived
      << ", \"late\": " << s.late << ", \"lost\": " << s.lost << ", \"accepted\": " << s.accepted
      << "},\n \"quality\": "
      << "{\"accepted_fraction\": " << json_number(s.accepted_fraction)
      << ", \"bad_accepted_fraction\": " << json_number(s.bad_accepted_fraction)
      << ", \"good_rejected_fraction\": " << json_number(s.good_rejected_fraction)
      << ", \"rmse_c\": " << json_number(s.rmse_c)
      << "},\n \"tokens\": {\"minted\": " << json_number(s.tokens_minted)
      << ", \"fraud_leakage\": " << json_number(s.fraud_leakage)
      << ", \"dishonest_cost_usd\": " << json_number(s.dishonest_cost_usd)
      << ", \"dishonest_earned_usd\": " << json_number(s.dishonest_earned_usd) << ", \"paid\": {";
  for (std::size_t b = 0; b < models::kBehaviourCount; ++b) {
    out << (b == 0 ? "" : ", ") << json_string(std::string(models::kBehaviourNames[b])) << ": "
        << json_number(s.tokens_paid[b]);
  }
  out << "}},\n \"economy\": {\"price_usd\": " << json_number(s.price_usd)
      << ", \"burned\": " << json_number(s.tokens_burned)
      << ", \"operators_active\": " << s.operators_active
      << ", \"operators_joined\": " << s.operators_joined
      << ", \"operators_left\": " << s.operators_left
      << ", \"share_profitable\": " << json_number(s.share_profitable)
      << ", \"median_roi\": " << json_number(s.median_roi)
      << "},\n \"wall_seconds\": " << json_number(s.wall_seconds)
      << ", \"node_days\": " << json_number(s.node_days)
      << ", \"output\": " << json_string(output_path) << "}\n";
}

}  // namespace depinsim_cli
