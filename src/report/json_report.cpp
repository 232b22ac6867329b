// The JSON contract of `kvspec inspect --json` (README.md, "JSON contract"). Keys may be added, never
// renamed.
#include <fmt/format.h>

#include "kvspec/report.hpp"
#include "report/json_writer.hpp"
#include "report/summary.hpp"

namespace kvspec {

namespace {

void write_cache(JsonWriter& w, const CacheSize& c) {
  w.begin_object();
  w.key("runtime").value(c.runtime);
  w.key("context").value(c.context);
  w.key("batch").value(c.batch);
  w.key("kv_dtype").value(to_string(c.k_dtype));
  w.key("v_dtype").value(to_string(c.v_dtype));
  w.key("total_bytes").value(c.total_bytes);
  w.key("kv_bytes").value(c.kv_bytes);
  w.key("state_bytes").value(c.state_bytes);
  w.key("peak_bytes").value(c.peak_bytes);
  w.key("extra_bytes").value(c.extra_bytes);
  w.key("per_layer_bytes").begin_array();
  for (auto b : c.per_layer_bytes) w.value(b);
  w.end_array();
  if (!c.per_layer_tokens.empty()) {
    w.key("per_layer_tokens").begin_array();
    for (auto t : c.per_layer_tokens) w.value(t);
    w.end_array();
  }
  for (const auto& d : c.details) w.key(d.key).value(d.value);
  if (!c.notes.empty()) {
    w.key("runtime_notes").begin_array();
    for (const auto& n : c.notes) w.value(n);
    w.end_array();
  }
  w.end_object();
}

void write_parts(JsonWriter& w, const std::vector<WeightsPart>& parts) {
  w.begin_object();
  for (const auto& p : parts) {
    w.key(p.name).begin_object();
    w.key("bytes").value(p.bytes);
    w.key("parameters").value(p.parameters);
    w.end_object();
  }
  w.end_object();
}

// `weights`: null when the model folder has no safetensors headers.
void write_weights(JsonWriter& w, const std::optional<WeightsSummary>& ws) {
  if (!ws) {
    w.null();
    return;
  }
  w.begin_object();
  w.key("total_bytes").value(ws->total_bytes);
  w.key("parameters").value(ws->parameters);
  w.key("active_parameters").value(ws->active_parameters);
  w.key("tensors").value(ws->tensors);
  w.key("packing").value(ws->packing);
  w.key("packed_tensors").value(ws->packed_tensors);
  w.key("quantization_overhead_bytes").value(ws->quantization_overhead_bytes);
  w.key("header_bytes_read").value(ws->header_bytes_read);
  w.key("by_dtype");
  write_parts(w, ws->by_dtype);
  w.key("by_component");
  write_parts(w, ws->by_component);
  w.key("files").begin_array();
  for (const auto& f : ws->files) {
    w.begin_object();
    w.key("path").value(f.path);
    w.key("tensors").value(f.tensors);
    w.key("header_bytes").value(f.header_bytes);
    w.key("data_bytes").value(f.data_bytes);
    w.key("data_present").value(f.data_present);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

// `remote`: null for local files; where a Hub or URL model came from and what fetching it took.
void write_remote(JsonWriter& w, const std::optional<RemoteInfo>& remote) {
  if (!remote) {
    w.null();
    return;
  }
  auto opt = [](const std::string& s) {
    return s.empty() ? std::optional<std::string>{} : std::optional<std::string>{s};
  };
  const RemoteInfo& r = *remote;
  w.begin_object();
  w.key("endpoint").value(r.endpoint);
  w.key("repo").value(opt(r.repo));
  w.key("revision").value(opt(r.revision));
  w.key("commit").value(opt(r.commit));
  w.key("files").begin_array();
  for (const RemoteFile& f : r.files) {
    w.begin_object();
    w.key("path").value(f.path);
    w.key("url").value(f.url);
    w.key("bytes_read").value(f.bytes_read);
    w.key("requests").value(f.requests);
    w.key("cached").value(f.cached);
    w.end_object();
  }
  w.end_array();
  w.key("requests").value(r.requests);
  w.key("bytes_read").value(r.bytes_read);
  w.key("from_cache").value(r.from_cache);
  w.end_object();
}

Status write_spec(JsonWriter& w, const ModelCacheSpec& spec, const ReportOptions& options,
                  const std::optional<CacheSize>& cache, bool top_level = false) {
  auto per_token = kv_bytes_per_token(spec, options.kv_dtype, options.kv_dtype);
  if (!per_token) return per_token.error();
  w.begin_object();
  if (top_level) w.key("schema_version").value(JsonWriter::kSchemaVersion);
  w.key("model_type").value(spec.model_type);
  w.key("text_model_type").value(spec.text_model_type);
  w.key("source").value(spec.source);
  w.key("source_format").value(spec.gguf ? "gguf" : "hf");  // which file was read (--format)
  w.key("num_layers").value(spec.num_layers());
  w.key("num_attention_heads").value(spec.num_attention_heads);
  w.key("num_kv_heads").value(spec.num_kv_heads());
  w.key("head_dim").value(spec.head_dim);
  w.key("hidden_size").value(spec.hidden_size);
  w.key("sliding_window").value(spec.sliding_window);
  w.key("attention_chunk_size").value(spec.attention_chunk_size);
  w.key("max_position_embeddings").value(spec.max_position_embeddings);
  w.key("dtype").value(spec.dtype.empty() ? std::optional<std::string>{}
                                          : std::optional<std::string>{spec.dtype});
  w.key("pattern").value(spec.is_uniform() ? "uniform" : "hybrid");
  w.key("pattern_summary").value(compact_pattern(spec));
  w.key("layer_strip").value(layer_strip(spec));
  w.key("moe");
  if (spec.moe) {
    w.begin_object();
    w.key("num_experts").value(spec.moe->num_experts);
    w.key("experts_per_token").value(spec.moe->experts_per_token);
    w.key("num_shared_experts").value(spec.moe->num_shared_experts);
    w.end_object();
  } else {
    w.null();
  }
  w.key("mla");
  if (spec.mla) {
    w.begin_object();
    w.key("kv_lora_rank").value(spec.mla->kv_lora_rank);
    w.key("qk_rope_head_dim").value(spec.mla->qk_rope_head_dim);
    w.key("qk_nope_head_dim").value(spec.mla->qk_nope_head_dim);
    w.key("v_head_dim").value(spec.mla->v_head_dim);
    w.key("num_heads").value(spec.mla->num_heads);
    w.end_object();
  } else {
    w.null();
  }
  w.key("quantization");
  if (spec.quantization) {
    const Quantization& q = *spec.quantization;
    w.begin_object();
    w.key("method").value(q.method);
    w.key("bits").value(q.bits);
    w.key("group_size").value(q.group_size);
    w.key("field").value(q.field);
    w.end_object();
  } else {
    w.null();
  }
  w.key("kv_dtype").value(to_string(options.kv_dtype));
  w.key("kv_bytes_per_token").value(*per_token);
  w.key("state_bytes_per_sequence").value(spec.state_bytes_per_sequence());
  w.key("extra_components").begin_array();
  for (const auto& c : spec.extra_components) {
    w.begin_object();
    w.key("name").value(c.name);
    w.key("bytes_per_token").value(c.bytes_per_token);
    w.key("note").value(c.note);
    w.key("values_per_token").value(c.values_per_token);
    if (!c.pooled.empty()) {
      w.key("pooled").begin_array();
      for (const PooledBuffer& b : c.pooled) {
        w.begin_object();
        w.key("ratio").value(b.ratio);
        w.key("values").value(b.values);
        w.end_object();
      }
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();
  w.key("layers").begin_array();
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& l = spec.layers[i];
    w.begin_object();
    w.key("index").value(static_cast<std::int64_t>(i));
    w.key("kind").value(to_string(l.kind));
    w.key("num_kv_heads").value(l.num_kv_heads);
    w.key("head_dim_k").value(l.head_dim_k);
    w.key("head_dim_v").value(l.head_dim_v);
    w.key("window").value(l.window);
    w.key("state_bytes").value(l.state_bytes);
    if (l.conv_state_values != 0 || l.recurrent_state_values != 0) {
      w.key("conv_state_values").value(l.conv_state_values);
      w.key("recurrent_state_values").value(l.recurrent_state_values);
      if (l.conv_kernel != 0) w.key("conv_kernel").value(l.conv_kernel);
    }
    w.key("source").value(to_string(l.source));
    if (l.shares_with) w.key("shares_with").value(std::int64_t{*l.shares_with});
    if (l.fixed_tokens) w.key("fixed_tokens").value(*l.fixed_tokens);
    w.end_object();
  }
  w.end_array();
  w.key("cache");
  if (cache)
    write_cache(w, *cache);
  else
    w.null();
  w.key("notes").begin_array();
  for (const Note& n : spec.notes) {
    w.begin_object();
    w.key("level").value(n.level == Note::Level::warning ? "warning" : "info");
    w.key("text").value(n.text);
    w.end_object();
  }
  w.end_array();
  w.key("weights");
  write_weights(w, spec.weights);
  if (spec.gguf) {
    const GgufSummary& g = *spec.gguf;
    w.key("gguf").begin_object();
    w.key("version").value(g.version);
    w.key("tensor_count").value(g.tensor_count);
    w.key("metadata_count").value(g.metadata_count);
    w.key("file_type").value(g.file_type);
    w.key("file_type_name")
        .value(g.file_type_name.empty() ? std::optional<std::string>{}
                                        : std::optional<std::string>{g.file_type_name});
    w.key("alignment").value(g.alignment);
    w.key("split_count").value(g.split_count);
    w.key("tensor_data_present").value(g.tensor_data_present);
    w.key("weight_bytes").value(g.weight_bytes);
    w.key("parameters").value(g.parameters);
    w.key("expert_parameters").value(g.expert_parameters);
    w.key("active_parameters").value(g.active_parameters);
    w.key("bytes_by_type").begin_object();
    for (const auto& [type, bytes] : g.bytes_by_type) w.key(type).value(bytes);
    w.end_object();
    w.end_object();
  } else {
    w.key("gguf").null();
  }
  w.key("remote");
  write_remote(w, spec.remote);
  w.key("facts").begin_array();
  for (const Fact& f : spec.facts) {
    w.begin_object();
    w.key("name").value(f.name);
    w.key("value").value(f.value);
    w.key("tier").value(to_string(f.tier));
    w.key("origin").value(f.origin);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return Ok{};
}

}  // namespace

Result<std::string> render_json(const ModelCacheSpec& spec, const ReportOptions& options) {
  JsonWriter w;
  if (auto s = write_spec(w, spec, options, options.cache, true); !s) return s.error();
  return w.str();
}

Result<std::string> render_compare_json(const std::vector<CompareEntry>& models,
                                        const ReportOptions& options) {
  std::size_t i = 0;
  return render_compare_json_stream(
      [&]() -> Result<std::optional<CompareEntry>> {
        return i < models.size() ? std::optional<CompareEntry>(models[i++]) : std::nullopt;
      },
      options);
}

Result<std::string> render_compare_json_stream(const NextCompareEntry& next, const ReportOptions& options) {
  JsonWriter w;
  w.begin_object();
  w.key("schema_version").value(JsonWriter::kSchemaVersion);
  w.key("models").begin_array();
  for (;;) {
    auto m = next();
    if (!m) return m.error();
    if (!*m) break;
    if (auto s = write_spec(w, *(*m)->spec, options, (*m)->cache); !s) return s.error();
  }
  w.end_array();
  w.end_object();
  return w.str();
}

std::string render_error_json(const Error& e) {
  auto code = [](ErrorCode c) {
    switch (c) {
      case ErrorCode::bad_input:
        return "bad_input";
      case ErrorCode::not_found:
        return "not_found";
      case ErrorCode::io:
        return "io";
      case ErrorCode::usage:
        return "usage";
      case ErrorCode::internal:
        return "internal";
    }
    return "internal";
  };
  JsonWriter w;
  w.begin_object();
  w.key("schema_version").value(JsonWriter::kSchemaVersion);
  w.key("error").begin_object();
  w.key("code").value(code(e.code));
  w.key("message").value(e.message());
  w.key("file").value(e.file);
  w.key("field").value(e.field);
  w.key("expected").value(e.expected);
  w.key("found").value(e.found);
  w.key("detail").value(e.detail);
  w.end_object();
  w.end_object();
  return w.str();
}

}  // namespace kvspec
