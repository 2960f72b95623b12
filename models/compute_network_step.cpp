// One epoch of the compute network, first half: jobs arrive, are placed and run (the order and
// the rules are in compute_network.hpp; verdicts and settlement are in
// compute_network_settle.cpp).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "models/compute_network.hpp"

namespace models {

using sim::Time;

namespace {

// SplitMix64's finaliser: a bijective mix, so distinct inputs give distinct result hashes.
constexpr std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A wrong answer derived from the truth and who made it up; never equal to the truth.
std::uint64_t wrong_answer(std::uint64_t truth, std::uint64_t maker) {
  const std::uint64_t a = mix(truth ^ mix(maker));
  return a == truth ? a ^ 1 : a;
}

// Makers of wrong answers, kept apart: every lazy provider makes the same one per job, each
// partial provider its own, each ring its own.
constexpr std::uint64_t kLazyMaker = 0x4c415a59ULL;
constexpr std::uint64_t kPartialMaker = 1ULL << 40;
constexpr std::uint64_t kRingMaker = 2ULL << 40;

}  // namespace

ProviderEpochs ComputeNetwork::step(const MarketView& view) {
  if (!(view.end > view.start)) throw std::invalid_argument("ComputeNetwork::step: empty epoch");
  ProviderEpochs out;
  out.providers.assign(size(), ProviderEpoch{});
  EpochWork w;
  w.start = view.start;
  w.end = view.end;
  w.booked_s.assign(size(), 0.0);
  w.computed_s.assign(size(), 0.0);
  open_epoch(view, out, w);
  arrive_and_place(view, w);
  complete(view, w);
  settle(view, out, w);
  close_epoch(view, out, w);
  ++epochs_run_;
  return out;
}

void ComputeNetwork::open_epoch(const MarketView& view, ProviderEpochs& out, EpochWork& w) {
  if (epochs_run_ == 0) {
    double stake = spec_.stake.stake_tokens;
    if (spec_.stake.stake_usd > 0.0) {
      if (!(view.price_usd > 0.0)) {
        throw std::invalid_argument("ComputeNetwork: a USD stake needs a positive token price");
      }
      stake = spec_.stake.stake_usd / view.price_usd;
    }
    // In whole ledger units, so that the locks, slashes and releases the host books add up
    // exactly.
    const Tokens units = to_units(stake);
    for (std::size_t i = 0; i < size(); ++i) {
      stake_units_[i] = stake_left_units_[i] = units;
      out.providers[i].collateral_tokens = to_tokens(units);
      out.providers[i].capex_usd = pop_.spec_of(i).gpu.capex_usd;
    }
  }
  // Queue time booked past the last epoch's end runs first in this one. Queues are FIFO and
  // work after an epoch's end is contiguous, so the booked share is exact; the computing share
  // is taken pro rata.
  const double len_s = (view.end - view.start).to_seconds();
  for (std::size_t i = 0; i < size(); ++i) {
    if (carry_booked_s_[i] <= 0.0) continue;
    const double take = std::min(carry_booked_s_[i], len_s);
    const double computed = carry_computed_s_[i] * take / carry_booked_s_[i];
    w.booked_s[i] = take;
    w.computed_s[i] = computed;
    carry_booked_s_[i] -= take;
    carry_computed_s_[i] -= computed;
  }
}

double ComputeNetwork::draw_size_units(sim::RandomStream& rng) const {
  const ComputeJobsSpec& j = spec_.jobs;
  switch (j.size_distribution) {
    case JobSizeDistribution::fixed:
      return j.mean_size_units;
    case JobSizeDistribution::exponential:
      return rng.exponential(j.mean_size_units);
    case JobSizeDistribution::lognormal: {
      // Mean m and coefficient of variation c: σ² = ln(1 + c²), μ = ln m − σ²/2.
      const double var = std::log1p(j.size_cv * j.size_cv);
      return std::exp(rng.normal(std::log(j.mean_size_units) - var / 2, std::sqrt(var)));
    }
  }
  return j.mean_size_units;
}

void ComputeNetwork::arrive_and_place(const MarketView& view, EpochWork& w) {
  auto rng = streams_.stream("compute.jobs", static_cast<std::uint64_t>(epochs_run_));
  const ComputeJobsSpec& j = spec_.jobs;
  double rate_per_day = j.rate_per_day;
  if (rng.bernoulli(j.burst_probability)) rate_per_day *= j.burst_multiplier;
  if (!(rate_per_day > 0.0)) return;
  const double mean_gap_s = 86'400.0 / rate_per_day;
  const double len_s = (view.end - view.start).to_seconds();
  for (double t_s = rng.exponential(mean_gap_s); t_s < len_s; t_s += rng.exponential(mean_gap_s)) {
    const Time arrival = view.start + Time::from_seconds(t_s);
    if (arrival >= view.end) break;
    Job job;
    job.id = next_job_++;
    job.truth = mix(truth_salt_ ^ job.id);
    job.arrival = arrival;
    job.deadline = arrival + j.deadline;
    job.work_units = draw_size_units(rng);
    const double budget =
        j.budget_usd_per_unit * rng.uniform(1.0 - j.budget_spread, 1.0 + j.budget_spread);
    ++w.arrived;
    if (!place(job, budget)) {
      ++w.unplaced;
      continue;
    }
    ++w.placed;
    run(job, w);
    in_flight_.push_back(job);
  }
}

bool ComputeNetwork::can_take(std::uint32_t provider, Time t) const {
  return t < stops_at(provider) && busy_until_[provider] <= t + spec_.market.max_queue;
}

bool ComputeNetwork::place(Job& job, double budget_usd_per_unit) {
  const std::size_t k = verifier_.replicas();
  const std::uint64_t n = size();
  if (n == 0) return false;
  const auto candidates = static_cast<std::size_t>(spec_.market.candidates_per_job);
  const auto drawn = [&](std::uint32_t p) {
    return std::any_of(bids_.begin(), bids_.end(),
                       [p](const ComputeBid& b) { return b.provider == p; });
  };
  bids_.clear();
  if (spec_.market.kind == ComputeMarketKind::akash) {
    for (std::size_t c = 0; c < candidates; ++c) {
      const auto p = static_cast<std::uint32_t>(market_rng_.uniform_int(n));
      if (drawn(p) || !can_take(p, job.arrival)) continue;
      const double ask = pop_.spec_of(p).gpu.ask_usd_per_unit;
      bids_.push_back({p, ask * (1.0 + provider_rng_[p].uniform(0.0, spec_.market.bid_markup))});
    }
    if (!reverse_auction(bids_, budget_usd_per_unit, k)) return false;
  } else {
    if (!market_.affordable(budget_usd_per_unit)) return false;
    for (std::size_t c = 0; c < candidates && bids_.size() < k; ++c) {
      const auto p = static_cast<std::uint32_t>(market_rng_.uniform_int(n));
      if (drawn(p) || !can_take(p, job.arrival)) continue;
      bids_.push_back({p, spec_.market.price_usd_per_unit});
    }
    if (bids_.size() < k) return false;
  }
  job.replicas = static_cast<std::uint8_t>(k);
  job.first_replica = static_cast<std::uint32_t>(replica_pool_.size());
  for (std::size_t r = 0; r < k; ++r) {
    Replica rep;
    rep.provider = bids_[r].provider;
    rep.usd_per_unit = bids_[r].usd_per_unit;
    replica_pool_.push_back(rep);
  }
  return true;
}

void ComputeNetwork::run(Job& job, EpochWork& w) {
  // How many of the job's replicas a ring needs to carry the verifier: a majority or all k
  // under replication, the one replica otherwise.
  const ComputeVerificationSpec& v = spec_.verification;
  const std::size_t k = job.replicas;
  Replica* replica = replica_pool_.data() + job.first_replica;
  const std::size_t needed = v.kind != ComputeVerificationKind::replication ? k
                             : v.rule == ReplicationRule::majority          ? k / 2 + 1
                                                                            : k;
  const auto ring_members = [&](std::uint32_t ring) {
    std::size_t c = 0;
    for (std::size_t r = 0; r < k; ++r)
      c += pop_.ring[replica[r].provider] == ring ? 1 : 0;
    return c;
  };
  job.due = Time{};
  for (std::size_t r = 0; r < k; ++r) {
    Replica& rep = replica[r];
    const std::uint32_t p = rep.provider;
    const ComputeGroupSpec& g = pop_.spec_of(p);
    double effort = 1.0;  // share of the job's work it really computes
    rep.answer = job.truth;
    switch (pop_.behaviour[p]) {
      case ComputeBehaviour::honest:
        break;
      case ComputeBehaviour::unreliable:
        rep.dropped = provider_rng_[p].bernoulli(g.params.drop_probability);
        break;
      case ComputeBehaviour::lazy:
        rep.answer = wrong_answer(job.truth, kLazyMaker);
        effort = 0.0;
        break;
      case ComputeBehaviour::partial:
        if (g.params.partial_skipped_share > 0.0) {
          rep.answer = wrong_answer(job.truth, kPartialMaker + p);
          effort = 1.0 - g.params.partial_skipped_share;
        }
        break;
      case ComputeBehaviour::colluding:
        if (ring_members(pop_.ring[p]) >= needed) {
          rep.answer = wrong_answer(job.truth, kRingMaker + pop_.ring[p]);
          effort = 0.0;
        }
        break;
    }
    if (rep.dropped) {
      rep.finish = job.arrival;
      continue;
    }
    const Time start = std::max(job.arrival, busy_until_[p]);
    const double run_s = job.work_units / g.gpu.throughput_units_per_hour * 3'600.0;
    rep.finish = start + Time::from_seconds(run_s);
    busy_until_[p] = rep.finish;
    job.due = std::max(job.due, rep.finish);
    // Book the queue time: the part inside this epoch now, the rest in the epochs it reaches.
    const double inside_s =
        start < w.end ? (std::min(rep.finish, w.end) - start).to_seconds() : 0.0;
    const double outside_s = (rep.finish - start).to_seconds() - inside_s;
    w.booked_s[p] += inside_s;
    w.computed_s[p] += inside_s * effort;
    carry_booked_s_[p] += outside_s;
    carry_computed_s_[p] += outside_s * effort;
  }
  // Every replica dropped: the client learns nothing until its deadline passes.
  if (job.due == Time{}) job.due = job.deadline;
}

}  // namespace models
