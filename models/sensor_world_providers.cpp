// SensorWorld's storage and compute networks: building them, giving their operators ids in the
// run's economy, stepping them each epoch and booking what they report.
#include <algorithm>
#include <cmath>

#include "models/sensor_world.hpp"

namespace models {

namespace {

sim::LinkModel provider_links(const NetworkSpec& n) {
  sim::LinkModel link;
  link.base_latency = n.base_latency;
  link.per_km_latency_us = n.per_km_latency_us;
  link.jitter_mean = n.jitter_mean;
  link.loss_per_hop = n.loss_per_hop;
  return link;
}

// Whose operators run a group's providers: "own", "sensor" or "storage".
std::string_view operated_by(const StorageGroupSpec& g) {
  return g.operated_by;
}
std::string_view operated_by(const ComputeGroupSpec& g) {
  switch (g.operated_by) {
    case ComputeOperatedBy::sensor:
      return "sensor";
    case ComputeOperatedBy::storage:
      return "storage";
    case ComputeOperatedBy::own:
      break;
  }
  return "own";
}

// Global operator ids for a network's operators, one per provider. A group's operators are its
// own (new ids from `next`) or, with `operated_by`, those of another kind's operators taken in
// turn, so that one operator runs nodes of several kinds.
template <class Net, class Group>
std::vector<std::uint32_t> global_operators(const Net& net, const std::vector<Group>& groups,
                                            std::size_t& next,
                                            const std::vector<std::uint32_t>& sensor_ops,
                                            const std::vector<std::uint32_t>& storage_ops) {
  std::vector<std::int64_t> group_of_local(net.operators(), -1);
  for (std::size_t i = 0; i < net.size(); ++i) {
    auto& g = group_of_local[net.operator_of(i)];
    if (g < 0) g = static_cast<std::int64_t>(net.group_of(i));
  }
  std::vector<std::uint32_t> global(net.operators(), 0);
  std::size_t shared_sensor = 0, shared_storage = 0;
  for (std::size_t l = 0; l < global.size(); ++l) {
    if (group_of_local[l] < 0) continue;  // an operator with no provider
    const std::string_view by = operated_by(groups[static_cast<std::size_t>(group_of_local[l])]);
    if (by == "sensor" && !sensor_ops.empty()) {
      global[l] = sensor_ops[shared_sensor++ % sensor_ops.size()];
    } else if (by == "storage" && !storage_ops.empty()) {
      global[l] = storage_ops[shared_storage++ % storage_ops.size()];
    } else {
      global[l] = static_cast<std::uint32_t>(next++);
    }
  }
  std::vector<std::uint32_t> of(net.size());
  for (std::size_t i = 0; i < net.size(); ++i)
    of[i] = global[net.operator_of(i)];
  return of;
}

Tokens units_or_zero(double tokens) {
  return tokens > 0.0 ? to_units(tokens) : 0;
}

}  // namespace

void SensorWorld::build_providers() {
  std::size_t next = sensors_.operators;
  // Operators that share: the sensors' operators running from the start, in id order.
  std::vector<std::uint32_t> sensor_ops;
  {
    std::vector<std::uint8_t> waiting(sensors_.operators, 0);
    for (std::uint32_t op : sensors_.reserve_operators)
      waiting[op] = 1;
    for (std::uint32_t op = 0; op < sensors_.operators; ++op) {
      if (waiting[op] == 0 && !nodes_of_[op].empty()) sensor_ops.push_back(op);
    }
  }
  const sim::TopologySpec topology = topology_spec(scenario_.network);
  const sim::LinkModel link = provider_links(scenario_.network);
  if (!scenario_.storage_groups.empty()) {
    storage_ = std::make_unique<StorageNetwork>(scenario_.storage, scenario_.storage_groups,
                                                scenario_.width_km, scenario_.height_km, topology,
                                                link, streams_);
    storage_operator_ = global_operators(*storage_, scenario_.storage_groups, next, sensor_ops, {});
    storage_reward_.assign(storage_->size(), 0);
  }
  if (!scenario_.compute_groups.empty()) {
    std::vector<std::uint32_t> storage_ops = storage_operator_;
    std::sort(storage_ops.begin(), storage_ops.end());
    storage_ops.erase(std::unique(storage_ops.begin(), storage_ops.end()), storage_ops.end());
    compute_ = std::make_unique<ComputeNetwork>(scenario_.compute, scenario_.compute_groups,
                                                scenario_.width_km, scenario_.height_km, streams_);
    compute_operator_ =
        global_operators(*compute_, scenario_.compute_groups, next, sensor_ops, storage_ops);
    compute_reward_.assign(compute_->size(), 0);
  }
  operators_ = next;
}

SensorWorld::ProviderRound SensorWorld::step_providers(const TokenEconomy::EpochOpening& open,
                                                       std::int64_t epoch) {
  ProviderRound round;
  round.activity.assign(operators_, OperatorActivity{});
  if (!storage_ && !compute_) return round;
  MarketView view;
  view.epoch = epoch;
  view.start = scenario_.epoch * epoch;
  view.end = view.start + scenario_.epoch;
  view.price_usd = economy_->price_usd();
  view.circulating_tokens = to_tokens(ledger_.circulating());
  view.endowment_tokens = to_tokens(ledger_.balance(economy_->endowment()));
  if (storage_) {
    view.role_pool_tokens = to_tokens(open.to_storage);
    const ProviderEpochs e = storage_->step(view);
    economy_->deposit_endowment(e.endowment_deposit_usd);
    book_providers(e, open.to_storage, storage_operator_, storage_reward_, round);
  }
  if (compute_) {
    view.role_pool_tokens = to_tokens(open.to_compute);
    view.endowment_tokens = 0.0;
    const ProviderEpochs e = compute_->step(view);
    book_providers(e, open.to_compute, compute_operator_, compute_reward_, round);
  }
  return round;
}

void SensorWorld::book_providers(const ProviderEpochs& epoch, Tokens pool,
                                 const std::vector<std::uint32_t>& operator_of,
                                 std::vector<Tokens>& totals, ProviderRound& round) {
  if (epoch.providers.size() != operator_of.size()) {
    throw std::logic_error("SensorWorld: a network reported " +
                           std::to_string(epoch.providers.size()) + " providers, not " +
                           std::to_string(operator_of.size()));
  }
  double weights = 0.0;
  for (const ProviderEpoch& p : epoch.providers)
    weights += std::max(0.0, p.reward_weight);
  Tokens paid = 0;
  for (std::size_t i = 0; i < operator_of.size(); ++i) {
    const ProviderEpoch& p = epoch.providers[i];
    OperatorActivity& a = round.activity[operator_of[i]];
    if (weights > 0.0 && p.reward_weight > 0.0) {
      // floor(pool · w / W) in long double: the shares never add up to more than the pool.
      const auto share = static_cast<Tokens>(
          std::floor(static_cast<long double>(pool) * p.reward_weight / weights));
      const Tokens x = std::min(share, pool - paid);
      a.payout += x;
      totals[i] += x;
      paid += x;
    }
    a.client_usd += p.client_usd;
    a.take_usd += p.take_usd;
    a.burn_usd += p.burn_usd;
    a.endowment += units_or_zero(p.endowment_tokens);
    if (p.collateral_tokens > 0.0) {
      a.collateral_lock += units_or_zero(p.collateral_tokens);
    } else {
      a.collateral_release += units_or_zero(-p.collateral_tokens);
    }
    a.penalty += units_or_zero(p.penalty_tokens);
    a.to_reporters += units_or_zero(std::min(p.reporter_tokens, p.penalty_tokens));
    a.opex_usd += p.opex_usd;
    a.capex_usd += p.capex_usd;
    a.caught = a.caught || p.caught;
  }
  round.paid += paid;
  round.unpaid += pool - paid;
}

void SensorWorld::providers_leave(std::uint32_t op, sim::Time now) {
  // Every local operator of a network that maps to `op` leaves (one provider is enough to find
  // each, as all of a local operator's providers map to the same global id).
  const auto leave = [&](auto& net, const std::vector<std::uint32_t>& operator_of) {
    std::vector<std::uint32_t> local;
    for (std::size_t i = 0; i < operator_of.size(); ++i) {
      if (operator_of[i] == op) local.push_back(net.operator_of(i));
    }
    std::sort(local.begin(), local.end());
    local.erase(std::unique(local.begin(), local.end()), local.end());
    for (std::uint32_t l : local)
      net.leave_operator(l, now);
  };
  if (storage_) leave(*storage_, storage_operator_);
  if (compute_) leave(*compute_, compute_operator_);
}

}  // namespace models
