#include "parsers/apigw_execution/execution_assembler.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/string_hash.h"
#include "parsers/apigw_execution/transaction_builder.h"
#include "pipeline/request_joiner.h"

namespace gatescope::parsers::apigw_execution {
namespace {

using pipeline::DropReason;

constexpr uint32_t kNone = UINT32_MAX;
constexpr std::string_view kExecutionGroupPrefix = "API-Gateway-Execution-Logs_";
// Arenas grown past this by one large request are released when their slot is freed, so
// one burst of large requests does not pin memory for the life of the process.
constexpr size_t kMaxKeptArenaBytes = size_t{64} << 10;

// One held event: its parsed label and where its value and event id sit in the arena.
struct StoredLine {
  int64_t timestamp_ms;
  uint64_t seq;  // Arrival order, the last tie-breaker.
  uint32_t value_offset;
  uint32_t value_size;
  uint32_t event_id_offset;
  uint16_t event_id_size;
  LineKind kind;
  bool truncated;
};

enum class ListId : uint8_t { kActive = 0, kCompleted = 1 };

struct OpenRequest {
  std::string id;
  std::string arena;
  std::vector<StoredLine> lines;
  std::string log_group;
  std::string log_stream;
  int64_t last_ts = -1;
  uint64_t last_seq = 0;
  bool completed = false;
  bool timed = false;
  bool has_access = false;
  model::HttpTransaction access;  // The request's access-log line, when it came first.
  ListId list = ListId::kActive;
  uint32_t prev = kNone;
  uint32_t next = kNone;
};

// An intrusive doubly linked list of slots, oldest activity first.
struct SlotList {
  uint32_t head = kNone;
  uint32_t tail = kNone;
};

uint64_t HashId(std::string_view id) { return std::hash<std::string_view>{}(id); }

bool EventIdLess(std::string_view a, std::string_view b) {
  // CloudWatch ids are decimal strings of one length; a shorter one is a smaller number.
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

}  // namespace

struct ExecutionAssembler::Impl {
  Impl(const AssemblerOptions& o, pipeline::EventCounters* c, TransactionCallback e)
      : options(o), counters(c), emit(std::move(e)) {}

  AssemblerOptions options;
  pipeline::EventCounters* counters;
  TransactionCallback emit;
  AssemblerStats stats;

  std::vector<OpenRequest> slots;
  std::vector<uint32_t> free_slots;
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> index;
  std::array<SlotList, 2> lists;
  size_t open_bytes = 0;
  uint64_t seq = 0;
  int64_t watermark_ms = -1;  // The latest event time seen.

  // Requests closed recently, to recognise their stragglers (FIFO).
  std::unordered_set<uint64_t> closed_set;
  std::vector<uint64_t> closed_ring;
  size_t closed_next = 0;

  // 2016 format: the request each stream last named.
  std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> stream_request;
  std::string stream_key;

  // Close-time scratch.
  TransactionBuilder builder;
  std::vector<TimedLine> timed;
  std::vector<uint32_t> order;
  model::HttpTransaction tx;

  SlotList& ListOf(ListId id) { return lists[static_cast<size_t>(id)]; }

  void Unlink(uint32_t s) {
    OpenRequest& r = slots[s];
    SlotList& l = ListOf(r.list);
    if (r.prev != kNone) slots[r.prev].next = r.next; else l.head = r.next;
    if (r.next != kNone) slots[r.next].prev = r.prev; else l.tail = r.prev;
    r.prev = r.next = kNone;
  }

  void PushBack(uint32_t s, ListId id) {
    OpenRequest& r = slots[s];
    SlotList& l = ListOf(id);
    r.list = id;
    r.prev = l.tail;
    r.next = kNone;
    if (l.tail != kNone) slots[l.tail].next = s; else l.head = s;
    l.tail = s;
  }

  bool RecentlyClosed(std::string_view id) const {
    return !closed_set.empty() && closed_set.count(HashId(id)) > 0;
  }

