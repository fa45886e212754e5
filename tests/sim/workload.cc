// Workload: example inputs varied per instance; reviewers and the warehouse.
#include "workload.h"

#include <fstream>
#include <sstream>

namespace steadfast::sim {
namespace {

Result<Value> ReadExample(const std::string& dir, const std::string& name) {
  std::ifstream in(dir + "/" + name);
  if (!in) return Status::NotFound("cannot read " + dir + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return Value::FromJson(text.str());
}

int64_t Pick(std::mt19937_64& rng, std::initializer_list<int64_t> options) {
  return *(options.begin() + rng() % options.size());
}

// Sum of the booking's lines (what was paid, in minor units).
int64_t LinesTotal(const Value& order) {
  int64_t total = 0;
  for (const auto& [name, minor] : order.Get("lines").AsMap()) {
    if (name != "discount") total += minor.IntOr(0);
  }
  return total;
}

}  // namespace

Result<std::vector<PlannedInstance>> PlanInstances(const std::string& examples_dir, int count, std::mt19937_64& rng) {
  SF_ASSIGN_OR_RETURN(Value reservation, ReadExample(examples_dir, "reservation.json"));
  SF_ASSIGN_OR_RETURN(Value ret, ReadExample(examples_dir, "return.json"));
  SF_ASSIGN_OR_RETURN(Value marketplace, ReadExample(examples_dir, "marketplace.json"));
  std::vector<PlannedInstance> out;
  for (int i = 1; i <= count; ++i) {
    PlannedInstance p;
    const std::string n = std::to_string(i);
    switch (rng() % 3) {
      case 0: {
        p.workflow = "reservation_refund";
        p.input = reservation;
        Value& r = p.input["reservation"];
        r["id"] = "r-" + n;
        // Large rentals go above the review threshold: a reviewer decides.
        r["lines"]["rental"] = Pick(rng, {9000, 21000, 64000});
        p.charge = "ch_r" + n;
        r["payment"]["charge"] = p.charge;
        r["payment"]["payment_intent"] = "pi_r" + n;
        r["customer"]["id"] = "guest-" + n;
        p.input["requested_by"] = "guest-" + n;
        p.charge_amount = 2 * LinesTotal(r);
        break;
      }
      case 1: {
        p.workflow = "return_refund";
        p.input = ret;
        Value& o = p.input["order"];
        o["id"] = "o-" + n;
        p.charge = "ch_o" + n;
        o["payment"]["charge"] = p.charge;
        o["payment"]["payment_intent"] = "pi_o" + n;
        o["customer"]["id"] = "cust-" + n;
        p.charge_amount = 2 * LinesTotal(o);
        break;
      }
      default: {
        p.workflow = "marketplace_cancellation";
        p.input = marketplace;
        Value& o = p.input["order"];
        o["id"] = "m-" + n;
        o["lines"]["rental"] = Pick(rng, {3000, 8000, 20000});
        p.charge = "ch_m" + n;
        o["payment"]["charge"] = p.charge;
        o["payment"]["payment_intent"] = "pi_m" + n;
        o["customer"]["id"] = "buyer-" + n;
        p.charge_amount = 2 * LinesTotal(o);
        break;
      }
    }
    p.id = "wf-" + n + "-" + p.workflow;
    p.currency = "EUR";
    out.push_back(std::move(p));
  }
  return out;
}

ClientAction NextClientAction(const InstanceRecord& rec, std::mt19937_64& rng) {
  ClientAction a;
  if (rec.status == InstanceStatus::kWaitingApproval) {
    a.kind = ClientAction::Kind::kDecide;
    a.decision.instance_id = rec.id;
    a.decision.step = rec.current_step;
    a.decision.decision = rng() % 4 == 0 ? Decision::kReject : Decision::kApprove;
    a.decision.principal = "reviewer-" + std::to_string(rng() % 2);
    a.decision.comment = "simulated reviewer";
  } else if (rec.status == InstanceStatus::kWaitingSignal) {
    a.kind = ClientAction::Kind::kSignal;
    if (rec.current_step == "wait_received") {
      a.signal = "item_received";
      a.payload = Value::Map{{"carrier", "sim-post"}};
    } else {
      a.signal = "inspection_result";
      static const char* kResults[] = {"like_new", "good", "damaged"};
      a.payload = Value::Map{{"result", kResults[rng() % 3]}};
    }
  }
  return a;
}

}  // namespace steadfast::sim
