// A GGUF file's bytes → the bounded header reader (in memory) → and, through a memfd, the whole file path:
// llama.cpp's per-architecture hparams → spec → weights summary → sizes (exact and llama.cpp) → reports.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "format/gguf.hpp"
#include "json/json.hpp"
#include "kvspec/gguf.hpp"
#include "kvspec/report.hpp"
#include "kvspec/runtime.hpp"
#include "kvspec/size.hpp"
#include "targets/fuzz_check.hpp"
#include "targets/targets.hpp"

namespace kvspec::fuzz {

namespace {

// One memfd for the process, rewritten per input: the file-reading path without touching the disk.
const std::string& memfd_path(std::string_view bytes) {
  static int fd = memfd_create("fuzz.gguf", MFD_CLOEXEC);
  static std::string path = fmt::format("/proc/self/fd/{}", fd);
  KVSPEC_FUZZ_CHECK(fd >= 0);
  KVSPEC_FUZZ_CHECK(ftruncate(fd, 0) == 0);
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    KVSPEC_FUZZ_CHECK(n > 0);
    done += static_cast<std::size_t>(n);
  }
  return path;
}

}  // namespace

void gguf_one(std::string_view bytes) {
  auto f = gguf::read_buffer(bytes, "fuzz.gguf");
  if (!f) {
    KVSPEC_FUZZ_CHECK(f.error().code != ErrorCode::internal, f.error().message());
    KVSPEC_FUZZ_CHECK(f.error().file == "fuzz.gguf", f.error().message());
  } else {
    KVSPEC_FUZZ_CHECK(f->header_end <= f->file_size && f->kvs.size() == f->kv_count &&
                      f->tensors.size() == f->tensor_count);
    for (const auto& t : f->tensors)
      KVSPEC_FUZZ_CHECK(t.elements >= 0 && t.bytes >= 0 && t.n_dims <= gguf::kMaxDims);
  }

  const std::string& path = memfd_path(bytes);
  auto spec = spec_from_gguf(path);
  if (!spec) {
    KVSPEC_FUZZ_CHECK(spec.error().code != ErrorCode::internal, spec.error().message());
    return;
  }
  for (const LayerSpec& l : spec->layers)
    KVSPEC_FUZZ_CHECK(l.num_kv_heads >= 0 && l.head_dim_k >= 0 && l.head_dim_v >= 0 && l.state_bytes >= 0);
  ReportOptions options;
  auto size = size_exact(*spec, {4096, 1, CacheDType::f16, CacheDType::f16});
  if (size) options.cache = *size;
  RuntimeRequest rr;
  rr.runtime = Runtime::llama_cpp;
  rr.context = 4096;
  (void)size_runtime(*spec, rr);
  KVSPEC_FUZZ_CHECK(render_text(*spec, options).ok());
  auto js = render_json(*spec, options);
  KVSPEC_FUZZ_CHECK(js.ok());
  auto parsed = json::parse(*js, "render_json output");
  KVSPEC_FUZZ_CHECK(parsed.ok(), parsed ? "" : parsed.error().message());
}

}  // namespace kvspec::fuzz
