#pragma once
// The storage network: clients' deals stored as replicas on providers, proofs judged by the
// oracle, Filecoin-style pledges and fees or an Arweave-style endowment, and the truth about
// failures and cheats that only a simulator knows.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <queue>
#include <utility>
#include <vector>

#include "models/economy/arweave_endowment.hpp"
#include "models/economy/filecoin_fees.hpp"
#include "models/nodes/storage_population.hpp"
#include "models/provider_epoch.hpp"
#include "models/validation/storage_proofs.hpp"
#include "sim/config.hpp"
#include "sim/random.hpp"
#include "sim/recorder.hpp"
#include "sim/time.hpp"

namespace sim {
class Network;
struct LinkModel;
struct TopologySpec;
}  // namespace sim

namespace models {

/// How clients pay: Filecoin-style deals (pledge, fees, payment per proven replica, rewards by
/// QAP) or Arweave-style permanent storage (an up-front fee into an endowment that pays miners).
enum class StoragePayment : std::uint8_t { filecoin, arweave };

/// What the network does when the oracle gives up on a replica (terminates it).
enum class RepairPolicy : std::uint8_t { none, on_termination };

/// Clients and their deals: arrivals, sizes, replication, term, verification, price.
///   DealSpec d;  d.per_day = 500;  d.replicas = 3;
struct DealSpec {
  double per_day = 200.0;                     // Poisson arrivals
  double size_gib = 64.0;                     // median size
  double size_sigma = 1.0;                    // σ of ln(size): lognormal; 0: all size_gib
  double max_size_gib = 32768.0;              // sizes are cut at this (32 TiB)
  std::int64_t replicas = 3;                  // on distinct providers
  sim::Time duration = sim::Time::days(540);  // filecoin only; arweave stores for ever
  double verified_share = 0.5;                // verified (FIL+) deals: QAP ×10
  double price_usd_per_tib_month = 2.0;       // per replica proven (filecoin) [U]
};

/// The `storage:` section: payment model, deals, proofs, fees, endowment, repair.
///   StorageSpec s = read_storage_spec(root.section("storage", "..."));
struct StorageSpec {
  StoragePayment payment = StoragePayment::filecoin;
  DealSpec deals;
  ProofSpec proofs;
  FilecoinFeeSpec fees;
  ArweaveSpec arweave;
  RepairPolicy repair = RepairPolicy::on_termination;
};

/// Reads the top-level `storage:` section.
StorageSpec read_storage_spec(sim::config::Section s);

/// One epoch's counts (or, as totals, every epoch's flows added up and the last epoch's levels).
struct StorageStats {
  // Flows.
  std::int64_t deals_arrived = 0, deals_placed = 0, deals_rejected = 0, deals_lost = 0;
  std::int64_t new_faults = 0;  // truth: replicas that stopped being held (lost, dropped, gone)
  std::int64_t faults_detected = 0, recoveries = 0, terminations = 0, disputes = 0;
  std::int64_t repairs = 0, repairs_failed = 0, detections_timed = 0;
  double bytes_lost = 0, repair_bytes = 0, fees_tokens = 0, daily_fee_tokens = 0;
  double damage_usd = 0, client_usd = 0, detect_days_sum = 0, detect_days_max = 0;
  double endowment_deposit_usd = 0, endowment_paid_tokens = 0, endowment_shortfall_tokens = 0;
  // Levels at the epoch's end.
  std::int64_t providers_online = 0, units_active = 0, units_faulty = 0;
  double bytes_held = 0, bytes_proven = 0, bytes_committed = 0;
  double collateral_locked_tokens = 0, qap_bytes = 0;

