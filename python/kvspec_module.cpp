// The Python module `kvspec`: the library's commands (kvspec/commands.hpp) with keyword arguments named like
// the CLI's flags; results are the JSON contract's objects as Python dicts (README.md documents the keys), so
// scripts read the same fields from the CLI's --json and from Python. Errors raise kvspec.Error (a
// ValueError) carrying the file, field, expected and found of the library's error.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "kvspec/commands.hpp"
#include "kvspec/error.hpp"
#include "kvspec/registry.hpp"

namespace py = pybind11;

namespace {

// kvspec.Error, created once at import.
PyObject* g_error = nullptr;

const char* code_name(kvspec::ErrorCode code) {
  switch (code) {
    case kvspec::ErrorCode::bad_input:
      return "bad_input";
    case kvspec::ErrorCode::not_found:
      return "not_found";
    case kvspec::ErrorCode::io:
      return "io";
    case kvspec::ErrorCode::usage:
      return "usage";
    case kvspec::ErrorCode::internal:
      return "internal";
  }
  return "internal";
}

// Bytes from files and paths as a str the way os.fsdecode does: invalid UTF-8 as lone surrogates
// (surrogateescape) instead of a UnicodeDecodeError while raising.
py::object fs_text(const std::string& s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "surrogateescape");
  if (o == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(o);
}

// The library's usage errors name the CLI's flag ("--kv-dtype"); Python callers wrote a keyword, so the
// field (and the message built from it) names that keyword ("kv_dtype") instead.
kvspec::Error with_keyword_field(kvspec::Error e) {
  if (e.code == kvspec::ErrorCode::usage && e.field.starts_with("--")) {
    e.field.erase(0, 2);
    std::replace(e.field.begin(), e.field.end(), '-', '_');
  }
  return e;
}

[[noreturn]] void raise(const kvspec::Error& error) {
  const kvspec::Error e = with_keyword_field(error);
  py::object exc = py::reinterpret_borrow<py::object>(g_error)(e.message());  // escaped: valid UTF-8
  exc.attr("code") = code_name(e.code);
  exc.attr("file") = fs_text(e.file);
  exc.attr("field") = fs_text(e.field);
  exc.attr("expected") = fs_text(e.expected);
  exc.attr("found") = fs_text(e.found);
  exc.attr("detail") = fs_text(e.detail);
  PyErr_SetObject(g_error, exc.ptr());
  throw py::error_already_set();
}

py::object parse_json(const std::string& text) {
  return py::module_::import("json").attr("loads")(text);
}

// A Python int as int64; past its range an OverflowError naming the argument (pybind11's own cast error
// would surface as a RuntimeError).
std::int64_t int64_of(const py::handle& v, const char* name) {
  try {
    return v.cast<std::int64_t>();
  } catch (const py::cast_error&) {
    PyErr_Clear();
    throw py::value_error(std::string(name) + ": an int within 64 bits");
  }
}

// A str as UTF-8. A lone surrogate (which UTF-8 cannot hold) and a NUL (which would cut a path short at the C
// library: "org/model@main\0x" would resolve "main") are refused with a ValueError naming the argument.
std::string utf8(const py::handle& v, const std::string& name) {
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(v.ptr(), &size);
  if (data == nullptr) {
    PyErr_Clear();
    throw py::value_error(name + ": a str that UTF-8 can hold (this one has a lone surrogate)");
  }
  std::string out(data, static_cast<std::size_t>(size));
  if (out.find('\0') != std::string::npos) throw py::value_error(name + ": a str without NUL characters");
  return out;
}

// "32k" or 32768; b"..." is refused like any other type.
std::string text_or_int(const py::handle& v, const char* name) {
  if (py::isinstance<py::str>(v)) return utf8(v, name);
  if (py::isinstance<py::int_>(v) && !py::isinstance<py::bool_>(v)) return std::to_string(int64_of(v, name));
  throw py::type_error(std::string(name) + ": expected an int or a str such as '32k'");
}

// A size: an int is bytes (the CLI refuses a bare number, so it is spelt "NB"), a str carries its unit
// ("24GiB").
std::string size_text(const py::handle& v, const char* name) {
  std::string t = text_or_int(v, name);
  return py::isinstance<py::int_>(v) ? t + "B" : t;
}

std::int64_t integer(const py::handle& v, const char* name) {
  if (py::isinstance<py::int_>(v) && !py::isinstance<py::bool_>(v)) return int64_of(v, name);
  throw py::type_error(std::string(name) + ": expected an int");
}

double real(const py::handle& v, const char* name) {
  if ((py::isinstance<py::float_>(v) || py::isinstance<py::int_>(v)) && !py::isinstance<py::bool_>(v))
    return v.cast<double>();
  throw py::type_error(std::string(name) + ": expected a float");
}

bool flag(const py::handle& v, const char* name) {
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>();
  throw py::type_error(std::string(name) + ": expected a bool");
}

// Seconds as an int or a float (not a bool), finite; above zero, or at least zero where zero means "at once".
double seconds(const py::handle& v, const char* name, bool zero_ok) {
  if (!(py::isinstance<py::int_>(v) || py::isinstance<py::float_>(v)) || py::isinstance<py::bool_>(v))
    throw py::type_error(std::string(name) + ": expected seconds as an int or a float");
  const double s = v.cast<double>();
  if (!std::isfinite(s) || s < 0 || (s == 0 && !zero_ok))
    raise(kvspec::make_error(kvspec::ErrorCode::usage, "", name,
                             zero_ok ? "seconds, 0 or more" : "seconds, more than 0",
                             py::str(v).cast<std::string>()));
  return s;
}

std::string text(const py::handle& v, const char* name) {
  if (py::isinstance<py::str>(v)) return utf8(v, name);
  throw py::type_error(std::string(name) + ": expected a str");
}

// Keyword arguments → CommandOptions: the names are the CLI's flags with '_' for '-'. None means "not given".
using O = kvspec::CommandOptions;
using H = const py::handle&;
struct Keyword {
  const char* name;
  void (*set)(O&, H, const char*);
};
constexpr Keyword kKeywords[] = {
    {"context", [](O& o, H v, const char* n) { o.context = text_or_int(v, n); }},
    {"batch", [](O& o, H v, const char* n) { o.batch = integer(v, n); }},
    {"kv_dtype", [](O& o, H v, const char* n) { o.kv_dtype = text(v, n); }},
    {"v_dtype", [](O& o, H v, const char* n) { o.v_dtype = text(v, n); }},
    {"hf_cache", [](O& o, H v, const char* n) { o.hf_cache = text(v, n); }},
    {"runtime", [](O& o, H v, const char* n) { o.runtime = text(v, n); }},
    {"images", [](O& o, H v, const char* n) { o.images = integer(v, n); }},
    {"parallel", [](O& o, H v, const char* n) { o.parallel = integer(v, n); }},
    {"kv_unified", [](O& o, H v, const char* n) { o.kv_unified = flag(v, n); }},
    {"ubatch", [](O& o, H v, const char* n) { o.ubatch = integer(v, n); }},
    {"flash_attn", [](O& o, H v, const char* n) { o.flash_attn = text(v, n); }},
    {"swa_full", [](O& o, H v, const char* n) { o.swa_full = flag(v, n); }},
    {"kv_bits", [](O& o, H v, const char* n) { o.kv_bits = integer(v, n); }},
    {"block_size", [](O& o, H v, const char* n) { o.block_size = integer(v, n); }},
    {"max_num_batched_tokens", [](O& o, H v, const char* n) { o.max_num_batched_tokens = integer(v, n); }},
    {"gpu_memory_utilization", [](O& o, H v, const char* n) { o.gpu_memory_utilization = real(v, n); }},
    {"tp", [](O& o, H v, const char* n) { o.tp = integer(v, n); }},
    {"pp", [](O& o, H v, const char* n) { o.pp = integer(v, n); }},
    {"memory", [](O& o, H v, const char* n) { o.memory = size_text(v, n); }},
    {"reserve", [](O& o, H v, const char* n) { o.reserve = size_text(v, n); }},
    {"weights", [](O& o, H v, const char* n) { o.weights = size_text(v, n); }},
    {"max_context", [](O& o, H v, const char* n) { o.max_context = text_or_int(v, n); }},
    {"format", [](O& o, H v, const char* n) { o.format = text(v, n); }},
    // Remote models (hf://, org/name not in the local cache, org/name:QUANT, URLs).
    {"offline", [](O& o, H v, const char* n) { o.offline = flag(v, n); }},
    {"refresh", [](O& o, H v, const char* n) { o.refresh = flag(v, n); }},
    {"no_cache", [](O& o, H v, const char* n) { o.no_cache = flag(v, n); }},
    {"quiet", [](O& o, H v, const char* n) { o.quiet = flag(v, n); }},
    {"timeout", [](O& o, H v, const char* n) { o.timeout = seconds(v, n, false); }},
    {"connect_timeout", [](O& o, H v, const char* n) { o.connect_timeout = seconds(v, n, false); }},
    {"retries", [](O& o, H v, const char* n) { o.retries = integer(v, n); }},
    {"retry_wait", [](O& o, H v, const char* n) { o.retry_wait = seconds(v, n, true); }},
};

kvspec::CommandOptions options_from(const py::kwargs& kw, bool allow_weights) {
  kvspec::CommandOptions o;
  for (const auto& [key, value] : kw) {
    const std::string k = py::isinstance<py::str>(key) ? utf8(key, "keyword") : std::string();
    const Keyword* hit = nullptr;
    for (const Keyword& w : kKeywords)
      if (k == w.name && (allow_weights || k != "weights")) hit = &w;
    if (hit == nullptr) throw py::type_error("unexpected keyword argument '" + k + "'");
    if (!value.is_none()) hit->set(o, value, hit->name);
  }
  // 0 means "not given" in CommandOptions (negatives are refused there); an explicit 0 is refused here, as
  // the CLI refuses --batch 0 and --kv-bits 0 (None is the way to say "not given").
  auto refuse_zero = [&](const char* name, std::int64_t value, const char* expected) {
    if (value == 0 && kw.contains(name) && !kw[name].is_none()) {
      raise(kvspec::make_error(kvspec::ErrorCode::usage, "", name, expected, "0"));
    }
  };
  refuse_zero("batch", o.batch, "a positive number of sequences");
  refuse_zero("parallel", o.parallel, "a positive number of sequences");
  refuse_zero("kv_bits", o.kv_bits, "4 or 8 (None: an unquantized cache)");
  if (o.gpu_memory_utilization == 0 && kw.contains("gpu_memory_utilization") &&
      !kw["gpu_memory_utilization"].is_none())
    raise(kvspec::make_error(kvspec::ErrorCode::usage, "", "gpu_memory_utilization",
                             "a fraction above 0, at most 1 (None: vLLM's 0.9)", "0"));
  if (o.retries < 0)
    raise(kvspec::make_error(kvspec::ErrorCode::usage, "", "retries", "0 or more retries",
                             std::to_string(o.retries)));
  return o;
}

// A str or os.PathLike (pathlib.Path, or one whose fspath is bytes); None only where it means the bundled
// example.
std::string model_arg(const py::object& model, const std::string& name, bool none_is_example) {
  if (model.is_none()) {
    if (none_is_example) return "";
    throw py::type_error(name + ": expected a str or os.PathLike, not None");
  }
  if (py::isinstance<py::str>(model)) return utf8(model, name);
  py::object path = py::module_::import("os").attr("fspath")(model);
  if (py::isinstance<py::str>(path)) return utf8(path, name);
  std::string out = path.cast<std::string>();  // bytes
  if (out.find('\0') != std::string::npos) throw py::value_error(name + ": a path without NUL characters");
  return out;
}

template <class F>
std::string run(F&& command) {
  kvspec::Result<std::string> r = kvspec::Error{};
  {
    py::gil_scoped_release release;  // file reads and sizing do not touch Python objects
    r = command();
  }
  if (!r) raise(r.error());
  return *r;
}

constexpr const char* kOptionsDoc = R"(
Keyword arguments (None = not given), named like the CLI's flags:
  context (int or '32k'), batch, kv_dtype ('f16', 'q8_0', ...), v_dtype, runtime ('exact', 'llama.cpp',
  'mlx', 'vllm', 'transformers'), hf_cache, memory (bytes or '24GiB' / '80GB'), reserve,
  images (per sequence, for image cross-attention such as Mllama; default 1, 0 = text only), max_context
  (int or '256k': the limit instead of max_position_embeddings), format ('hf' or 'gguf');
  llama.cpp: parallel, kv_unified, ubatch, flash_attn ('on', 'off', 'auto'), swa_full;
  mlx: kv_bits (4 or 8); vllm: block_size, max_num_batched_tokens, tp, pp, gpu_memory_utilization (fit:
  0 < F <= 1, default 0.9). kv_dtype='auto' is the model's dtype (as vLLM's --kv-cache-dtype auto);
  remote models (hf://org/name, org/name:QUANT, URLs): offline (also HF_HUB_OFFLINE=1), refresh, no_cache,
  quiet (no progress on stderr), timeout and connect_timeout (seconds), retries, retry_wait (seconds).
Raises kvspec.Error (a ValueError with code, file, field, expected, found) on bad input.)";

}  // namespace

