// A free-list object pool: objects are allocated in blocks and recycled, so the
// steady-state per-packet path allocates nothing. After the first block, blocks are
// whole 2 MiB pages, aligned and offered to the kernel as transparent huge pages
// (madvise): the packet path touches frames spread over hundreds of MiB at large
// scale, and one TLB entry per 2 MiB instead of per 4 KiB removes most of its page
// walks (measured in docs/performance.md, "Memory: huge pages, ..."). Where the kernel declines,
// the memory is ordinary pages and nothing else changes.
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace aifabric {

// Raw memory from malloc/aligned_alloc, freed when its owner goes.
struct FreeDeleter {
  void operator()(void* p) const {
    // NOLINTNEXTLINE(cppcoreguidelines-no-malloc,cppcoreguidelines-owning-memory)
    std::free(p);
  }
};
using RawBlock = std::unique_ptr<void, FreeDeleter>;

// Memory for `bytes` aligned to a huge page and advised as one (rounded up to whole
// huge pages).
inline RawBlock huge_page_alloc(size_t bytes) {
  constexpr size_t kHuge = size_t{2} << 20;
  const size_t size = (bytes + kHuge - 1) / kHuge * kHuge;
  // NOLINTNEXTLINE(cppcoreguidelines-no-malloc,cppcoreguidelines-owning-memory)
  RawBlock p(std::aligned_alloc(kHuge, size));
  if (p == nullptr) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  madvise(p.get(), size, MADV_HUGEPAGE);  // advice only: a refusal leaves ordinary pages
#endif
  return p;
}

template <class T>
class Pool {
 public:
  static_assert(std::is_trivially_destructible_v<T>, "pooled objects are never destroyed");
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
  size_t capacity() const { return capacity_; }

 private:
  static constexpr size_t kHugeObjects = std::max<size_t>(1, (size_t{2} << 20) / sizeof(T));
  void grow() {
    // The first block as asked (small runs stay small); later ones fill huge pages.
    const bool first = blocks_.empty();
    const size_t n = first ? block_ : std::max(block_, kHugeObjects);
    RawBlock raw;
    if (first) {
      // NOLINTNEXTLINE(cppcoreguidelines-no-malloc,cppcoreguidelines-owning-memory)
      raw.reset(std::malloc(n * sizeof(T)));
    } else {
      raw = huge_page_alloc(n * sizeof(T));
    }
    if (raw == nullptr) throw std::bad_alloc();
    T* base = static_cast<T*>(raw.get());
    std::uninitialized_default_construct_n(base, n);
    blocks_.push_back(std::move(raw));
    capacity_ += n;
    free_.reserve(free_.size() + n);
    for (size_t i = n; i-- > 0;) free_.push_back(base + i);
  }
  size_t block_;
  size_t live_ = 0;
  size_t capacity_ = 0;
  std::vector<RawBlock> blocks_;
  std::vector<T*> free_;
};

}  // namespace aifabric
