#include "models/storage_network.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "sim/network.hpp"
#include "sim/topology.hpp"
#include "tests/models/config_reading.hpp"

using models::MarketView;
using models::ProviderEpochs;
using models::StorageBehaviour;
using models::StorageGroupSpec;
using models::StorageNetwork;
using models::StoragePayment;
using models::StorageSpec;
using sim::Time;

namespace {

StorageGroupSpec group(std::int64_t count, StorageBehaviour b = StorageBehaviour::honest) {
  StorageGroupSpec g;
  g.count = count;
  g.capacity_tib = 100;
  g.hardware.disk_failure_per_year = 0;
  g.hardware.node_failure_per_year = 0;
  g.share = {};
  g.share[static_cast<std::size_t>(b)] = 1.0;
  return g;
}

// Fixed 64 GiB deals, 3 replicas, 30 days, 20 a day.
StorageSpec small_spec() {
  StorageSpec s;
  s.deals.per_day = 20;
  s.deals.size_gib = 64;
  s.deals.size_sigma = 0;
  s.deals.replicas = 3;
  s.deals.duration = Time::days(30);
  return s;
}

MarketView view_for(std::int64_t day, double endowment_tokens = 0.0) {
  MarketView v;
  v.epoch = day;
  v.start = Time::days(day);
  v.end = Time::days(day + 1);
  v.price_usd = 1.0;
  v.role_pool_tokens = 1000.0;
  v.circulating_tokens = 1e6;
  v.endowment_tokens = endowment_tokens;
  return v;
}

StorageNetwork make(const StorageSpec& spec, std::vector<StorageGroupSpec> groups,
                    std::uint64_t seed = 7, double region_km = 100.0,
                    sim::TopologySpec topology = {}, sim::LinkModel link = {}) {
  return StorageNetwork(spec, std::move(groups), region_km, region_km, topology, link,
                        sim::RandomStreams(seed, 0));
}

std::vector<ProviderEpochs> run(StorageNetwork& net, int days, double endowment_tokens = 0.0) {
  std::vector<ProviderEpochs> out;
  for (int d = 0; d < days; ++d)
    out.push_back(net.step(view_for(d, endowment_tokens)));
  return out;
}

double sum_of(const std::vector<ProviderEpochs>& run, double models::ProviderEpoch::*field) {
  double total = 0.0;
  for (const auto& e : run) {
    for (const auto& p : e.providers)
      total += p.*field;
  }
  return total;
}

bool same(const ProviderEpochs& a, const ProviderEpochs& b) {
  if (a.providers.size() != b.providers.size()) return false;
  if (a.endowment_deposit_usd != b.endowment_deposit_usd) return false;
  for (std::size_t i = 0; i < a.providers.size(); ++i) {
    const auto &x = a.providers[i], &y = b.providers[i];
    if (x.reward_weight != y.reward_weight || x.client_usd != y.client_usd ||
        x.endowment_tokens != y.endowment_tokens || x.collateral_tokens != y.collateral_tokens ||
        x.penalty_tokens != y.penalty_tokens || x.reporter_tokens != y.reporter_tokens ||
        x.opex_usd != y.opex_usd || x.capex_usd != y.capex_usd || x.caught != y.caught)
      return false;
  }
  return true;
}

}  // namespace

