#include "pipeline/request_joiner.h"

#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/string_hash.h"

namespace gatescope::pipeline {
namespace {

using model::HttpTransaction;
using model::LogSource;

uint64_t HashId(std::string_view id) {
  // Finished: the table picks a set from the low bits.
  uint64_t h = MixBits(std::hash<std::string_view>{}(id));
  return h == 0 ? 1 : h;  // 0 marks an empty slot.
}

void FillIfEmpty(std::string* to, const std::string& from) {
  if (to->empty()) *to = from;
}

int64_t LogTime(const HttpTransaction& tx) {
  return tx.end_time_ms >= 0 ? tx.end_time_ms : tx.request_time_ms;
}

}  // namespace

void MergeAccessIntoExecution(const HttpTransaction& a, HttpTransaction* e) {
  e->source = LogSource::kJoined;
  e->event_count += a.event_count;
  // The access log measures these at the edge; the execution log only approximates them.
  if (!a.source_ip.empty()) e->source_ip = a.source_ip;
  if (!a.user_agent.empty()) e->user_agent = a.user_agent;
  if (a.response_latency_ms >= 0) e->response_latency_ms = a.response_latency_ms;
  if (a.request_time_ms >= 0) e->request_time_ms = a.request_time_ms;
  if (!a.domain_name.empty()) e->domain_name = a.domain_name;
  // $context.resourcePath is the exact template; a rebuilt one is a guess.
  if (!a.resource_path.empty() && (e->resource_path.empty() || e->resource_path_rebuilt)) {
    e->resource_path = a.resource_path;
    e->resource_path_rebuilt = false;
  }
  if (e->integration_latency_ms < 0) e->integration_latency_ms = a.integration_latency_ms;
  if (e->integration_status < 0) e->integration_status = a.integration_status;
  if (e->status < 0) e->status = a.status;
  if (e->response_length < 0) e->response_length = a.response_length;
  FillIfEmpty(&e->route_key, a.route_key);
  FillIfEmpty(&e->protocol, a.protocol);
  FillIfEmpty(&e->caller, a.caller);
  FillIfEmpty(&e->user, a.user);
  FillIfEmpty(&e->error_message, a.error_message);
  FillIfEmpty(&e->extended_request_id, a.extended_request_id);
  FillIfEmpty(&e->api_id, a.api_id);
  FillIfEmpty(&e->stage, a.stage);
  FillIfEmpty(&e->account_id, a.account_id);
  FillIfEmpty(&e->region, a.region);
  FillIfEmpty(&e->method, a.method);
  FillIfEmpty(&e->path, a.path);
}

struct RequestJoiner::Impl {
  Impl(const JoinerOptions& o, TransactionCallback e) : options(o), emit(std::move(e)) {
    size_t n = 1;
    while (n < options.remembered_requests) n <<= 1;
    mask = n - 1;
  }

  struct Remembered {
    uint64_t hash = 0;
    LogSource source = LogSource::kAccessLog;
    uint64_t age = 0;  // When it was remembered: the oldest of a full set goes.
  };
  uint64_t remember_clock = 0;

  JoinerOptions options;
  TransactionCallback emit;
  JoinerStats stats;
  size_t mask = 0;
  std::vector<Remembered> remembered;

  std::vector<HttpTransaction> slots;
  std::vector<uint32_t> free_slots;
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> held;
  std::deque<std::pair<uint32_t, uint64_t>> fifo;  // (slot, generation), oldest first.
  std::vector<uint64_t> generation;
  int64_t watermark_ms = -1;

  // An 8-way set-associative table of emitted request ids and the log each came from,
  // allocated on first use so that inputs without ids cost nothing. (Direct-mapped, about 4%
  // of ids collided at 20,000 requests and were counted twice when their other half came.)
  // A full set replaces its oldest entry; a completed join frees its entry.
  static constexpr size_t kWays = 8;
  void Remember(const HttpTransaction& tx) {
    if (options.remembered_requests == 0 || tx.request_id.empty()) return;
    if (remembered.empty()) remembered.resize(std::max<size_t>(mask + 1, kWays));
    uint64_t h = HashId(tx.request_id);
    Remembered* set = Set(h);
    Remembered* slot = &set[0];
    for (size_t i = 0; i < kWays; ++i) {
      if (set[i].hash == h || set[i].hash == 0) {
        slot = &set[i];
        break;
      }
      if (set[i].age < slot->age) slot = &set[i];
    }
    *slot = {h, tx.source, ++remember_clock};
  }

