// Splits arbitrary bytes into execution-log events (one per line; a leading byte picks the
// stream and time step) and assembles them with small caps, checking that every event is
// accounted for and every request comes out once.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "model/transaction_json.h"
#include "parsers/apigw_execution/execution_assembler.h"

using namespace gatescope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  pipeline::EventCounters counters;
  std::multiset<std::string> ids;
  parsers::apigw_execution::AssemblerOptions options{
      .completion_grace = std::chrono::milliseconds(3),
      .max_idle = std::chrono::milliseconds(50),
      .untimed_grace_events = 4,
      .max_open_requests = 3,
      .max_open_bytes = 4096,
      .max_lines_per_request = 16,
      .remembered_closed_requests = 8};
  parsers::apigw_execution::ExecutionAssembler assembler(
      options, &counters, [&](model::HttpTransaction& tx) {
        (void)model::TransactionToJson(tx);
        ids.insert(tx.request_id);
      });
  const std::string streams[] = {"s0", "s1", "s2"};
  int64_t t = 1000;
  size_t pos = 0;
  while (pos < input.size()) {
    size_t end = input.find('\n', pos);
    if (end == std::string_view::npos) end = input.size();
    std::string_view line = input.substr(pos, end - pos);
    pos = end + 1;
    uint8_t control = line.empty() ? 0 : static_cast<uint8_t>(line.front());
    if (!line.empty()) line.remove_prefix(1);
    t += (control >> 4) - 4;  // Time may step back: out-of-order events.
    model::RawRecord record;
    record.message = line;
    record.timestamp_ms = (control & 8) ? -1 : t;
    record.log_group = "API-Gateway-Execution-Logs_a1b2c3d4e5/prod";
    record.log_stream = streams[control % 3];
    counters.AddReceived();
    assembler.Add(record);
  }
  assembler.Flush();
  if (counters.received() != counters.accepted() + counters.dropped() + counters.filtered()) {
    std::abort();
  }
  if (assembler.open_requests() != 0 || assembler.open_bytes() != 0) std::abort();
  return 0;
}
