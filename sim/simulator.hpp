#pragma once
// The discrete-event engine: a clock, the pending events, and one handler per event kind.

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <unordered_set>
#include <vector>

#include "sim/event.hpp"
#include "sim/event_queue.hpp"
#include "sim/time.hpp"

namespace sim {

/// Identifies a periodic process started with every().
using ProcessId = std::uint32_t;

/// Runs events in (time, priority, sequence) order, dispatching each to the handler of its kind
/// through a plain function pointer: no virtual call, no allocation per event.
///   Simulator s;  s.on<&Model::sample>(kSample, model);
///   s.every(Time::hours(1), Time{}, kSample, sensor);  s.run_until(Time::days(90));
class Simulator {
 public:
  using Handler = void (*)(void* context, Simulator& sim, const Event& event);

  /// Registers `handler` (called with `context`) for events of `kind`. One handler per kind.
  void on(EventKind kind, Handler handler, void* context);
  /// Registers the member function `Method` of `object`: void T::Method(Simulator&, const Event&).
  template <auto Method, class T>
  void on(EventKind kind, T& object) {
    on(
        kind,
        [](void* ctx, Simulator& s, const Event& e) { (static_cast<T*>(ctx)->*Method)(s, e); },
        &object);
  }

  Time now() const { return now_; }

  /// Schedules an event at absolute time `at` (not before now()). Returns its id for cancel().
  EventId schedule_at(Time at, EventKind kind, std::uint32_t target, std::uint64_t payload = 0,
                      Priority priority = kDefaultPriority) {
    if (at < now_) refuse_past(at);
    Event e;
    e.time = at;
    e.order = Event::make_order(priority, next_sequence_++);
    e.payload = payload;
    e.target = target;
    e.kind = kind;
    queue_.push(e);
    return EventId{at, e.order};
  }
  EventId schedule_in(Time delay, EventKind kind, std::uint32_t target, std::uint64_t payload = 0,
                      Priority priority = kDefaultPriority) {
    return schedule_at(now_ + delay, kind, target, payload, priority);
  }
  /// Cancels a pending event; returns false when it already ran or was already cancelled.
  /// Costs nothing on the dispatch path while no cancellation is outstanding.
  bool cancel(EventId id);

  /// Starts a process that raises (kind, target, payload) at `first`, then every `period`.
  ProcessId every(Time period, Time first, EventKind kind, std::uint32_t target,
                  std::uint64_t payload = 0, Priority priority = kDefaultPriority);
  /// Stops a periodic process; its pending occurrence does not run.
  void stop_process(ProcessId id);

  /// Runs every event with time <= end, then sets the clock to `end` unless stop() was called.
  /// Returns the number of events dispatched.
  std::uint64_t run_until(Time end);
  /// Runs until no event is pending or stop() is called.
  std::uint64_t run() { return run_until(Time::max()); }
  /// Asks run_until() to return after the event being handled.
  void stop() { stopped_ = true; }
  bool stopped() const { return stopped_; }

  /// Events pending, not counting cancelled ones.
  std::size_t pending() const { return queue_.size() - cancelled_.size(); }
  std::uint64_t events_dispatched() const { return dispatched_; }

 private:
  static constexpr EventKind kPeriodicKind = kFirstKernelKind;

  struct Registration {
    Handler handler = nullptr;
    void* context = nullptr;
  };
  struct Process {
    Time period;
    EventKind kind;
    Priority priority;
    std::uint32_t target;
    std::uint64_t payload;
    EventId pending;
    bool active;
  };

  void dispatch(const Event& e) {
    if (e.kind >= handlers_.size() || handlers_[e.kind].handler == nullptr) unknown_kind(e.kind);
    const Registration& r = handlers_[e.kind];
    r.handler(r.context, *this, e);
  }
  void run_process(const Event& e);
  [[noreturn]] void unknown_kind(EventKind kind) const;
  [[noreturn]] void refuse_past(Time at) const;

  EventQueue queue_;
  std::vector<Registration> handlers_;
  std::vector<Process> processes_;
  std::unordered_set<std::uint64_t> cancelled_;  // order words of cancelled pending events
  std::uint64_t next_sequence_ = 0;
  std::uint64_t dispatched_ = 0;
  Time now_;
  bool stopped_ = false;
};

}  // namespace sim