  Remembered* Set(uint64_t h) {
    size_t sets = remembered.size() / kWays;
    return &remembered[(h % sets) * kWays];
  }

  // The log the request's emitted half came from, if remembered.
  Remembered* Emitted(const std::string& id) {
    if (remembered.empty() || id.empty()) return nullptr;
    uint64_t h = HashId(id);
    Remembered* set = Set(h);
    for (size_t i = 0; i < kWays; ++i) {
      if (set[i].hash == h) return &set[i];
    }
    return nullptr;
  }

  void Emit(HttpTransaction& tx) {
    Remember(tx);
    emit(tx);
  }

  void Release(uint32_t slot) {
    HttpTransaction& tx = slots[slot];
    held.erase(tx.request_id);
    ++generation[slot];
    free_slots.push_back(slot);
    Emit(tx);
  }

  void ReleaseDue() {
    while (!fifo.empty()) {
      auto [slot, gen] = fifo.front();
      if (generation[slot] != gen) {
        fifo.pop_front();
        continue;
      }
      bool over_cap = held.size() > options.max_held;
      int64_t t = LogTime(slots[slot]);
      bool due = t < 0 || (watermark_ms >= 0 && t + options.window.count() <= watermark_ms);
      if (!over_cap && !due) break;
      fifo.pop_front();
      Release(slot);
    }
  }

  void Offer(HttpTransaction* tx) {
    watermark_ms = std::max(watermark_ms, LogTime(*tx));
    if (tx->request_id.empty()) {
      emit(*tx);
    } else if (tx->source == LogSource::kAccessLog) {
      OfferAccess(tx);
    } else {
      OfferExecution(tx);
    }
    ReleaseDue();
  }

  void OfferAccess(HttpTransaction* tx) {
    if (auto it = held.find(tx->request_id); it != held.end()) {
      uint32_t slot = it->second;
      HttpTransaction& exec = slots[slot];
      MergeAccessIntoExecution(*tx, &exec);
      held.erase(it);
      ++generation[slot];
      free_slots.push_back(slot);
      ++stats.joined;
      emit(exec);  // Joined: not remembered, nothing more will come for this id.
      return;
    }
    if (Remembered* r = Emitted(tx->request_id);
        r != nullptr && r->source != LogSource::kAccessLog) {
      *r = {};  // Both halves seen: nothing more will come for this id.
      tx->supplement = true;
      ++stats.supplements;
      emit(*tx);
      return;
    }
    // HTTP and WebSocket APIs have no execution logs: nothing will come to join.
    if (tx->api_kind == model::ApiKind::kHttp || tx->api_kind == model::ApiKind::kWebSocket) {
      emit(*tx);
    } else {
      Emit(*tx);
    }
  }

  void OfferExecution(HttpTransaction* tx) {
    if (Remembered* r = Emitted(tx->request_id);
        r != nullptr && r->source == LogSource::kAccessLog) {
      *r = {};  // Both halves seen: nothing more will come for this id.
      tx->supplement = true;
      ++stats.supplements;
      emit(*tx);
      return;
    }
    if (options.window.count() <= 0 || options.max_held == 0 || held.count(tx->request_id) > 0) {
      Emit(*tx);
      return;
    }
    uint32_t slot;
    if (!free_slots.empty()) {
      slot = free_slots.back();
      free_slots.pop_back();
    } else {
      slot = static_cast<uint32_t>(slots.size());
      slots.emplace_back();
      generation.push_back(0);
    }
    std::swap(slots[slot], *tx);
    held.emplace(slots[slot].request_id, slot);
    fifo.emplace_back(slot, generation[slot]);
  }

  void Flush() {
    while (!fifo.empty()) {
      auto [slot, gen] = fifo.front();
      fifo.pop_front();
      if (generation[slot] == gen) Release(slot);
    }
  }
};

RequestJoiner::RequestJoiner(const JoinerOptions& options, TransactionCallback emit)
    : impl_(std::make_unique<Impl>(options, std::move(emit))) {}
RequestJoiner::~RequestJoiner() = default;
void RequestJoiner::Offer(model::HttpTransaction* tx) { impl_->Offer(tx); }
void RequestJoiner::Flush() { impl_->Flush(); }
size_t RequestJoiner::held() const { return impl_->held.size(); }
const JoinerStats& RequestJoiner::stats() const { return impl_->stats; }

}  // namespace gatescope::pipeline
