#pragma once
// The compute network of a run: jobs arrive, a market places them on GPU providers, providers
// run them (or cheat), a verifier checks them, and each epoch settles what providers earned,
// owe and spent.

#include <array>
#include <cstdint>
#include <vector>

#include "models/economy/compute_market.hpp"
#include "models/economy/ledger.hpp"
#include "models/nodes/compute_population.hpp"
#include "models/provider_epoch.hpp"
#include "models/validation/compute_verification.hpp"
#include "sim/config.hpp"
#include "sim/random.hpp"
#include "sim/recorder.hpp"
#include "sim/time.hpp"

namespace models {

/// How job sizes are drawn (in work units).
enum class JobSizeDistribution : std::uint8_t { fixed, exponential, lognormal };

/// The `compute.jobs:` section: what clients ask for. Design defaults [U].
struct ComputeJobsSpec {
  double rate_per_day = 1000.0;    // mean arrivals (a Poisson process within each epoch)
  double burst_probability = 0.0;  // chance that an epoch is a burst
  double burst_multiplier = 3.0;   // a burst epoch's arrival rate, relative to the normal one
  JobSizeDistribution size_distribution = JobSizeDistribution::lognormal;
  double mean_size_units = 10.0;
  double size_cv = 1.0;                       // lognormal: standard deviation / mean
  sim::Time deadline = sim::Time::hours(24);  // from arrival to the answer
  double budget_usd_per_unit = 0.1;           // clients' mean budget: the most they pay per unit
  double budget_spread = 0.5;  // budgets are uniform within ±spread of the mean (relative)
};

/// The `compute.stake:` section: collateral per provider and what a proven wrong answer costs.
/// Slashes are design values [U]; §3.3's deterrence bound S > ((1−p)G − pR)/p sizes them.
struct ComputeStakeSpec {
  double stake_usd = 0.0;         // bought at the first epoch's price; or
  double stake_tokens = 0.0;      // a fixed token amount (not both)
  double slash_fraction = 0.1;    // of the initial stake, per proven wrong answer
  double challenger_share = 0.5;  // of each slash, paid to whoever proved it
};

/// The top-level `compute:` section.
///   ComputeSpec spec = read_compute_spec(root.section("compute", ""));
struct ComputeSpec {
  ComputeJobsSpec jobs;
  ComputeMarketSpec market;
  ComputeVerificationSpec verification;
  ComputeStakeSpec stake;
};

/// Reads the top-level `compute:` section.
ComputeSpec read_compute_spec(sim::config::Section s);

/// What the network counted in one epoch, or summed over the run (ComputeNetwork::totals()).
/// The recorder's series are these, epoch by epoch.
///   const ComputeTally& t = net.totals();  double leak = t.wrong_accepted / double(t.accepted);
struct ComputeTally {
  std::int64_t arrived = 0, placed = 0, unplaced = 0;
  std::int64_t completed = 0, accepted = 0, rejected = 0, deadline_misses = 0;
  std::int64_t wrong_returned = 0;  // replica answers that differ from the true result
  std::int64_t wrong_accepted = 0;  // jobs whose accepted answer differs from it
  std::int64_t wrong_caught = 0;    // wrong replica answers proven wrong
  std::int64_t honest_slashed = 0;  // right replica answers proven wrong (outvoted)
  std::int64_t re_executions = 0, disputes = 0, caught_providers = 0, ejected = 0;
  double latency_h_sum = 0.0;  // over accepted jobs
  double job_work_units = 0.0, verification_work_units = 0.0;
  double slashed_tokens = 0.0, client_spend_usd = 0.0, take_usd = 0.0, burn_usd = 0.0;
  double booked_provider_s = 0.0, active_provider_s = 0.0;  // utilisation = booked / active
  std::array<double, kComputeBehaviourCount> work_units{}, earnings_usd{}, profit_usd{}, opex_usd{};

