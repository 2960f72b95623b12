#pragma once
// The per-epoch series of a sensor-network run, declared once with units and meaning.

#include <array>

#include "models/metrics/epoch_tally.hpp"
#include "sim/recorder.hpp"

namespace models {

/// Declares the /epochs series of the output contract and appends one row per EpochTally.
///   SensorMetrics m;  m.record(tally);  m.recorder().write(writer, "epochs");
class SensorMetrics {
 public:
  explicit SensorMetrics(double epoch_days);
  void record(const EpochTally& t);
  const sim::Recorder& recorder() const { return recorder_; }
  /// Every epoch recorded so far, added up (the end-of-run summary).
  const EpochTally& totals() const { return totals_; }

 private:
  using Count = sim::Recorder::CountSeries;
  using Real = sim::Recorder::RealSeries;
  template <class T>
  using PerBehaviour = std::array<T, kBehaviourCount>;

  double epoch_days_;
  EpochTally totals_;
  sim::Recorder recorder_;
  Count epoch_;
  Real end_days_;
  Count sensors_;
  Count submitted_, lost_, late_, arrived_, accepted_, rejected_;
  Count rejected_bounds_, rejected_jump_, rejected_outlier_, unverified_;
  Real rmse_c_, bad_accepted_fraction_, good_rejected_fraction_;
  PerBehaviour<Count> b_submitted_, b_arrived_, b_accepted_, b_rejected_;
  Real minted_, undistributed_, supply_;
  PerBehaviour<Real> paid_;
};

}  // namespace models
