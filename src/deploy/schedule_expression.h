#pragma once

#include <string>
#include <string_view>

namespace gatescope::deploy {

// Checks an EventBridge (Scheduler) schedule expression of the forms a deployment accepts:
//   rate(1 minute) | rate(1 hour) | rate(1 day) | rate(N minutes|hours|days) with N >= 2
//   cron(minutes hours day-of-month month day-of-week year)   exactly 6 fields, and exactly one
//     of day-of-month and day-of-week is `?`, as EventBridge requires.
// `at(...)` (one-time) is refused: the connector's schedules repeat. Returns an empty string
// when `expression` is valid, else what is wrong (naming the accepted forms).
std::string CheckScheduleExpression(std::string_view expression);

}  // namespace gatescope::deploy
