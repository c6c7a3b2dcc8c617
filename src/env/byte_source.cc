#include "env/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gatescope::env {
namespace {

class FdByteSource final : public ByteSource {
 public:
  FdByteSource(int fd, bool owned, std::string name, int64_t size)
      : fd_(fd), owned_(owned), name_(std::move(name)), size_(size) {}
  ~FdByteSource() override {
    if (owned_) ::close(fd_);
  }
  FdByteSource(const FdByteSource&) = delete;
  FdByteSource& operator=(const FdByteSource&) = delete;

  Result<size_t> Read(char* buffer, size_t capacity) override {
    while (true) {
      ssize_t n = ::read(fd_, buffer, capacity);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno == EINTR) continue;
      return UnavailableError(name_ + ": read failed: " + std::strerror(errno));
    }
  }
  int64_t size_bytes() const override { return size_; }

 private:
  int fd_;
  bool owned_;
  std::string name_;
  int64_t size_;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> OpenFile(const std::string& path) {
  if (path == "-") {
    return std::unique_ptr<ByteSource>(std::make_unique<FdByteSource>(0, false, "stdin", -1));
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string msg = path + ": " + std::strerror(err);
    if (err == ENOENT) return NotFoundError(msg);
    if (err == EACCES) return PermissionDeniedError(msg);
    return UnavailableError(msg);
  }
  struct stat st {};
  int64_t size = -1;
  if (::fstat(fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      ::close(fd);
      return InvalidArgumentError(path + ": is a directory");
    }
    if (S_ISREG(st.st_mode)) size = static_cast<int64_t>(st.st_size);
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<ByteSource>(std::make_unique<FdByteSource>(fd, true, path, size));
}

Result<size_t> MemoryByteSource::Read(char* buffer, size_t capacity) {
  size_t n = std::min(capacity, data_.size());
  std::memcpy(buffer, data_.data(), n);
  data_.remove_prefix(n);
  return n;
}

}  // namespace gatescope::env
