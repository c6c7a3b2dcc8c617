// Stand-ins for the two glibc functions newer than 2.34 that a static libstdc++/libgcc from GCC 12
// on Debian bookworm (glibc 2.36) pulls into an executable:
//   arc4random        (GLIBC_2.36), used by std::random_device;
//   _dl_find_object   (GLIBC_2.35), used by libgcc's unwinder to find .eh_frame_hdr.
// Lambda's provided.al2023 has glibc 2.34, where a binary that needs either does not start
// ("version `GLIBC_2.36' not found"). Defined in the executable, these win over glibc's at link
// time, so the binary needs only GLIBC_2.34 and runs on the system glibc as `bootstrap`
// (scripts/package_lambda.sh checks the symbol versions). They behave like glibc's: arc4random
// reads getrandom(2); _dl_find_object walks the loaded objects with dl_iterate_phdr (2.2.4),
// which is what libgcc did before 2.35.
//
// Linked as an OBJECT library (gatescope_glibc_compat) so that the definitions are always in the
// executable: from a static archive the linker would not pull them before libstdc++ asks.
#include <dlfcn.h>
#include <link.h>
#include <sys/random.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35))

namespace {

struct FindState {
  uintptr_t address;
  dl_find_object* result;
  bool found;
};

int FindObject(dl_phdr_info* info, size_t, void* data) {
  FindState* state = static_cast<FindState*>(data);
  bool contains = false;
  uintptr_t start = UINTPTR_MAX;
  uintptr_t end = 0;
  const void* eh_frame = nullptr;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& phdr = info->dlpi_phdr[i];
    if (phdr.p_type == PT_LOAD) {
      uintptr_t seg_start = info->dlpi_addr + phdr.p_vaddr;
      uintptr_t seg_end = seg_start + phdr.p_memsz;
      if (state->address >= seg_start && state->address < seg_end) contains = true;
      if (seg_start < start) start = seg_start;
      if (seg_end > end) end = seg_end;
    } else if (phdr.p_type == DLFO_EH_SEGMENT_TYPE) {
      eh_frame = reinterpret_cast<const void*>(info->dlpi_addr + phdr.p_vaddr);
    }
  }
  if (!contains) return 0;
  std::memset(state->result, 0, sizeof(*state->result));
  state->result->dlfo_map_start = reinterpret_cast<void*>(start);
  state->result->dlfo_map_end = reinterpret_cast<void*>(end);
  state->result->dlfo_eh_frame = const_cast<void*>(eh_frame);
  state->found = true;
  return 1;
}

}  // namespace

extern "C" int _dl_find_object(void* address, dl_find_object* result) noexcept {
  FindState state{reinterpret_cast<uintptr_t>(address), result, false};
  dl_iterate_phdr(&FindObject, &state);
  return state.found ? 0 : -1;
}

#endif

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 36))

extern "C" void arc4random_buf(void* buffer, size_t size) noexcept {
  unsigned char* out = static_cast<unsigned char*>(buffer);
  while (size > 0) {
    ssize_t n = getrandom(out, size, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::abort();  // As glibc does: arc4random cannot fail.
    }
    out += n;
    size -= static_cast<size_t>(n);
  }
}

extern "C" uint32_t arc4random() noexcept {
  uint32_t value;
  arc4random_buf(&value, sizeof(value));
  return value;
}

extern "C" uint32_t arc4random_uniform(uint32_t upper_bound) noexcept {
  if (upper_bound < 2) return 0;
  // Rejection sampling: values below 2^32 mod upper_bound would bias the result.
  uint32_t min = static_cast<uint32_t>(-upper_bound) % upper_bound;
  while (true) {
    uint32_t r = arc4random();
    if (r >= min) return r % upper_bound;
  }
}

#endif
