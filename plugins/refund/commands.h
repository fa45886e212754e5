// The refund plugin's CLI verbs (steadfast/commands.h), added by its
// STEADFAST_PLUGIN_COMMANDS entry point (entry_points.cc):
//
//   steadfast refund quote|policy-diff|ledger|records ...   refund_command.cc
//   steadfast refund transactions list|execute ...           settlement_command.cc
//   steadfast refund claims list|show ...                     claim_command.cc
//   steadfast reconcile ...                                  reconcile_command.cc
#ifndef STEADFAST_PLUGINS_REFUND_COMMANDS_H_
#define STEADFAST_PLUGINS_REFUND_COMMANDS_H_

#include <string>
#include <vector>

#include "steadfast/commands.h"

namespace steadfast::refund {

// What `steadfast help` shows for each verb.
inline constexpr char kRefundCommandHelp[] =
    "refund quote --reservation @file.json [--policy NAME] [--cancel-at TIME] [--json]\n"
    "refund ledger [--instance ID] [--db PATH] [--json]   ledger entries and balances\n"
    "refund records [--db PATH] [--json]                  the refund plugin's PSP refund records\n"
    "refund transactions list [--reservation R] [--status S] [--json]   settlement transactions (and snapshots)\n"
    "refund transactions execute ID --reason TEXT [--destination acct_...] [--as P]   admin: pay a pending/failed one\n"
    "refund claims list [--reservation R] [--status open|decided|settled] [--json]   reservation claims\n"
    "refund claims show ID [--json]                       a claim's items, messages and settlement preview\n"
    "refund disputes list [--status open|won|lost] [--json]   PSP disputes, their overlap with refunds\n"
    "refund policy-diff OLD.yaml NEW.yaml --over reservations.jsonl [--top N] [--json]\n";
inline constexpr char kReconcileCommandHelp[] =
    "reconcile [--db PATH] [--since T] [--repair] [--json]   ledger vs workflows vs PSP refunds (exit 4 on drift)\n";

int RunRefundCommand(const std::vector<std::string>& args, CommandHost& host);
// `refund transactions ...` (settlement_command.cc); args after "transactions".
int RunTransactionsCommand(const std::vector<std::string>& args, CommandHost& host);
// `refund claims ...` (claim_command.cc); args after "claims".
int RunClaimsCommand(const std::vector<std::string>& args, CommandHost& host);
// `refund disputes ...` (dispute_command.cc); args after "disputes".
int RunDisputesCommand(const std::vector<std::string>& args, CommandHost& host);
int RunReconcileCommand(const std::vector<std::string>& args, CommandHost& host);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_COMMANDS_H_
