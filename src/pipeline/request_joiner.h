#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "model/http_transaction.h"

namespace gatescope::pipeline {

struct JoinerOptions {
  // Log time an execution-log transaction waits for its request's access-log line. Short: an
  // access line that comes while its request is still being assembled is attached there
  // (ExecutionAssembler::Attach), and a later one becomes a supplement; this only covers an
  // access line delayed past the assembler's grace.
  std::chrono::milliseconds window{std::chrono::seconds(30)};
  size_t max_held = 4096;  // Execution-log transactions waiting; beyond it the oldest goes.
  // Request ids remembered after emission (a direct-mapped table: a recent id can be
  // forgotten early, when another id lands on its slot).
  size_t remembered_requests = size_t{1} << 18;
};

struct JoinerStats {
  uint64_t joined = 0;       // Access and execution logs merged into one transaction.
  uint64_t supplements = 0;  // Counterparts that came after the first half was emitted.
};

// Joins the access-log and execution-log transactions of one request on the request id.
//
// Execution-log transactions are held for `window` of log time (against the latest time
// seen): when the access line comes, the access log adds what execution logs lack (source IP,
// user agent, latency, the exact template) and one joined transaction is emitted. Access-log
// transactions are never held, as most inputs have no execution logs. A counterpart that
// arrives after its other half was emitted (another input, in another order) is emitted with
// `supplement` set: it adds facts, but the request was already counted.
//
// Thread-safety: not thread-safe; one per worker.
class RequestJoiner {
 public:
  using TransactionCallback = std::function<void(model::HttpTransaction&)>;

  RequestJoiner(const JoinerOptions& options, TransactionCallback emit);
  ~RequestJoiner();
  RequestJoiner(const RequestJoiner&) = delete;
  RequestJoiner& operator=(const RequestJoiner&) = delete;

  // Takes a transaction; may leave `*tx` in any valid state (it is swapped into storage).
  void Offer(model::HttpTransaction* tx);

  // Emits every held transaction unjoined (end of input).
  void Flush();

  size_t held() const;
  const JoinerStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Adds to an execution-log transaction what its access-log line knows better or alone.
// Exposed for tests.
void MergeAccessIntoExecution(const model::HttpTransaction& access, model::HttpTransaction* exec);

}  // namespace gatescope::pipeline