TEST_CASE("models::StorageNetwork: honest providers without failures lose nothing and pay no fee",
          "[unit]") {
  auto net = make(small_spec(), {group(30)});
  const auto epochs = run(net, 60);
  const auto& t = net.totals();
  REQUIRE(t.deals_placed > 1000);
  CHECK(t.deals_rejected == 0);
  CHECK(t.deals_lost == 0);
  CHECK(t.bytes_lost == 0.0);
  CHECK(t.new_faults == 0);
  CHECK(t.faults_detected == 0);
  CHECK(t.terminations == 0);
  CHECK(t.fees_tokens == 0.0);
  CHECK(t.damage_usd == 0.0);
  CHECK(sum_of(epochs, &models::ProviderEpoch::penalty_tokens) == 0.0);
  CHECK(sum_of(epochs, &models::ProviderEpoch::reporter_tokens) == 0.0);
  // Everything claimed is held; what is proven was held.
  CHECK(t.bytes_held == t.bytes_committed);
  CHECK(t.bytes_proven > 0.0);
  // Pledges locked at commit and released at expiry leave exactly the live replicas' pledge.
  CHECK(sum_of(epochs, &models::ProviderEpoch::collateral_tokens) ==
        Approx(t.collateral_locked_tokens).epsilon(1e-9));
  CHECK(t.collateral_locked_tokens > 0.0);
  // Deals of 30 days that arrived in the first 29 days have ended: units expire.
  CHECK(t.units_active < 3 * t.deals_placed);
  // Clients pay for proven replicas: 64 GiB = 1/16 TiB at 2 USD per TiB-month.
  CHECK(t.client_usd > 0.0);
  const double last_day_usd =
      std::accumulate(epochs.back().providers.begin(), epochs.back().providers.end(), 0.0,
                      [](double s, const auto& p) { return s + p.client_usd; });
  CHECK(last_day_usd ==
        Approx(2.0 * net.last_epoch().bytes_proven / models::kTiB / (365.0 / 12.0)).epsilon(1e-9));
  CHECK(epochs.back().providers[0].reward_weight >= 0.0);
  CHECK(std::isnan(t.mean_time_to_detect_days()));
}

TEST_CASE("models::StorageNetwork: an empty network pledges the cap of 1 token per 32 GiB of QAP",
          "[unit]") {
  // With no proven power yet, 0.3·CS·qap/max(QAP, qap) is 30 % of the supply: the FIP-0081 cap
  // binds, and a verified 64 GiB replica (640 GiB of QAP) locks 20 tokens.
  auto spec = small_spec();
  spec.deals.verified_share = 1.0;
  auto net = make(spec, {group(10)});
  const ProviderEpochs first = net.step(view_for(0));
  double locked = 0.0;
  for (const auto& p : first.providers)
    locked += p.collateral_tokens;
  REQUIRE(net.last_epoch().deals_placed > 5);
  CHECK(locked == Approx(20.0 * 3 * static_cast<double>(net.last_epoch().deals_placed)));
  CHECK(net.last_epoch().collateral_locked_tokens == Approx(locked));
}

TEST_CASE("models::StorageNetwork: providers below the consensus minimum win no reward weight",
          "[unit]") {
  auto spec = small_spec();
  spec.fees.min_power_tib = 0.0;
  auto all = make(spec, {group(12)});
  ProviderEpochs open;
  for (int d = 0; d < 20; ++d)
    open = all.step(view_for(d));
  // The same run with the minimum at the median proven power: the same truth, other weights.
  std::vector<double> proven = all.nodes().extra[4].values;  // bytes_proven
  REQUIRE(all.nodes().extra[4].name == "bytes_proven");
  std::vector<double> sorted = proven;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  spec.fees.min_power_tib = median / models::kTiB;
  auto some = make(spec, {group(12)});
  ProviderEpochs gated;
  for (int d = 0; d < 20; ++d)
    gated = some.step(view_for(d));
  int zeroed = 0;
  for (std::size_t p = 0; p < proven.size(); ++p) {
    CHECK(open.providers[p].reward_weight > 0.0);
    if (proven[p] >= median) {
      CHECK(gated.providers[p].reward_weight == open.providers[p].reward_weight);
    } else {
      CHECK(gated.providers[p].reward_weight == 0.0);
      ++zeroed;
    }
  }
  CHECK(zeroed >= 1);
  CHECK(zeroed <= 6);
}

