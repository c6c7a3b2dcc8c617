#pragma once

#include <optional>
#include <utility>

#include "core/check.h"
#include "core/status.h"

namespace gatescope {

// A value of type T, or the non-ok Status that explains why there is none.
//
// Thread-safety: a value type. Accessing value() of a non-ok Result is a bug (checked).
template <typename T>
class [[nodiscard]] Result {
 public:
  // REQUIRES: !status.ok(); an ok Status carries no value.
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design.
    GS_CHECK(!status_.ok());
  }
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design.

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { GS_CHECK(ok()); return *value_; }
  const T& value() const& { GS_CHECK(ok()); return *value_; }
  T&& value() && { GS_CHECK(ok()); return std::move(*value_); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace gatescope

// Evaluates `expr` (a Result); returns its Status if not ok, else moves the value into `lhs`.
#define GS_ASSIGN_OR_RETURN(lhs, expr) \
  GS_ASSIGN_OR_RETURN_IMPL_(GS_STATUS_CONCAT_(gs_result_, __LINE__), lhs, expr)
#define GS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
