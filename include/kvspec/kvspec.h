/* kvspec's C API: load a model once, then ask for the commands' output (inspect, compare, fit) as the JSON
 * `kvspec ... --json` prints, byte for byte. For bindings (Rust, Go, Swift, ...) and C programs; the C++ API
 * is the rest of include/kvspec/.
 *
 * Conventions (README.md "C API"):
 * - Every object the library hands out has one free function: kvspec_model_free, kvspec_string_free,
 *   kvspec_error_free. Each accepts NULL (a no-op).
 * - A failing call returns NULL (or a non-zero kvspec_code) and, when `err` is not NULL, sets *err to a new
 *   error the caller frees; on success *err is set to NULL. `err` itself may be NULL.
 * - A NULL argument where an object is required is an error (KVSPEC_ERROR_USAGE), never a crash. No C++
 *   exception crosses this API; running out of memory is KVSPEC_ERROR_OUT_OF_MEMORY.
 * - Strings in are NUL-terminated UTF-8 (paths: the bytes the file system takes). Strings out are UTF-8
 *   except the file and found fields of an error, which quote the input's bytes as they were.
 * - Options are structs whose first field is struct_size: fill one with its _init function, then set
 *   fields. A later version may append fields; a program built against this header keeps working.
 * - A model handle is immutable once loaded: several threads may use one handle at once.
 */
#ifndef KVSPEC_KVSPEC_H
#define KVSPEC_KVSPEC_H

#include <stddef.h>
#include <stdint.h>

/* The version of this header; kvspec_version() gives the library's (the two differ when a program runs
 * against another build of the shared library). CMake checks these against the project's version. */
#define KVSPEC_VERSION_MAJOR 0
#define KVSPEC_VERSION_MINOR 1
#define KVSPEC_VERSION_PATCH 0
#define KVSPEC_VERSION_STRING "0.1.0"

#if defined(_WIN32)
#define KVSPEC_API
#elif defined(__GNUC__)
#define KVSPEC_API __attribute__((visibility("default")))
#else
#define KVSPEC_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* "0.1.0": the library's version. Static storage, never freed. */
KVSPEC_API const char* kvspec_version(void);

/* ---- Errors ------------------------------------------------------------------------------------------ */

/* The kinds of failure; the values are fixed (new ones may be added). The CLI exits 2 for bad_input,
 * not_found, io and usage, 1 for internal and out_of_memory. */
typedef enum kvspec_code {
  KVSPEC_OK = 0,
  KVSPEC_ERROR_BAD_INPUT = 1,    /* the model's files are malformed or inconsistent */
  KVSPEC_ERROR_NOT_FOUND = 2,    /* a path, repo id or file does not exist */
  KVSPEC_ERROR_IO = 3,           /* a file exists but cannot be read (or the network failed) */
  KVSPEC_ERROR_USAGE = 4,        /* the caller asked for something invalid (an option, a NULL argument) */
  KVSPEC_ERROR_INTERNAL = 5,     /* a bug in kvspec */
  KVSPEC_ERROR_OUT_OF_MEMORY = 6 /* an allocation failed */
} kvspec_code;

/* "ok", "bad_input", "not_found", "io", "usage", "internal", "out_of_memory" (the Python module's
 * kvspec.Error.code); "unknown" for other values. Static storage. */
KVSPEC_API const char* kvspec_code_name(kvspec_code code);

typedef struct kvspec_error kvspec_error;

/* KVSPEC_OK for NULL. */
KVSPEC_API kvspec_code kvspec_error_code(const kvspec_error* error);
/* One line naming the file, the field, what was expected and what was found: what the CLI prints after
 * "kvspec: error: ". Option errors name the struct field ("context", "kv_dtype") where the CLI names its
 * flag ("--context"), as the Python module names its keyword. "" for NULL. Valid until kvspec_error_free. */
KVSPEC_API const char* kvspec_error_message(const kvspec_error* error);
/* The message's parts; "" when absent or for NULL. Valid until kvspec_error_free. */
KVSPEC_API const char* kvspec_error_file(const kvspec_error* error);
KVSPEC_API const char* kvspec_error_field(const kvspec_error* error);
KVSPEC_API const char* kvspec_error_expected(const kvspec_error* error);
KVSPEC_API const char* kvspec_error_found(const kvspec_error* error);
KVSPEC_API const char* kvspec_error_detail(const kvspec_error* error);
KVSPEC_API void kvspec_error_free(kvspec_error* error);

/* ---- Strings ----------------------------------------------------------------------------------------- */

/* Frees a string returned by kvspec_*_json / kvspec_*_text. NULL is a no-op. */
KVSPEC_API void kvspec_string_free(char* text);

/* ---- Models ------------------------------------------------------------------------------------------ */

/* How a model is loaded: the CLI's --format, --hf-cache and remote options. */
typedef struct kvspec_load_options {
  size_t struct_size; /* sizeof(kvspec_load_options), set by kvspec_load_options_init */
  /* A folder holding both config.json and a GGUF: NULL or "" = config.json (the CLI's default), "hf" =
   * config.json only, "gguf" = a GGUF only, "prefer_gguf" = the GGUF when there is one (what the CLI
   * picks for --runtime llama.cpp). */
  const char* format;
  const char* hf_cache; /* NULL or "": $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub */
  /* Remote models (hf://, org/name not in the local cache, URLs): README "Remote models". */
  int offline;            /* 1: no network (also HF_HUB_OFFLINE=1); default 0 */
  int refresh;            /* 1: ignore kvspec's cache */
  int no_cache;           /* 1: neither read nor write kvspec's cache */
  int quiet;              /* 1: no progress on stderr; default 0, as the CLI */
  double timeout;         /* seconds for one transfer; default 60 */
  double connect_timeout; /* seconds to connect; default 10 */
  int64_t retries;        /* retries of 429 / 5xx answers; default 3 */
  double retry_wait;      /* seconds before the first retry (doubling); default 1 */
} kvspec_load_options;

