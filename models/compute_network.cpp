#include "models/compute_network.hpp"

#include <array>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

namespace {

bool is_share(double x) {
  return x >= 0.0 && x <= 1.0;
}

ComputeJobsSpec read_jobs_spec(Section s) {
  ComputeJobsSpec j;
  const Range non_negative = Range::at_least(0.0);
  j.rate_per_day = s.number("rate_per_day", j.rate_per_day, "1/d", non_negative,
                            "mean job arrivals per day (Poisson within each epoch)");
  j.burst_probability = s.number("burst_probability", j.burst_probability, "",
                                 Range::between(0.0, 1.0), "chance that an epoch is a burst");
  j.burst_multiplier = s.number("burst_multiplier", j.burst_multiplier, "", non_negative,
                                "arrival rate of a burst epoch, relative to a normal one");
  static constexpr std::array<std::string_view, 3> kSizes{"fixed", "exponential", "lognormal"};
  const std::string size = s.choice("size_distribution", "lognormal", kSizes,
                                    "how job sizes are drawn around their mean");
  j.size_distribution = size == "fixed"         ? JobSizeDistribution::fixed
                        : size == "exponential" ? JobSizeDistribution::exponential
                                                : JobSizeDistribution::lognormal;
  j.mean_size_units = s.number("mean_size_units", j.mean_size_units, "units", Range::above(0.0),
                               "mean job size in work units");
  if (j.size_distribution == JobSizeDistribution::lognormal || s.describing()) {
    j.size_cv = s.number("size_cv", j.size_cv, "", non_negative,
                         "lognormal: standard deviation of job sizes over their mean");
  }
  j.deadline = s.duration("deadline", j.deadline, Time::seconds(1),
                          "time from a job's arrival by which its client wants the answer");
  j.budget_usd_per_unit =
      s.number("budget_usd_per_unit", j.budget_usd_per_unit, "USD/unit", non_negative,
               "clients' mean budget: the most they pay per unit");
  j.budget_spread = s.number("budget_spread", j.budget_spread, "", Range::between(0.0, 1.0),
                             "budgets are uniform within +-spread of the mean, relative");
  s.finish();
  return j;
}

ComputeStakeSpec read_stake_spec(Section s) {
  ComputeStakeSpec k;
  k.stake_usd = s.number("usd", k.stake_usd, "USD", Range::at_least(0.0),
                         "stake per provider, bought at the first epoch's token price");
  k.stake_tokens = s.number("tokens", k.stake_tokens, "tokens", Range::at_least(0.0),
                            "stake per provider in tokens (instead of usd)");
  if (k.stake_usd > 0.0 && k.stake_tokens > 0.0) {
    s.problem("tokens", "give the stake in usd or in tokens, not both");
  }
  k.slash_fraction = s.number("slash_fraction", k.slash_fraction, "", Range::between(0.0, 1.0),
                              "share of the initial stake slashed per proven wrong answer");
  k.challenger_share =
      s.number("challenger_share", k.challenger_share, "", Range::between(0.0, 1.0),
               "share of each slash paid to whoever proved the fault");
  s.finish();
  return k;
}

}  // namespace

ComputeSpec read_compute_spec(Section s) {
  ComputeSpec c;
  c.jobs = read_jobs_spec(s.section("jobs", "what clients ask for: arrivals, sizes, budgets"));
  c.market = read_compute_market_spec(s.section("market", "how jobs are placed and paid"));
  c.verification =
      read_compute_verification_spec(s.section("verification", "how results are checked"));
  c.stake = read_stake_spec(s.section("stake", "collateral per provider and slashing"));
  s.finish();
  return c;
}

