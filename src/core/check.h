#pragma once

#include <cstdio>
#include <cstdlib>

// GS_CHECK(cond): aborts with file and line when `cond` is false. Use only where going on
// would corrupt data; never on external input. GS_DCHECK is the same in debug builds only.
#define GS_CHECK(cond)                                                                \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
      std::abort();                                                                   \
    }                                                                                 \
  } while (false)

#ifdef NDEBUG
#define GS_DCHECK(cond) \
  do {                  \
  } while (false && (cond))
#else
#define GS_DCHECK(cond) GS_CHECK(cond)
#endif
