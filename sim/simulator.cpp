#include "sim/simulator.hpp"

#include <string>

namespace sim {

void Simulator::on(EventKind kind, Handler handler, void* context) {
  if (kind >= kFirstKernelKind) {
    throw std::invalid_argument("Simulator::on: event kind " + std::to_string(kind) +
                                " is reserved for the kernel");
  }
  if (handlers_.size() <= kind) handlers_.resize(std::size_t{kind} + 1);
  if (handlers_[kind].handler != nullptr) {
    throw std::logic_error("Simulator::on: event kind " + std::to_string(kind) +
                           " already has a handler");
  }
  handlers_[kind] = Registration{handler, context};
}

void Simulator::refuse_past(Time at) const {
  throw std::logic_error("Simulator::schedule_at: time " + std::to_string(at.ticks()) +
                         " is before now " + std::to_string(now_.ticks()));
}

bool Simulator::cancel(EventId id) {
  // An event later than now cannot have run; one at exactly now may have, so ask the queue.
  // Cancelled events are dropped when popped.
  if (id.time < now_) return false;
  if (id.time == now_ && !queue_.contains(id.time, id.order)) return false;
  if ((id.order & Event::kSequenceMask) >= next_sequence_) return false;
  return cancelled_.insert(id.order).second;
}

ProcessId Simulator::every(Time period, Time first, EventKind kind, std::uint32_t target,
                           std::uint64_t payload, Priority priority) {
  if (period <= Time{}) throw std::invalid_argument("Simulator::every: period must be positive");
  const auto pid = static_cast<ProcessId>(processes_.size());
  processes_.push_back(Process{period, kind, priority, target, payload, EventId{}, true});
  processes_.back().pending = schedule_at(first, kPeriodicKind, pid, 0, priority);
  return pid;
}

void Simulator::stop_process(ProcessId id) {
  Process& p = processes_.at(id);
  if (!p.active) return;
  p.active = false;
  cancel(p.pending);
}

void Simulator::unknown_kind(EventKind kind) const {
  throw std::logic_error("Simulator: no handler registered for event kind " + std::to_string(kind));
}

void Simulator::run_process(const Event& e) {
  Process& p = processes_[e.target];
  // Schedule the next occurrence first, so that the handler may stop the process.
  p.pending = schedule_at(e.time + p.period, kPeriodicKind, e.target, 0, p.priority);
  Event occurrence = e;
  occurrence.kind = p.kind;
  occurrence.target = p.target;
  occurrence.payload = p.payload;
  dispatch(occurrence);
}

std::uint64_t Simulator::run_until(Time end) {
  stopped_ = false;
  const std::uint64_t before = dispatched_;
  while (!stopped_) {
    const Event* next = queue_.front();
    if (next == nullptr || next->time > end) break;
    const Event e = *next;  // a copy: the handler's pushes may move the queue's storage
    queue_.pop_front();
    if (!cancelled_.empty() && cancelled_.erase(e.order) != 0) continue;
    now_ = e.time;
    if (e.kind == kPeriodicKind) {
      run_process(e);
    } else {
      dispatch(e);
    }
    ++dispatched_;  // counted as it goes, so that handlers see the running total
  }
  if (!stopped_ && end != Time::max() && now_ < end) now_ = end;
  return dispatched_ - before;
}

}  // namespace sim
