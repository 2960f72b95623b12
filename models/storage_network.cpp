// StorageNetwork: construction, the epoch's order of work, and the truth of hardware, outages,
// departures and deliberate deletions.
#include "models/storage_network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <tuple>

#include "sim/network.hpp"
#include "sim/topology.hpp"

namespace models {

using sim::Time;

namespace {

constexpr double kDaysPerMonth = 365.0 / 12.0;

// A point in [start, end), uniform to the microsecond.
Time uniform_time(sim::RandomStream& rng, Time start, Time end) {
  const auto span = static_cast<std::uint64_t>((end - start).ticks());
  return start + Time::from_ticks(static_cast<Time::Rep>(rng.uniform_int(span)));
}

}  // namespace

std::int64_t StorageNetwork::poisson(sim::RandomStream& rng, double mean) {
  if (!(mean > 0.0)) return 0;
  if (mean < 30.0) {
    // Knuth: multiply uniforms until the product falls below e^−mean.
    const double limit = std::exp(-mean);
    std::int64_t k = 0;
    double product = rng.uniform_open0();
    while (product > limit) {
      ++k;
      product *= rng.uniform_open0();
    }
    return k;
  }
  // Large means: the normal approximation, whose error is far below the model's own.
  return std::max<std::int64_t>(0, std::llround(rng.normal(mean, std::sqrt(mean))));
}

double StorageStats::mean_time_to_detect_days() const {
  return detections_timed == 0 ? std::numeric_limits<double>::quiet_NaN()
                               : detect_days_sum / static_cast<double>(detections_timed);
}

StorageNetwork::StorageNetwork(const StorageSpec& spec, std::vector<StorageGroupSpec> groups,
                               double width_km, double height_km, const sim::TopologySpec& topology,
                               const sim::LinkModel& link, const sim::RandomStreams& streams)
    : spec_(spec),
      pop_(StoragePopulation::build(groups, width_km, height_km, streams)),
      streams_(streams),
      ledger_(spec.proofs),
      endowment_(spec.arweave) {
  const DealSpec& d = spec_.deals;
  if (!(d.per_day >= 0.0) || !(d.size_gib > 0.0) || !(d.max_size_gib >= d.size_gib) ||
      !(d.size_sigma >= 0.0) || d.replicas < 1 || d.replicas > 255 || d.duration <= Time{} ||
      !(d.verified_share >= 0.0 && d.verified_share <= 1.0) ||
      !(d.price_usd_per_tib_month >= 0.0)) {
    throw std::invalid_argument(
        "StorageNetwork: deals need per_day >= 0, 0 < size_gib <= max_size_gib, size_sigma >= 0, "
        "1 <= replicas <= 255, a positive duration, verified_share in [0, 1] and price >= 0");
  }
  if (!(spec_.proofs.dispute_probability >= 0.0 && spec_.proofs.dispute_probability <= 1.0) ||
      spec_.proofs.challenges_per_sector < 1 || spec_.proofs.proof_deadline <= Time{}) {
    throw std::invalid_argument(
        "StorageNetwork: proofs need dispute_probability in [0, 1], challenges_per_sector >= 1 "
        "and a positive proof_deadline");
  }
  const std::size_t n = pop_.size();
  units_of_.resize(n);
  for (auto* column : {&committed_bytes_, &stored_bytes_, &power_qap_, &power_raw_, &owed_usd_,
                       &disputed_qap_, &fees_of_})
    column->assign(n, 0.0);
  offline_from_.assign(n, Time{});
  offline_until_.assign(n, Time{});
  leaves_at_ = pop_.leaves_at;
  gone_.assign(n, 0);
  disputes_.assign(n, 0);
  faults_of_.assign(n, 0);

  const bool outsourcing = std::find(pop_.behaviour.begin(), pop_.behaviour.end(),
                                     StorageBehaviour::outsourcing) != pop_.behaviour.end();
  if (outsourcing && n >= 2) {
    std::vector<sim::Point> points(n);
    for (std::size_t i = 0; i < n; ++i)
      points[i] = sim::Point{pop_.x_km[i], pop_.y_km[i]};
    // A stream family of its own: the hosting world draws its sensors' links from the same
    // "network.topology" stream, and two topologies should not share draws.
    const sim::RandomStreams own(streams.seed() ^ sim::stream_hash("storage.network"),
                                 streams.run());
    network_ = std::make_unique<sim::Network>(
        sim::make_topology(topology, std::move(points), sim::Point{width_km / 2, height_km / 2},
                           own),
        link);
  }
  declare_series();
}

// Out of line: sim::Network is only declared in the header.
StorageNetwork::~StorageNetwork() = default;
StorageNetwork::StorageNetwork(StorageNetwork&&) noexcept = default;
StorageNetwork& StorageNetwork::operator=(StorageNetwork&&) noexcept = default;

bool StorageNetwork::online(std::size_t p, Time t) const {
  return t < leaves_at_[p] && !(offline_from_[p] <= t && t < offline_until_[p]);
}

void StorageNetwork::leave_operator(std::uint32_t op, Time now) {
  for (std::size_t p = 0; p < size(); ++p) {
    if (pop_.operator_id[p] == op) leaves_at_[p] = std::min(leaves_at_[p], now);
  }
}

FilecoinNetworkState StorageNetwork::fee_state(const MarketView& view) const {
  FilecoinNetworkState s;
  const auto chain_epochs = std::max<Time::Rep>(1, (view.end - view.start) / kFilecoinChainEpoch);
  s.reward_tokens_per_epoch =
      std::max(0.0, view.role_pool_tokens) / static_cast<double>(chain_epochs);
  s.network_qap_bytes = std::accumulate(power_qap_.begin(), power_qap_.end(), 0.0);
  s.baseline_bytes = filecoin_baseline_bytes(spec_.fees.baseline_pib * kPiB, view.start);
  s.circulating_tokens = std::max(0.0, view.circulating_tokens);
  s.gamma = spec_.fees.gamma;
  s.pledge_cap_tokens_per_32gib = spec_.fees.pledge_cap_tokens_per_32gib;
  return s;
}

ProviderEpochs StorageNetwork::step(const MarketView& view) {
  if (!(view.end > view.start)) throw std::invalid_argument("StorageNetwork: empty epoch");
  last_ = StorageStats{};
  epoch_ = view.epoch;
  ProviderEpochs out;
  out.providers.assign(size(), ProviderEpoch{});
  fees_now_ = fee_state(view);
  std::fill(owed_usd_.begin(), owed_usd_.end(), 0.0);

  // Truth first: what breaks and who arrives, then the oracle's view of each proving period
  // that closes in the epoch, then the deals that end.
  draw_hardware(view, out);
  arrivals(view, out);
  apply_hardware();
  drop_replicas_on_schedule(view);
  const Time period = spec_.proofs.period;
  for (std::int64_t k = view.start / period; period * (k + 1) <= view.end; ++k)
    run_period(period * k, k, out);
  expire(view, out);

  if (spec_.payment == StoragePayment::arweave) {
    // The endowment pays each replica's storage cost, converted at today's price, out of what it
    // holds; a short endowment pays everyone the same share of what it owes.
    const double owed_usd = std::accumulate(owed_usd_.begin(), owed_usd_.end(), 0.0);
    const double owed = view.price_usd > 0.0 ? owed_usd / view.price_usd : 0.0;
    // Today's up-front fees reach the endowment before it pays (the world deposits them first).
    const double deposit = view.price_usd > 0.0 ? out.endowment_deposit_usd / view.price_usd : 0.0;
    const auto payout = endowment_.pay(owed, view.endowment_tokens + deposit);
    const double scale = owed > 0.0 ? payout.paid_tokens / owed : 0.0;
    for (std::size_t p = 0; p < size(); ++p) {
      out.providers[p].endowment_tokens =
          view.price_usd > 0.0 ? owed_usd_[p] / view.price_usd * scale : 0.0;
    }
    last_.endowment_paid_tokens = payout.paid_tokens;
    last_.endowment_shortfall_tokens = payout.shortfall_tokens;
  }

  // Block rewards follow power: QAP for Filecoin, with the consensus minimum (below it a provider
  // wins nothing, unless fewer than 4 providers reach it: builtin-actors power actor,
  // CONSENSUS_MINER_MIN_MINERS); stored bytes for Arweave.
  const double min_raw = spec_.fees.min_power_tib * kTiB;
  const auto above = std::count_if(power_raw_.begin(), power_raw_.end(),
                                   [&](double raw) { return raw > 0.0 && raw >= min_raw; });
  for (std::size_t p = 0; p < size(); ++p) {
    if (spec_.payment == StoragePayment::arweave) {
      out.providers[p].reward_weight = power_raw_[p];
    } else if (power_raw_[p] >= min_raw || (above < 4 && power_raw_[p] > 0.0)) {
      out.providers[p].reward_weight = power_qap_[p];
    }
  }
  record(view, out);
  started_ = true;
  return out;
}

void StorageNetwork::draw_hardware(const MarketView& view, ProviderEpochs& out) {
  events_.clear();
  const double years = (view.end - view.start).to_days() / 365.0;
  for (std::size_t p = 0; p < size(); ++p) {
    const StorageGroupSpec& g = pop_.spec_of(p);
    const StorageHardwareSpec& hw = g.hardware;
    ProviderEpoch& pe = out.providers[p];
    if (!started_) pe.capex_usd += hw.capex_usd;
    if (gone_[p] != 0) continue;
    const Time leave = std::max(leaves_at_[p], view.start);
    const Time until = std::min(view.end, leave);
    pe.opex_usd = hw.opex_usd_per_month * (until - view.start).to_days() / kDaysPerMonth;
    if (leave < view.end) events_.push_back({static_cast<std::uint32_t>(p), kDeparture, leave});

    sim::RandomStream rng(streams_.id("storage.hardware", p), static_cast<std::uint64_t>(epoch_)
                                                                  << 32);
    const bool unreliable = pop_.behaviour[p] == StorageBehaviour::unreliable;
    const double factor = unreliable ? g.params.failure_multiplier : 1.0;
    // At most one node loss an epoch: rates are per year, epochs a day or so.
    if (rng.bernoulli(1.0 - std::exp(-hw.node_failure_per_year * factor * years))) {
      const Time at = uniform_time(rng, view.start, view.end);
      if (at < leave) {
        events_.push_back({static_cast<std::uint32_t>(p), kWholeNode, at});
        pe.capex_usd += hw.capex_usd;  // the node is rebuilt, empty
      }
    }
    const std::int64_t disk_losses =
        poisson(rng, pop_.disks[p] * hw.disk_failure_per_year * factor * years);
    for (std::int64_t k = 0; k < disk_losses; ++k) {
      const auto disk = static_cast<std::int32_t>(rng.uniform_int(pop_.disks[p]));
      const Time at = uniform_time(rng, view.start, view.end);
      if (at < leave) events_.push_back({static_cast<std::uint32_t>(p), disk, at});
    }
    if (unreliable && offline_until_[p] <= view.start && g.params.outages_per_year > 0.0) {
      // The next outage's start, memoryless; one outage at a time.
      const Time start =
          view.start + Time::from_seconds(std::min(
                           rng.exponential(365.0 * 86'400.0 / g.params.outages_per_year), 9e12));
      if (start < view.end) {
        offline_from_[p] = start;
        offline_until_[p] = start + Time::from_seconds(std::min(
                                        rng.exponential(g.params.outage_mean.to_seconds()), 9e12));
      }
    }
  }
}

void StorageNetwork::apply_hardware() {
  // In time order, so that a replica lost to a failure and then to a departure dates its loss
  // from the failure.
  std::sort(events_.begin(), events_.end(), [](const HardwareEvent& a, const HardwareEvent& b) {
    return std::tie(a.at, a.provider, a.disk) < std::tie(b.at, b.provider, b.disk);
  });
  for (const HardwareEvent& e : events_) {
    if (e.disk == kDeparture) gone_[e.provider] = 1;
    for (std::uint32_t u : units_of_[e.provider]) {
      if (units_.committed_at[u] > e.at) continue;  // arrived after the event
      if (e.disk >= 0 && units_.disk[u] != e.disk) continue;
      drop(u, Holding::lost, e.at);
    }
  }
}

void StorageNetwork::drop_replicas_on_schedule(const MarketView& view) {
  for (std::size_t p = 0; p < size(); ++p) {
    if (pop_.behaviour[p] != StorageBehaviour::deleting) continue;
    const Time keep = pop_.spec_of(p).params.keep_for;
    for (std::uint32_t u : units_of_[p]) {
      const Time at = units_.committed_at[u] + keep;
      if (at < view.end) drop(u, Holding::deleted, std::max(at, view.start));
    }
  }
}

void StorageNetwork::drop(std::uint32_t u, Holding how, Time at) {
  if (units_.holding[u] != Holding::held) return;
  units_.holding[u] = how;
  units_.bad_since[u] = at;
  const std::uint32_t d = units_.deal[u];
  stored_bytes_[units_.provider[u]] -= deals_.bytes[d];
  ++last_.new_faults;
  if (--deals_.held[d] == 0 && deals_.lost[d] == 0) {
    deals_.lost[d] = 1;
    ++last_.deals_lost;
    last_.bytes_lost += deals_.bytes[d];
    last_.damage_usd += deals_.value_usd[d];
  }
}

}  // namespace models