  void RememberClosed(std::string_view id) {
    if (options.remembered_closed_requests == 0) return;
    uint64_t h = HashId(id);
    if (closed_ring.size() < options.remembered_closed_requests) {
      closed_ring.push_back(h);
    } else {
      closed_set.erase(closed_ring[closed_next]);
      closed_ring[closed_next] = h;
      closed_next = (closed_next + 1) % closed_ring.size();
    }
    closed_set.insert(h);
  }

  // The request a prefix-less (2016) line belongs to, or empty.
  std::string_view LegacyRequestId(const model::RawRecord& record, const ExecutionLine& line) {
    stream_key.assign(record.log_group).append(1, '\x1f').append(record.log_stream);
    std::string_view named = RequestIdNamedIn(line);
    if (!named.empty()) {
      auto it = stream_request.find(stream_key);
      if (it == stream_request.end()) {
        // Bounded: one entry per stream, and a stream is short-lived; a cap keeps a hostile
        // input from growing it without end.
        if (stream_request.size() >= options.max_open_requests) stream_request.clear();
        it = stream_request.emplace(stream_key, std::string()).first;
      }
      it->second.assign(named);
      return it->second;
    }
    auto it = stream_request.find(stream_key);
    return it == stream_request.end() ? std::string_view() : std::string_view(it->second);
  }

  uint32_t Open(std::string_view id, const model::RawRecord& record) {
    while (!index.empty() && index.size() >= options.max_open_requests) EvictOldest();
    uint32_t s;
    if (!free_slots.empty()) {
      s = free_slots.back();
      free_slots.pop_back();
    } else {
      s = static_cast<uint32_t>(slots.size());
      slots.emplace_back();
    }
    OpenRequest& r = slots[s];
    r.id.assign(id);
    r.arena.clear();
    r.lines.clear();
    r.log_group.assign(record.log_group);
    r.log_stream.assign(record.log_stream);
    r.last_ts = -1;
    r.completed = false;
    r.timed = false;
    r.has_access = false;
    PushBack(s, ListId::kActive);
    index.emplace(r.id, s);
    return s;
  }

  void Add(const model::RawRecord& record) {
    ExecutionLine line = ParseExecutionLine(record.message);
    std::string_view id = line.request_id;
    if (id.empty()) id = LegacyRequestId(record, line);
    if (id.empty()) {
      counters->AddDrop(DropReason::kMissingRequestId);
      return;
    }
    ++seq;
    auto it = index.find(id);
    uint32_t s;
    if (it == index.end()) {
      if (RecentlyClosed(id)) {
        counters->AddDrop(DropReason::kLateEvent);
        return;
      }
      s = Open(id, record);
    } else {
      s = it->second;
    }
    OpenRequest& r = slots[s];
    if (r.lines.size() >= options.max_lines_per_request) {
      counters->AddDrop(DropReason::kRequestTooLarge);
      return;
    }
    if (!record.event_id.empty() && IsDuplicate(r, record)) {
      counters->AddDrop(DropReason::kDuplicateEvent);
      return;
    }
    StoredLine stored;
    stored.timestamp_ms = record.timestamp_ms;
    stored.seq = seq;
    stored.kind = line.kind;
    stored.truncated = line.truncated;
    size_t before = r.arena.size();
    stored.value_offset = static_cast<uint32_t>(r.arena.size());
    stored.value_size = static_cast<uint32_t>(line.value.size());
    r.arena.append(line.value);
    stored.event_id_offset = static_cast<uint32_t>(r.arena.size());
    stored.event_id_size = static_cast<uint16_t>(std::min<size_t>(record.event_id.size(), 64));
    r.arena.append(record.event_id.substr(0, stored.event_id_size));
    r.lines.push_back(stored);
    open_bytes += r.arena.size() - before + sizeof(StoredLine);
    ++stats.lines_by_kind[static_cast<size_t>(line.kind)];

    r.last_seq = seq;
    if (record.timestamp_ms >= 0) {
      r.timed = true;
      r.last_ts = std::max(r.last_ts, record.timestamp_ms);
    }
    if (line.kind == LineKind::kMethodCompleted) r.completed = true;
    Unlink(s);
    PushBack(s, r.completed ? ListId::kCompleted : ListId::kActive);

    while (open_bytes > options.max_open_bytes && !index.empty()) EvictOldest();
    if (record.timestamp_ms > watermark_ms) watermark_ms = record.timestamp_ms;
    CloseDue(watermark_ms);
  }

