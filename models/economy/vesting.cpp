#include "models/economy/vesting.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

namespace {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
// A ring of this many 8-byte slots per beneficiary is already 8 MB: finer steps are a mistake.
constexpr std::int64_t kMaxSteps = 1'000'000;

std::int64_t step_count(const VestingSpec& spec) {
  if (!(spec.locked_share >= 0.0 && spec.locked_share <= 1.0)) {
    throw std::invalid_argument("Vesting: locked_share must be in [0, 1], found " +
                                std::to_string(spec.locked_share));
  }
  if (spec.step <= Time{} || spec.duration < spec.step || spec.duration % spec.step != Time{}) {
    throw std::invalid_argument("Vesting: duration (" + sim::format_duration(spec.duration) +
                                ") must be a positive whole number of steps (" +
                                sim::format_duration(spec.step) + ")");
  }
  const std::int64_t n = spec.duration / spec.step;
  if (n > kMaxSteps) {
    throw std::invalid_argument("Vesting: " + std::to_string(n) + " steps is more than " +
                                std::to_string(kMaxSteps));
  }
  return n;
}

}  // namespace

Vesting::Vesting(const VestingSpec& spec, Ledger& ledger, Ledger::Account escrow)
    : spec_(spec), ledger_(&ledger), escrow_(escrow), steps_(step_count(spec)) {
  if (ledger.kind(escrow) != AccountKind::vesting) {
    throw std::invalid_argument("Vesting: escrow \"" + ledger.label(escrow) +
                                "\" must be a vesting account");
  }
}

void Vesting::check_time(Time now, const char* what) const {
  if (now < Time{} || now < last_release_) {
    throw std::invalid_argument(std::string("Vesting: ") + what + " at " +
                                sim::format_duration(now) + " is before the last release at " +
                                sim::format_duration(last_release_));
  }
}

Vesting::Schedule& Vesting::schedule_of(Ledger::Account beneficiary) {
  if (beneficiary >= index_.size()) {
    index_.resize(std::max<std::size_t>(ledger_->accounts(), beneficiary + std::size_t{1}), kNone);
  }
  std::uint32_t& at = index_[beneficiary];
  if (at == kNone) {
    at = static_cast<std::uint32_t>(schedules_.size());
    schedules_.push_back(Schedule{});
    schedules_.back().beneficiary = beneficiary;
  }
  return schedules_[at];
}

void Vesting::spread_pending(Schedule& s) const {
  if (s.pending == 0) return;
  const std::int64_t first = s.pending_start + 1;
  const std::int64_t last = s.pending_start + steps_;
  const auto size = static_cast<std::int64_t>(s.slots.size());
  if (size == 0) {
    s.slots.assign(static_cast<std::size_t>(steps_), 0);
    s.head = 0;
    s.next = first;
  } else if (first < s.next || last > s.next + size - 1) {
    // Rare: a grant out of time order, or releases falling behind. Re-lay the ring from its
    // earliest boundary so that it covers both what it held and the new tranche.
    const std::int64_t lo = std::min(first, s.next);
    const std::int64_t hi = std::max(last, s.next + size - 1);
    std::vector<Tokens> grown(static_cast<std::size_t>(hi - lo + 1), 0);
    for (std::int64_t i = 0; i < size; ++i) {
      grown[static_cast<std::size_t>(s.next - lo + i)] =
          s.slots[static_cast<std::size_t>((s.head + i) % size)];
    }
    s.slots.swap(grown);
    s.head = 0;
    s.next = lo;
  }
  // floor(L·k/n) − floor(L·(k−1)/n) = q + [carry], with L = q·n + r and the carry counting how
  // often r·k passes a multiple of n: exact integers and no division per step.
  const Tokens n = steps_;
  const Tokens q = s.pending / n;
  const Tokens r = s.pending % n;
  Tokens acc = 0;
  const std::size_t ring = s.slots.size();
  std::size_t idx = (s.head + static_cast<std::size_t>(first - s.next)) % ring;
  for (std::int64_t k = 0; k < steps_; ++k) {
    Tokens part = q;
    acc += r;
    if (acc >= n) {
      acc -= n;
      ++part;
    }
    s.slots[idx] += part;
    if (++idx == ring) idx = 0;
  }
  s.pending = 0;
}