  /// Mean days from a replica going bad to the oracle's detection; NaN without detections.
  double mean_time_to_detect_days() const;
};

/// A storage network of providers holding clients' data, stepped one epoch at a time by the world
/// that hosts it (provider_epoch.hpp).
///
/// Granularity: a data unit is one replica of one deal on one provider, with the deal's size and
/// ⌈size/32 GiB⌉ sectors; nothing is kept per sector. Per epoch: deals arrive (Poisson) and each
/// is placed as `replicas` units on distinct providers with free claimed capacity (uniformly at
/// random among them) or refused. Hardware failures (a disk: the units on it; a node: everything),
/// outages, departures and the behaviours act on the truth of each unit; the proof ledger
/// (storage_proofs.hpp) judges each unit once a proving period from whether a valid proof arrived
/// in time, never from the truth. Outsourced proofs are timed over a sim::Network of the
/// providers (built only when a group has outsourcing providers); generated ones against the
/// regeneration time. Filecoin: a unit locks its FIP-0081 pledge at commit and releases it at
/// expiry or termination; continued faults, disputed invalid proofs and terminations pay the fees
/// of filecoin_fees.hpp; clients pay per proven replica; the role's pool is shared by proven QAP
/// (the expectation of the block lottery, no lottery drawn). Arweave: deals never expire, clients
/// pay the up-front fee into the endowment (1/21 to the replicas' providers at once), and the
/// endowment pays each proven replica its storage cost, never more than it holds.
/// Random draws come from per-provider streams ("storage.hardware", "storage.proofs",
/// "storage.fetch") and network streams ("storage.deals", "storage.repair"), so results do not
/// depend on the thread count.
///   StorageNetwork net(spec, groups, 200, 200, topology, link, streams);
///   ProviderEpochs e = net.step(view);
class StorageNetwork {
 public:
  /// Throws std::invalid_argument on a spec the ledger or the population refuses.
  StorageNetwork(const StorageSpec& spec, std::vector<StorageGroupSpec> groups, double width_km,
                 double height_km, const sim::TopologySpec& topology, const sim::LinkModel& link,
                 const sim::RandomStreams& streams);
  ~StorageNetwork();
  StorageNetwork(StorageNetwork&&) noexcept;
  StorageNetwork& operator=(StorageNetwork&&) noexcept;

  std::size_t size() const { return pop_.size(); }
  std::size_t operators() const { return pop_.operators; }
  std::uint32_t operator_of(std::size_t provider) const { return pop_.operator_id.at(provider); }
  std::size_t group_of(std::size_t provider) const { return pop_.group.at(provider); }
  const StoragePopulation& population() const { return pop_; }
  const StorageSpec& spec() const { return spec_; }

  /// Runs the epoch [view.start, view.end): arrivals, failures, every proving period that ends in
  /// it, expiries, payments. Records one metrics row.
  ProviderEpochs step(const MarketView& view);
  /// Operator `op`'s providers go offline for good at `now` (their data with them).
  void leave_operator(std::uint32_t op, sim::Time now);

  /// Series under "storage/...", one row per step.
  const sim::Recorder& recorder() const { return recorder_; }
  /// /nodes rows: behaviour, hardware class, group, position, and extra columns.
  NodeTable nodes() const;
  /// The last epoch's counts, and every epoch's added up.
  const StorageStats& last_epoch() const { return last_; }
  const StorageStats& totals() const { return totals_; }
  /// The Arweave fee multiplier (Kryder+): 1 until the endowment first runs dry.
  double fee_multiplier() const { return endowment_.fee_multiplier(); }

 private:
  /// What a provider truly holds of a unit.
  enum class Holding : std::uint8_t {
    held,        ///< its sealed replica is on the provider's disks
    deleted,     ///< dropped on purpose (a share kept_share may remain)
    lost,        ///< lost to a failure or the provider's departure
    outsourced,  ///< never stored: fetched from another replica when challenged
    generated,   ///< never stored: regenerated when challenged
  };
  // Units, by slot (shared with the proof ledger); a free list reuses slots.
  struct Units {
    std::vector<std::uint32_t> provider, deal, next_in_deal, pos_in_provider;
    std::vector<std::uint16_t> disk;
    std::vector<Holding> holding;
    std::vector<sim::Time> committed_at, bad_since;  // bad_since: Time::max() while held
    std::vector<double> pledge_tokens;
    std::vector<std::uint32_t> free;
  };
  // Deals, by id; a free list reuses ids of expired deals.
  struct Deals {
    std::vector<double> bytes, value_usd;
    std::vector<sim::Time> end;
    std::vector<std::uint32_t> first_unit;
    std::vector<std::uint16_t> held, live;
    std::vector<std::uint8_t> verified, lost;
    std::vector<std::uint32_t> free;
  };
  // One hardware event of the epoch: a disk (>= 0), the whole node or the provider's departure.
  struct HardwareEvent {
    std::uint32_t provider;
    std::int32_t disk;
    sim::Time at;
  };
  static constexpr std::int32_t kWholeNode = -1;
  static constexpr std::int32_t kDeparture = -2;
  static constexpr std::uint32_t kNone = 0xffffffffu;