  void add(const ComputeTally& other);
};

/// Every compute provider of a run and the jobs in flight between them, stepped one epoch at a
/// time by the host world, which books what step() reports through the ledger.
///
/// One epoch [start, end):
///  1. Jobs arrive as a Poisson process (rate × burst multiplier in a burst epoch), each with a
///     size, a deadline, a budget and a true result (a 64-bit hash).
///  2. Placement, in arrival order: candidates_per_job providers are drawn at random; those
///     working and with a backlog under max_queue can take it. Akash: each bids its ask plus a
///     random markup and the k lowest bids within budget win, paid as bid. Render: if the fixed
///     price is within budget, the first k candidates able to take it are chosen. A provider
///     runs its jobs one after another (FIFO): a job starts when the provider's queue frees and
///     takes size / throughput. No capacity among the candidates: the job stays unplaced.
///  3. Running: behaviours act on the true result. Honest and unreliable providers compute it
///     (unreliable ones drop a share of jobs: no answer, no queue time); lazy ones return the
///     job's cheap plausible answer, the same for every lazy provider, and compute nothing;
///     partial ones compute (1 − skipped) of the work and return a wrong answer of their own;
///     a colluding ring returns one shared wrong answer, computing nothing, exactly when its
///     members hold enough of the job's replicas to carry the verifier's rule (all replicas
///     when there is one), and computes honestly otherwise. Lazy providers hold the queue for
///     the job's full time (finishing early would give them away). A provider that fails or
///     leaves before a replica finishes returns nothing.
///  4. Verification (ComputeVerifier) when a job's last replica is due, on the answers that came
///     back; the verifier re-executes through a callback that computes the true result, the
///     only way it learns it.
///  5. Settlement when the verdict is final (at once; optimistic: after the challenge window or
///     the dispute): accepted replicas are paid their price × size (Akash: client_usd net of
///     the take, take_usd; Render: burn_usd and reward_weight = work value); replicas proven
///     wrong are slashed slash_fraction of their initial stake (capped by what is left) as
///     penalty_tokens, challenger_share of it as reporter_tokens, and caught = true. Stakes and
///     slashes are whole ledger units (floored), so what the host locks, takes and releases
///     adds up exactly. A provider with no stake left is ejected (it stops for good).
///  6. Costs: opex = monthly opex pro rata for the time the provider works, plus power_w × the
///     hours it actually computes × electricity price; capex at the first epoch, when the
///     collateral is also locked. Collateral is released once a provider stops (failure, leave,
///     ejection), after the challenge window under optimistic verification.
/// Verdicts are reached at the epoch's close, so an ejection applies to jobs placed from the
/// next epoch on; work queued on the ejected provider past its ejection is lost.
///
/// Per-provider random streams ("compute.provider", i) draw bids and drops; "compute.jobs" (per
/// epoch) the arrivals, "compute.market" the candidates, "compute.verifier" the checks. All run
/// in a fixed order, so a seed gives one result whatever the thread count.
///   ComputeNetwork net(spec, groups, 200, 200, streams);
///   ProviderEpochs e = net.step(MarketView{0, t0, t1, 1.0, 6251, 1e8, 0});
class ComputeNetwork {
 public:
  /// Throws std::invalid_argument when the spec is inconsistent (both a USD and a token stake,
  /// a share outside [0, 1], a size or rate that is not positive) or a group has no GPU
  /// throughput.
  ComputeNetwork(const ComputeSpec& spec, std::vector<ComputeGroupSpec> groups, double width_km,
                 double height_km, const sim::RandomStreams& streams);

  std::size_t size() const { return pop_.size(); }
  std::size_t operators() const { return pop_.operators; }
  std::uint32_t operator_of(std::size_t provider) const { return pop_.operator_id[provider]; }
  std::size_t group_of(std::size_t provider) const { return pop_.group[provider]; }
  const ComputePopulation& population() const { return pop_; }

  /// Runs one epoch [view.start, view.end) and records one metrics row. Throws
  /// std::invalid_argument when a USD stake must be bought at a price that is not positive.
  ProviderEpochs step(const MarketView& view);
  /// Operator `op`'s providers stop at `now` for good: they take no new jobs and return nothing
  /// for work not finished by then.
  void leave_operator(std::uint32_t op, sim::Time now);