  bool IsDuplicate(const OpenRequest& r, const model::RawRecord& record) const {
    // The same event has the same timestamp: compare ids only among those, last digit first
    // (ids of events written together differ at their end).
    for (const StoredLine& l : r.lines) {
      if (l.timestamp_ms != record.timestamp_ms || l.event_id_size != record.event_id.size() ||
          r.arena[l.event_id_offset + l.event_id_size - 1] != record.event_id.back()) {
        continue;
      }
      if (std::string_view(r.arena).substr(l.event_id_offset, l.event_id_size) ==
          record.event_id) {
        return true;
      }
    }
    return false;
  }

  void CloseDue(int64_t now_ms) {
    int64_t grace = options.completion_grace.count();
    int64_t idle = options.max_idle.count();
    SlotList& completed = ListOf(ListId::kCompleted);
    while (completed.head != kNone) {
      const OpenRequest& r = slots[completed.head];
      bool due = r.timed ? now_ms >= 0 && r.last_ts + grace <= now_ms
                         : r.last_seq + options.untimed_grace_events <= seq;
      if (!due) break;
      Close(completed.head, model::PartialReason::kNone);
    }
    SlotList& active = ListOf(ListId::kActive);
    while (active.head != kNone) {
      const OpenRequest& r = slots[active.head];
      if (!r.timed || now_ms < 0 || r.last_ts + idle > now_ms) break;
      Close(active.head, model::PartialReason::kIdle);
    }
  }

  // Closes the request whose turn is next: a completed one if any (nothing is lost but
  // stragglers), else the least recently active, as partial.
  void EvictOldest() {
    if (ListOf(ListId::kCompleted).head != kNone) {
      Close(ListOf(ListId::kCompleted).head, model::PartialReason::kNone);
    } else if (ListOf(ListId::kActive).head != kNone) {
      Close(ListOf(ListId::kActive).head, model::PartialReason::kEvicted);
    }
  }

