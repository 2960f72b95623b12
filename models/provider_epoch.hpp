#pragma once
// What a storage or compute network and the world that hosts it tell each other once an epoch:
// the economy as the network sees it, and per provider what it earned, owes and spent.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/time.hpp"

namespace models {

/// The token economy as a storage or compute network sees it when an epoch opens.
///   MarketView v{epoch, start, end, price_usd, pool_tokens, circulating_tokens, endowment_tokens};
struct MarketView {
  std::int64_t epoch = 0;
  sim::Time start, end;             // the epoch is [start, end)
  double price_usd = 0.0;           // token price at the open
  double role_pool_tokens = 0.0;    // this epoch's emission for the network's role
  double circulating_tokens = 0.0;  // circulating supply (Filecoin's pledge reads it)
  double endowment_tokens = 0.0;    // balance of the storage endowment (Arweave), if any
};

/// One provider's epoch, as the world books it through the ledger and the operators' books.
/// Amounts are non-negative unless said otherwise; USD amounts are converted at the view's price.
struct ProviderEpoch {
  double reward_weight = 0.0;      // claim on the role's pool: pool · weight / Σ weights
  double client_usd = 0.0;         // paid by clients for service this epoch, net of the take
  double take_usd = 0.0;           // the protocol's take on those payments (to the treasury)
  double burn_usd = 0.0;           // clients' spending burned as tokens (Render-style BME)
  double endowment_tokens = 0.0;   // paid to it from the storage endowment (Arweave)
  double collateral_tokens = 0.0;  // collateral to lock now (> 0) or to release (< 0)
  double penalty_tokens = 0.0;     // fees and slashes, taken from its collateral first
  double reporter_tokens = 0.0;    // part of the penalty paid to whoever proved the fault
  double opex_usd = 0.0;           // running costs this epoch
  double capex_usd = 0.0;          // hardware bought this epoch
  bool caught = false;             // proven fraud this epoch
};

/// Everything a network reports for one epoch.
struct ProviderEpochs {
  std::vector<ProviderEpoch> providers;  // one per provider, in provider order
  double endowment_deposit_usd = 0.0;    // clients' up-front fees into the endowment (Arweave)
};

/// A kind-specific /nodes column a network contributes for its own nodes.
struct NodeColumn {
  std::string name, units, description;
  std::vector<double> values;  // one per provider
};

/// A network's rows of the /nodes table (the world adds ids, operators, rewards, join and leave).
struct NodeTable {
  std::vector<std::string> behaviour, hardware;
  std::vector<std::int64_t> group;  // index among this kind's population entries
  std::vector<double> x_km, y_km;
  std::vector<NodeColumn> extra;
};

}  // namespace models
