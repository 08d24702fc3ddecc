// A free-list object pool: objects are allocated in blocks and recycled, so the
// steady-state per-packet path allocates nothing.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace aifabric {

template <class T>
class Pool {
 public:
  explicit Pool(size_t block = 4096) : block_(block) {}
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  T* acquire() {
    if (free_.empty()) grow();
    T* p = free_.back();
    free_.pop_back();
    *p = T{};
    ++live_;
    return p;
  }
  void release(T* p) {
    free_.push_back(p);
    --live_;
  }
  size_t live() const { return live_; }
  size_t capacity() const { return blocks_.size() * block_; }

 private:
  void grow() {
    blocks_.push_back(std::make_unique<T[]>(block_));
    T* base = blocks_.back().get();
    free_.reserve(free_.size() + block_);
    for (size_t i = block_; i-- > 0;) free_.push_back(base + i);
  }
  size_t block_;
  size_t live_ = 0;
  std::vector<std::unique_ptr<T[]>> blocks_;
  std::vector<T*> free_;
};

}  // namespace aifabric