namespace {

void check_spec(const ComputeSpec& spec, const std::vector<ComputeGroupSpec>& groups) {
  const ComputeJobsSpec& j = spec.jobs;
  if (!(j.rate_per_day >= 0.0) || !(j.burst_multiplier >= 0.0)) {
    throw std::invalid_argument("ComputeNetwork: job rates must be non-negative");
  }
  if (!is_share(j.burst_probability) || !is_share(j.budget_spread)) {
    throw std::invalid_argument(
        "ComputeNetwork: burst_probability and budget_spread must be in "
        "[0, 1]");
  }
  if (!(j.mean_size_units > 0.0) || !(j.size_cv >= 0.0)) {
    throw std::invalid_argument("ComputeNetwork: job sizes must have a positive mean");
  }
  if (!(j.budget_usd_per_unit >= 0.0)) {
    throw std::invalid_argument("ComputeNetwork: negative job budget");
  }
  const ComputeStakeSpec& k = spec.stake;
  if (!(k.stake_usd >= 0.0) || !(k.stake_tokens >= 0.0)) {
    throw std::invalid_argument("ComputeNetwork: negative stake");
  }
  if (k.stake_usd > 0.0 && k.stake_tokens > 0.0) {
    throw std::invalid_argument("ComputeNetwork: give the stake in USD or in tokens, not both");
  }
  if (!is_share(k.slash_fraction) || !is_share(k.challenger_share)) {
    throw std::invalid_argument(
        "ComputeNetwork: slash_fraction and challenger_share must be in "
        "[0, 1]");
  }
  if (groups.size() > 65'535) throw std::invalid_argument("ComputeNetwork: too many groups");
  for (const auto& g : groups) {
    if (!(g.gpu.throughput_units_per_hour > 0.0)) {
      throw std::invalid_argument("ComputeNetwork: GPU class " + g.gpu.name +
                                  " needs a positive throughput");
    }
    if (g.count < 0 || g.providers_per_operator < 1 || g.params.ring_size < 1) {
      throw std::invalid_argument("ComputeNetwork: group " + g.gpu.name +
                                  " needs count >= 0 and operators and rings of at least one");
    }
  }
}

}  // namespace

ComputeNetwork::ComputeNetwork(const ComputeSpec& spec, std::vector<ComputeGroupSpec> groups,
                               double width_km, double height_km, const sim::RandomStreams& streams)
    : spec_((check_spec(spec, groups), spec)),
      pop_(ComputePopulation::build(groups, width_km, height_km, streams)),
      market_(spec.market),
      verifier_(spec.verification, streams.stream("compute.verifier")),
      streams_(streams),
      market_rng_(streams.stream("compute.market")) {
  const std::size_t n = pop_.size();
  provider_rng_.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    provider_rng_.push_back(streams.stream("compute.provider", i));
  truth_salt_ = streams.stream("compute.truth").next_u64();
  busy_until_.assign(n, Time{});
  stops_at_ = pop_.fails_at;
  carry_booked_s_.assign(n, 0.0);
  carry_computed_s_.assign(n, 0.0);
  stake_units_.assign(n, 0);
  stake_left_units_.assign(n, 0);
  released_.assign(n, 0);
  ejected_.assign(n, 0);
  jobs_done_.assign(n, 0);
  wrong_returned_.assign(n, 0);
  caught_.assign(n, 0);
  work_done_units_.assign(n, 0.0);
  earnings_usd_.assign(n, 0.0);
  declare_series();
}

void ComputeNetwork::declare_series() {
  auto& r = recorder_;
  Series& s = series_;
  s.arrived = r.count("compute/jobs/arrived", "1", "jobs submitted by clients");
  s.placed = r.count("compute/jobs/placed", "1", "jobs that found providers within budget");
  s.unplaced = r.count("compute/jobs/unplaced", "1",
                       "jobs with no acceptable bid or no provider free among the candidates");
  s.completed = r.count("compute/jobs/completed", "1", "jobs whose verdict was reached");
  s.accepted = r.count("compute/jobs/accepted", "1", "jobs whose answer the verifier accepted");
  s.rejected = r.count("compute/jobs/rejected", "1",
                       "jobs rejected: no answer came back, or none could be accepted");
  s.deadline_misses =
      r.count("compute/jobs/deadline_misses", "1", "accepted jobs answered after their deadline");
  s.in_flight = r.count("compute/jobs/in_flight", "1", "jobs placed and not yet verified");
  s.latency_h = r.real("compute/jobs/mean_latency_h", "h",
                       "mean time from arrival to answer of accepted jobs (NaN with none)");
  s.utilisation = r.real("compute/utilisation", "1",
                         "provider time booked by jobs over provider time in the network");
  s.wrong_returned = r.count("compute/results/wrong_returned", "1",
                             "replica answers returned that differ from the true result");
  s.wrong_accepted = r.count("compute/results/wrong_accepted", "1",
                             "jobs whose accepted answer differs from the true result");
  s.wrong_caught = r.count("compute/results/wrong_caught", "1",
                           "wrong replica answers the verifier proved wrong");
  s.honest_slashed = r.count("compute/results/honest_slashed", "1",
                             "right replica answers proven wrong (outvoted by a wrong majority)");
  s.re_executions = r.count("compute/verification/re_executions", "1",
                            "jobs the verifier, a referee or a challenger ran again");
  s.disputes = r.count("compute/verification/disputes", "1", "bisection games played");
  s.verification_work_units = r.real("compute/verification/work_units", "units",
                                     "work spent on checking: redundant replicas, re-executions");
  s.verification_share = r.real("compute/verification/work_share", "1",
                                "checking work over all work (one run per job plus checking)");
  s.caught_providers =
      r.count("compute/providers/caught", "1", "providers proven wrong at least once this epoch");
  s.ejected = r.count("compute/providers/ejected", "1", "providers ejected with no stake left");
  s.slashed_tokens = r.real("compute/economy/slashed_tokens", "tokens",
                            "penalties on proven wrong answers (challengers' shares included)");
  s.client_spend_usd = r.real("compute/economy/client_spend_usd", "USD",
                              "what clients paid for accepted replicas (take included)");
  s.take_usd = r.real("compute/economy/take_usd", "USD", "the protocol's take (Akash)");
  s.burn_usd = r.real("compute/economy/burn_usd", "USD", "clients' USD burned as tokens (Render)");
  for (std::size_t b = 0; b < kComputeBehaviourCount; ++b) {
    const std::string name(kComputeBehaviourNames[b]);
    const std::string at = "compute/behaviour/" + name + "/";
    s.providers[b] = r.count(at + "providers", "1", name + " providers in the network");
    s.work_units[b] = r.real(at + "work_units", "units", "work of the answers they returned");
    s.earnings_usd[b] =
        r.real(at + "earnings_usd", "USD", "what they earned (Render: pool share at the price)");
    s.profit_usd[b] = r.real(at + "profit_usd", "USD",
                             "earnings less opex, capex and slashes at the epoch's price");
  }
}

void ComputeNetwork::leave_operator(std::uint32_t op, Time now) {
  for (std::size_t i = 0; i < size(); ++i) {
    if (pop_.operator_id[i] == op) stop(i, now);
  }
}

void ComputeNetwork::stop(std::size_t provider, Time at) {
  stops_at_[provider] = std::min(stops_at_[provider], at);
}

NodeTable ComputeNetwork::nodes() const {
  NodeTable t;
  const std::size_t n = size();
  t.behaviour.reserve(n);
  t.hardware.reserve(n);
  t.group.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    t.behaviour.emplace_back(name_of(pop_.behaviour[i]));
    t.hardware.push_back(pop_.spec_of(i).gpu.name);
    t.group.push_back(pop_.group[i]);
  }
  t.x_km = pop_.x_km;
  t.y_km = pop_.y_km;
  const auto column = [&](std::string name, std::string units, std::string description,
                          const auto& values) {
    NodeColumn c{std::move(name), std::move(units), std::move(description), {}};
    c.values.assign(values.begin(), values.end());
    t.extra.push_back(std::move(c));
  };
  column("jobs_done", "1", "replica answers returned", jobs_done_);
  column("work_units", "units", "work of the answers returned", work_done_units_);
  column("wrong_returned", "1", "answers returned that differ from the true result",
         wrong_returned_);
  column("caught", "1", "answers proven wrong (and slashed)", caught_);
  column("earnings_usd", "USD", "earnings over the run (Render: pool shares at the price)",
         earnings_usd_);
  std::vector<double> stake_left(n);
  for (std::size_t i = 0; i < n; ++i)
    stake_left[i] = to_tokens(stake_left_units_[i]);
  column("stake_tokens", "tokens", "stake still locked", stake_left);
  return t;
}

}  // namespace models