void Vesting::grant(Ledger::Account from, Ledger::Account beneficiary, Tokens amount, Time now) {
  check_time(now, "grant");
  if (amount < 0) {
    throw LedgerError("Vesting: negative grant of " + std::to_string(amount) + " units");
  }
  const AccountKind k = ledger_->kind(beneficiary);
  if (k == AccountKind::stake || k == AccountKind::vesting) {
    throw LedgerError("Vesting: beneficiary \"" + ledger_->label(beneficiary) + "\" is an escrow");
  }
  if (ledger_->balance(from) < amount) {
    throw LedgerError("Vesting: grant of " + format_tokens(amount) + " tokens from \"" +
                      ledger_->label(from) + "\" exceeds its balance " +
                      format_tokens(ledger_->balance(from)));
  }
  const Tokens locked = share_of(amount, spec_.locked_share);
  // lock_vesting checks `from`'s kind before moving anything; the transfer then cannot fail.
  if (locked > 0) ledger_->lock_vesting(from, escrow_, locked);
  if (amount - locked > 0) ledger_->transfer(from, beneficiary, amount - locked);
  if (locked == 0) return;

  Schedule& s = schedule_of(beneficiary);
  const Time::Rep step = spec_.step.ticks();
  const std::int64_t start = (now.ticks() + step - 1) / step;  // ⌈now/step⌉, now ≥ 0
  if (s.pending > 0 && s.pending_start != start) spread_pending(s);
  s.pending_start = start;
  s.pending += locked;
  s.unvested += locked;
  unvested_total_ += locked;
}

Tokens Vesting::release(Time now) {
  check_time(now, "release");
  const std::int64_t reached = now / spec_.step;  // every boundary b with b·step ≤ now
  Tokens total = 0;
  for (Schedule& s : schedules_) {
    if (s.pending > 0 && s.pending_start + 1 <= reached) spread_pending(s);
    if (s.slots.empty() || s.next > reached) continue;
    const auto ring = static_cast<std::int64_t>(s.slots.size());
    const std::int64_t count = std::min(reached - s.next + 1, ring);
    Tokens paid = 0;
    std::size_t idx = s.head;
    for (std::int64_t i = 0; i < count; ++i) {
      paid += s.slots[idx];
      s.slots[idx] = 0;
      if (++idx == s.slots.size()) idx = 0;
    }
    s.head = static_cast<std::uint32_t>(idx);
    s.next = reached + 1;
    if (paid > 0) ledger_->vest(escrow_, s.beneficiary, paid);
    s.unvested -= paid;
    total += paid;
    // An empty ring is freed: a beneficiary that stops earning costs 64 bytes, not a ring.
    if (s.unvested == s.pending) std::vector<Tokens>().swap(s.slots);
  }
  unvested_total_ -= total;
  last_release_ = now;
  return total;
}

Tokens Vesting::unvested(Ledger::Account beneficiary) const {
  if (beneficiary >= index_.size() || index_[beneficiary] == kNone) return 0;
  return schedules_[index_[beneficiary]].unvested;
}

VestingSpec read_vesting_spec(Section s) {
  VestingSpec v;
  v.locked_share = s.number("locked_share", v.locked_share, "", Range::between(0.0, 1.0),
                            "share of each reward locked in escrow and vested linearly "
                            "(Filecoin: 0.75); the rest is paid at once");
  v.duration = s.duration("duration", v.duration, Time::micros(1),
                          "time from a grant to its last release (Filecoin: 180d)");
  v.step = s.duration("step", v.step, Time::micros(1),
                      "time between releases: equal parts vest at each multiple of it "
                      "(Filecoin: 1d)");
  if (v.duration % v.step != Time{}) {
    s.problem("duration", "must be a whole number of steps (" + sim::format_duration(v.step) +
                              "), found " + sim::format_duration(v.duration));
  } else if (v.duration / v.step > kMaxSteps) {
    s.problem("duration", "must be at most " + std::to_string(kMaxSteps) + " steps, found " +
                              std::to_string(v.duration / v.step));
  }
  s.finish();
  return v;
}

}  // namespace models
