#include "decoders/internal/buffered_reader.h"

#include <cstring>

namespace gatescope::decoders::internal {

BufferedReader::BufferedReader(env::ByteSource& source, size_t chunk_bytes)
    : source_(source), chunk_bytes_(chunk_bytes) {
  buf_.resize(chunk_bytes_ + kPadding);
}

Result<bool> BufferedReader::Fill() {
  if (eof_) return false;
  // Move the unconsumed tail to the front once it is worth it, so the window never creeps.
  if (pos_ > 0 && (pos_ >= buf_.size() / 2 || end_ + kPadding >= buf_.size())) {
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (buf_.size() - kPadding - end_ < chunk_bytes_ / 2) buf_.resize(buf_.size() * 2);
  size_t room = buf_.size() - kPadding - end_;
  GS_ASSIGN_OR_RETURN(size_t n, source_.Read(buf_.data() + end_, room));
  if (n == 0) {
    eof_ = true;
    return false;
  }
  end_ += n;
  return true;
}

}  // namespace gatescope::decoders::internal
