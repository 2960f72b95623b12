#pragma once
// Operator economics: each operator's cash flow, holdings, P&L, ROI and payback, its decision to
// exit, and the entry of new nodes when the expected return is good.

#include <cstdint>
#include <deque>
#include <span>
#include <string_view>
#include <vector>

#include "sim/config.hpp"
#include "sim/time.hpp"

namespace models {

/// What "unprofitable" means for the exit decision (and for share_profitable).
enum class ExitMeasure : std::uint8_t {
  cash,     ///< USD received from this epoch's sales < this epoch's opex
  accrual,  ///< this epoch's rewards valued at the current price < this epoch's opex
};

/// "cash" or "accrual", as written in a scenario.
std::string_view name_of(ExitMeasure m);

/// The `operators:` mapping of a scenario. All numbers are assumptions of the model [U]: no
/// network publishes how its operators sell, exit or join.
struct OperatorSpec {
  double sell_fraction = 0.5;                       // share of each epoch's rewards sold at once
  std::int64_t exit_after_unprofitable_epochs = 0;  // consecutive epochs; 0: never exit
  ExitMeasure exit_measure = ExitMeasure::accrual;  // `exit_on: cash | accrual`
  double entry_hurdle_roi_per_year = 0.2;  // expected yearly return on capex that attracts entry
  double max_growth_per_epoch = 0.0;       // new nodes per epoch as a share of active ones; 0: none
  double entry_elasticity = 1.0;           // growth = cap × min(1, elasticity × (ROI − hurdle))
  std::int64_t expectation_epochs = 7;     // trailing window for the expected reward per node
};

/// Reads the `operators:` mapping.
OperatorSpec read_operator_spec(sim::config::Section s);

/// One epoch of one operator, as the caller reports it to the book: what its nodes earned, what
/// running them cost, and what buying nodes cost (usually only in its first epoch).
///   std::vector<OperatorEpoch> epoch(book.size(), OperatorEpoch{0.0, 0.0, 0.0});
struct OperatorEpoch {
  double tokens_earned = 0.0;
  double opex_usd = 0.0;
  double capex_usd = 0.0;
};

/// One operator's books. Every amount is cumulative since it joined unless named `_last`.
///   const OperatorAccount& a = book.account(op);  double worth = a.cash_usd() + a.tokens_held * p;
struct OperatorAccount {
  bool active = false;
  std::int64_t joined_epoch = -1;  // -1: a slot that never joined
  std::int64_t left_epoch = -1;    // -1: has not left
  std::int64_t epochs = 0;         // epochs closed while active
  sim::Time time_active;           // their total length
  double tokens_earned = 0.0;
  double tokens_sold = 0.0;
  double tokens_held = 0.0;  // earned and not sold
  double usd_revenue = 0.0;  // received from sales
  double opex_usd = 0.0;
  double capex_usd = 0.0;
  double pnl_last_usd = 0.0;     // accrual: last epoch's rewards at the price of the day − opex
  double cash_last_usd = 0.0;    // cash: last epoch's sales − opex
  bool profitable_last = false;  // by the spec's exit measure
  std::int64_t unprofitable_streak = 0;  // consecutive unprofitable epochs up to the last
  std::int64_t payback_epochs = -1;  // first epoch count with cash + holdings ≥ 0; -1: not yet

  double usd_cost() const { return opex_usd + capex_usd; }
  /// Cumulative cash flow: sales − opex − capex.
  double cash_usd() const { return usd_revenue - usd_cost(); }
};

/// The books of every operator of a run, and the entry rule for new nodes.
///
/// Each epoch an active operator earns tokens, sells `sell_fraction` of them at once (at the
/// market price, or at the realised average price when the caller sold into an AMM) and keeps
/// the rest; it pays opex, and capex when it buys nodes. Modelling choices:
/// - *Holdings are valued at market*: at the price of the last closed epoch, never at cost.
/// - *P&L* (`pnl_last_usd`) is accrual and operating: the epoch's rewards at that epoch's price
///   minus opex. Capex is not amortised in it; gains or losses on held tokens are not in it.
/// - *Exit* looks only at operating results: capex is sunk, so a rational operator keeps running
///   nodes whose rewards cover their running cost, however far it is from recovering what it paid.
///   `exit_on: accrual` judges rewards at market value (an operator that could sell everything);
///   `exit_on: cash` judges USD actually received (an operator that must pay its bills from
///   sales, so holding tokens makes it more fragile). After `exit_after_unprofitable_epochs`
///   unprofitable epochs in a row the operator leaves for good and keeps its tokens; the caller
///   takes its nodes off the network (and may sell its holdings).
/// - *ROI* counts capex: (revenue + holdings·price − opex − capex) / capex, −1 at the start, 0 at
///   break-even. Undefined (NaN) for an operator that paid no capex.
/// - *Payback* is the first epoch count at which cumulative cash flow plus holdings at market is
///   ≥ 0; it is not revoked if the price later falls.
/// - *Entry*: new nodes join when the expected yearly return on a new node's capex beats a hurdle
///   (see entrants()). An operator that joins is `activate`d by the caller; ids never repeat.
///   OperatorBook book(spec, population.operators);
///   double sell = book.tokens_to_sell(epoch);  // sell into the market, then:
///   auto gone = book.close_epoch(e, epoch_length, epoch, price_usd, realised_usd_per_token);
class OperatorBook {
 public:
  /// `operators` operators, all active and joined at epoch 0.
  OperatorBook(const OperatorSpec& spec, std::size_t operators);