  /// Series under "compute/...", one row per step().
  const sim::Recorder& recorder() const { return recorder_; }
  /// The providers' rows of /nodes, with cumulative jobs_done, work_units, wrong_returned,
  /// caught, earnings_usd and stake_tokens.
  NodeTable nodes() const;
  /// The last epoch's counts, and the sums over every epoch so far.
  const ComputeTally& last_epoch() const { return last_; }
  const ComputeTally& totals() const { return totals_; }
  /// Jobs placed whose verdict is not reached yet.
  std::size_t jobs_in_flight() const { return in_flight_.size(); }

 private:
  struct Replica {
    std::uint32_t provider = 0;
    bool dropped = false;  // by an unreliable provider, at placement
    std::uint64_t answer = 0;
    sim::Time finish;
    double usd_per_unit = 0.0;
  };
  // A job in flight; its replicas are replica_pool_[first_replica, first_replica + replicas).
  struct Job {
    std::uint64_t id = 0;
    std::uint64_t truth = 0;
    sim::Time arrival, deadline, due;  // due: when the last replica's answer is expected
    double work_units = 0.0;
    std::uint32_t first_replica = 0;
    std::uint8_t replicas = 0;
  };
  // One replica's settlement, booked in the epoch that contains `at`.
  struct Settlement {
    sim::Time at;
    std::uint32_t provider = 0;
    bool wrong = false;  // proven wrong: slashed; otherwise paid usd
    double usd = 0.0;
  };
  // One epoch's counts, and the per-provider time it books.
  struct EpochWork : ComputeTally {
    sim::Time start, end;
    std::vector<double> booked_s, computed_s;  // per provider: queue time, and time computing
  };
  struct Series {
    sim::Recorder::CountSeries arrived, placed, unplaced, completed, accepted, rejected,
        deadline_misses, in_flight, wrong_returned, wrong_accepted, wrong_caught, honest_slashed,
        re_executions, disputes, caught_providers, ejected;
    sim::Recorder::RealSeries latency_h, utilisation, verification_work_units, verification_share,
        slashed_tokens, client_spend_usd, take_usd, burn_usd;
    std::array<sim::Recorder::CountSeries, kComputeBehaviourCount> providers;
    std::array<sim::Recorder::RealSeries, kComputeBehaviourCount> work_units, earnings_usd,
        profit_usd;
  };

  void declare_series();
  void open_epoch(const MarketView& view, ProviderEpochs& out, EpochWork& w);
  void arrive_and_place(const MarketView& view, EpochWork& w);
  bool place(Job& job, double budget_usd_per_unit);
  void run(Job& job, EpochWork& w);
  void complete(const MarketView& view, EpochWork& w);
  void settle(const MarketView& view, ProviderEpochs& out, EpochWork& w);
  void close_epoch(const MarketView& view, ProviderEpochs& out, EpochWork& w);
  bool can_take(std::uint32_t provider, sim::Time t) const;
  sim::Time stops_at(std::size_t provider) const { return stops_at_[provider]; }
  void stop(std::size_t provider, sim::Time at);
  double draw_size_units(sim::RandomStream& rng) const;

  ComputeSpec spec_;
  ComputePopulation pop_;
  ComputeMarket market_;
  ComputeVerifier verifier_;
  sim::RandomStreams streams_;
  sim::RandomStream market_rng_;
  std::vector<sim::RandomStream> provider_rng_;
  std::uint64_t truth_salt_ = 0;

  // Per provider.
  std::vector<sim::Time> busy_until_;  // its queue is empty from then on
  std::vector<sim::Time> stops_at_;    // hardware failure, leave or ejection; Time::max() if none
  std::vector<double> carry_booked_s_, carry_computed_s_;  // queue time past the last epoch
  std::vector<Tokens> stake_units_, stake_left_units_;     // initial and left, in ledger units
  std::vector<std::uint8_t> released_, ejected_;
  std::vector<std::uint32_t> jobs_done_, wrong_returned_, caught_;
  std::vector<double> work_done_units_, earnings_usd_;

  std::vector<Job> in_flight_;         // in placement order
  std::vector<Replica> replica_pool_;  // the replicas of the jobs in flight
  std::vector<Settlement> pending_;
  std::vector<ComputeBid> bids_;  // scratch for one order
  std::uint64_t next_job_ = 0;
  std::int64_t epochs_run_ = 0;

  ComputeTally last_, totals_;
  sim::Recorder recorder_;
  Series series_;
};

}  // namespace models
