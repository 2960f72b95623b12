#include "models/validation/storage_proofs.hpp"

#include <stdexcept>
#include <string>

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

ProofLedger::ProofLedger(const ProofSpec& spec) : spec_(spec) {
  if (spec_.period <= Time{}) throw std::invalid_argument("ProofLedger: period must be positive");
  if (spec_.deadlines < 1 || spec_.deadlines > 65535) {
    throw std::invalid_argument("ProofLedger: deadlines must be between 1 and 65535");
  }
  if (spec_.period.ticks() % spec_.deadlines != 0) {
    throw std::invalid_argument("ProofLedger: the deadlines must divide the period evenly");
  }
  if (spec_.terminate_after < spec_.period) {
    throw std::invalid_argument("ProofLedger: terminate_after must be at least one period");
  }
  window_ = spec_.window();
}

void ProofLedger::open(std::uint32_t unit, std::uint32_t deadline, Time at) {
  if (deadline >= static_cast<std::uint32_t>(spec_.deadlines)) {
    throw std::invalid_argument("ProofLedger: deadline " + std::to_string(deadline) +
                                " is not below " + std::to_string(spec_.deadlines));
  }
  if (unit >= state_.size()) {
    const std::size_t n = static_cast<std::size_t>(unit) + 1;
    state_.resize(n, UnitProof::vacant);
    recovering_.resize(n, 0);
    deadline_.resize(n, 0);
    opened_at_.resize(n);
    faulty_since_.resize(n, Time::max());
  }
  if (state_[unit] != UnitProof::vacant) {
    throw std::logic_error("ProofLedger: unit " + std::to_string(unit) + " is already open");
  }
  state_[unit] = UnitProof::active;
  recovering_[unit] = 0;
  deadline_[unit] = static_cast<std::uint16_t>(deadline);
  opened_at_[unit] = at;
  faulty_since_[unit] = Time::max();
  ++active_;
}

void ProofLedger::close(std::uint32_t unit) {
  switch (state_.at(unit)) {
    case UnitProof::vacant:
      throw std::logic_error("ProofLedger: unit " + std::to_string(unit) + " is not open");
    case UnitProof::active:
      --active_;
      break;
    case UnitProof::faulty:
      --faulty_;
      break;
    case UnitProof::terminated:
      break;
  }
  state_[unit] = UnitProof::vacant;
  recovering_[unit] = 0;
  faulty_since_[unit] = Time::max();
}

void ProofLedger::declare_recovery(std::uint32_t unit) {
  if (state_.at(unit) != UnitProof::faulty) {
    throw std::logic_error("ProofLedger: only a faulty unit can declare a recovery");
  }
  recovering_[unit] = 1;
}

ProofEvents ProofLedger::close_period(Time start, std::span<const std::uint8_t> proven) {
  if (proven.size() < state_.size()) {
    throw std::invalid_argument("ProofLedger: one proof flag per slot");
  }
  ProofEvents ev;
  for (std::uint32_t u = 0; u < state_.size(); ++u) {
    const UnitProof s = state_[u];
    if (s != UnitProof::active && s != UnitProof::faulty) continue;
    if (!judged(u, start)) continue;
    const Time at = deadline_end(u, start);
    const bool ok = proven[u] != 0;
    if (s == UnitProof::active) {
      if (!ok) {
        state_[u] = UnitProof::faulty;
        faulty_since_[u] = at;
        --active_;
        ++faulty_;
        ev.new_faults.push_back({u, at});
      }
      continue;
    }
    // Faulty: only a declared recovery with a valid proof ends the fault.
    if (ok && recovering_[u] != 0) {
      state_[u] = UnitProof::active;
      recovering_[u] = 0;
      faulty_since_[u] = Time::max();
      --faulty_;
      ++active_;
      ev.recoveries.push_back(u);
      continue;
    }
    recovering_[u] = 0;
    if (at - faulty_since_[u] >= spec_.terminate_after) {
      state_[u] = UnitProof::terminated;
      --faulty_;
      ev.terminations.push_back(u);
    } else {
      ev.continued_faults.push_back(u);
    }
  }
  return ev;
}

ProofSpec read_proof_spec(Section s) {
  ProofSpec p;
  p.period = s.duration("period", p.period, Time::minutes(1),
                        "proving period: every unit is challenged once in it");
  p.deadlines = s.integer("deadlines", p.deadlines, Range::between(1.0, 65535.0),
                          "deadlines the period is split into (each unit proves in one)");
  if (p.deadlines >= 1 && p.period.ticks() % p.deadlines != 0) {
    s.problem("deadlines", "must divide the period (" + sim::format_duration(p.period) +
                               ") into whole microseconds");
    p.deadlines = 1;
  }
  p.terminate_after = s.duration("terminate_after", p.terminate_after, Time::minutes(1),
                                 "a unit faulty this long is terminated (Filecoin: 42 days)");
  if (p.terminate_after < p.period) {
    s.problem("terminate_after", "must be at least one proving period");
    p.terminate_after = p.period;
  }
  p.proof_deadline = s.duration("proof_deadline", p.proof_deadline, Time::millis(1),
                                "time from a challenge to the proof's cut-off");
  p.challenges_per_sector =
      s.integer("challenges_per_sector", p.challenges_per_sector, Range::at_least(1.0),
                "leaves challenged per 32 GiB sector in each proof");
  p.dispute_probability =
      s.number("dispute_probability", p.dispute_probability, "", Range::between(0.0, 1.0),
               "chance that an invalid proof is disputed (and so caught)");
  s.finish();
  return p;
}

}  // namespace models