/* Fills the defaults (those of the CLI) and struct_size. NULL is a no-op. */
KVSPEC_API void kvspec_load_options_init(kvspec_load_options* options);

typedef struct kvspec_model kvspec_model;

/* Reads a model as the CLI takes it: a folder, a config.json, a .gguf, org/name[@revision] (the local
 * Hugging Face cache, else the Hub), hf://..., or an https:// URL. `options` NULL: the defaults. Returns
 * NULL on failure (see `err`). Free with kvspec_model_free. */
KVSPEC_API kvspec_model* kvspec_model_load(const char* model, const kvspec_load_options* options,
                                           kvspec_error** err);
/* The example compiled into kvspec (what `kvspec` with no MODEL shows). */
KVSPEC_API kvspec_model* kvspec_model_load_example(kvspec_error** err);
KVSPEC_API void kvspec_model_free(kvspec_model* model);

/* ---- Commands ---------------------------------------------------------------------------------------- */

/* The commands' options, named like the CLI's flags ('_' for '-'). NULL strings and the _init values mean
 * "not given": the CLI's defaults. */
typedef struct kvspec_options {
  size_t struct_size;   /* sizeof(kvspec_options), set by kvspec_options_init */
  const char* context;  /* tokens per sequence: "4096", "32k", "1M"; NULL: not sized (inspect, compare) */
  int64_t batch;        /* sequences; 0: not given (1) */
  const char* kv_dtype; /* f32, f16 (NULL), bf16, fp8_e4m3, fp8_e5m2, q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl */
  const char* v_dtype;  /* NULL: kv_dtype */
  const char* runtime;  /* exact (NULL), llama.cpp, mlx, vllm, transformers */
  int64_t images;       /* images per sequence (image cross-attention, Mllama); -1: not given (1) */
  int64_t parallel;     /* llama.cpp: n_seq_max (= batch; both given must agree); 0: not given */
  int kv_unified;       /* llama.cpp: 1 = --kv-unified */
  int64_t ubatch;       /* llama.cpp: n_ubatch; default 512 */
  const char* flash_attn;         /* llama.cpp: on, off, auto (NULL) */
  int swa_full;                   /* llama.cpp: 1 = --swa-full */
  int64_t kv_bits;                /* mlx: 4 or 8; 0: an unquantized cache */
  int64_t block_size;             /* vllm: default 16 */
  int64_t max_num_batched_tokens; /* vllm: default 8192 */
  int64_t tp;                     /* vllm: tensor-parallel ranks; default 1 */
  int64_t pp;                     /* vllm: pipeline stages; default 1 */
  const char* memory;      /* "24GiB", "80GB" (a unit is required): inspect: for the cache; fit: the device */
  const char* reserve;     /* kept free out of memory: "1GiB" */
  const char* weights;     /* fit only: the weights' size instead of the headers / estimate: "16GiB" */
  const char* max_context; /* the context limit instead of max_position_embeddings: "256k" */
  double gpu_memory_utilization; /* vllm: fit's share of memory, 0 < F <= 1; 0: not given (0.9) */
} kvspec_options;

/* Fills the defaults and struct_size. NULL is a no-op. */
KVSPEC_API void kvspec_options_init(kvspec_options* options);

/* Each returns a NUL-terminated string the caller frees with kvspec_string_free, or NULL on failure.
 * `options` NULL: the defaults. The _json forms are what `kvspec inspect|compare|fit MODEL --json` prints
 * (README "JSON contract"), the _text forms what it prints without --json, both byte for byte when the model
 * was loaded as the CLI loads it (kvspec_load_options: format "prefer_gguf" for --runtime llama.cpp).
 * kvspec_compare_text prints one row of columns however wide, as `kvspec compare --wide` does. */

/* One model's spec, and its cache when options->context is given. */
KVSPEC_API char* kvspec_inspect_json(const kvspec_model* model, const kvspec_options* options,
                                     kvspec_error** err);
KVSPEC_API char* kvspec_inspect_text(const kvspec_model* model, const kvspec_options* options,
                                     kvspec_error** err);
/* `count` models (at least one) side by side. */
KVSPEC_API char* kvspec_compare_json(const kvspec_model* const* models, size_t count,
                                     const kvspec_options* options, kvspec_error** err);
KVSPEC_API char* kvspec_compare_text(const kvspec_model* const* models, size_t count,
                                     const kvspec_options* options, kvspec_error** err);
/* The largest context (batch given, or neither) or batch (context given) that fits options->memory
 * (required), with the weights. */
KVSPEC_API char* kvspec_fit_json(const kvspec_model* model, const kvspec_options* options,
                                 kvspec_error** err);
KVSPEC_API char* kvspec_fit_text(const kvspec_model* model, const kvspec_options* options,
                                 kvspec_error** err);
/* The architecture families the registry knows, as `kvspec families --json`. */
KVSPEC_API char* kvspec_families_json(kvspec_error** err);

#ifdef __cplusplus
}
#endif

#endif /* KVSPEC_KVSPEC_H */
