#include "models/validation/reading_checks.hpp"

#include <array>
#include <stdexcept>

#include "models/validation/quality_of_data.hpp"
#include "models/validation/sanity_check.hpp"
#include "models/validation/spatial_consensus.hpp"

namespace models {

namespace {

using sim::config::Section;

class SanityAdapter final : public ReadingCheck {
 public:
  SanityAdapter(const SanitySpec& spec, std::size_t stations) : check_(spec, stations) {}
  void check(const ReadingBatch& b) override { check_.check(b.submissions, b.verdicts); }

 private:
  SanityCheck check_;
};

class ConsensusAdapter final : public ReadingCheck {
 public:
  ConsensusAdapter(const ConsensusSpec& spec, const StationDirectory& s)
      : check_(spec, s.x_km, s.y_km) {}
  void check(const ReadingBatch& b) override {
    unverified_ = check_.check(b.submissions, b.verdicts, b.epoch_start, b.epoch_length);
  }
  std::int64_t unverified() const override { return unverified_; }

 private:
  SpatialConsensus check_;
  std::int64_t unverified_ = 0;
};

class QodAdapter final : public ReadingCheck {
 public:
  QodAdapter(const QodSpec& spec, const StationDirectory& s)
      : check_(spec, s.sampling), scores_(s.size(), 0.0) {}
  void check(const ReadingBatch& b) override {
    check_.check(b.submissions, b.verdicts, b.epoch_start, b.epoch_length, scores_);
  }
  std::span<const double> station_scores() const override { return scores_; }

 private:
  QualityOfData check_;
  std::vector<double> scores_;
};

const std::array<ReadingCheckKind, 3> kKinds{{
    {"sanity", "bounds and rate of change of each reading (sanity_check.hpp)",
     [](Section s) -> std::any { return read_sanity_spec(std::move(s)); },
     [](const std::any& p, const StationDirectory& s) -> std::unique_ptr<ReadingCheck> {
       return std::make_unique<SanityAdapter>(std::any_cast<const SanitySpec&>(p), s.size());
     }},
    {"qod", "WeatherXM-style quality of data: bounds, jumps, constancy, completeness",
     [](Section s) -> std::any { return read_qod_spec(std::move(s)); },
     [](const std::any& p, const StationDirectory& s) -> std::unique_ptr<ReadingCheck> {
       return std::make_unique<QodAdapter>(std::any_cast<const QodSpec&>(p), s);
     }},
    {"spatial_consensus", "agreement with the neighbours' readings (spatial_consensus.hpp)",
     [](Section s) -> std::any { return read_consensus_spec(std::move(s)); },
     [](const std::any& p, const StationDirectory& s) -> std::unique_ptr<ReadingCheck> {
       return std::make_unique<ConsensusAdapter>(std::any_cast<const ConsensusSpec&>(p), s);
     }},
}};

}  // namespace

std::span<const ReadingCheckKind> reading_check_kinds() {
  return kKinds;
}

std::vector<ReadingCheckSpec> read_reading_checks(Section& validation) {
  std::array<std::string_view, kKinds.size()> names{};
  for (std::size_t k = 0; k < kKinds.size(); ++k)
    names[k] = kKinds[k].name;
  std::vector<ReadingCheckSpec> out;
  const bool given = validation.has("readings");
  std::vector<Section> entries =
      validation.list("readings",
                      "checks run in order on each epoch's readings, each {kind: ..., keys}; "
                      "absent: sanity, then spatial_consensus");
  if (!given && !validation.describing()) {
    // The default pipeline: plausibility, then agreement with the neighbours.
    return {{"sanity", SanitySpec{}}, {"spatial_consensus", ConsensusSpec{}}};
  }
  for (Section& entry : entries) {
    if (entry.describing()) {
      // List every kind's keys in the catalogue.
      entry.choice("kind", "", names, "which check; its keys are listed under [kind=...]");
      for (const ReadingCheckKind& k : kKinds) {
        Section variant = entry.variant("kind=" + std::string(k.name));
        variant.choice("kind", k.name, names, k.help);
        k.read(variant);
      }
      continue;
    }
    const std::string kind = entry.choice("kind", "", names, "which check");
    for (const ReadingCheckKind& k : kKinds) {
      if (k.name == kind) out.push_back({kind, k.read(entry)});
    }
  }
  return out;
}

std::unique_ptr<ReadingCheck> make_reading_check(const ReadingCheckSpec& spec,
                                                 const StationDirectory& stations) {
  for (const ReadingCheckKind& k : kKinds) {
    if (k.name == spec.kind) return k.make(spec.params, stations);
  }
  throw std::invalid_argument("unknown reading check kind '" + spec.kind + "'");
}

}  // namespace models
