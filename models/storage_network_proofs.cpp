// StorageNetwork's proving periods: what each provider can prove at its deadlines (the truth),
// what the oracle concludes (the ledger), and the money that follows.
#include <algorithm>
#include <cmath>
#include <limits>

#include "models/storage_network.hpp"
#include "sim/network.hpp"

namespace models {

using sim::Time;

namespace {

// What a proof result means in proven_: the fetch pass decides the third.
constexpr std::uint8_t kMissed = 0;
constexpr std::uint8_t kProven = 1;
constexpr std::uint8_t kToFetch = 2;

constexpr double kDaysPerMonth = 365.0 / 12.0;

}  // namespace

double StorageNetwork::qap_of(std::uint32_t u) const {
  // quality_adjusted_power_bytes() with v = 0 or 1, without its checks: this is per unit.
  const std::uint32_t d = units_.deal[u];
  return deals_.verified[d] != 0 ? 10.0 * deals_.bytes[d] : deals_.bytes[d];
}

void StorageNetwork::run_period(Time start, std::int64_t index, ProviderEpochs& out) {
  proven_.assign(ledger_.slots(), kMissed);
  std::fill(disputed_qap_.begin(), disputed_qap_.end(), 0.0);
  std::fill(disputes_.begin(), disputes_.end(), std::uint16_t{0});
  judge(start, index);
  if (network_) fetch_outsourced(start, index);
  const ProofEvents ev = ledger_.close_period(start, proven_);
  // Pay before settling: settling terminates units and commits repairs into freed slots.
  pay(start, out);
  settle(start, index, ev, out);
}

void StorageNetwork::judge(Time start, std::int64_t index) {
  const ProofSpec& proofs = spec_.proofs;
  // Each provider touches only its own units and draws only from its own stream, so this loop
  // may run in parallel; it runs serially because it costs a few nanoseconds a unit, less than
  // waking a thread team each period did in measurements.
  for (std::size_t p = 0; p < size(); ++p) {
    if (units_of_[p].empty()) continue;
    const StorageBehaviour b = pop_.behaviour[p];
    const StorageBehaviourParams& params = pop_.spec_of(p).params;
    // Cheats try again after a fault; honest providers declare a recovery only with the data.
    const bool tries = b == StorageBehaviour::deleting || b == StorageBehaviour::outsourcing ||
                       b == StorageBehaviour::generating;
    sim::RandomStream rng(streams_.id("storage.proofs", p), static_cast<std::uint64_t>(index)
                                                                << 24);
    std::vector<std::uint8_t> disputed_deadline;
    for (std::uint32_t u : units_of_[p]) {
      const UnitProof state = ledger_.state(u);
      if (state != UnitProof::active && state != UnitProof::faulty) continue;
      const Time at = ledger_.deadline_end(u, start);
      const Holding h = units_.holding[u];
      const bool there = h == Holding::held || units_.bad_since[u] > at;
      const bool up = online(p, at);
      if (state == UnitProof::faulty && up && (there || tries)) ledger_.declare_recovery(u);
      if (!ledger_.judged(u, start) || !up) continue;  // missed (or not due)
      if (there) {
        proven_[u] = kProven;
        continue;
      }
      const double bytes = deals_.bytes[units_.deal[u]];
      switch (h) {
        case Holding::held:
        case Holding::lost:
          break;  // it knows the data is gone and submits nothing
        case Holding::deleted: {
          // A dropped replica still passes if every challenged leaf falls in the share kept.
          const double sectors = std::ceil(bytes / kSector32GiB);
          const double pass = std::pow(params.kept_share,
                                       static_cast<double>(proofs.challenges_per_sector) * sectors);
          if (rng.bernoulli(pass) || !rng.bernoulli(proofs.dispute_probability)) {
            proven_[u] = kProven;  // valid by luck, or invalid and never disputed
          } else {
            disputed_qap_[p] += qap_of(u);
            if (disputed_deadline.empty())
              disputed_deadline.assign(static_cast<std::size_t>(proofs.deadlines), 0);
            disputed_deadline[ledger_.deadline(u)] = 1;
          }
          break;
        }
        case Holding::generated: {
          const double seconds = params.regenerate_s_per_gib * bytes / kGiB;
          if (Time::from_seconds(seconds) <= proofs.proof_deadline) proven_[u] = kProven;
          break;
        }
        case Holding::outsourced:
          proven_[u] = kToFetch;
          break;
      }
    }
    disputes_[p] = static_cast<std::uint16_t>(
        std::count(disputed_deadline.begin(), disputed_deadline.end(), std::uint8_t{1}));
  }
}

void StorageNetwork::fetch_outsourced(Time start, std::int64_t index) {
  // Serial: the network caches routes as it goes. Each outsourcer draws from its own stream.
  const Time deadline = spec_.proofs.proof_deadline;
  for (std::size_t p = 0; p < size(); ++p) {
    if (pop_.behaviour[p] != StorageBehaviour::outsourcing || units_of_[p].empty()) continue;
    const double share = pop_.spec_of(p).params.fetch_share;
    sim::RandomStream rng(streams_.id("storage.fetch", p), static_cast<std::uint64_t>(index) << 24);
    for (std::uint32_t u : units_of_[p]) {
      if (proven_[u] != kToFetch) continue;
      proven_[u] = kMissed;
      const Time challenged = std::max(Time{}, ledger_.deadline_end(u, start) - deadline);
      // The nearest provider that truly holds another replica and is online.
      std::size_t source = size();
      double best_km = std::numeric_limits<double>::infinity();
      const std::uint32_t d = units_.deal[u];
      for (std::uint32_t v = deals_.first_unit[d]; v != kNone; v = units_.next_in_deal[v]) {
        const std::uint32_t q = units_.provider[v];
        const bool holds = units_.holding[v] == Holding::held || units_.bad_since[v] > challenged;
        if (v == u || q == p || !holds || !online(q, challenged)) continue;
        const double km = std::hypot(pop_.x_km[q] - pop_.x_km[p], pop_.y_km[q] - pop_.y_km[p]);
        if (km < best_km) best_km = km, source = q;
      }
      if (source == size()) continue;
      // Request and reply over the same route (links are symmetric), each with its own jitter;
      // then the data at the slower end's bandwidth.
      const auto src = static_cast<std::uint32_t>(source);
      const auto dst = static_cast<std::uint32_t>(p);
      const sim::SendResult request = network_->transit(src, dst, challenged, rng);
      if (request.outcome != sim::Delivery::delivered) continue;
      const sim::SendResult reply = network_->transit(src, dst, challenged, rng);
      if (reply.outcome != sim::Delivery::delivered) continue;
      const double gbps = std::min(pop_.spec_of(p).hardware.bandwidth_gbps,
                                   pop_.spec_of(source).hardware.bandwidth_gbps);
      const double transfer_s = share * deals_.bytes[d] * 8.0 / (gbps * 1e9);
      const Time took = request.latency + reply.latency + Time::from_seconds(transfer_s);
      if (took <= deadline) proven_[u] = kProven;
    }
  }
}

void StorageNetwork::pay(Time start, ProviderEpochs& out) {
  const Time period = spec_.proofs.period;
  const double months = period.to_days() / kDaysPerMonth;
  const double price = spec_.deals.price_usd_per_tib_month;
  for (std::size_t p = 0; p < size(); ++p) {
    double raw = 0.0, qap = 0.0;
    for (std::uint32_t u : units_of_[p]) {
      if (proven_[u] != kProven || ledger_.state(u) != UnitProof::active ||
          !ledger_.judged(u, start))
        continue;
      raw += deals_.bytes[units_.deal[u]];
      qap += qap_of(u);
    }
    power_raw_[p] = raw;
    power_qap_[p] = qap;
    if (raw == 0.0) continue;
    if (spec_.payment == StoragePayment::filecoin) {
      const double usd = price * raw / kTiB * months;
      out.providers[p].client_usd += usd;
      last_.client_usd += usd;
    } else {
      owed_usd_[p] += storage_cost_usd(spec_.arweave, raw, start, start + period);
    }
  }
}

void StorageNetwork::settle(Time start, std::int64_t index, const ProofEvents& ev,
                            ProviderEpochs& out) {
  const bool filecoin = spec_.payment == StoragePayment::filecoin;
  const bool fees = filecoin && spec_.fees.penalties;
  const auto charge = [&](std::size_t p, double tokens) {
    out.providers[p].penalty_tokens += tokens;
    fees_of_[p] += tokens;
    last_.fees_tokens += tokens;
  };

  for (const ProofEvents::Detection& f : ev.new_faults) {
    const std::uint32_t p = units_.provider[f.unit];
    ++last_.faults_detected;
    ++faults_of_[p];
    // Time to detect: from when the replica went bad, or the provider went dark, to now.
    Time cause = units_.bad_since[f.unit];
    if (!online(p, f.at))
      cause = std::min(cause, leaves_at_[p] <= f.at ? leaves_at_[p] : offline_from_[p]);
    if (cause <= f.at) {
      last_.detect_days_sum += (f.at - cause).to_days();
      last_.detect_days_max = std::max(last_.detect_days_max, (f.at - cause).to_days());
      ++last_.detections_timed;
    }
  }
  last_.recoveries += static_cast<std::int64_t>(ev.recoveries.size());
  if (fees) {
    for (std::uint32_t u : ev.continued_faults)
      charge(units_.provider[u], continued_fault_fee_tokens(fees_now_, qap_of(u)));
  }
  for (std::size_t p = 0; p < size(); ++p) {
    if (disputes_[p] == 0) continue;
    // One dispute per deadline with an invalid proof: BR(5.51 d) is linear in power, so the
    // disputes together cost BR of all disputed power plus 20 tokens each.
    last_.disputes += disputes_[p];
    out.providers[p].caught = true;
    if (!fees) continue;
    const InvalidPostPenalty pen = invalid_post_penalty(fees_now_, disputed_qap_[p]);
    charge(p, pen.penalty_tokens + kInvalidPostBaseTokens * (disputes_[p] - 1));
    out.providers[p].reporter_tokens += pen.disputer_tokens * disputes_[p];
  }

  sim::RandomStream rng(streams_.id("storage.repair"), static_cast<std::uint64_t>(index) << 24);
  for (std::uint32_t u : ev.terminations) {
    const std::uint32_t p = units_.provider[u];
    const std::uint32_t d = units_.deal[u];
    const Time at = ledger_.deadline_end(u, start);
    ++last_.terminations;
    if (fees) {
      const double ff = continued_fault_fee_tokens(fees_now_, qap_of(u));
      charge(p, termination_fee_tokens(units_.pledge_tokens[u], ff, at - units_.committed_at[u]));
    }
    drop(u, Holding::lost, at);  // a terminated replica is not kept, even if it was still there
    remove_unit(u, out);
    if (spec_.repair == RepairPolicy::on_termination) repair(d, p, at, rng, out);
  }

  if (filecoin && spec_.fees.daily_fee) {
    // FIP-0100 charges every sector it has power for, faulty or not; linear in QAP (its cap too).
    const double days = spec_.proofs.period.to_days();
    for (std::size_t p = 0; p < size(); ++p) {
      double qap = 0.0;
      for (std::uint32_t u : units_of_[p])
        qap += qap_of(u);
      if (qap == 0.0) continue;
      const double fee = daily_fee_tokens(fees_now_, qap) * days;
      out.providers[p].penalty_tokens += fee;
      fees_of_[p] += fee;
      last_.daily_fee_tokens += fee;
    }
  }
}

}  // namespace models
