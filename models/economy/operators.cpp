#include "models/economy/operators.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

bool non_negative(double x) {
  return std::isfinite(x) && x >= 0.0;
}

void check_spec(const OperatorSpec& s) {
  if (!(s.sell_fraction >= 0.0 && s.sell_fraction <= 1.0)) {
    throw std::invalid_argument("OperatorBook: sell_fraction must be in [0, 1]");
  }
  if (s.exit_after_unprofitable_epochs < 0) {
    throw std::invalid_argument("OperatorBook: exit_after_unprofitable_epochs must be >= 0");
  }
  if (!std::isfinite(s.entry_hurdle_roi_per_year)) {
    throw std::invalid_argument("OperatorBook: entry_hurdle_roi_per_year must be finite");
  }
  if (!non_negative(s.max_growth_per_epoch) || !non_negative(s.entry_elasticity)) {
    throw std::invalid_argument(
        "OperatorBook: max_growth_per_epoch and entry_elasticity must be non-negative");
  }
  if (s.expectation_epochs < 1) {
    throw std::invalid_argument("OperatorBook: expectation_epochs must be >= 1");
  }
}

}  // namespace

std::string_view name_of(ExitMeasure m) {
  return m == ExitMeasure::cash ? "cash" : "accrual";
}

OperatorBook::OperatorBook(const OperatorSpec& spec, std::size_t operators)
    : spec_(spec), accounts_(operators), share_profitable_(kNaN) {
  check_spec(spec_);
  for (auto& a : accounts_) {
    a.active = true;
    a.joined_epoch = 0;
  }
}

std::vector<std::uint32_t> OperatorBook::close_epoch(std::int64_t epoch, Time epoch_length,
                                                     std::span<const OperatorEpoch> per_operator,
                                                     double price_usd,
                                                     double realised_usd_per_token) {
  // Check everything first, so that a bad call leaves the books as they were.
  if (per_operator.size() != accounts_.size()) {
    throw std::invalid_argument("OperatorBook::close_epoch: one entry per operator");
  }
  if (any_closed_ && epoch <= last_closed_) {
    throw std::invalid_argument("OperatorBook::close_epoch: epochs must increase");
  }
  if (epoch_length <= Time{}) {
    throw std::invalid_argument("OperatorBook::close_epoch: epoch_length must be positive");
  }
  if (!non_negative(price_usd) || !non_negative(realised_usd_per_token)) {
    throw std::invalid_argument("OperatorBook::close_epoch: prices must be finite and >= 0");
  }
  for (std::size_t i = 0; i < accounts_.size(); ++i) {
    const OperatorEpoch& e = per_operator[i];
    if (!non_negative(e.tokens_earned) || !non_negative(e.opex_usd) || !non_negative(e.capex_usd)) {
      throw std::invalid_argument("OperatorBook::close_epoch: amounts must be finite and >= 0");
    }
    const OperatorAccount& a = accounts_[i];
    if (!a.active && (e.tokens_earned > 0.0 || e.opex_usd > 0.0 || e.capex_usd > 0.0)) {
      throw std::invalid_argument("OperatorBook::close_epoch: operator " + std::to_string(i) +
                                  " is not active but has an entry");
    }
    if (a.active && epoch < a.joined_epoch) {
      throw std::invalid_argument("OperatorBook::close_epoch: operator " + std::to_string(i) +
                                  " joins after this epoch");
    }
  }

  std::vector<std::uint32_t> exits;
  double tokens_all = 0.0;
  std::size_t counted = 0;
  std::size_t profitable = 0;
  for (std::size_t i = 0; i < accounts_.size(); ++i) {
    OperatorAccount& a = accounts_[i];
    if (!a.active) continue;
    const OperatorEpoch& e = per_operator[i];
    const double sold = spec_.sell_fraction * e.tokens_earned;
    const double received_usd = sold * realised_usd_per_token;
    a.tokens_earned += e.tokens_earned;
    a.tokens_sold += sold;
    a.tokens_held += e.tokens_earned - sold;
    a.usd_revenue += received_usd;
    a.opex_usd += e.opex_usd;
    a.capex_usd += e.capex_usd;
    a.epochs += 1;
    a.time_active += epoch_length;
    a.pnl_last_usd = e.tokens_earned * price_usd - e.opex_usd;
    a.cash_last_usd = received_usd - e.opex_usd;
    // Capex is sunk: only the operating result of the epoch decides.
    a.profitable_last =
        (spec_.exit_measure == ExitMeasure::cash ? a.cash_last_usd : a.pnl_last_usd) >= 0.0;
    a.unprofitable_streak = a.profitable_last ? 0 : a.unprofitable_streak + 1;
    if (a.payback_epochs < 0 && a.cash_usd() + a.tokens_held * price_usd >= 0.0) {
      a.payback_epochs = a.epochs;
    }
    tokens_all += e.tokens_earned;
    ++counted;
    if (a.profitable_last) ++profitable;
    if (spec_.exit_after_unprofitable_epochs > 0 &&
        a.unprofitable_streak >= spec_.exit_after_unprofitable_epochs) {
      a.active = false;
      a.left_epoch = epoch;
      exits.push_back(static_cast<std::uint32_t>(i));
    }
  }

  recent_tokens_.push_back(tokens_all);
  while (static_cast<std::int64_t>(recent_tokens_.size()) > spec_.expectation_epochs) {
    recent_tokens_.pop_front();
  }
  share_profitable_ =
      counted > 0 ? static_cast<double>(profitable) / static_cast<double>(counted) : kNaN;
  price_usd_ = price_usd;
  last_closed_ = epoch;
  any_closed_ = true;
  return exits;
}

