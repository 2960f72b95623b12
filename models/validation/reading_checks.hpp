#pragma once
// The oracle's checks on readings, chosen by `kind:` in the scenario through a registry.

#include <any>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/validation/submission.hpp"
#include "sim/config.hpp"
#include "sim/time.hpp"

namespace models {

/// What an oracle knows of the stations before any reading: claimed positions and the
/// sampling interval each promised.
struct StationDirectory {
  std::span<const double> x_km;
  std::span<const double> y_km;
  std::span<const sim::Time> sampling;
  std::size_t size() const { return x_km.size(); }
};

/// One epoch's readings as the oracle holds them, and its verdicts so far.
struct ReadingBatch {
  std::span<const Submission> submissions;
  std::span<Verdict> verdicts;  // one per submission; a check only turns accepted into rejected
  sim::Time epoch_start;
  sim::Time epoch_length;
};

/// A mechanism that judges readings. Implementations never see the ground truth.
///   auto check = make_reading_check(spec, stations);  check->check(batch);
class ReadingCheck {
 public:
  virtual ~ReadingCheck() = default;
  /// Judges the readings still accepted, turning some verdicts into rejections.
  virtual void check(const ReadingBatch& batch) = 0;
  /// Readings the last check() accepted for want of evidence (e.g. no neighbours to compare).
  virtual std::int64_t unverified() const { return 0; }
  /// A quality score in [0, 1] per station for the last epoch, or empty if the check gives none.
  virtual std::span<const double> station_scores() const { return {}; }
};

/// One entry of `validation.readings`: the kind and its parameters (the kind's own spec type).
struct ReadingCheckSpec {
  std::string kind;
  std::any params;
};

/// A registered kind: how to read its parameters and build it. Adding a mechanism is one
/// entry in the table in reading_checks.cpp.
struct ReadingCheckKind {
  std::string_view name;
  std::string_view help;
  std::any (*read)(sim::config::Section entry);  // declares its keys, then entry.finish()
  std::unique_ptr<ReadingCheck> (*make)(const std::any& params, const StationDirectory& stations);
};

/// Every registered kind, in the order `depinsim help params` lists them.
std::span<const ReadingCheckKind> reading_check_kinds();

/// Reads the list `validation.readings` (each entry a mapping with `kind:` and its keys).
std::vector<ReadingCheckSpec> read_reading_checks(sim::config::Section& validation);

/// Builds the check an entry describes. Throws std::invalid_argument for an unknown kind.
std::unique_ptr<ReadingCheck> make_reading_check(const ReadingCheckSpec& spec,
                                                 const StationDirectory& stations);

}  // namespace models