TEST_CASE("models::StorageNetwork: a deleting provider is caught within a period and pays fees",
          "[unit]") {
  auto spec = small_spec();
  spec.deals.replicas = 1;
  spec.deals.per_day = 10;
  spec.repair = models::RepairPolicy::none;
  auto deleter = group(1, StorageBehaviour::deleting);
  deleter.params.keep_for = Time{};  // drops every replica at once, then answers challenges
  auto net = make(spec, {deleter});
  const auto epochs = run(net, 10);
  const auto& t = net.totals();
  REQUIRE(t.deals_placed > 50);
  // Every replica is gone (the only one of its deal), and every one is detected at its first
  // deadline: within one proving period of the drop.
  CHECK(t.deals_lost == t.deals_placed);
  CHECK(t.bytes_held == 0.0);
  CHECK(t.bytes_proven == 0.0);
  // Replicas committed before the last day have all met a deadline by the end.
  CHECK(t.faults_detected >= t.deals_placed - net.last_epoch().deals_placed);
  CHECK(t.faults_detected <= t.deals_placed);
  CHECK(t.detect_days_max <= 1.0);
  CHECK(t.mean_time_to_detect_days() > 0.0);
  // Invalid proofs are disputed (20 tokens each, 4 to the disputer), and faults that go on pay
  // the continued fault fee.
  CHECK(t.disputes > 0);
  CHECK(t.fees_tokens >= 20.0 * static_cast<double>(t.disputes));
  CHECK(sum_of(epochs, &models::ProviderEpoch::reporter_tokens) == 4.0 * t.disputes);
  CHECK(sum_of(epochs, &models::ProviderEpoch::penalty_tokens) == Approx(t.fees_tokens));
  CHECK(epochs[3].providers[0].caught);

  // Nobody disputes: the same invalid proofs pass, and the oracle pays for data that is gone.
  spec.proofs.dispute_probability = 0.0;
  auto blind = make(spec, {deleter});
  run(blind, 10);
  CHECK(blind.totals().faults_detected == 0);
  CHECK(blind.totals().bytes_held == 0.0);
  CHECK(blind.totals().bytes_proven > 0.0);
  CHECK(blind.totals().fees_tokens == 0.0);
}

