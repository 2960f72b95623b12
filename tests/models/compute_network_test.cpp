#include "models/compute_network.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/config.hpp"
#include "tests/models/config_reading.hpp"

using models::ComputeBehaviour;
using models::ComputeGroupSpec;
using models::ComputeMarketKind;
using models::ComputeNetwork;
using models::ComputeSpec;
using models::ComputeVerificationKind;
using models::MarketView;
using models::ProviderEpoch;
using models::ProviderEpochs;
using models::ReplicationRule;
using sim::Time;

namespace {

constexpr std::size_t kHonest = 0, kLazy = 1, kPartial = 2, kColluding = 3, kUnreliable = 4;

// A GPU class that runs a 1-unit job in 6 minutes.
ComputeGroupSpec gpus(std::int64_t count, std::array<double, 5> share = {1, 0, 0, 0, 0}) {
  ComputeGroupSpec g;
  g.count = count;
  g.share = share;
  g.gpu.name = "test-gpu";
  g.gpu.throughput_units_per_hour = 10.0;
  g.gpu.ask_usd_per_unit = 0.05;
  return g;
}

// Fixed 1-unit jobs, budgets above every price, a day's deadline, Render prices, no checks.
ComputeSpec plain(double jobs_per_day) {
  ComputeSpec s;
  s.jobs.rate_per_day = jobs_per_day;
  s.jobs.size_distribution = models::JobSizeDistribution::fixed;
  s.jobs.mean_size_units = 1.0;
  s.jobs.budget_usd_per_unit = 0.1;
  s.jobs.budget_spread = 0.0;
  s.market.kind = ComputeMarketKind::render;
  s.market.price_usd_per_unit = 0.08;
  return s;
}

ComputeSpec replicated(ComputeSpec s, ReplicationRule rule) {
  s.verification.kind = ComputeVerificationKind::replication;
  s.verification.replicas = 3;
  s.verification.rule = rule;
  return s;
}

MarketView day(std::int64_t e, double price_usd = 2.0, double pool_tokens = 10'000.0) {
  return MarketView{e, Time::days(e), Time::days(e + 1), price_usd, pool_tokens, 1e8, 0.0};
}

std::vector<ProviderEpochs> run(ComputeNetwork& net, int days, double price_usd = 2.0) {
  std::vector<ProviderEpochs> out;
  for (int e = 0; e < days; ++e)
    out.push_back(net.step(day(e, price_usd)));
  return out;
}

double sum(const std::vector<ProviderEpochs>& epochs, double ProviderEpoch::*field) {
  double total = 0.0;
  for (const auto& e : epochs) {
    for (const auto& p : e.providers)
      total += p.*field;
  }
  return total;
}

// Four binomial standard errors of a rate p over n trials: the tolerance of every simulated
// rate below.
double four_se(double p, double n) {
  return 4.0 * std::sqrt(p * (1.0 - p) / n);
}

// P(j of the k replicas, drawn without replacement from n providers of which bad are bad).
double hypergeometric(int j, int k, double n, double bad) {
  const auto choose = [](double a, int b) {
    double c = 1.0;
    for (int i = 0; i < b; ++i)
      c = c * (a - i) / (i + 1);
    return c;
  };
  return choose(bad, j) * choose(n - bad, k - j) / choose(n, k);
}

}  // namespace

