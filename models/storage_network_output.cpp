// StorageNetwork's outputs: the "storage/..." series, one row per epoch, and its /nodes rows.
#include <algorithm>
#include <array>
#include <numeric>
#include <string>

#include "models/storage_network.hpp"

namespace models {

void StorageNetwork::declare_series() {
  Series& s = series_;
  sim::Recorder& r = recorder_;
  s.online = r.count("storage/providers_online", "1",
                     "providers in the network and not in an outage at the epoch's end");
  s.arrived = r.count("storage/deals_arrived", "1", "deals clients asked to store");
  s.placed = r.count("storage/deals_placed", "1", "deals placed with all their replicas");
  s.rejected = r.count("storage/deals_rejected", "1",
                       "deals refused: too few providers online with room for them");
  s.held = r.real("storage/bytes_held", "B",
                  "bytes of replicas truly on providers' disks at the epoch's end (truth)");
  s.proven = r.real("storage/bytes_proven", "B",
                    "bytes of replicas the oracle accepted proofs for in the last period");
  s.committed = r.real("storage/bytes_claimed", "B",
                       "bytes of replicas providers claim to store (committed and not ended)");
  s.active = r.count("storage/units_active", "1", "replicas the oracle counts as sound");
  s.faulty = r.count("storage/units_faulty", "1", "replicas the oracle counts as faulty");
  s.new_faults =
      r.count("storage/new_faults", "1",
              "replicas that stopped being held this epoch: lost, dropped, gone (truth)");
  s.detected = r.count("storage/faults_detected", "1",
                       "replicas newly found faulty by a missing or disputed proof");
  s.ttd = r.real("storage/mean_time_to_detect_days", "d",
                 "mean time from a replica going bad to its detection (NaN: none detected)");
  s.ttd_max = r.real("storage/max_time_to_detect_days", "d",
                     "longest time from a replica going bad to its detection (0: none detected)");
  s.recoveries = r.count("storage/recoveries", "1", "faulty replicas declared and proven again");
  s.terminations = r.count("storage/terminations", "1",
                           "replicas terminated after proofs.terminate_after faulty");
  s.disputes = r.count("storage/disputes", "1", "invalid proofs disputed (one per deadline)");
  s.lost = r.real("storage/data_lost_bytes", "B", "bytes of deals whose last replica went");
  s.deals_lost = r.count("storage/deals_lost", "1", "deals whose last replica went (truth)");
  s.repairs = r.count("storage/repairs", "1", "replicas re-made from a surviving replica");
  s.repairs_failed = r.count("storage/repairs_failed", "1",
                             "terminated replicas that could not be re-made: no source or room");
  s.repair_bytes = r.real("storage/repair_bytes", "B", "bytes copied to re-make replicas");
  s.fees = r.real("storage/fees_tokens", "tokens",
                  "fault, invalid-proof and termination fees charged to providers");
  s.daily_fee = r.real("storage/daily_fee_tokens", "tokens", "FIP-0100 daily fees charged");
  s.damage = r.real("storage/damage_usd", "USD",
                    "value of the deals lost (what their clients pay for them)");
  s.client = r.real("storage/client_usd", "USD",
                    "clients' payments to providers (arweave: the miners' 1/21 of fees)");
  s.collateral = r.real("storage/collateral_locked_tokens", "tokens",
                        "initial pledge locked by live replicas at the epoch's end");
  s.qap = r.real("storage/qap_bytes", "B", "quality-adjusted power proven in the last period");
  for (std::size_t b = 0; b < kStorageBehaviourCount; ++b) {
    const std::string name(kStorageBehaviourNames[b]);
    s.providers[b] = r.count("storage/" + name + "/providers", "1",
                             name + " providers in the network (not gone) at the epoch's end");
    s.reward_share[b] = r.real("storage/" + name + "/reward_share", "1",
                               "share of the epoch's reward weight held by " + name + " providers");
  }
  if (spec_.payment == StoragePayment::arweave) {
    s.deposit = r.real("storage/endowment/deposit_usd", "USD", "clients' fees into the endowment");
    s.payout = r.real("storage/endowment/payout_tokens", "tokens", "paid to providers from it");
    s.shortfall = r.real("storage/endowment/shortfall_tokens", "tokens",
                         "owed to providers but not paid: the endowment was empty");
    s.balance = r.real("storage/endowment/balance_tokens", "tokens",
                       "endowment balance at the epoch's open");
    s.multiplier = r.real("storage/endowment/fee_multiplier", "1",
                          "Kryder+ fee multiplier at the epoch's end (doubles when it runs dry)");
  }
}

void StorageNetwork::record(const MarketView& view, const ProviderEpochs& out) {
  StorageStats& t = last_;
  const sim::Time end_tick = view.end - sim::Time::micros(1);
  std::array<std::int64_t, kStorageBehaviourCount> present{};
  std::array<double, kStorageBehaviourCount> weight{};
  double weights = 0.0;
  for (std::size_t p = 0; p < size(); ++p) {
    const auto b = static_cast<std::size_t>(pop_.behaviour[p]);
    if (view.end <= leaves_at_[p]) ++present[b];
    if (online(p, end_tick)) ++t.providers_online;
    weight[b] += out.providers[p].reward_weight;
    weights += out.providers[p].reward_weight;
  }
  t.units_active = static_cast<std::int64_t>(ledger_.active());
  t.units_faulty = static_cast<std::int64_t>(ledger_.faulty());
  t.bytes_held = std::accumulate(stored_bytes_.begin(), stored_bytes_.end(), 0.0);
  t.bytes_proven = std::accumulate(power_raw_.begin(), power_raw_.end(), 0.0);
  t.bytes_committed = std::accumulate(committed_bytes_.begin(), committed_bytes_.end(), 0.0);
  t.collateral_locked_tokens = collateral_locked_;
  t.qap_bytes = std::accumulate(power_qap_.begin(), power_qap_.end(), 0.0);

  const Series& s = series_;
  sim::Recorder& r = recorder_;
  r.set(s.online, t.providers_online);
  r.set(s.arrived, t.deals_arrived);
  r.set(s.placed, t.deals_placed);
  r.set(s.rejected, t.deals_rejected);
  r.set(s.held, t.bytes_held);
  r.set(s.proven, t.bytes_proven);
  r.set(s.committed, t.bytes_committed);
  r.set(s.active, t.units_active);
  r.set(s.faulty, t.units_faulty);
  r.set(s.new_faults, t.new_faults);
  r.set(s.detected, t.faults_detected);
  r.set(s.ttd, t.mean_time_to_detect_days());
  r.set(s.ttd_max, t.detect_days_max);
  r.set(s.recoveries, t.recoveries);
  r.set(s.terminations, t.terminations);
  r.set(s.disputes, t.disputes);
  r.set(s.lost, t.bytes_lost);
  r.set(s.deals_lost, t.deals_lost);
  r.set(s.repairs, t.repairs);
  r.set(s.repairs_failed, t.repairs_failed);
  r.set(s.repair_bytes, t.repair_bytes);
  r.set(s.fees, t.fees_tokens);
  r.set(s.daily_fee, t.daily_fee_tokens);
  r.set(s.damage, t.damage_usd);
  r.set(s.client, t.client_usd);
  r.set(s.collateral, t.collateral_locked_tokens);
  r.set(s.qap, t.qap_bytes);
  for (std::size_t b = 0; b < kStorageBehaviourCount; ++b) {
    r.set(s.providers[b], present[b]);
    r.set(s.reward_share[b], weights > 0.0 ? weight[b] / weights : 0.0);
  }
  if (spec_.payment == StoragePayment::arweave) {
    r.set(s.deposit, t.endowment_deposit_usd);
    r.set(s.payout, t.endowment_paid_tokens);
    r.set(s.shortfall, t.endowment_shortfall_tokens);
    r.set(s.balance, view.endowment_tokens);
    r.set(s.multiplier, endowment_.fee_multiplier());
  }
  r.end_row();

  // Totals: flows add up, levels are the latest.
  StorageStats& a = totals_;
  a.deals_arrived += t.deals_arrived;
  a.deals_placed += t.deals_placed;
  a.deals_rejected += t.deals_rejected;
  a.deals_lost += t.deals_lost;
  a.new_faults += t.new_faults;
  a.faults_detected += t.faults_detected;
  a.recoveries += t.recoveries;
  a.terminations += t.terminations;
  a.disputes += t.disputes;
  a.repairs += t.repairs;
  a.repairs_failed += t.repairs_failed;
  a.detections_timed += t.detections_timed;
  a.bytes_lost += t.bytes_lost;
  a.repair_bytes += t.repair_bytes;
  a.fees_tokens += t.fees_tokens;
  a.daily_fee_tokens += t.daily_fee_tokens;
  a.damage_usd += t.damage_usd;
  a.client_usd += t.client_usd;
  a.detect_days_sum += t.detect_days_sum;
  a.detect_days_max = std::max(a.detect_days_max, t.detect_days_max);
  a.endowment_deposit_usd += t.endowment_deposit_usd;
  a.endowment_paid_tokens += t.endowment_paid_tokens;
  a.endowment_shortfall_tokens += t.endowment_shortfall_tokens;
  a.providers_online = t.providers_online;
  a.units_active = t.units_active;
  a.units_faulty = t.units_faulty;
  a.bytes_held = t.bytes_held;
  a.bytes_proven = t.bytes_proven;
  a.bytes_committed = t.bytes_committed;
  a.collateral_locked_tokens = t.collateral_locked_tokens;
  a.qap_bytes = t.qap_bytes;
}

NodeTable StorageNetwork::nodes() const {
  NodeTable t;
  const std::size_t n = size();
  t.behaviour.reserve(n);
  t.hardware.reserve(n);
  for (std::size_t p = 0; p < n; ++p) {
    t.behaviour.emplace_back(name_of(pop_.behaviour[p]));
    t.hardware.push_back(pop_.spec_of(p).hardware.name);
    t.group.push_back(pop_.group[p]);
  }
  t.x_km = pop_.x_km;
  t.y_km = pop_.y_km;
  std::vector<double> units(n), faults(n);
  for (std::size_t p = 0; p < n; ++p) {
    units[p] = static_cast<double>(units_of_[p].size());
    faults[p] = static_cast<double>(faults_of_[p]);
  }
  t.extra.push_back({"capacity_bytes", "B", "true storage capacity", pop_.capacity_bytes});
  t.extra.push_back({"claimed_capacity_bytes", "B", "capacity offered (generators claim more)",
                     pop_.claimed_bytes});
  t.extra.push_back(
      {"bytes_claimed", "B", "bytes of live replicas committed at the end", committed_bytes_});
  t.extra.push_back({"bytes_held", "B", "bytes truly held at the end (truth)", stored_bytes_});
  t.extra.push_back({"bytes_proven", "B", "bytes proven in the last period", power_raw_});
  t.extra.push_back({"replicas", "1", "live replicas at the end", std::move(units)});
  t.extra.push_back(
      {"faults_detected", "1", "replicas found faulty over the run", std::move(faults)});
  t.extra.push_back({"fees_tokens", "tokens", "fees charged over the run", fees_of_});
  return t;
}

}  // namespace models
