// MarketplaceOrder: a three-seller marketplace_order_cancellation input for
// a test, from workflows/examples/marketplace_order.json with ids of its own,
// and what the sandbox must hold for it (each seller's charge).
//
// Header only, beside refund_harness.h (STEADFAST_SOURCE_ROOT).
#ifndef STEADFAST_TESTS_INTEGRATION_REFUND_MARKETPLACE_ORDER_H_
#define STEADFAST_TESTS_INTEGRATION_REFUND_MARKETPLACE_ORDER_H_

#include <string>
#include <vector>

#include "refund_harness.h"

namespace steadfast::integration {

struct MarketplaceSeller {
  std::string branch;      // seller_1 .. seller_3: the parent's branch, the child's id suffix
  std::string sub_order;   // the seller's part of the order
  std::string charge;      // what the buyer paid for it at the PSP
  std::string account;     // the seller's connected account
  int64_t paid = 0;        // the charge's amount (minor units, EUR)
};

struct MarketplaceOrder {
  Value input;
  std::vector<MarketplaceSeller> sellers;
};

// The example order renamed after `order_id` (charges, sub-orders, accounts
// carry it, so orders of one test never share a charge). `closed_seller`
// (0..2, or -1) gets a closed connected account (acct_closed..., refused by
// the sandbox for good); `held_seller` gets a payout hold of `hold`.
inline MarketplaceOrder MakeMarketplaceOrder(const std::string& order_id, int closed_seller = -1,
                                             int held_seller = -1, const std::string& hold = "") {
  MarketplaceOrder out;
  out.input = LoadExample("marketplace_order.json");
  Value& order = out.input["order"];
  order["id"] = order_id;
  std::string flat = order_id;
  for (char& c : flat) {
    if (c == '-') c = '_';
  }
  for (int i = 0; i < 3; ++i) {
    Value& part = order["sellers"].MutableList()[static_cast<size_t>(i)];
    MarketplaceSeller s;
    s.branch = "seller_" + std::to_string(i + 1);
    s.sub_order = order_id + "-" + std::to_string(i + 1);
    s.charge = "ch_" + flat + "_" + std::to_string(i + 1);
    s.account = (i == closed_seller ? "acct_closed_" : "acct_") + flat + "_" + std::to_string(i + 1);
    const Value& lines = part.Get("lines");
    s.paid = lines.Get("rental").IntOr(0) + lines.Get("delivery").IntOr(0) + lines.Get("tax").IntOr(0) +
             lines.Get("service_fee").IntOr(0);
    part["id"] = s.sub_order;
    part["payment"]["charge"] = s.charge;
    part["seller"]["account"] = s.account;
    if (i == held_seller) part["seller"]["payout_hold"] = hold;
    out.sellers.push_back(std::move(s));
  }
  return out;
}

}  // namespace steadfast::integration

#endif  // STEADFAST_TESTS_INTEGRATION_REFUND_MARKETPLACE_ORDER_H_