  /// Closes an epoch for every active operator (per_operator has one entry per operator id;
  /// inactive operators must have all-zero entries). Returns the operators that exit now, in
  /// increasing id order; they become inactive. Throws std::invalid_argument, changing nothing,
  /// on a size mismatch, a negative or non-finite amount or price, an epoch not after the last
  /// closed one or before an active operator joined, or an inactive operator with an entry.
  std::vector<std::uint32_t> close_epoch(std::int64_t epoch, sim::Time epoch_length,
                                         std::span<const OperatorEpoch> per_operator,
                                         double price_usd, double realised_usd_per_token);

  /// Tokens the active operators sell this epoch, before the market: Σ sell_fraction·earned.
  double tokens_to_sell(std::span<const OperatorEpoch> per_operator) const;

  /// The yearly return a new node is expected to make on its capex:
  ///   ROI = (reward_usd_per_year − opex_usd_per_year) / capex_usd,
  ///   reward_usd_per_year = (trailing mean tokens earned per epoch / active_nodes)
  ///                         · price_usd · (1 year / epoch_length),
  /// the mean over the last `expectation_epochs` closed epochs of what all active operators
  /// earned, shared by today's nodes (a newcomer's own dilution is ignored). With zero capex it
  /// is +∞ for a positive margin and −∞ for a negative one. NaN before any epoch is closed or
  /// with no active nodes.
  double expected_roi_per_year(double price_usd, double capex_usd, double opex_usd_per_year,
                               std::int64_t active_nodes, sim::Time epoch_length) const;

  /// How many new nodes join next epoch: active_nodes · max_growth_per_epoch ·
  /// min(1, entry_elasticity · (ROI − hurdle)) when ROI > hurdle, else none. The fraction is
  /// carried over to the next call (whole nodes are taken once the carry reaches 1, within
  /// 1e-9), so a small network still grows, deterministically. 0 with no history or no nodes.
  std::int64_t entrants(double price_usd, double capex_usd, double opex_usd_per_year,
                        std::int64_t active_nodes, sim::Time epoch_length);

  /// A new operator joins in `epoch` (not yet closed); an id past the end grows the book, the
  /// ids in between stay never-joined slots. Throws on an id that is or was already active.
  void activate(std::uint32_t op, std::int64_t epoch);
  /// An active operator leaves without the exit rule, e.g. when all its nodes have failed.
  void retire(std::uint32_t op, std::int64_t epoch);
  /// Makes room for `operators` slots; the new ones have never joined (activate() them).
  void add_slots(std::size_t operators);

  std::size_t size() const { return accounts_.size(); }
  const OperatorAccount& account(std::uint32_t op) const { return accounts_.at(op); }
  bool active(std::uint32_t op) const { return accounts_.at(op).active; }
  std::size_t active_count() const;
  /// (revenue + holdings·price − cost) / capex at the last closed epoch's price; NaN if no capex.
  double roi(std::uint32_t op) const;
  /// The same gain without capex, per year active: (revenue + holdings·price − opex) / capex /
  /// years. Comparable with the entry hurdle; NaN with no capex or no time active.
  double roi_per_year(std::uint32_t op) const;

  /// Share of the operators active in the last closed epoch that were profitable in it (by the
  /// exit measure), exiting ones included; NaN before any epoch or with none active.
  double share_profitable() const { return share_profitable_; }
  /// Mean and median ROI over active operators with capex; NaN when there are none.
  double mean_roi() const;
  double median_roi() const;
  double price_usd() const { return price_usd_; }

 private:
  std::vector<double> active_rois() const;

  OperatorSpec spec_;
  std::vector<OperatorAccount> accounts_;
  std::deque<double> recent_tokens_;  // tokens earned by all active operators, last epochs
  std::int64_t last_closed_ = -1;
  bool any_closed_ = false;
  double price_usd_ = 0.0;
  double share_profitable_;
  double entry_carry_ = 0.0;  // fractional nodes owed to the next call of entrants()
};

}  // namespace models
