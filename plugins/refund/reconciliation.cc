// Reconciliation: grouping by subject, the drift rules, repair plans.
#include "refund/reconciliation.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "steadfast/time_text.h"
#include "refund/deposit_posting.h"
#include "refund/money.h"

namespace steadfast::refund {
namespace {

constexpr char kRepairKind[] = "reconciliation_repair";
constexpr char kSuspense[] = "reconciliation_suspense";
constexpr char kClearing[] = "psp_clearing";

// A refund that moved money or still may: everything but failed/canceled.
bool IsActive(const PspRefundFact& r) { return r.status != "failed" && r.status != "canceled"; }

Status AddTo(Amounts& a, const std::string& currency, int64_t minor) {
  SF_ASSIGN_OR_RETURN(const int64_t sum, CheckedAdd(a[currency], minor));
  if (sum == 0) {
    a.erase(currency);
  } else {
    a[currency] = sum;
  }
  return Status::Ok();
}

Result<Amounts> Plus(Amounts a, const Amounts& b) {
  for (const auto& [c, m] : b) SF_RETURN_IF_ERROR(AddTo(a, c, m));
  return a;
}

Result<Amounts> Minus(Amounts a, const Amounts& b) {
  for (const auto& [c, m] : b) {
    SF_ASSIGN_OR_RETURN(const int64_t negated, CheckedSub(0, m));
    SF_RETURN_IF_ERROR(AddTo(a, c, negated));
  }
  return a;
}

std::string AmountsKey(const Amounts& a) {
  std::string out;
  for (const auto& [c, m] : a) out += fmt::format("{}{}:{}", out.empty() ? "" : ",", c, m);
  return out.empty() ? "0" : out;
}

// Everything known about one subject.
struct Group {
  std::vector<const PspRefundFact*> psp;
  std::vector<const LedgerFact*> ledger;
  const WorkflowFact* workflow = nullptr;
};

bool InScope(const Group& g, TimeMs since_ms) {
  if (since_ms <= 0) return true;
  for (const PspRefundFact* p : g.psp) {
    if (p->created_ms >= since_ms) return true;
  }
  for (const LedgerFact* l : g.ledger) {
    if (l->posted_ms >= since_ms) return true;
  }
  return g.workflow != nullptr && g.workflow->created_ms >= since_ms;
}

// Why a subject is not compared yet, or "" when it is at rest: its workflow
// is still running, or it or one of its PSP refunds is younger than the
// settle margin (the workflow may be about to post, the listing may have
// been read just before the refund was made).
std::string Unsettled(const Group& g, const ReconciliationInput& in) {
  const TimeMs settled_before = in.now_ms - in.settle_margin_ms;
  const std::string margin = FormatDurationMs(in.settle_margin_ms);
  if (g.workflow != nullptr && g.workflow->phase == WorkflowPhase::kInFlight) {
    return fmt::format("workflow {} is {}: its refund may be between the PSP and the ledger", g.workflow->id,
                       g.workflow->status);
  }
  if (g.workflow != nullptr && g.workflow->finished_ms > settled_before) {
    return fmt::format("workflow {} finished less than the settle margin ({}) ago", g.workflow->id, margin);
  }
  for (const PspRefundFact* p : g.psp) {
    if (p->created_ms > settled_before) {
      return fmt::format("PSP refund {} was created less than the settle margin ({}) ago", p->id, margin);
    }
  }
  return "";
}

// Money a subject shows: worth listing as pending when it is not compared.
bool HasMoneyFacts(const Group& g) {
  return !g.psp.empty() || !g.ledger.empty() ||
         (g.workflow != nullptr && (g.workflow->psp_refund_succeeded || g.workflow->ledger_step_succeeded));
}

Result<PendingSubject> NewPending(const std::string& subject, const Group& g, std::string detail) {
  PendingSubject p;
  p.subject = subject;
  p.detail = std::move(detail);
  if (g.workflow != nullptr) {
    p.workflow_id = g.workflow->id;
    p.status = g.workflow->status;
  }
  for (const PspRefundFact* r : g.psp) {
    if (p.workflow_id.empty()) p.workflow_id = r->workflow_id;
    if (!IsActive(*r)) continue;
    p.psp_refund_ids.push_back(r->id);
    SF_RETURN_IF_ERROR(AddTo(p.psp_amount, r->currency, r->amount_minor));
  }
  for (const LedgerFact* l : g.ledger) {
    SF_ASSIGN_OR_RETURN(p.ledger_amount, Plus(p.ledger_amount, l->cash_out));
  }
  return p;
}

// The drift's identity fields, from whichever source knows them.
Result<Drift> NewDrift(DriftKind kind, const std::string& subject, const Group& g) {
  Drift d;
  d.kind = kind;
  d.subject = subject;
  if (g.workflow != nullptr) {
    d.workflow_id = g.workflow->id;
    d.reservation_id = g.workflow->reservation_id;
  }
  for (const PspRefundFact* p : g.psp) {
    if (d.workflow_id.empty()) d.workflow_id = p->workflow_id;
    if (d.reservation_id.empty()) d.reservation_id = p->reservation_id;
    if (d.charge.empty()) d.charge = p->charge;
    if (IsActive(*p)) {
      d.psp_refund_ids.push_back(p->id);
      SF_RETURN_IF_ERROR(AddTo(d.psp_amount, p->currency, p->amount_minor));
    }
  }
  for (const LedgerFact* l : g.ledger) {
    if (d.workflow_id.empty()) d.workflow_id = l->workflow_id;
    if (d.reservation_id.empty()) d.reservation_id = l->reference;
  }
  return d;
}

// Reports each set of two or more active refunds sharing a charge,
// reservation or workflow once (a set inside one already reported adds nothing).
// A security deposit's return is a refund of another charge that a claim
// settlement makes beside the booking's: it is counted apart.
Status FindDuplicateRefunds(const ReconciliationInput& in, std::vector<Drift>& out) {
  using Index = std::map<std::string, std::vector<const PspRefundFact*>>;
  Index by_charge, by_reservation, by_workflow;
  for (const PspRefundFact& r : in.psp_refunds) {
    if (!IsActive(r)) continue;
    const std::string apart = r.deposit_return ? " (deposit)" : "";
    if (!r.charge.empty()) by_charge[r.charge].push_back(&r);
    if (!r.reservation_id.empty()) by_reservation[r.reservation_id + apart].push_back(&r);
    if (!r.workflow_id.empty()) by_workflow[r.workflow_id + apart].push_back(&r);
  }
  std::vector<std::set<std::string>> reported;
  auto report = [&](const Index& index, const char* what) -> Status {
    for (const auto& [key, refunds] : index) {
      if (refunds.size() < 2) continue;
      bool in_scope = in.since_ms <= 0;
      std::set<std::string> ids;
      for (const PspRefundFact* r : refunds) {
        ids.insert(r->id);
        in_scope = in_scope || r->created_ms >= in.since_ms;
      }
      if (!in_scope) continue;
      bool known = std::any_of(reported.begin(), reported.end(), [&](const std::set<std::string>& s) {
        return std::includes(s.begin(), s.end(), ids.begin(), ids.end());
      });
      if (known) continue;
      reported.push_back(ids);
      Drift d;
      d.kind = DriftKind::kDuplicatePspRefund;
      d.subject = fmt::format("{}:{}", what, key);
      for (const PspRefundFact* r : refunds) {
        d.psp_refund_ids.push_back(r->id);
        SF_RETURN_IF_ERROR(AddTo(d.psp_amount, r->currency, r->amount_minor));
        if (d.charge.empty()) d.charge = r->charge;
        if (d.reservation_id.empty()) d.reservation_id = r->reservation_id;
        if (d.workflow_id.empty()) d.workflow_id = r->workflow_id;
      }
      d.detail = fmt::format("{} refunds at the PSP for one {} ({}): money moved more than once", refunds.size(),
                             what, key);
      d.repairable = false;
      out.push_back(std::move(d));
    }
    return Status::Ok();
  };
  SF_RETURN_IF_ERROR(report(by_charge, "charge"));
  SF_RETURN_IF_ERROR(report(by_reservation, "reservation"));
  return report(by_workflow, "workflow");
}

Value AmountsToValue(const Amounts& a) {
  Value::List list;
  for (const auto& [c, m] : a) list.push_back(MoneyToValue(Money{m, c}));
  return Value(std::move(list));
}

Status Unrepairable(const Drift& d) {
  return Status::FailedPrecondition(fmt::format("{} {} needs a person: {}", DriftKindName(d.kind), d.subject,
                                                d.detail));
}

// One reversing transaction per duplicate posting: every entry flipped.
Result<std::vector<RepairPlan>> PlanReversals(const Drift& d, const std::vector<LedgerFact>& ledger,
                                              const std::string& actor, TimeMs now_ms) {
  std::vector<RepairPlan> out;
  for (int64_t id : d.ledger_transaction_ids) {
    auto it = std::find_if(ledger.begin(), ledger.end(), [&](const LedgerFact& l) { return l.transaction_id == id; });
    if (it == ledger.end()) return Status::NotFound(fmt::format("ledger transaction {} is gone", id));
    RepairPlan p;
    p.txn.idempotency_key = fmt::format("reconcile/{}/{}/reverses/{}", DriftKindName(d.kind), d.subject, id);
    p.txn.workflow_id = d.workflow_id;
    p.txn.reference = it->reference;
    p.txn.kind = kRepairKind;
    p.txn.description = fmt::format("reconciliation repair by {}: reverses duplicate posting {}", actor, id);
    for (const LedgerEntry& e : it->entries) {
      LedgerEntry r = e;
      r.direction = e.direction == Direction::kDebit ? Direction::kCredit : Direction::kDebit;
      r.memo = fmt::format("reversal of transaction {}: {}", id, e.memo);
      p.txn.entries.push_back(std::move(r));
    }
    p.audit = LedgerAudit{actor, d.detail, std::string(DriftKindName(d.kind)), d.subject, id, now_ms};
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

std::string_view DriftKindName(DriftKind kind) {
  switch (kind) {
    case DriftKind::kPspNotInLedger:
      return "psp_not_in_ledger";
    case DriftKind::kLedgerNotInPsp:
      return "ledger_not_in_psp";
    case DriftKind::kAmountMismatch:
      return "amount_mismatch";
    case DriftKind::kDuplicatePspRefund:
      return "duplicate_psp_refund";
    case DriftKind::kDuplicateLedgerPosting:
      return "duplicate_ledger_posting";
    case DriftKind::kWorkflowWithoutLedger:
      return "workflow_without_ledger";
  }
  return "unknown";
}

Result<LedgerFact> LedgerFactOf(const StoredTransaction& stored) {
  LedgerFact f;
  f.transaction_id = stored.posted.id;
  f.workflow_id = stored.posted.txn.workflow_id;
  f.reference = stored.posted.txn.reference;
  f.posted_ms = stored.posted.posted_ms;
  f.audit = stored.audit;
  f.kind = stored.posted.txn.kind;
  f.entries = stored.posted.txn.entries;
  for (const LedgerEntry& e : f.entries) {
    if (e.account != kClearing) continue;
    SF_ASSIGN_OR_RETURN(const int64_t credit, e.direction == Direction::kCredit ? Result<int64_t>(e.amount_minor)
                                                                                : CheckedSub(0, e.amount_minor));
    SF_RETURN_IF_ERROR(AddTo(f.cash_out, e.currency, credit));
  }
  return f;
}

Result<ReconciliationReport> Reconcile(const ReconciliationInput& in) {
  std::map<std::string, Group> groups;
  for (const PspRefundFact& p : in.psp_refunds) {
    groups[p.workflow_id.empty() ? "psp:" + p.id : p.workflow_id].psp.push_back(&p);
  }
  for (const LedgerFact& l : in.ledger) {
    std::string subject = l.audit ? l.audit->subject : l.workflow_id;
    if (subject.empty()) subject = fmt::format("txn:{}", l.transaction_id);
    groups[subject].ledger.push_back(&l);
  }
  for (const WorkflowFact& w : in.workflows) groups[w.id].workflow = &w;

  ReconciliationReport report;
  for (const auto& [subject, g] : groups) {
    if (!InScope(g, in.since_ms)) continue;
    if (std::string why = Unsettled(g, in); !why.empty()) {
      if (!HasMoneyFacts(g)) continue;
      SF_ASSIGN_OR_RETURN(PendingSubject pending, NewPending(subject, g, std::move(why)));
      report.pending.push_back(std::move(pending));
      continue;
    }
    report.psp_refunds += static_cast<int64_t>(g.psp.size());
    report.ledger_transactions += static_cast<int64_t>(g.ledger.size());
    report.workflows += g.workflow != nullptr ? 1 : 0;

    Amounts psp_total;
    for (const PspRefundFact* p : g.psp) {
      if (IsActive(*p)) SF_RETURN_IF_ERROR(AddTo(psp_total, p->currency, p->amount_minor));
    }

    // Two ledger postings for one refund: the first stands, later ones not
    // yet reversed by a repair are duplicates. A workflow that returns a
    // security deposit makes a second refund (of the deposit's charge),
    // booked by a posting of its own kind: the first of those stands too.
    std::set<int64_t> reversed;
    for (const LedgerFact* l : g.ledger) {
      if (l->audit && l->audit->reverses_transaction_id != 0) reversed.insert(l->audit->reverses_transaction_id);
    }
    Amounts ledger_total;
    Amounts extra_total;
    std::vector<int64_t> extras;
    std::set<bool> first_posting_seen;  // of the refund (false), of the deposit's return (true)
    for (const LedgerFact* l : g.ledger) {
      SF_ASSIGN_OR_RETURN(ledger_total, Plus(ledger_total, l->cash_out));
      if (l->audit || l->cash_out.empty()) continue;
      if (first_posting_seen.insert(l->kind == kDepositReturnLedgerKind).second) continue;
      if (reversed.count(l->transaction_id) != 0) continue;
      extras.push_back(l->transaction_id);
      SF_ASSIGN_OR_RETURN(extra_total, Plus(extra_total, l->cash_out));
    }
    if (!extras.empty()) {
      SF_ASSIGN_OR_RETURN(Drift d, NewDrift(DriftKind::kDuplicateLedgerPosting, subject, g));
      d.ledger_transaction_ids = extras;
      d.ledger_amount = ledger_total;
      d.detail = fmt::format("{} ledger posting(s) after the first for one refund ({} booked twice)", extras.size(),
                             FormatAmounts(extra_total));
      d.repairable = true;
      report.drifts.push_back(std::move(d));
      SF_ASSIGN_OR_RETURN(ledger_total, Minus(ledger_total, extra_total));
    }

    // Only a workflow that ran to its end is expected to have posted; one
    // that compensated after its PSP step shows as a PSP refund without ledger.
    if (g.workflow != nullptr && g.workflow->phase == WorkflowPhase::kCompleted && g.ledger.empty() &&
        (g.workflow->psp_refund_succeeded || g.workflow->ledger_step_succeeded)) {
      SF_ASSIGN_OR_RETURN(Drift d, NewDrift(DriftKind::kWorkflowWithoutLedger, subject, g));
      if (!g.workflow->psp_refund_id.empty() &&
          std::find(d.psp_refund_ids.begin(), d.psp_refund_ids.end(), g.workflow->psp_refund_id) ==
              d.psp_refund_ids.end()) {
        d.psp_refund_ids.push_back(g.workflow->psp_refund_id);
      }
      d.breakdown = g.workflow->breakdown;
      d.detail = fmt::format("workflow {} ({}) completed{} but the ledger has no transaction for it", g.workflow->id,
                             g.workflow->workflow_name,
                             g.workflow->psp_refund_succeeded ? " after refunding at the PSP" : "");
      d.repairable = g.workflow->breakdown.is_map() || !psp_total.empty();
      report.drifts.push_back(std::move(d));
      continue;
    }
    if (psp_total == ledger_total) continue;
    SF_ASSIGN_OR_RETURN(Drift d, NewDrift(DriftKind::kAmountMismatch, subject, g));
    d.ledger_amount = ledger_total;
    for (const LedgerFact* l : g.ledger) {
      if (!l->cash_out.empty()) d.ledger_transaction_ids.push_back(l->transaction_id);
    }
    d.repairable = true;
    if (ledger_total.empty()) {
      d.kind = DriftKind::kPspNotInLedger;
      d.detail = fmt::format("the PSP refunded {} ({}) and the ledger has no entry for it", FormatAmounts(psp_total),
                             fmt::join(d.psp_refund_ids, ", "));
    } else if (psp_total.empty()) {
      d.kind = DriftKind::kLedgerNotInPsp;
      d.detail = fmt::format("the ledger says {} left through the PSP, the PSP has no refund for it",
                             FormatAmounts(ledger_total));
    } else {
      d.detail = fmt::format("the PSP refunded {}, the ledger says {}", FormatAmounts(psp_total),
                             FormatAmounts(ledger_total));
    }
    report.drifts.push_back(std::move(d));
  }

  SF_RETURN_IF_ERROR(FindDuplicateRefunds(in, report.drifts));
  std::stable_sort(report.drifts.begin(), report.drifts.end(), [](const Drift& a, const Drift& b) {
    if (a.kind != b.kind) return static_cast<int>(a.kind) < static_cast<int>(b.kind);
    return a.subject < b.subject;
  });
  return report;
}

Result<std::vector<RepairPlan>> PlanRepair(const Drift& d, const std::vector<LedgerFact>& ledger,
                                           const std::string& actor, TimeMs now_ms) {
  if (!d.repairable) return Unrepairable(d);
  if (d.kind == DriftKind::kDuplicateLedgerPosting) return PlanReversals(d, ledger, actor, now_ms);
  const std::string kind(DriftKindName(d.kind));
  auto plan = [&](std::string key_suffix, int64_t reverses) {
    RepairPlan p;
    p.txn.idempotency_key = fmt::format("reconcile/{}/{}/{}", kind, d.subject, key_suffix);
    p.txn.workflow_id = d.workflow_id;
    p.txn.reference = !d.reservation_id.empty() ? d.reservation_id
                      : !d.psp_refund_ids.empty() ? d.psp_refund_ids.front()
                                                  : d.subject;
    p.txn.kind = kRepairKind;
    p.txn.description = fmt::format("reconciliation repair of {} by {}: {}", kind, actor, d.detail);
    p.audit = LedgerAudit{actor, d.detail, kind, d.subject, reverses, now_ms};
    return p;
  };
  std::vector<RepairPlan> out;
  switch (d.kind) {
    case DriftKind::kDuplicatePspRefund:
      return Unrepairable(d);
    case DriftKind::kDuplicateLedgerPosting:
      return out;  // handled above
    case DriftKind::kWorkflowWithoutLedger:
      if (d.breakdown.is_map()) {
        const std::string method = d.breakdown.Get("refund_method").StringOr("cash");
        SF_ASSIGN_OR_RETURN(std::vector<LedgerEntry> entries, BuildRefundEntries(d.breakdown, method));
        RepairPlan p = plan("breakdown", 0);
        p.txn.entries = std::move(entries);
        out.push_back(std::move(p));
        return out;
      }
      [[fallthrough]];
    case DriftKind::kPspNotInLedger:
    case DriftKind::kLedgerNotInPsp:
    case DriftKind::kAmountMismatch: {
      // What the ledger misses (or has too much of), parked in suspense.
      SF_ASSIGN_OR_RETURN(const Amounts diff, Minus(d.psp_amount, d.ledger_amount));
      if (diff.empty()) return out;
      RepairPlan p = plan(fmt::format("psp={};ledger={}", AmountsKey(d.psp_amount), AmountsKey(d.ledger_amount)), 0);
      for (const auto& [currency, minor] : diff) {
        const bool missing = minor > 0;  // money left that the ledger does not show
        SF_ASSIGN_OR_RETURN(const int64_t amount, missing ? Result<int64_t>(minor) : CheckedSub(0, minor));
        p.txn.entries.push_back(LedgerEntry{kSuspense, missing ? Direction::kDebit : Direction::kCredit, amount,
                                            currency,
                                            missing ? "PSP refund not in the ledger, to be classified"
                                                    : "booked refund the PSP never made, reversed"});
        p.txn.entries.push_back(LedgerEntry{kClearing, missing ? Direction::kCredit : Direction::kDebit, amount,
                                            currency, missing ? "cash that left through the PSP"
                                                              : "no cash left through the PSP"});
      }
      out.push_back(std::move(p));
      return out;
    }
  }
  return out;
}

Value DriftToValue(const Drift& d) {
  Value::List psp_ids(d.psp_refund_ids.begin(), d.psp_refund_ids.end());
  Value::List txn_ids;
  for (int64_t id : d.ledger_transaction_ids) txn_ids.emplace_back(id);
  Value v;
  v["kind"] = DriftKindName(d.kind);
  v["subject"] = d.subject;
  v["workflow_id"] = d.workflow_id;
  v["reservation_id"] = d.reservation_id;
  v["charge"] = d.charge;
  v["psp_refund_ids"] = std::move(psp_ids);
  v["ledger_transaction_ids"] = std::move(txn_ids);
  v["psp_amount"] = AmountsToValue(d.psp_amount);
  v["ledger_amount"] = AmountsToValue(d.ledger_amount);
  v["detail"] = d.detail;
  v["repairable"] = d.repairable;
  return v;
}

Value PendingToValue(const PendingSubject& p) {
  Value v;
  v["subject"] = p.subject;
  v["workflow_id"] = p.workflow_id;
  v["status"] = p.status;
  v["psp_refund_ids"] = Value::List(p.psp_refund_ids.begin(), p.psp_refund_ids.end());
  v["psp_amount"] = AmountsToValue(p.psp_amount);
  v["ledger_amount"] = AmountsToValue(p.ledger_amount);
  v["detail"] = p.detail;
  return v;
}

std::string FormatAmounts(const Amounts& amounts) {
  if (amounts.empty()) return "-";
  std::string out;
  for (const auto& [c, m] : amounts) {
    if (!out.empty()) out += " + ";
    out += FormatMoney(Money{m, c});
  }
  return out;
}

}  // namespace steadfast::refund
