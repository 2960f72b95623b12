// StorageNetwork's deals: arrivals, placement of replicas, commitment with pledge, expiry and
// repair from a surviving replica.
#include <algorithm>
#include <cmath>
#include <limits>

#include "models/storage_network.hpp"

namespace models {

using sim::Time;

namespace {

constexpr double kMonthsPerYear = 12.0;
constexpr std::size_t kNoProvider = std::numeric_limits<std::size_t>::max();
// Random probes before a placement falls back to a scan: enough when a fair share of providers
// has room, and the scan keeps a nearly full network exact.
constexpr int kProbes = 32;

}  // namespace

void StorageNetwork::arrivals(const MarketView& view, ProviderEpochs& out) {
  const DealSpec& spec = spec_.deals;
  sim::RandomStream rng(streams_.id("storage.deals"), static_cast<std::uint64_t>(epoch_) << 32);
  const std::int64_t count = poisson(rng, spec.per_day * (view.end - view.start).to_days());
  std::vector<Time> times(static_cast<std::size_t>(count));
  const auto span = static_cast<std::uint64_t>((view.end - view.start).ticks());
  for (Time& t : times)
    t = view.start + Time::from_ticks(static_cast<Time::Rep>(rng.uniform_int(span)));
  std::sort(times.begin(), times.end());

  const auto replicas = static_cast<std::size_t>(spec.replicas);
  std::vector<std::uint32_t> chosen;
  for (const Time at : times) {
    ++last_.deals_arrived;
    const double gib =
        std::min(spec.max_size_gib, spec.size_gib * std::exp(spec.size_sigma * rng.normal()));
    const double bytes = gib * kGiB;
    const bool verified = rng.bernoulli(spec.verified_share);
    chosen.clear();
    while (chosen.size() < replicas) {
      const std::size_t p = pick_provider(bytes, at, rng, chosen);
      if (p == kNoProvider) break;
      chosen.push_back(static_cast<std::uint32_t>(p));
    }
    if (chosen.size() < replicas) {
      ++last_.deals_rejected;  // all replicas or none: a client wants its replication factor
      continue;
    }
    const std::uint32_t d = new_deal(bytes, verified, at);
    if (spec_.payment == StoragePayment::arweave) {
      const ArweaveFee fee = arweave_fee(spec_.arweave, bytes, endowment_.fee_multiplier());
      out.endowment_deposit_usd += fee.endowment_usd;
      last_.endowment_deposit_usd += fee.endowment_usd;
      last_.client_usd += fee.miner_usd;
      for (std::uint32_t p : chosen)
        out.providers[p].client_usd += fee.miner_usd / static_cast<double>(replicas);
      deals_.value_usd[d] = fee.total_usd;
    } else {
      // What the client pays over the term for all replicas: the damage a loss does, at least.
      deals_.value_usd[d] = spec.price_usd_per_tib_month * bytes / kTiB * spec.duration.to_days() /
                            365.0 * kMonthsPerYear * static_cast<double>(replicas);
      expiries_.push({deals_.end[d], d});
    }
    for (std::uint32_t p : chosen)
      commit(d, p, at, rng, out);
    ++last_.deals_placed;
    if (deals_.held[d] == 0) {
      // Every replica went to a provider that does not store it: lost from the start.
      deals_.lost[d] = 1;
      ++last_.deals_lost;
      last_.bytes_lost += bytes;
      last_.damage_usd += deals_.value_usd[d];
    }
  }
}

std::uint32_t StorageNetwork::new_deal(double bytes, bool verified, Time start) {
  std::uint32_t d;
  if (!deals_.free.empty()) {
    d = deals_.free.back();
    deals_.free.pop_back();
  } else {
    d = static_cast<std::uint32_t>(deals_.bytes.size());
    deals_.bytes.push_back(0);
    deals_.value_usd.push_back(0);
    deals_.end.push_back(Time{});
    deals_.first_unit.push_back(kNone);
    deals_.held.push_back(0);
    deals_.live.push_back(0);
    deals_.verified.push_back(0);
    deals_.lost.push_back(0);
  }
  deals_.bytes[d] = bytes;
  deals_.value_usd[d] = 0.0;
  deals_.end[d] =
      spec_.payment == StoragePayment::arweave ? Time::max() : start + spec_.deals.duration;
  deals_.first_unit[d] = kNone;
  deals_.held[d] = 0;
  deals_.live[d] = 0;
  deals_.verified[d] = verified ? 1 : 0;
  deals_.lost[d] = 0;
  return d;
}

std::size_t StorageNetwork::pick_provider(double bytes, Time at, sim::RandomStream& rng,
                                          const std::vector<std::uint32_t>& taken) const {
  const std::size_t n = size();
  if (n == 0) return kNoProvider;
  const auto fits = [&](std::size_t p) {
    return online(p, at) && pop_.claimed_bytes[p] - committed_bytes_[p] >= bytes &&
           std::find(taken.begin(), taken.end(), p) == taken.end();
  };
  for (int k = 0; k < kProbes; ++k) {
    const auto p = static_cast<std::size_t>(rng.uniform_int(n));
    if (fits(p)) return p;
  }
  const auto from = static_cast<std::size_t>(rng.uniform_int(n));
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t p = (from + k) % n;
    if (fits(p)) return p;
  }
  return kNoProvider;
}

