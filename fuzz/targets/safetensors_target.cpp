// A safetensors file's bytes → header → tier-2 evidence → spec (three configs: one the weights decide, one
// they check, one quantized) → weights summary → reports. The input is the whole file: 8-byte length, header,
// data (usually absent: a header-only copy).
#include <fmt/format.h>

#include <cstdint>
#include <string>

#include "format/model_description.hpp"
#include "format/safetensors.hpp"
#include "format/tensor_names.hpp"
#include "format/weights_evidence.hpp"
#include "json/json.hpp"
#include "kvspec/report.hpp"
#include "kvspec/size.hpp"
#include "spec/build.hpp"
#include "spec/weights_summary.hpp"
#include "targets/fuzz_check.hpp"
#include "targets/targets.hpp"

namespace kvspec::fuzz {

namespace {

constexpr const char* kConfigs[] = {
    // Unknown family without a layer pattern: the weights decide each layer's kind.
    R"({"model_type": "mystery", "num_hidden_layers": 4, "num_attention_heads": 8, "hidden_size": 512})",
    // A known family: the weights check it.
    R"({"model_type": "llama", "num_hidden_layers": 2, "num_attention_heads": 32, "num_key_value_heads": 8,
        "hidden_size": 4096, "torch_dtype": "bfloat16", "num_local_experts": 8, "num_experts_per_tok": 2})",
    // Quantized (GPTQ packing undone from the headers).
    R"({"model_type": "qwen2", "num_hidden_layers": 2, "num_attention_heads": 16, "num_key_value_heads": 2,
        "hidden_size": 2048, "quantization_config": {"quant_method": "gptq", "bits": 4, "group_size": 128}})",
};

}  // namespace

void safetensors_one(std::string_view bytes) {
  if (bytes.size() < 8) return;
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  // read_header's own checks (tested by the hostile corpus): the header fits the limit and the file.
  if (n > static_cast<std::uint64_t>(st::kMaxHeaderBytes) || n > bytes.size() - 8) return;
  const auto file_size = static_cast<std::int64_t>(bytes.size());
  auto f = st::parse_header(bytes.substr(8, n), "fuzz.safetensors", file_size);
  if (!f) {
    KVSPEC_FUZZ_CHECK(f.error().code != ErrorCode::internal, f.error().message());
    KVSPEC_FUZZ_CHECK(f.error().file == "fuzz.safetensors", f.error().message());
    return;
  }
  KVSPEC_FUZZ_CHECK(f->data_bytes >= 0 && f->header_size == static_cast<std::int64_t>(n));
  for (const st::Tensor& t : f->tensors) {
    KVSPEC_FUZZ_CHECK(t.begin >= 0 && t.end >= t.begin && t.end <= f->data_bytes);
    KVSPEC_FUZZ_CHECK(t.elements() >= 0);
  }

  st::Checkpoint ck;
  ck.dir = "fuzz";
  ck.files.push_back(std::move(*f));
  TensorIndex index = index_tensors(ck);
  WeightsEvidence ev = weights_evidence(ck, index);

  const char* config = kConfigs[bytes.size() % (sizeof kConfigs / sizeof kConfigs[0])];
  auto d = describe_config(config, "fuzz/config.json", "fuzz");
  KVSPEC_FUZZ_CHECK(d.ok());
  d->weights = ev;
  auto spec = build_spec(*d);
  if (!spec) {
    KVSPEC_FUZZ_CHECK(spec.error().code != ErrorCode::internal, spec.error().message());
    return;
  }
  std::vector<Note> notes;
  auto w = summarize_weights(ck, index, d->root(), *spec, notes);
  if (!w) {
    KVSPEC_FUZZ_CHECK(w.error().code != ErrorCode::internal, w.error().message());
    return;
  }
  KVSPEC_FUZZ_CHECK(w->total_bytes >= 0 && w->parameters >= 0 && w->quantization_overhead_bytes >= 0);
  spec->weights = std::move(*w);

  auto size = size_exact(*spec, {4096, 1, CacheDType::f16, CacheDType::f16});
  ReportOptions options;
  if (size) options.cache = *size;
  KVSPEC_FUZZ_CHECK(render_text(*spec, options).ok());
  auto js = render_json(*spec, options);
  KVSPEC_FUZZ_CHECK(js.ok());
  auto parsed = json::parse(*js, "render_json output");
  KVSPEC_FUZZ_CHECK(parsed.ok(), parsed ? "" : parsed.error().message());
}

}  // namespace kvspec::fuzz