double OperatorBook::tokens_to_sell(std::span<const OperatorEpoch> per_operator) const {
  if (per_operator.size() != accounts_.size()) {
    throw std::invalid_argument("OperatorBook::tokens_to_sell: one entry per operator");
  }
  double tokens = 0.0;
  for (std::size_t i = 0; i < accounts_.size(); ++i) {
    if (accounts_[i].active) tokens += spec_.sell_fraction * per_operator[i].tokens_earned;
  }
  return tokens;
}

double OperatorBook::expected_roi_per_year(double price_usd, double capex_usd,
                                           double opex_usd_per_year, std::int64_t active_nodes,
                                           Time epoch_length) const {
  if (!non_negative(price_usd) || !non_negative(capex_usd) || !non_negative(opex_usd_per_year)) {
    throw std::invalid_argument(
        "OperatorBook::expected_roi_per_year: price and costs must be finite and >= 0");
  }
  if (epoch_length <= Time{}) {
    throw std::invalid_argument(
        "OperatorBook::expected_roi_per_year: epoch_length must be positive");
  }
  if (recent_tokens_.empty() || active_nodes <= 0) return kNaN;
  const double mean_tokens = std::accumulate(recent_tokens_.begin(), recent_tokens_.end(), 0.0) /
                             static_cast<double>(recent_tokens_.size());
  const double epochs_per_year = Time::years(1).to_seconds() / epoch_length.to_seconds();
  const double reward_usd_per_year =
      mean_tokens / static_cast<double>(active_nodes) * price_usd * epochs_per_year;
  const double margin_usd_per_year = reward_usd_per_year - opex_usd_per_year;
  if (capex_usd > 0.0) return margin_usd_per_year / capex_usd;
  if (margin_usd_per_year > 0.0) return kInf;
  return margin_usd_per_year < 0.0 ? -kInf : 0.0;
}

std::int64_t OperatorBook::entrants(double price_usd, double capex_usd, double opex_usd_per_year,
                                    std::int64_t active_nodes, Time epoch_length) {
  const double roi =
      expected_roi_per_year(price_usd, capex_usd, opex_usd_per_year, active_nodes, epoch_length);
  if (std::isnan(roi) || !(roi > spec_.entry_hurdle_roi_per_year)) return 0;
  // Tested apart so that zero elasticity against an infinite ROI (free hardware) is no entry.
  const double pull =
      spec_.entry_elasticity > 0.0
          ? std::min(1.0, spec_.entry_elasticity * (roi - spec_.entry_hurdle_roi_per_year))
          : 0.0;
  entry_carry_ += spec_.max_growth_per_epoch * pull * static_cast<double>(active_nodes);
  // The tolerance keeps ten additions of 0.3 from falling just short of 3.
  const double whole = std::floor(entry_carry_ + 1e-9);
  entry_carry_ = std::max(0.0, entry_carry_ - whole);
  return static_cast<std::int64_t>(whole);
}

void OperatorBook::activate(std::uint32_t op, std::int64_t epoch) {
  if (any_closed_ && epoch <= last_closed_) {
    throw std::invalid_argument("OperatorBook::activate: epoch " + std::to_string(epoch) +
                                " is already closed");
  }
  if (op >= accounts_.size()) accounts_.resize(static_cast<std::size_t>(op) + 1);
  OperatorAccount& a = accounts_[op];
  if (a.joined_epoch >= 0) {
    throw std::invalid_argument("OperatorBook::activate: operator " + std::to_string(op) +
                                " has already joined (ids are not reused)");
  }
  a = OperatorAccount{};
  a.active = true;
  a.joined_epoch = epoch;
}

