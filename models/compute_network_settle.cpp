// One epoch of the compute network, second half: verdicts on the jobs that are due, settlement
// of final verdicts, the providers' costs and the epoch's metrics row (the rules are in
// compute_network.hpp).

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <utility>

#include "models/compute_network.hpp"

namespace models {

using sim::Time;

namespace {

constexpr double kSecondsPerMonth = 365.0 / 12.0 * 86'400.0;

}  // namespace

void ComputeTally::add(const ComputeTally& o) {
  for (auto [mine, theirs] : {std::pair{&arrived, o.arrived},
                              {&placed, o.placed},
                              {&unplaced, o.unplaced},
                              {&completed, o.completed},
                              {&accepted, o.accepted},
                              {&rejected, o.rejected},
                              {&deadline_misses, o.deadline_misses},
                              {&wrong_returned, o.wrong_returned},
                              {&wrong_accepted, o.wrong_accepted},
                              {&wrong_caught, o.wrong_caught},
                              {&honest_slashed, o.honest_slashed},
                              {&re_executions, o.re_executions},
                              {&disputes, o.disputes},
                              {&caught_providers, o.caught_providers},
                              {&ejected, o.ejected}}) {
    *mine += theirs;
  }
  for (auto [mine, theirs] : {std::pair{&latency_h_sum, o.latency_h_sum},
                              {&job_work_units, o.job_work_units},
                              {&verification_work_units, o.verification_work_units},
                              {&slashed_tokens, o.slashed_tokens},
                              {&client_spend_usd, o.client_spend_usd},
                              {&take_usd, o.take_usd},
                              {&burn_usd, o.burn_usd},
                              {&booked_provider_s, o.booked_provider_s},
                              {&active_provider_s, o.active_provider_s}}) {
    *mine += theirs;
  }
  for (std::size_t b = 0; b < kComputeBehaviourCount; ++b) {
    work_units[b] += o.work_units[b];
    earnings_usd[b] += o.earnings_usd[b];
    profit_usd[b] += o.profit_usd[b];
    opex_usd[b] += o.opex_usd[b];
  }
}

void ComputeNetwork::complete(const MarketView& view, EpochWork& w) {
  // Jobs whose answers are all due by the epoch's end, in the order they come due.
  std::vector<std::uint32_t> due;
  for (std::size_t j = 0; j < in_flight_.size(); ++j) {
    if (in_flight_[j].due < view.end) due.push_back(static_cast<std::uint32_t>(j));
  }
  std::sort(due.begin(), due.end(), [&](std::uint32_t a, std::uint32_t b) {
    const Job &x = in_flight_[a], &y = in_flight_[b];
    return x.due != y.due ? x.due < y.due : x.id < y.id;
  });
  std::array<std::uint64_t, kMaxComputeReplicas> answers{};
  std::array<std::uint8_t, kMaxComputeReplicas> replica_of{};
  for (const std::uint32_t j : due) {
    const Job& job = in_flight_[j];
    const Replica* replica = replica_pool_.data() + job.first_replica;
    std::size_t returned = 0;
    for (std::size_t r = 0; r < job.replicas; ++r) {
      const Replica& rep = replica[r];
      if (rep.dropped || rep.finish > stops_at(rep.provider)) continue;
      answers[returned] = rep.answer;
      replica_of[returned] = static_cast<std::uint8_t>(r);
      ++returned;
      const bool wrong = rep.answer != job.truth;
      w.wrong_returned += wrong ? 1 : 0;
      wrong_returned_[rep.provider] += wrong ? 1 : 0;
      ++jobs_done_[rep.provider];
      work_done_units_[rep.provider] += job.work_units;
      w.work_units[static_cast<std::size_t>(pop_.behaviour[rep.provider])] += job.work_units;
    }
    // The verifier sees the answers; re-executing the job is the only way it meets the truth.
    const std::uint64_t truth = job.truth;
    const ComputeVerdict verdict =
        verifier_.verify(std::span<const std::uint64_t>(answers.data(), returned), job.work_units,
                         [truth] { return truth; });
    ++w.completed;
    if (verdict.accepted) {
      ++w.accepted;
      w.latency_h_sum += (job.due - job.arrival).to_hours();
      if (job.due > job.deadline) ++w.deadline_misses;
      if (verdict.answer != job.truth) ++w.wrong_accepted;
    } else {
      ++w.rejected;
    }
    w.re_executions += verdict.re_executed ? 1 : 0;
    w.disputes += verdict.dispute_rounds > 0 ? 1 : 0;
    w.job_work_units += job.work_units;
    w.verification_work_units += verdict.verification_work_units;
    const Time final_at = job.due + verifier_.finality_delay(verdict);
    for (std::size_t c = 0; c < returned; ++c) {
      const Replica& rep = replica[replica_of[c]];
      if ((verdict.paid >> c & 1u) != 0) {
        pending_.push_back({final_at, rep.provider, false, rep.usd_per_unit * job.work_units});
      }
      if ((verdict.wrong >> c & 1u) != 0) {
        pending_.push_back({final_at, rep.provider, true, 0.0});
        if (answers[c] != job.truth) {
          ++w.wrong_caught;
        } else {
          ++w.honest_slashed;
        }
      }
    }
  }
  // Keep the jobs still in flight, in placement order, with their replicas packed again.
  std::size_t kept = 0, packed = 0;
  for (std::size_t j = 0; j < in_flight_.size(); ++j) {
    Job job = in_flight_[j];
    if (job.due < view.end) continue;
    std::copy_n(replica_pool_.begin() + job.first_replica, job.replicas,
                replica_pool_.begin() + static_cast<std::ptrdiff_t>(packed));
    job.first_replica = static_cast<std::uint32_t>(packed);
    packed += job.replicas;
    in_flight_[kept++] = job;
  }
  in_flight_.resize(kept);
  replica_pool_.resize(packed);
}

void ComputeNetwork::settle(const MarketView& view, ProviderEpochs& out, EpochWork& w) {
  const auto later = [&](const Settlement& s) { return s.at >= view.end; };
  const auto split = std::stable_partition(pending_.begin(), pending_.end(), later);
  for (auto it = split; it != pending_.end(); ++it) {
    const std::uint32_t p = it->provider;
    ProviderEpoch& e = out.providers[p];
    if (!it->wrong) {
      const ComputePayment pay = market_.pay(it->usd);
      e.client_usd += pay.client_usd;
      e.take_usd += pay.take_usd;
      e.burn_usd += pay.burn_usd;
      e.reward_weight += pay.reward_weight;
      w.client_spend_usd += pay.client_usd + pay.take_usd + pay.burn_usd;  // as charged
      w.take_usd += pay.take_usd;
      w.burn_usd += pay.burn_usd;
      continue;
    }
    const Tokens slash =
        std::min(share_of(stake_units_[p], spec_.stake.slash_fraction), stake_left_units_[p]);
    stake_left_units_[p] -= slash;
    e.penalty_tokens += to_tokens(slash);
    e.reporter_tokens += to_tokens(share_of(slash, spec_.stake.challenger_share));
    e.caught = true;
    ++caught_[p];
    w.slashed_tokens += to_tokens(slash);
    // No stake left to answer for the next fault: the provider is out from the next epoch.
    if (stake_units_[p] > 0 && stake_left_units_[p] == 0 && !ejected_[p]) {
      ejected_[p] = 1;
      stop(p, view.end);
      ++w.ejected;
    }
  }
  pending_.erase(split, pending_.end());
}

void ComputeNetwork::close_epoch(const MarketView& view, ProviderEpochs& out, EpochWork& w) {
  // Collateral stays locked while an optimistic result of the provider can still be disputed.
  const Time lock = spec_.verification.kind == ComputeVerificationKind::optimistic
                        ? spec_.verification.challenge_window
                        : Time{};
  const bool render = spec_.market.kind == ComputeMarketKind::render;
  double total_weight = 0.0;
  for (const auto& e : out.providers)
    total_weight += e.reward_weight;
  std::array<std::int64_t, kComputeBehaviourCount> providers{};
  for (std::size_t i = 0; i < size(); ++i) {
    ProviderEpoch& e = out.providers[i];
    const GpuClassSpec& gpu = pop_.spec_of(i).gpu;
    const Time stop = stops_at(i);
    if (!released_[i] && stop < view.end && stop + lock < view.end) {
      e.collateral_tokens -= to_tokens(stake_left_units_[i]);
      stake_left_units_[i] = 0;
      released_[i] = 1;
    }
    const double active_s = std::max(0.0, (std::min(stop, view.end) - view.start).to_seconds());
    e.opex_usd = gpu.opex_usd_per_month * active_s / kSecondsPerMonth +
                 gpu.power_w / 1000.0 * w.computed_s[i] / 3'600.0 * gpu.electricity_usd_per_kwh;
    const double earned = render ? (total_weight > 0.0 ? view.role_pool_tokens * view.price_usd *
                                                             e.reward_weight / total_weight
                                                       : 0.0)
                                 : e.client_usd;
    earnings_usd_[i] += earned;
    const auto b = static_cast<std::size_t>(pop_.behaviour[i]);
    if (active_s > 0.0) ++providers[b];
    w.earnings_usd[b] += earned;
    w.opex_usd[b] += e.opex_usd;
    w.profit_usd[b] += earned - e.opex_usd - e.capex_usd - e.penalty_tokens * view.price_usd;
    w.booked_provider_s += std::min(w.booked_s[i], active_s);
    w.active_provider_s += active_s;
    w.caught_providers += e.caught ? 1 : 0;
  }
  last_ = w;
  totals_.add(w);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto& r = recorder_;
  const Series& s = series_;
  r.set(s.arrived, w.arrived);
  r.set(s.placed, w.placed);
  r.set(s.unplaced, w.unplaced);
  r.set(s.completed, w.completed);
  r.set(s.accepted, w.accepted);
  r.set(s.rejected, w.rejected);
  r.set(s.deadline_misses, w.deadline_misses);
  r.set(s.in_flight, static_cast<std::int64_t>(in_flight_.size()));
  r.set(s.latency_h, w.accepted > 0 ? w.latency_h_sum / static_cast<double>(w.accepted) : nan);
  r.set(s.utilisation, w.active_provider_s > 0.0 ? w.booked_provider_s / w.active_provider_s : nan);
  r.set(s.wrong_returned, w.wrong_returned);
  r.set(s.wrong_accepted, w.wrong_accepted);
  r.set(s.wrong_caught, w.wrong_caught);
  r.set(s.honest_slashed, w.honest_slashed);
  r.set(s.re_executions, w.re_executions);
  r.set(s.disputes, w.disputes);
  r.set(s.verification_work_units, w.verification_work_units);
  const double all_work = w.job_work_units + w.verification_work_units;
  r.set(s.verification_share, all_work > 0.0 ? w.verification_work_units / all_work : nan);
  r.set(s.caught_providers, w.caught_providers);
  r.set(s.ejected, w.ejected);
  r.set(s.slashed_tokens, w.slashed_tokens);
  r.set(s.client_spend_usd, w.client_spend_usd);
  r.set(s.take_usd, w.take_usd);
  r.set(s.burn_usd, w.burn_usd);
  for (std::size_t b = 0; b < kComputeBehaviourCount; ++b) {
    r.set(s.providers[b], providers[b]);
    r.set(s.work_units[b], w.work_units[b]);
    r.set(s.earnings_usd[b], w.earnings_usd[b]);
    r.set(s.profit_usd[b], w.profit_usd[b]);
  }
  r.end_row();
}

}  // namespace models