// Built as kvspec._kvspec inside the package python/kvspec/ (its __init__.py re-exports these names, its
// __init__.pyi types them).
PYBIND11_MODULE(_kvspec, m) {
  m.doc() =
      "kvspec: a model's KV cache, layer by layer, from its files — before you download or load it.\n"
      "inspect(), compare() and fit() return the objects `kvspec ... --json` prints (see README.md).";
  m.attr("__version__") = KVSPEC_VERSION;
  g_error = PyErr_NewExceptionWithDoc("kvspec.Error",
                                      "Bad input or usage: the message names the file, the field, what was "
                                      "expected and what was found (attributes code, file, field, expected, "
                                      "found, detail).",
                                      PyExc_ValueError, nullptr);
  m.attr("Error") = py::reinterpret_borrow<py::object>(g_error);

  m.def(
      "inspect",
      [](const py::object& model, const py::kwargs& kw) {
        auto o = options_from(kw, false);
        const std::string path = model_arg(model, "model", true);
        return parse_json(run([&] { return kvspec::inspect_command(path, o, kvspec::OutputFormat::json); }));
      },
      py::arg("model") = py::none(),
      (std::string(
           "inspect(model=None, **options) -> dict: one model's spec (and its cache when context is "
           "given), as `kvspec inspect --json`. model: a folder, config.json, .gguf, org/name[@rev] "
           "(the local Hugging Face cache, else the Hub), hf://org/name, org/name:QUANT, an http(s) URL or "
           "ollama:NAME[:TAG] or lmstudio:PUBLISHER/MODEL[/FILE.gguf] (local stores); "
           "None: the bundled example.") +
       kOptionsDoc)
          .c_str());
  m.def(
      "summary",
      [](const py::object& model, const py::kwargs& kw) {
        auto o = options_from(kw, false);
        const std::string path = model_arg(model, "model", true);
        return run([&] { return kvspec::inspect_command(path, o, kvspec::OutputFormat::text); });
      },
      py::arg("model") = py::none(),
      (std::string("summary(model=None, **options) -> str: the human summary `kvspec inspect` prints.") +
       kOptionsDoc)
          .c_str());
  m.def(
      "compare",
      [](const std::vector<py::object>& models, const py::kwargs& kw) {
        auto o = options_from(kw, false);
        std::vector<std::string> paths;
        paths.reserve(models.size());
        for (std::size_t i = 0; i < models.size(); ++i)
          paths.push_back(model_arg(models[i], "models[" + std::to_string(i) + "]", false));
        return parse_json(run([&] { return kvspec::compare_command(paths, o, kvspec::OutputFormat::json); }));
      },
      py::arg("models"),
      (std::string("compare(models, **options) -> dict: several models side by side, as `kvspec compare "
                   "--json`.") +
       kOptionsDoc)
          .c_str());
  m.def(
      "fit",
      [](const py::object& model, const py::kwargs& kw) {
        auto o = options_from(kw, true);
        const std::string path = model_arg(model, "model", true);
        return parse_json(run([&] { return kvspec::fit_command(path, o, kvspec::OutputFormat::json); }));
      },
      py::arg("model") = py::none(),
      (std::string("fit(model=None, memory=..., **options) -> dict: the largest context (batch given, or "
                   "neither) or batch (context given) that fits memory, as `kvspec fit --json`. Also "
                   "weights (bytes or '16GiB') to override the weights' size.") +
       kOptionsDoc)
          .c_str());
  m.def(
      "families", [] { return parse_json(kvspec::render_families_json()); },
      "families() -> list: the architecture families the registry knows, with each rule's source.");
}