  // storage_network.cpp
  /// Poisson(mean): Knuth's product of uniforms below 30, the normal approximation above.
  static std::int64_t poisson(sim::RandomStream& rng, double mean);
  bool online(std::size_t p, sim::Time t) const;
  FilecoinNetworkState fee_state(const MarketView& view) const;
  void draw_hardware(const MarketView& view, ProviderEpochs& out);
  void apply_hardware();
  void drop_replicas_on_schedule(const MarketView& view);
  void drop(std::uint32_t u, Holding how, sim::Time at);
  // storage_network_deals.cpp
  void arrivals(const MarketView& view, ProviderEpochs& out);
  std::uint32_t new_deal(double bytes, bool verified, sim::Time start);
  std::uint32_t commit(std::uint32_t deal, std::size_t provider, sim::Time at,
                       sim::RandomStream& rng, ProviderEpochs& out);
  void remove_unit(std::uint32_t u, ProviderEpochs& out);
  /// A provider online at `at`, not in `taken`, with `bytes` of free claimed capacity: random
  /// probes, then a scan from a random start; SIZE_MAX when there is none.
  std::size_t pick_provider(double bytes, sim::Time at, sim::RandomStream& rng,
                            const std::vector<std::uint32_t>& taken) const;
  void expire(const MarketView& view, ProviderEpochs& out);
  /// Re-makes one replica of `deal` at `at` from a replica still held, on a provider holding
  /// none of the deal and other than `failed` (the one whose replica was just terminated).
  void repair(std::uint32_t deal, std::uint32_t failed, sim::Time at, sim::RandomStream& rng,
              ProviderEpochs& out);
  // storage_network_proofs.cpp
  void run_period(sim::Time start, std::int64_t index, ProviderEpochs& out);
  void judge(sim::Time start, std::int64_t index);
  void fetch_outsourced(sim::Time start, std::int64_t index);
  void pay(sim::Time start, ProviderEpochs& out);
  void settle(sim::Time start, std::int64_t index, const ProofEvents& ev, ProviderEpochs& out);
  double qap_of(std::uint32_t u) const;
  // storage_network_output.cpp
  void declare_series();
  void record(const MarketView& view, const ProviderEpochs& out);

  StorageSpec spec_;
  StoragePopulation pop_;
  sim::RandomStreams streams_;
  ProofLedger ledger_;
  ArweaveEndowment endowment_;
  std::unique_ptr<sim::Network> network_;  // only with outsourcing providers
  FilecoinNetworkState fees_now_;
  std::int64_t epoch_ = 0;
  bool started_ = false;

  // Per provider.
  std::vector<std::vector<std::uint32_t>> units_of_;
  std::vector<double> committed_bytes_, stored_bytes_;
  std::vector<double> power_qap_, power_raw_;  // proven in the last period closed
  std::vector<sim::Time> offline_from_, offline_until_, leaves_at_;
  std::vector<std::uint8_t> gone_;
  std::vector<double> owed_usd_;         // Arweave: the endowment's debt to it this epoch
  std::vector<double> disputed_qap_;     // this period
  std::vector<std::uint16_t> disputes_;  // this period: deadlines with a disputed proof
  std::vector<std::int64_t> faults_of_;  // cumulative detections
  std::vector<double> fees_of_;          // cumulative fees

  Units units_;
  Deals deals_;
  std::priority_queue<std::pair<sim::Time, std::uint32_t>,
                      std::vector<std::pair<sim::Time, std::uint32_t>>, std::greater<>>
      expiries_;
  std::vector<std::uint8_t> proven_;  // per slot, this period: 0 missed, 1 proven, 2 to fetch
  std::vector<HardwareEvent> events_;
  double collateral_locked_ = 0.0;

  StorageStats last_, totals_;
  sim::Recorder recorder_;
  // The recorder's handles of every series.
  struct Series {
    using Count = sim::Recorder::CountSeries;
    using Real = sim::Recorder::RealSeries;
    Count online, arrived, placed, rejected, active, faulty, new_faults, detected, recoveries,
        terminations, disputes, deals_lost, repairs, repairs_failed;
    Real held, proven, committed, ttd, ttd_max, lost, repair_bytes, fees, daily_fee, damage, client,
        collateral, qap;
    std::array<Count, kStorageBehaviourCount> providers;
    std::array<Real, kStorageBehaviourCount> reward_share;
    Real deposit, payout, shortfall, balance, multiplier;  // arweave only
  };
  Series series_;
};

}  // namespace models