std::uint32_t StorageNetwork::commit(std::uint32_t d, std::size_t p, Time at,
                                     sim::RandomStream& rng, ProviderEpochs& out) {
  std::uint32_t u;
  if (!units_.free.empty()) {
    u = units_.free.back();
    units_.free.pop_back();
  } else {
    u = static_cast<std::uint32_t>(units_.provider.size());
    units_.provider.push_back(0);
    units_.deal.push_back(0);
    units_.next_in_deal.push_back(kNone);
    units_.pos_in_provider.push_back(0);
    units_.disk.push_back(0);
    units_.holding.push_back(Holding::held);
    units_.committed_at.push_back(Time{});
    units_.bad_since.push_back(Time::max());
    units_.pledge_tokens.push_back(0.0);
  }
  const double bytes = deals_.bytes[d];
  units_.provider[u] = static_cast<std::uint32_t>(p);
  units_.deal[u] = d;
  units_.disk[u] = static_cast<std::uint16_t>(rng.uniform_int(pop_.disks[p]));
  units_.committed_at[u] = at;
  units_.bad_since[u] = Time::max();
  Holding holding = Holding::held;
  if (pop_.behaviour[p] == StorageBehaviour::outsourcing) {
    holding = Holding::outsourced;
  } else if (pop_.behaviour[p] == StorageBehaviour::generating &&
             stored_bytes_[p] + bytes > pop_.capacity_bytes[p]) {
    holding = Holding::generated;
  }
  units_.holding[u] = holding;
  if (holding == Holding::held) {
    stored_bytes_[p] += bytes;
    ++deals_.held[d];
  } else {
    units_.bad_since[u] = at;  // never a replica: bad from the start
  }
  ++deals_.live[d];
  units_.next_in_deal[u] = deals_.first_unit[d];
  deals_.first_unit[d] = u;
  units_.pos_in_provider[u] = static_cast<std::uint32_t>(units_of_[p].size());
  units_of_[p].push_back(u);
  committed_bytes_[p] += bytes;

  double pledge = 0.0;
  if (spec_.payment == StoragePayment::filecoin) {
    pledge = initial_pledge_tokens(fees_now_, qap_of(u));
    out.providers[p].collateral_tokens += pledge;
    collateral_locked_ += pledge;
  }
  units_.pledge_tokens[u] = pledge;
  ledger_.open(u,
               static_cast<std::uint32_t>(
                   rng.uniform_int(static_cast<std::uint64_t>(spec_.proofs.deadlines))),
               at);
  return u;
}

void StorageNetwork::remove_unit(std::uint32_t u, ProviderEpochs& out) {
  const std::uint32_t p = units_.provider[u];
  const std::uint32_t d = units_.deal[u];
  out.providers[p].collateral_tokens -= units_.pledge_tokens[u];
  collateral_locked_ -= units_.pledge_tokens[u];
  if (units_.holding[u] == Holding::held) {
    stored_bytes_[p] -= deals_.bytes[d];
    --deals_.held[d];
  }
  committed_bytes_[p] -= deals_.bytes[d];
  --deals_.live[d];
  // Unlink from the deal's list (a few replicas: a walk is cheap).
  if (deals_.first_unit[d] == u) {
    deals_.first_unit[d] = units_.next_in_deal[u];
  } else {
    for (std::uint32_t v = deals_.first_unit[d]; v != kNone; v = units_.next_in_deal[v]) {
      if (units_.next_in_deal[v] == u) {
        units_.next_in_deal[v] = units_.next_in_deal[u];
        break;
      }
    }
  }
  auto& list = units_of_[p];
  const std::uint32_t pos = units_.pos_in_provider[u];
  list[pos] = list.back();
  units_.pos_in_provider[list[pos]] = pos;
  list.pop_back();
  ledger_.close(u);
  units_.pledge_tokens[u] = 0.0;
  units_.free.push_back(u);
}

void StorageNetwork::expire(const MarketView& view, ProviderEpochs& out) {
  std::vector<std::uint32_t> live;
  while (!expiries_.empty() && expiries_.top().first <= view.end) {
    const std::uint32_t d = expiries_.top().second;
    expiries_.pop();
    live.clear();
    for (std::uint32_t u = deals_.first_unit[d]; u != kNone; u = units_.next_in_deal[u])
      live.push_back(u);
    for (std::uint32_t u : live)
      remove_unit(u, out);  // served its term: the pledge comes back
    deals_.free.push_back(d);
  }
}

void StorageNetwork::repair(std::uint32_t d, std::uint32_t failed, Time at, sim::RandomStream& rng,
                            ProviderEpochs& out) {
  // A deal whose term is over by now needs no new replica: it expires at the epoch's end.
  if (deals_.end[d] <= at) return;
  // A source: a replica some online provider truly holds at `at`. The provider whose replica was
  // just terminated is no target: its room was freed by that very termination, so in a full
  // network it would win the copy and, if it drops data, drop it again.
  bool source = false;
  std::vector<std::uint32_t> taken{failed};
  for (std::uint32_t u = deals_.first_unit[d]; u != kNone; u = units_.next_in_deal[u]) {
    const std::uint32_t q = units_.provider[u];
    taken.push_back(q);
    const bool holds = units_.holding[u] == Holding::held || units_.bad_since[u] > at;
    source = source || (holds && online(q, at));
  }
  const double bytes = deals_.bytes[d];
  const std::size_t target = source ? pick_provider(bytes, at, rng, taken) : kNoProvider;
  if (target == kNoProvider) {
    ++last_.repairs_failed;
    return;
  }
  commit(d, target, at, rng, out);
  ++last_.repairs;
  last_.repair_bytes += bytes;
}

}  // namespace models