void OperatorBook::add_slots(std::size_t operators) {
  if (operators > accounts_.size()) accounts_.resize(operators);
}

void OperatorBook::retire(std::uint32_t op, std::int64_t epoch) {
  OperatorAccount& a = accounts_.at(op);
  if (!a.active) {
    throw std::invalid_argument("OperatorBook::retire: operator " + std::to_string(op) +
                                " is not active");
  }
  a.active = false;
  a.left_epoch = epoch;
}

std::size_t OperatorBook::active_count() const {
  return static_cast<std::size_t>(std::count_if(accounts_.begin(), accounts_.end(),
                                                [](const OperatorAccount& a) { return a.active; }));
}

double OperatorBook::roi(std::uint32_t op) const {
  const OperatorAccount& a = accounts_.at(op);
  if (!(a.capex_usd > 0.0)) return kNaN;
  return (a.usd_revenue + a.tokens_held * price_usd_ - a.usd_cost()) / a.capex_usd;
}

double OperatorBook::roi_per_year(std::uint32_t op) const {
  const OperatorAccount& a = accounts_.at(op);
  const double years = a.time_active.to_seconds() / Time::years(1).to_seconds();
  if (!(a.capex_usd > 0.0) || !(years > 0.0)) return kNaN;
  return (a.usd_revenue + a.tokens_held * price_usd_ - a.opex_usd) / a.capex_usd / years;
}

std::vector<double> OperatorBook::active_rois() const {
  std::vector<double> rois;
  for (std::size_t i = 0; i < accounts_.size(); ++i) {
    if (!accounts_[i].active) continue;
    const double r = roi(static_cast<std::uint32_t>(i));
    if (!std::isnan(r)) rois.push_back(r);
  }
  return rois;
}

double OperatorBook::mean_roi() const {
  const std::vector<double> rois = active_rois();
  if (rois.empty()) return kNaN;
  return std::accumulate(rois.begin(), rois.end(), 0.0) / static_cast<double>(rois.size());
}

double OperatorBook::median_roi() const {
  std::vector<double> rois = active_rois();
  if (rois.empty()) return kNaN;
  const std::size_t mid = rois.size() / 2;
  std::nth_element(rois.begin(), rois.begin() + static_cast<std::ptrdiff_t>(mid), rois.end());
  const double upper = rois[mid];
  if (rois.size() % 2 == 1) return upper;
  const double lower =
      *std::max_element(rois.begin(), rois.begin() + static_cast<std::ptrdiff_t>(mid));
  return 0.5 * (lower + upper);
}

OperatorSpec read_operator_spec(Section s) {
  OperatorSpec v;
  v.sell_fraction = s.number("sell_fraction", v.sell_fraction, "", Range::between(0.0, 1.0),
                             "share of each epoch's rewards an operator sells at once");
  v.exit_after_unprofitable_epochs = s.integer(
      "exit_after_unprofitable_epochs", v.exit_after_unprofitable_epochs, Range::between(0.0, 1e6),
      "an operator leaves after this many unprofitable epochs in a row (0: never)");
  static constexpr std::string_view kMeasures[] = {"cash", "accrual"};
  v.exit_measure =
      s.choice("exit_on", name_of(v.exit_measure), kMeasures,
               "unprofitable means: cash, USD from sales < opex; accrual, rewards at the "
               "current price < opex") == "cash"
          ? ExitMeasure::cash
          : ExitMeasure::accrual;
  v.entry_hurdle_roi_per_year =
      s.number("entry_hurdle_roi_per_year", v.entry_hurdle_roi_per_year, "1/year",
               Range::between(-1.0, 100.0),
               "expected yearly return on a new node's capex above which nodes join");
  v.max_growth_per_epoch =
      s.number("max_growth_per_epoch", v.max_growth_per_epoch, "", Range::between(0.0, 10.0),
               "most new nodes per epoch, as a share of active nodes (0: no entry)");
  v.entry_elasticity =
      s.number("entry_elasticity", v.entry_elasticity, "year", Range::at_least(0.0),
               "growth = cap × min(1, elasticity × (expected ROI − hurdle))");
  v.expectation_epochs =
      s.integer("expectation_epochs", v.expectation_epochs, Range::between(1.0, 10000.0),
                "closed epochs averaged for the expected reward of a new node");
  s.finish();
  return v;
}

}  // namespace models
