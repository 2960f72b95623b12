#include "cli/progress.hpp"

#include <cstdio>
#include <ostream>
#include <string>

namespace depinsim_cli {

Progress::Progress(std::ostream& out, std::int64_t epochs, double epoch_days, std::int64_t nodes,
                   bool terminal, double line_every_s)
    : out_(out),
      epochs_(epochs),
      epoch_days_(epoch_days),
      nodes_(nodes),
      terminal_(terminal),
      line_every_s_(line_every_s) {}

void Progress::update(std::int64_t epochs_done) {
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const double every = terminal_ ? 0.1 : line_every_s_;
  if (elapsed - last_draw_s_ < every) return;
  last_draw_s_ = elapsed;
  draw(epochs_done, elapsed);
}

void Progress::draw(std::int64_t epochs_done, double elapsed_s) {
  const double done =
      epochs_ == 0 ? 1.0 : static_cast<double>(epochs_done) / static_cast<double>(epochs_);
  const double node_days =
      static_cast<double>(nodes_) * static_cast<double>(epochs_done) * epoch_days_;
  const double rate = elapsed_s > 0 ? node_days / elapsed_s : 0.0;
  const double eta = done > 0 ? elapsed_s * (1.0 - done) / done : 0.0;
  char text[160];
  std::snprintf(text, sizeof text, "epoch %lld/%lld  day %.1f  %.2f M node-days/s  ETA %.0f s",
                static_cast<long long>(epochs_done), static_cast<long long>(epochs_),
                static_cast<double>(epochs_done) * epoch_days_, rate / 1e6, eta);
  if (terminal_) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(done * kWidth);
    out_ << "\r[" << std::string(static_cast<std::size_t>(filled), '#')
         << std::string(static_cast<std::size_t>(kWidth - filled), '.') << "] " << text << "\x1b[K"
         << std::flush;
    drawn_ = true;
  } else {
    out_ << "depinsim: progress: " << text << "\n" << std::flush;
  }
}

void Progress::finish() {
  if (terminal_ && drawn_) out_ << "\r\x1b[K" << std::flush;
}

}  // namespace depinsim_cli
