#pragma once
// Progress of a long run on stderr: a redrawn bar on a terminal, a line now and then otherwise.

#include <chrono>
#include <cstdint>
#include <iosfwd>

namespace depinsim_cli {

/// Reports epochs done, simulated time, node-days simulated per second and the time left.
/// On a terminal the bar is redrawn at most ten times a second; elsewhere (a log file, a batch
/// job) one line is written every `line_every` seconds.
///   Progress p(std::cerr, 90, 1.0, nodes, isatty(2), 5.0);  p.update(epoch);  p.finish();
class Progress {
 public:
  Progress(std::ostream& out, std::int64_t epochs, double epoch_days, std::int64_t nodes,
           bool terminal, double line_every_s);
  /// Called after each epoch closes, with the epochs done so far.
  void update(std::int64_t epochs_done);
  /// Clears the bar (on a terminal) so that what follows starts on a clean line.
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  void draw(std::int64_t epochs_done, double elapsed_s);

  std::ostream& out_;
  std::int64_t epochs_;
  double epoch_days_;
  std::int64_t nodes_;
  bool terminal_;
  double line_every_s_;
  Clock::time_point start_ = Clock::now();
  double last_draw_s_ = 0.0;  // nothing is drawn before the first interval has passed
  bool drawn_ = false;
};

}  // namespace depinsim_cli