TEST_CASE(
    "models::ComputeNetwork: with every provider honest no wrong result is accepted and "
    "nobody is slashed",
    "[unit]") {
  ComputeSpec spec = replicated(plain(3000), ReplicationRule::majority);
  spec.market.kind = ComputeMarketKind::akash;
  spec.stake.stake_tokens = 100.0;
  ComputeNetwork net(spec, {gpus(200)}, 100, 100, sim::RandomStreams(3, 0));
  const auto epochs = run(net, 5);
  const auto& t = net.totals();
  CHECK(t.arrived > 14'000);
  CHECK(t.placed == t.arrived);
  CHECK(t.completed > 14'000);
  CHECK(t.accepted == t.completed);
  CHECK(t.wrong_returned == 0);
  CHECK(t.wrong_accepted == 0);
  CHECK(t.wrong_caught == 0);
  CHECK(t.honest_slashed == 0);
  CHECK(t.slashed_tokens == 0.0);
  CHECK(sum(epochs, &ProviderEpoch::penalty_tokens) == 0.0);
  for (const auto& e : epochs) {
    for (const auto& p : e.providers)
      CHECK_FALSE(p.caught);
  }
  // The stake is locked at the first epoch and stays locked.
  CHECK(epochs[0].providers[17].collateral_tokens == 100.0);
  CHECK(sum(epochs, &ProviderEpoch::collateral_tokens) == Approx(200 * 100.0));
  // Three replicas of every job: two thirds of all work is checking.
  CHECK(t.verification_work_units / (t.job_work_units + t.verification_work_units) ==
        Approx(2.0 / 3.0));
  // Akash: clients' payments split 80/20 (AEP-23), and every dollar is booked.
  const double client = sum(epochs, &ProviderEpoch::client_usd);
  const double take = sum(epochs, &ProviderEpoch::take_usd);
  CHECK(client + take == Approx(t.client_spend_usd).epsilon(1e-12));
  CHECK(take == Approx(t.take_usd).epsilon(1e-12));
  CHECK(take / t.client_spend_usd == Approx(0.2).epsilon(1e-3));
  CHECK(sum(epochs, &ProviderEpoch::burn_usd) == 0.0);
  // Bids lie between the ask and ask·(1 + markup).
  CHECK(t.client_spend_usd / (3.0 * static_cast<double>(t.accepted)) >= 0.05);
  CHECK(t.client_spend_usd / (3.0 * static_cast<double>(t.accepted)) <= 0.05 * 1.2);
}

TEST_CASE("models::ComputeNetwork: lazy replicas pass unanimous replication at about f^k",
          "[unit]") {
  // 200 of 1 000 providers lazy (f = 0.2), k = 3, unanimity: a wrong answer is accepted only
  // when all three replicas are lazy. Drawn without replacement that is 0.2·(199/999)·(198/998)
  // = 0.00790, 1.2 % under f^k = 0.008 (MECHANISMS.md §3.3).
  ComputeNetwork net(replicated(plain(20'000), ReplicationRule::unanimous),
                     {gpus(1000, {0.8, 0.2, 0, 0, 0})}, 100, 100, sim::RandomStreams(11, 0));
  run(net, 5);
  const auto& t = net.totals();
  REQUIRE(t.completed > 95'000);
  const double jobs = static_cast<double>(t.completed);
  const double expected = hypergeometric(3, 3, 1000, 200);
  CHECK(expected == Approx(0.008).epsilon(0.015));
  CHECK(t.wrong_accepted / jobs == Approx(expected).margin(four_se(expected, jobs)));
  // Every other lazy answer met an honest one, was re-run by the referee and proven wrong.
  CHECK(t.wrong_caught == t.wrong_returned - 3 * t.wrong_accepted);
  CHECK(t.honest_slashed == 0);
  // The lazy share of answers is f.
  CHECK(t.wrong_returned / (3.0 * jobs) == Approx(0.2).margin(four_se(0.2, 3.0 * jobs)));
}

TEST_CASE("models::ComputeNetwork: under a majority two lazy replicas outvote an honest one",
          "[unit]") {
  ComputeNetwork net(replicated(plain(20'000), ReplicationRule::majority),
                     {gpus(1000, {0.8, 0.2, 0, 0, 0})}, 100, 100, sim::RandomStreams(12, 0));
  run(net, 5);
  const auto& t = net.totals();
  const double jobs = static_cast<double>(t.completed);
  // Majority tail, without replacement: P(2 lazy) + P(3 lazy) ≈ 3f²(1−f) + f³ = 0.104.
  const double two = hypergeometric(2, 3, 1000, 200), three = hypergeometric(3, 3, 1000, 200);
  CHECK(two + three == Approx(models::majority_malicious_probability(0.2, 3)).epsilon(0.02));
  CHECK(t.wrong_accepted / jobs == Approx(two + three).margin(four_se(two + three, jobs)));
  // Each two-lazy job slashes the honest replica that disagreed.
  CHECK(t.honest_slashed / jobs == Approx(two).margin(four_se(two, jobs)));
}

TEST_CASE("models::ComputeNetwork: a colluding ring cheats only when it holds every replica",
          "[unit]") {
  // All 200 colluders form one ring; they compute honestly unless the three replicas are theirs,
  // so they are never caught, and pass at the same rate as the lazy above.
  ComputeGroupSpec g = gpus(1000, {0.8, 0, 0, 0.2, 0});
  g.params.ring_size = 200;
  ComputeNetwork net(replicated(plain(20'000), ReplicationRule::unanimous), {g}, 100, 100,
                     sim::RandomStreams(13, 0));
  run(net, 5);
  const auto& t = net.totals();
  const double jobs = static_cast<double>(t.completed);
  const double expected = hypergeometric(3, 3, 1000, 200);
  CHECK(t.wrong_accepted / jobs == Approx(expected).margin(four_se(expected, jobs)));
  CHECK(t.wrong_returned == 3 * t.wrong_accepted);
  CHECK(t.wrong_caught == 0);
  CHECK(net.population().rings == 1);
}

TEST_CASE("models::ComputeNetwork: spot checks slash lazy providers until their stake is gone",
          "[unit]") {
  // p = 0.2, a quarter of the stake per proven wrong answer: four catches eject a provider.
  ComputeSpec spec = plain(4000);
  spec.verification.kind = ComputeVerificationKind::spot_check;
  spec.verification.spot_check_probability = 0.2;
  spec.stake.stake_usd = 200.0;  // 100 tokens at $2
  spec.stake.slash_fraction = 0.25;
  spec.stake.challenger_share = 0.5;
  ComputeNetwork net(spec, {gpus(100, {0.5, 0.5, 0, 0, 0})}, 100, 100, sim::RandomStreams(5, 0));
  const auto epochs = run(net, 10);
  const auto& t = net.totals();
  const auto& pop = net.population();
  CHECK(net.recorder().rows() == 10);
  CHECK(epochs[0].providers[0].collateral_tokens == Approx(100.0));
  // Every lazy provider loses its whole stake, 25 tokens a catch, half of it to the verifier
  // who proved it; catches after the stake is gone take nothing more.
  CHECK(t.wrong_caught >= 50 * 4);
  CHECK(t.slashed_tokens == Approx(50 * 100.0));
  CHECK(sum(epochs, &ProviderEpoch::penalty_tokens) == Approx(t.slashed_tokens));
  CHECK(sum(epochs, &ProviderEpoch::reporter_tokens) == Approx(0.5 * t.slashed_tokens));
  CHECK(t.honest_slashed == 0);
  CHECK(t.ejected == 50);  // every lazy provider, none of the honest
  const auto stake_left = net.nodes().extra.back().values;
  for (std::size_t i = 0; i < net.size(); ++i) {
    double locked = 0.0, penalty = 0.0;
    bool caught = false;
    for (const auto& e : epochs) {
      locked += e.providers[i].collateral_tokens;
      penalty += e.providers[i].penalty_tokens;
      caught = caught || e.providers[i].caught;
    }
    const bool lazy = pop.behaviour[i] == ComputeBehaviour::lazy;
    CHECK(caught == lazy);
    // Locked once, never released (an ejected provider has nothing left to release), and the
    // host's collateral account ends at the stake the network still counts.
    CHECK(locked == Approx(100.0));
    CHECK(penalty == (lazy ? Approx(100.0) : Approx(0.0)));
    CHECK(locked - penalty == Approx(stake_left[i]).margin(1e-9));
  }
  // Ejected providers take no more work: by the last epoch only honest ones return answers.
  CHECK(net.last_epoch().wrong_returned == 0);
  CHECK(net.last_epoch().work_units[kLazy] == 0.0);
}

TEST_CASE("models::ComputeNetwork: spot checks catch wrong answers at the check rate", "[unit]") {
  ComputeSpec spec = plain(10'000);
  spec.verification.kind = ComputeVerificationKind::spot_check;
  spec.verification.spot_check_probability = 0.1;
  ComputeNetwork net(spec, {gpus(500, {0.7, 0.1, 0.1, 0.1, 0})}, 100, 100,
                     sim::RandomStreams(6, 0));
  run(net, 5);
  const auto& t = net.totals();
  const double wrong = static_cast<double>(t.wrong_returned);
  // Lazy, partial and colluding (alone on a job, a ring always carries it) all cheat: 30 %.
  CHECK(wrong / static_cast<double>(t.completed) == Approx(0.3).margin(0.02));
  CHECK(t.wrong_caught / wrong == Approx(0.1).margin(four_se(0.1, wrong)));
  CHECK(t.wrong_accepted == t.wrong_returned - t.wrong_caught);
  CHECK(t.re_executions / static_cast<double>(t.completed) ==
        Approx(0.1).margin(four_se(0.1, static_cast<double>(t.completed))));
  CHECK(t.verification_work_units / (t.job_work_units + t.verification_work_units) ==
        Approx(0.1 / 1.1).margin(0.01));
}

TEST_CASE("models::ComputeNetwork: optimistic results are paid after the window, disputes slash",
          "[unit]") {
  ComputeSpec spec = plain(2000);
  spec.verification.kind = ComputeVerificationKind::optimistic;
  spec.verification.challenge_probability = 0.5;
  spec.verification.challenge_window = Time::days(2);
  spec.stake.stake_tokens = 1000.0;
  spec.stake.slash_fraction = 0.001;
  ComputeNetwork net(spec, {gpus(100, {0.5, 0.5, 0, 0, 0})}, 100, 100, sim::RandomStreams(8, 0));
  const auto epochs = run(net, 6);
  const auto& t = net.totals();
  // Nothing is final in the first two days; disputes settle within hours.
  CHECK(epochs[0].providers.size() == 100);
  CHECK(sum({epochs[0], epochs[1]}, &ProviderEpoch::burn_usd) == 0.0);
  CHECK(sum({epochs[0]}, &ProviderEpoch::penalty_tokens) > 0.0);
  CHECK(sum({epochs[2]}, &ProviderEpoch::burn_usd) > 0.0);
  const double wrong = static_cast<double>(t.wrong_returned);
  CHECK(t.wrong_caught / wrong == Approx(0.5).margin(four_se(0.5, wrong)));
  CHECK(t.disputes == t.wrong_caught);
  CHECK(t.honest_slashed == 0);
}

TEST_CASE("models::ComputeNetwork: utilisation and latency follow M/D/1 under random placement",
          "[unit]") {
  // 12 000 jobs a day of 0.1 h on 100 providers: load ρ = 0.5. Placement picks a uniformly
  // random provider (all have room), so each provider is an M/D/1 queue: utilisation ρ and mean
  // time in system S + ρS/(2(1 − ρ)) = 0.1 + 0.05 = 0.15 h (Pollaczek-Khinchine).
  ComputeNetwork net(plain(12'000), {gpus(100)}, 100, 100, sim::RandomStreams(9, 0));
  run(net, 10);
  const auto& t = net.totals();
  CHECK(t.booked_provider_s / t.active_provider_s == Approx(0.5).epsilon(0.02));
  CHECK(t.latency_h_sum / static_cast<double>(t.accepted) == Approx(0.15).epsilon(0.04));
  CHECK(t.deadline_misses == 0);
  CHECK(t.unplaced == 0);
}

TEST_CASE(
    "models::ComputeNetwork: a tight deadline and short queues give misses and unplaced "
    "jobs",
    "[unit]") {
  // Offered load 1.5: queues fill to max_queue, then candidates refuse work.
  ComputeSpec spec = plain(36'000);
  spec.jobs.deadline = Time::minutes(30);
  spec.market.max_queue = Time::hours(1);
  ComputeNetwork net(spec, {gpus(100)}, 100, 100, sim::RandomStreams(10, 0));
  run(net, 3);
  const auto& t = net.totals();
  CHECK(t.unplaced > 0);
  CHECK(t.deadline_misses > 0);
  CHECK(t.booked_provider_s / t.active_provider_s > 0.9);
}

TEST_CASE("models::ComputeNetwork: power is paid for the hours a provider really computes",
          "[unit]") {
  // 1 kW at $0.2/kWh, no fixed opex: honest providers pay 0.2 per booked hour, lazy ones nothing,
  // partial ones (skipping half) half. Capex is paid once, at the first epoch.
  for (std::size_t b : {kHonest, kLazy, kPartial}) {
    std::array<double, 5> share{};
    share[b] = 1.0;
    ComputeGroupSpec g = gpus(50, share);
    g.gpu.power_w = 1000.0;
    g.gpu.electricity_usd_per_kwh = 0.2;
    g.gpu.capex_usd = 1500.0;
    g.params.partial_skipped_share = 0.5;
    ComputeNetwork net(plain(3000), {g}, 100, 100, sim::RandomStreams(4, 0));
    const auto epochs = run(net, 3);
    const auto& t = net.totals();
    const double effort = b == kHonest ? 1.0 : b == kLazy ? 0.0 : 0.5;
    CHECK(sum(epochs, &ProviderEpoch::opex_usd) ==
          Approx(effort * 0.2 * t.booked_provider_s / 3600.0).margin(1e-9));
    CHECK(sum(epochs, &ProviderEpoch::capex_usd) == Approx(50 * 1500.0));
    CHECK(sum({epochs[1], epochs[2]}, &ProviderEpoch::capex_usd) == 0.0);
  }
  // A fixed monthly opex is paid pro rata: one day is 12/365 of a month's.
  ComputeGroupSpec g = gpus(10);
  g.gpu.opex_usd_per_month = 365.0;
  ComputeNetwork net(plain(0), {g}, 100, 100, sim::RandomStreams(4, 0));
  CHECK(net.step(day(0)).providers[3].opex_usd == Approx(12.0));
}

TEST_CASE("models::ComputeNetwork: Render burns what clients pay and weighs work by value",
          "[unit]") {
  ComputeSpec spec = plain(2000);
  spec.jobs.deadline = Time::hours(1);  // a dropped job is given up an hour after it arrived
  ComputeNetwork net(spec, {gpus(50, {0.9, 0, 0, 0, 0.1})}, 100, 100, sim::RandomStreams(14, 0));
  const auto epochs = run(net, 4, 2.0);
  const auto& t = net.totals();
  const double burn = sum(epochs, &ProviderEpoch::burn_usd);
  CHECK(burn == Approx(t.client_spend_usd));
  CHECK(burn == Approx(0.08 * static_cast<double>(t.accepted)));  // 1-unit jobs at $0.08
  CHECK(sum(epochs, &ProviderEpoch::reward_weight) == Approx(burn));
  CHECK(sum(epochs, &ProviderEpoch::client_usd) == 0.0);
  // The pool (10 000 tokens at $2 each epoch) is shared in full among those who worked.
  double earned = 0.0;
  for (double e : t.earnings_usd)
    earned += e;
  CHECK(earned == Approx(4 * 10'000.0 * 2.0));
  // Unreliable providers drop about a share of 0.2 of their jobs (the default), which are lost.
  const double dropped_share = static_cast<double>(t.rejected) / static_cast<double>(t.completed);
  CHECK(dropped_share == Approx(0.1 * 0.2).margin(four_se(0.02, static_cast<double>(t.completed))));
}

TEST_CASE("models::ComputeNetwork: no bid within budget leaves every job unplaced", "[unit]") {
  ComputeSpec spec = plain(1000);
  spec.market.kind = ComputeMarketKind::akash;
  spec.jobs.budget_usd_per_unit = 0.04;  // under every ask of 0.05
  ComputeNetwork net(spec, {gpus(20)}, 100, 100, sim::RandomStreams(2, 0));
  const auto epochs = run(net, 2);
  CHECK(net.totals().placed == 0);
  CHECK(net.totals().unplaced == net.totals().arrived);
  CHECK(sum(epochs, &ProviderEpoch::client_usd) == 0.0);
  // Render at a price over budget: the same.
  spec.market.kind = ComputeMarketKind::render;
  spec.market.price_usd_per_unit = 0.05;
  ComputeNetwork render(spec, {gpus(20)}, 100, 100, sim::RandomStreams(2, 0));
  run(render, 2);
  CHECK(render.totals().placed == 0);
}

TEST_CASE("models::ComputeNetwork: bursts multiply the arrivals", "[unit]") {
  ComputeSpec spec = plain(1000);
  spec.jobs.burst_probability = 1.0;
  spec.jobs.burst_multiplier = 3.0;
  ComputeNetwork net(spec, {gpus(50)}, 100, 100, sim::RandomStreams(2, 0));
  run(net, 4);
  // Poisson with mean 12 000: within 4 standard deviations (√12 000 ≈ 110).
  CHECK(static_cast<double>(net.totals().arrived) == Approx(12'000).margin(440));
}

TEST_CASE("models::ComputeNetwork: the same seed gives the same run, another seed another",
          "[unit]") {
  ComputeSpec spec = replicated(plain(3000), ReplicationRule::majority);
  spec.market.kind = ComputeMarketKind::akash;
  spec.stake.stake_tokens = 10;
  const std::vector<ComputeGroupSpec> groups{gpus(300, {0.6, 0.1, 0.1, 0.1, 0.1})};
  const auto fields = [](const std::vector<ProviderEpochs>& es) {
    std::vector<double> v;
    for (const auto& e : es) {
      for (const auto& p : e.providers) {
        v.insert(v.end(), {p.reward_weight, p.client_usd, p.take_usd, p.burn_usd,
                           p.collateral_tokens, p.penalty_tokens, p.reporter_tokens, p.opex_usd,
                           p.capex_usd, p.caught ? 1.0 : 0.0});
      }
    }
    return v;
  };
  ComputeNetwork a(spec, groups, 100, 100, sim::RandomStreams(21, 0));
  ComputeNetwork b(spec, groups, 100, 100, sim::RandomStreams(21, 0));
  ComputeNetwork c(spec, groups, 100, 100, sim::RandomStreams(22, 0));
  const auto ra = fields(run(a, 3)), rb = fields(run(b, 3)), rc = fields(run(c, 3));
  CHECK(ra == rb);
  CHECK(ra != rc);
  CHECK(a.totals().wrong_accepted == b.totals().wrong_accepted);
  CHECK(a.nodes().extra[0].values == b.nodes().extra[0].values);
}

TEST_CASE("models::ComputeNetwork: a leaving operator's providers stop and get their stake back",
          "[unit]") {
  ComputeSpec spec = plain(2000);
  spec.stake.stake_tokens = 50;
  ComputeGroupSpec g = gpus(20);
  g.providers_per_operator = 4;
  ComputeNetwork net(spec, {g}, 100, 100, sim::RandomStreams(2, 0));
  REQUIRE(net.operators() == 5);
  net.step(day(0));
  net.leave_operator(2, Time::days(1));
  const ProviderEpochs second = net.step(day(1));
  for (std::size_t i = 0; i < net.size(); ++i) {
    const bool gone = net.operator_of(i) == 2;
    CHECK(second.providers[i].collateral_tokens == (gone ? -50.0 : 0.0));
  }
  CHECK(net.last_epoch().work_units[kHonest] > 0);
  const auto nodes = net.nodes();
  const ProviderEpochs third = net.step(day(2));
  const auto after = net.nodes();
  for (std::size_t i = 0; i < net.size(); ++i) {
    if (net.operator_of(i) == 2) CHECK(after.extra[0].values[i] == nodes.extra[0].values[i]);
  }
  CHECK(third.providers.size() == 20);
}

TEST_CASE("models::ComputePopulation: exact behaviour counts, operators of one behaviour, rings",
          "[unit]") {
  ComputeGroupSpec g = gpus(100, {0.6, 0.1, 0.1, 0.1, 0.1});
  g.providers_per_operator = 4;
  g.params.ring_size = 3;
  const auto pop = models::ComputePopulation::build({g}, 50, 20, sim::RandomStreams(1, 0));
  REQUIRE(pop.size() == 100);
  std::array<int, 5> count{};
  for (auto b : pop.behaviour)
    ++count[static_cast<std::size_t>(b)];
  CHECK(count == std::array<int, 5>{60, 10, 10, 10, 10});
  // 60 honest in 15 operators, 10 of each other kind in 3 each (4 + 4 + 2), the 10 colluders in
  // 4 rings of 3, 3, 3 and 1.
  CHECK(pop.operators == 15 + 3 * 3 + 4);
  CHECK(pop.rings == 4);
  std::vector<int> behaviour_of(pop.operators, -1), members(pop.operators, 0);
  for (std::size_t i = 0; i < pop.size(); ++i) {
    const int b = static_cast<int>(pop.behaviour[i]);
    const auto op = pop.operator_id[i];
    CHECK((behaviour_of[op] == -1 || behaviour_of[op] == b));
    behaviour_of[op] = b;
    ++members[op];
    CHECK(pop.x_km[i] >= 0.0);
    CHECK(pop.x_km[i] <= 50.0);
    CHECK(pop.y_km[i] <= 20.0);
    CHECK((pop.ring[i] != models::ComputePopulation::kNoRing) == (b == int(kColluding)));
  }
  for (int m : members)
    CHECK(m <= 4);
  CHECK(models::compute_behaviour_counts({0.5, 0.25, 0.25, 0, 0}, 3) ==
        std::array<std::int64_t, 5>{1, 1, 1, 0, 0});
}

TEST_CASE("models::ComputeNetwork: refuses a stake in both USD and tokens and a zero throughput",
          "[unit]") {
  ComputeSpec spec = plain(10);
  spec.stake.stake_usd = 1;
  spec.stake.stake_tokens = 1;
  CHECK_THROWS_AS(ComputeNetwork(spec, {gpus(1)}, 1, 1, sim::RandomStreams(1, 0)),
                  std::invalid_argument);
  ComputeGroupSpec g = gpus(1);
  g.gpu.throughput_units_per_hour = 0;
  CHECK_THROWS_AS(ComputeNetwork(plain(10), {g}, 1, 1, sim::RandomStreams(1, 0)),
                  std::invalid_argument);
  spec = plain(10);
  spec.stake.stake_usd = 5;
  ComputeNetwork net(spec, {gpus(1)}, 1, 1, sim::RandomStreams(1, 0));
  CHECK_THROWS_AS(net.step(day(0, 0.0)), std::invalid_argument);  // no price to buy it at
}
