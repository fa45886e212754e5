// Statements sent together and committed at one Sync (store/postgres/pg_pipeline.h).
#include "store/postgres/pg_pipeline.h"

#include <libpq-fe.h>

#include <utility>

#include <fmt/format.h>

#include "store/postgres/pg_status.h"

namespace steadfast {
namespace {

// Ends pipeline mode on every path: a connection still in it (results left
// unread after a failure) cannot serve the pool's next user.
class PipelineMode {
 public:
  explicit PipelineMode(PgConnection& conn) : conn_(conn) {}
  ~PipelineMode() {
    if (PQpipelineStatus(conn_.raw()) != PQ_PIPELINE_OFF && PQexitPipelineMode(conn_.raw()) != 1) conn_.Abandon();
  }
  PipelineMode(const PipelineMode&) = delete;
  PipelineMode& operator=(const PipelineMode&) = delete;

 private:
  PgConnection& conn_;
};

}  // namespace

Result<PgPipelineOutcome> RunPgPipeline(PgConnection& conn, std::span<const PgStatement> statements,
                                        const std::function<void()>& before_sync) {
  PGconn* raw = conn.raw();
  auto lost = [&conn, raw](std::string_view what) {
    return PgStatus("", PQstatus(raw) == CONNECTION_BAD, what, conn.Scrub(PQerrorMessage(raw)), conn.redacted_url());
  };
  // Preparing waits for the server's answer: every statement is prepared
  // before the pipeline starts.
  std::vector<PgConnection::Bound> bound;
  bound.reserve(statements.size());
  for (const PgStatement& s : statements) {
    SF_ASSIGN_OR_RETURN(PgConnection::Bound b, conn.Bind(*s.sql, s.params));
    bound.push_back(std::move(b));
  }
  if (PQenterPipelineMode(raw) != 1) return lost("enter pipeline mode");
  PipelineMode mode(conn);
  for (size_t i = 0; i < statements.size(); ++i) {
    const PgConnection::Bound& b = bound[i];
    const int n = static_cast<int>(b.values.size());
    const int sent = b.prepared_name != nullptr
                         ? PQsendQueryPrepared(raw, b.prepared_name->c_str(), n, b.values.data(), b.lengths.data(),
                                               b.formats.data(), /*resultFormat=*/0)
                         : PQsendQueryParams(raw, statements[i].sql->c_str(), n, b.types.data(), b.values.data(),
                                             b.lengths.data(), b.formats.data(), /*resultFormat=*/0);
    if (sent != 1) {
      // Without a Sync nothing commits; the half-sent pipeline makes the
      // connection useless.
      conn.Abandon();
      return lost("send a pipelined statement");
    }
  }
  before_sync();
  if (PQpipelineSync(raw) != 1) {
    conn.Abandon();
    return lost("send the pipeline's sync");
  }

  PgPipelineOutcome out;
  out.results.reserve(statements.size());
  for (size_t i = 0; i < statements.size(); ++i) {
    PGresult* res = PQgetResult(raw);
    if (res == nullptr) {
      // The connection broke without a word from the server: whether the
      // Sync's commit happened is unknown.
      Status broken = lost("read a pipelined result");
      if (out.failed < 0) out.failed = static_cast<int>(i);
      while (out.results.size() < statements.size()) out.results.push_back(broken);
      out.ended = broken;
      conn.Abandon();
      return out;
    }
    if (PQresultStatus(res) == PGRES_PIPELINE_ABORTED) {
      PQclear(res);
      out.results.push_back(Status::Aborted("not run: an earlier statement of its transaction failed"));
    } else {
      Result<PgResult> result = conn.Finish(res, *statements[i].sql);
      if (!result.ok() && out.failed < 0) {
        out.failed = static_cast<int>(i);
        out.failed_sqlstate = conn.last_sqlstate();
      }
      out.results.push_back(std::move(result));
    }
    if (PQstatus(raw) == CONNECTION_BAD) {
      // The server ended the session (a FATAL error of this statement's, a
      // terminated backend) or the connection broke: no more answers come.
      Status broken = out.failed >= 0 ? out.results[static_cast<size_t>(out.failed)].status()
                                      : lost("read a pipelined result");
      if (out.failed < 0) out.failed = static_cast<int>(i);
      while (out.results.size() < statements.size()) out.results.push_back(broken);
      out.ended = broken;
      conn.Abandon();
      return out;
    }
    // Each statement's results end with a null.
    if (PGresult* extra = PQgetResult(raw); extra != nullptr) {
      PQclear(extra);
      conn.Abandon();
      return Status::Internal(fmt::format("PostgreSQL on {}: more than one result for a pipelined statement",
                                          conn.redacted_url()));
    }
  }
  // The Sync: PGRES_PIPELINE_SYNC once the transaction ended (committed,
  // or rolled back after a failure). An error at the commit itself comes
  // before it.
  Status ended = Status::Ok();
  for (int reads = 0;; ++reads) {
    PGresult* res = PQgetResult(raw);
    if (res == nullptr) {
      if (PQstatus(raw) == CONNECTION_BAD || reads >= 3) {
        out.ended = PQstatus(raw) == CONNECTION_BAD ? lost("commit a pipeline")
                                                    : Status::Internal("PostgreSQL sent no end of the pipeline");
        conn.Abandon();
        return out;
      }
      continue;
    }
    const ExecStatusType status = PQresultStatus(res);
    if (status == PGRES_PIPELINE_SYNC) {
      PQclear(res);
      break;
    }
    if (status == PGRES_FATAL_ERROR && ended.ok()) {
      ended = conn.Finish(res, "COMMIT").status();
    } else {
      PQclear(res);
    }
  }
  if (out.failed >= 0) {
    out.ended = out.results[static_cast<size_t>(out.failed)].status();
  } else {
    out.ended = ended;
  }
  return out;
}

}  // namespace steadfast