  void Close(uint32_t s, model::PartialReason reason) {
    OpenRequest& r = slots[s];
    Unlink(s);
    index.erase(r.id);
    RememberClosed(r.id);

    order.resize(r.lines.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::string_view arena = r.arena;
    auto before = [&](uint32_t a, uint32_t b) {
      const StoredLine& x = r.lines[a];
      const StoredLine& y = r.lines[b];
      if (x.timestamp_ms != y.timestamp_ms) return x.timestamp_ms < y.timestamp_ms;
      std::string_view xi = arena.substr(x.event_id_offset, x.event_id_size);
      std::string_view yi = arena.substr(y.event_id_offset, y.event_id_size);
      if (!xi.empty() && !yi.empty() && xi != yi) return EventIdLess(xi, yi);
      return x.seq < y.seq;
    };
    // Lines nearly always arrive in order: check before sorting.
    if (!std::is_sorted(order.begin(), order.end(), before)) {
      std::sort(order.begin(), order.end(), before);
    }
    timed.clear();
    for (uint32_t i : order) {
      const StoredLine& l = r.lines[i];
      TimedLine t;
      t.line.request_id = r.id;
      t.line.kind = l.kind;
      t.line.truncated = l.truncated;
      t.line.value = arena.substr(l.value_offset, l.value_size);
      t.timestamp_ms = l.timestamp_ms;
      timed.push_back(t);
    }
    RequestContext context;
    context.request_id = r.id;
    context.log_group = r.log_group;
    context.log_stream = r.log_stream;
    if (!order.empty()) {
      const StoredLine& first = r.lines[order[0]];
      context.event_id = arena.substr(first.event_id_offset, first.event_id_size);
    }
    context.closed_early = reason;
    builder.Build(timed, context, &tx);
    tx.event_count = static_cast<uint32_t>(r.lines.size());
    if (r.has_access) {
      pipeline::MergeAccessIntoExecution(r.access, &tx);
      ++stats.joined;
    }

    size_t events = r.lines.size();
    open_bytes -= std::min(open_bytes, r.arena.size() + events * sizeof(StoredLine));
    ++stats.transactions;
    ++stats.by_partial_reason[static_cast<size_t>(tx.partial ? tx.partial_reason
                                                             : model::PartialReason::kNone)];
    if (r.arena.capacity() > kMaxKeptArenaBytes) std::string().swap(r.arena);
    if (r.lines.capacity() > 256) {
      std::vector<StoredLine>().swap(r.lines);
    }
    free_slots.push_back(s);
    counters->AddAccepted(events);
    emit(tx);
  }

  void Flush() {
    while (ListOf(ListId::kCompleted).head != kNone) {
      Close(ListOf(ListId::kCompleted).head, model::PartialReason::kNone);
    }
    while (ListOf(ListId::kActive).head != kNone) {
      Close(ListOf(ListId::kActive).head, model::PartialReason::kEndOfInput);
    }
    stream_request.clear();
  }
};

ExecutionAssembler::ExecutionAssembler(const AssemblerOptions& options,
                                       pipeline::EventCounters* counters,
                                       TransactionCallback emit)
    : impl_(std::make_unique<Impl>(options, counters, std::move(emit))) {}

ExecutionAssembler::~ExecutionAssembler() = default;

void ExecutionAssembler::Add(const model::RawRecord& record) { impl_->Add(record); }
bool ExecutionAssembler::Attach(model::HttpTransaction* access) {
  auto it = impl_->index.find(access->request_id);
  if (access->request_id.empty() || it == impl_->index.end()) return false;
  OpenRequest& r = impl_->slots[it->second];
  if (r.has_access) return false;
  std::swap(r.access, *access);
  r.has_access = true;
  return true;
}

void ExecutionAssembler::StartInput() { impl_->watermark_ms = -1; }
void ExecutionAssembler::CloseIdle(int64_t now_ms) { impl_->CloseDue(now_ms); }
void ExecutionAssembler::Flush() { impl_->Flush(); }
size_t ExecutionAssembler::open_requests() const { return impl_->index.size(); }
size_t ExecutionAssembler::open_bytes() const { return impl_->open_bytes; }
const AssemblerStats& ExecutionAssembler::stats() const { return impl_->stats; }

bool IsExecutionLogRecord(const model::RawRecord& record) {
  std::string_view m = record.message;
  if (HasRequestIdPrefix(m)) return true;
  if (m.empty()) return false;
  // The 2016 format: no prefix, but a known label. Access logs start with '{', '<', a digit
  // or '-', or with a custom text that no label matches.
  if (m.front() >= 'A' && m.front() <= 'Z' &&
      ParseExecutionLine(m).kind != LineKind::kUnknown) {
    return true;
  }
  // In an execution-log group, unknown text is an execution line too (kept with its stream's
  // request), unless it is shaped like an access log that a --log-group flag put there.
  bool execution_group =
      record.log_group.substr(0, kExecutionGroupPrefix.size()) == kExecutionGroupPrefix;
  return execution_group && m.front() != '{' && m.front() != '<' &&
         !(m.front() >= '0' && m.front() <= '9');
}

}  // namespace gatescope::parsers::apigw_execution