TEST_CASE("models::StorageNetwork: an outsourcer far away is caught and a near one is not",
          "[unit]") {
  // Three providers, three replicas: every deal is on all of them. The outsourcer fetches from
  // an honest one over a star network (via the hub), 1 ms per km, with a 1 s proof deadline.
  auto spec = small_spec();
  spec.deals.per_day = 5;
  spec.proofs.proof_deadline = Time::seconds(1);
  auto outsourcer = group(1, StorageBehaviour::outsourcing);
  outsourcer.params.fetch_share = 0.0;  // only the round trip counts
  sim::TopologySpec star;
  star.kind = sim::TopologyKind::star;
  sim::LinkModel link;
  link.base_latency = Time::millis(1);
  link.per_km_latency_us = 1000.0;

  auto near = make(spec, {outsourcer, group(2)}, 7, 1.0, star, link);  // a 1 km region
  run(near, 10);
  CHECK(near.totals().deals_placed > 20);
  CHECK(near.totals().faults_detected == 0);
  // It proves replicas it does not hold.
  CHECK(near.totals().bytes_held == Approx(near.totals().bytes_committed * 2.0 / 3.0));
  CHECK(near.totals().bytes_proven > near.totals().bytes_held);

  auto far = make(spec, {outsourcer, group(2)}, 7, 10'000.0, star, link);  // 10 000 km
  run(far, 10);
  const auto& t = far.totals();
  CHECK(t.deals_placed > 20);
  // Every outsourced replica is late at its first deadline, and only those.
  CHECK(t.faults_detected >= t.deals_placed - far.last_epoch().deals_placed);
  CHECK(t.faults_detected <= t.deals_placed);
  CHECK(t.detect_days_max <= 1.0);
  CHECK(t.deals_lost == 0);  // the honest replicas are still there
  CHECK(t.fees_tokens > 0.0);
}

TEST_CASE("models::StorageNetwork: a generator is caught when regenerating is slower than proofs",
          "[unit]") {
  auto spec = small_spec();
  spec.deals.replicas = 1;
  spec.deals.per_day = 20;
  auto generator = group(1, StorageBehaviour::generating);
  generator.capacity_tib = 0.5;  // 8 deals of 64 GiB fit, it claims room for 16
  generator.params.claim_factor = 2.0;
  auto slow = make(spec, {generator});
  run(slow, 5);
  CHECK(slow.totals().deals_placed == 16);
  CHECK(slow.totals().bytes_held == Approx(8 * 64 * models::kGiB));
  CHECK(slow.totals().faults_detected == 8);  // the 8 it does not hold, 64 GiB · 340 s each

  generator.params.regenerate_s_per_gib = 0.0;  // instant regeneration: never caught
  auto fast = make(spec, {generator});
  run(fast, 5);
  CHECK(fast.totals().faults_detected == 0);
  CHECK(fast.totals().bytes_proven == Approx(2 * fast.totals().bytes_held));
}

TEST_CASE("models::StorageNetwork: data is lost only when every replica is gone", "[unit]") {
  auto spec = small_spec();
  spec.deals.per_day = 10;
  spec.repair = models::RepairPolicy::none;
  auto fragile = group(2);
  fragile.hardware.node_failure_per_year = 1e6;  // a node loss every epoch
  // Two of the three replicas of every deal fail again and again; the third never does.
  auto some = make(spec, {fragile, group(1)});
  run(some, 10);
  CHECK(some.totals().new_faults > 50);
  CHECK(some.totals().deals_lost == 0);
  CHECK(some.totals().bytes_lost == 0.0);

  // All three fragile: deals go once their last replica does.
  fragile.count = 3;
  auto all = make(spec, {fragile});
  run(all, 10);
  const auto& t = all.totals();
  CHECK(t.deals_lost > 50);
  CHECK(t.deals_lost <= t.deals_placed);
  CHECK(t.bytes_lost == Approx(64 * models::kGiB * static_cast<double>(t.deals_lost)));
  CHECK(t.damage_usd > 0.0);
}

TEST_CASE("models::StorageNetwork: a departed operator's replicas are terminated and repaired",
          "[unit]") {
  auto spec = small_spec();
  spec.deals.per_day = 4;
  spec.deals.duration = Time::days(365);
  auto net = make(spec, {group(4)});
  std::vector<ProviderEpochs> epochs;
  for (int d = 0; d < 60; ++d) {
    if (d == 5) net.leave_operator(net.operator_of(0), Time::days(5));
    epochs.push_back(net.step(view_for(d)));
  }
  const auto& t = net.totals();
  // Its replicas go with it, are detected at their next deadline, and are terminated 42 days
  // later; each is re-made on the one provider that lacks the deal.
  CHECK(t.faults_detected > 0);
  CHECK(t.terminations == t.faults_detected);
  CHECK(t.repairs == t.terminations);
  CHECK(t.repair_bytes == Approx(64 * models::kGiB * static_cast<double>(t.repairs)));
  CHECK(t.deals_lost == 0);
  CHECK(t.providers_online == 3);
  // Continued fault fees for 41 periods and a termination fee for each of its replicas.
  double its_penalty = 0.0;
  for (const auto& e : epochs)
    its_penalty += e.providers[0].penalty_tokens;
  CHECK(its_penalty == Approx(t.fees_tokens));
  CHECK(its_penalty > 0.0);
  CHECK(epochs[50].providers[0].opex_usd == 0.0);
}

TEST_CASE(
    "models::StorageNetwork: a terminated replica is never re-made on the provider that lost it",
    "[unit]") {
  // Three providers, three replicas: every deal is on all of them. The deleter drops each replica
  // at once and is terminated two days later. The termination frees room on the deleter alone,
  // and the other two already hold the deal, so no provider may take the copy: every repair fails
  // (a copy on the deleter would be dropped again) and the two honest replicas keep the deal.
  auto spec = small_spec();
  spec.deals.per_day = 5;
  spec.deals.duration = Time::days(365);
  spec.proofs.terminate_after = Time::days(2);
  auto deleter = group(1, StorageBehaviour::deleting);
  deleter.params.keep_for = Time{};
  auto net = make(spec, {deleter, group(2)});
  run(net, 10);
  const auto& t = net.totals();
  REQUIRE(t.terminations > 10);
  CHECK(t.repairs == 0);
  CHECK(t.repair_bytes == 0.0);
  CHECK(t.repairs_failed == t.terminations);
  CHECK(t.deals_lost == 0);
  // The deleter holds only the replicas of the last days' deals, not yet terminated.
  CHECK(t.terminations + net.nodes().extra[5].values[0] == Approx(t.deals_placed));
}

TEST_CASE("models::StorageNetwork: a replica terminated after its deal ended is not repaired",
          "[unit]") {
  // Four providers; the first leaves at 12:00 on day 0 with the replicas it took that morning.
  // One deadline a day (ending at midnight): they are faulty from day 1 and terminated at the
  // end of day 2, two days later. Deals of 60 h from that morning end during day 2, before the
  // termination: nothing is left to repair. Deals of 4 days are still live: each is repaired.
  const auto once = [](Time duration) {
    auto spec = small_spec();
    spec.deals.duration = duration;
    spec.proofs.deadlines = 1;
    spec.proofs.terminate_after = Time::days(2);
    auto net = make(spec, {group(4)});
    net.leave_operator(net.operator_of(0), Time::hours(12));
    run(net, 4);
    return net.totals();
  };
  const auto ended = once(Time::hours(60));
  REQUIRE(ended.terminations > 0);
  CHECK(ended.terminations == ended.faults_detected);
  CHECK(ended.repairs == 0);
  CHECK(ended.repairs_failed == 0);
  CHECK(ended.deals_lost == 0);

  const auto live = once(Time::days(4));
  REQUIRE(live.terminations > 0);
  CHECK(live.repairs == live.terminations);
  CHECK(live.repair_bytes == Approx(64 * models::kGiB * static_cast<double>(live.repairs)));
  CHECK(live.deals_lost == 0);
}

TEST_CASE("models::StorageNetwork: outages bring faults that recover, with no data lost",
          "[unit]") {
  auto spec = small_spec();
  auto flaky = group(10, StorageBehaviour::unreliable);
  flaky.params.outages_per_year = 50;
  flaky.params.failure_multiplier = 0;
  auto net = make(spec, {flaky, group(10)});
  run(net, 60);
  const auto& t = net.totals();
  CHECK(t.faults_detected > 0);
  CHECK(t.recoveries > 0);
  CHECK(t.deals_lost == 0);
  CHECK(t.new_faults == 0);  // outages keep the data
}

TEST_CASE("models::StorageNetwork: arweave pays from the endowment, never more than it holds",
          "[unit]") {
  auto spec = small_spec();
  spec.payment = StoragePayment::arweave;
  spec.arweave.cost_usd_per_gib_year = 0.01;
  auto rich = make(spec, {group(10)});
  const auto epochs = run(rich, 20, 1e9);
  const auto& t = rich.totals();
  // No deal ends; the fee of each 64 GiB deal: X = 20 · 0.01 · 64 · 199.5 USD.
  CHECK(t.units_active + t.units_faulty == 3 * t.deals_placed);
  const double x = models::arweave_fee(spec.arweave, 64 * models::kGiB).endowment_usd;
  CHECK(x == Approx(20 * 0.01 * 64 * 199.5).epsilon(1e-3));
  double deposits = 0.0;
  for (const auto& e : epochs)
    deposits += e.endowment_deposit_usd;
  CHECK(deposits == Approx(x * static_cast<double>(t.deals_placed)));
  CHECK(t.endowment_shortfall_tokens == 0.0);
  CHECK(t.endowment_paid_tokens > 0.0);
  CHECK(sum_of(epochs, &models::ProviderEpoch::collateral_tokens) == 0.0);
  CHECK(rich.fee_multiplier() == 1.0);

  // A nearly empty endowment pays what it has each epoch (its balance and the day's up-front
  // fees, which the world deposits before it pays), reports the rest, and doubles fees. With a
  // deal every few days most days bring no fee.
  auto sparse = spec;
  sparse.deals.per_day = 0.3;
  auto poor = make(sparse, {group(10)});
  const auto short_epochs = run(poor, 40, 1e-6);
  for (const auto& e : short_epochs) {
    double paid = 0.0;
    for (const auto& p : e.providers)
      paid += p.endowment_tokens;
    REQUIRE(paid <= (1e-6 + e.endowment_deposit_usd / 1.0) * (1 + 1e-9));  // price $1
  }
  CHECK(poor.totals().endowment_shortfall_tokens > 0.0);
  CHECK(poor.fee_multiplier() == 2.0);

  // On the first day the endowment is empty but the day's fees cover the day's storage: no
  // shortfall, so the fee latch stays open.
  auto first = make(spec, {group(10)});
  const auto day0 = run(first, 1, 0.0);
  CHECK(day0.front().endowment_deposit_usd > 0.0);
  CHECK(first.totals().endowment_shortfall_tokens == 0.0);
  CHECK(first.fee_multiplier() == 1.0);
}

TEST_CASE("models::StorageNetwork: the same seed gives the same run, whatever the threads",
          "[unit]") {
  auto spec = small_spec();
  auto mixed = group(40);
  mixed.share = {0.5, 0.2, 0.1, 0.1, 0.05, 0.05};
  mixed.hardware.disk_failure_per_year = 0.5;
  mixed.hardware.node_failure_per_year = 0.5;
  const auto once = [&](std::uint64_t seed, int threads) {
#ifdef _OPENMP
    omp_set_num_threads(threads);
#else
    (void)threads;
#endif
    auto net = make(spec, {mixed}, seed);
    auto epochs = run(net, 30);
    return std::make_pair(std::move(epochs), net.totals());
  };
  const auto a = once(3, 1);
  const auto b = once(3, 2);
  const auto c = once(4, 2);
  REQUIRE(a.first.size() == b.first.size());
  bool identical = true;
  for (std::size_t k = 0; k < a.first.size(); ++k)
    identical = identical && same(a.first[k], b.first[k]);
  CHECK(identical);
  CHECK(a.second.deals_placed == b.second.deals_placed);
  CHECK(a.second.faults_detected == b.second.faults_detected);
  CHECK(a.second.fees_tokens == b.second.fees_tokens);
  CHECK(a.second.bytes_held == b.second.bytes_held);
  CHECK(a.second.faults_detected > 0);
  // Another seed, another run.
  CHECK(a.second.deals_placed != c.second.deals_placed);
}

TEST_CASE("models::StorageNetwork: records one row of storage series per epoch", "[unit]") {
  auto net = make(small_spec(), {group(5)});
  run(net, 3);
  CHECK(net.recorder().rows() == 3);
  CHECK(net.recorder().series_count() > 30);
  const auto nodes = net.nodes();
  CHECK(nodes.behaviour.size() == 5);
  CHECK(nodes.behaviour[0] == "honest");
  CHECK(nodes.x_km.size() == 5);
  REQUIRE_FALSE(nodes.extra.empty());
  for (const auto& column : nodes.extra)
    CHECK(column.values.size() == 5);
}
