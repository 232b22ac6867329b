/* The C API (include/kvspec/kvspec.h) from C11: figures worked out by hand, the output byte for byte against
 * the CLI's for the same model and options, and the error cases.
 * Usage: kvspec_c_api_test KVSPEC_CLI TEST_DATA_DIR (registered with ctest in tests/CMakeLists.txt). */
#define _POSIX_C_SOURCE 200809L /* popen */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvspec/kvspec.h"

static int g_failures = 0;
static const char* g_cli = NULL;
static const char* g_data = NULL;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++g_failures;                                                            \
    }                                                                          \
  } while (0)

static int contains(const char* text, const char* needle) {
  return text != NULL && strstr(text, needle) != NULL;
}

/* The CLI's stdout (and stderr with "2>&1" in args) for `kvspec ARGS`; malloc'd, NULL if it could not run. */
static char* run_cli(const char* args) {
  char command[4096];
  if (snprintf(command, sizeof command, "'%s' %s", g_cli, args) >= (int)sizeof command) return NULL;
  FILE* p = popen(command, "r");
  if (p == NULL) return NULL;
  size_t size = 0, cap = 1 << 16;
  char* out = malloc(cap);
  size_t n = 0;
  while (out != NULL && (n = fread(out + size, 1, cap - size - 1, p)) > 0) {
    size += n;
    if (cap - size - 1 == 0) {
      char* grown = realloc(out, cap * 2);
      if (grown == NULL) {
        free(out);
        out = NULL;
      } else {
        out = grown;
        cap *= 2;
      }
    }
  }
  pclose(p);
  if (out != NULL) out[size] = '\0';
  return out;
}

static kvspec_model* load_config(const char* name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/configs/%s", g_data, name);
  kvspec_error* err = NULL;
  kvspec_model* model = kvspec_model_load(path, NULL, &err);
  if (model == NULL) fprintf(stderr, "load %s: %s\n", path, kvspec_error_message(err));
  CHECK(model != NULL && err == NULL);
  kvspec_error_free(err);
  return model;
}

/* `got` (freed here) is the CLI's output for ARGS, byte for byte. */
static void check_same_as_cli(char* got, const char* args) {
  char* want = run_cli(args);
  CHECK(got != NULL && want != NULL);
  if (got != NULL && want != NULL && strcmp(got, want) != 0) {
    fprintf(stderr, "C API and `kvspec %s` differ:\n--- C API\n%.400s\n--- CLI\n%.400s\n", args, got, want);
    ++g_failures;
  }
  free(want);
  kvspec_string_free(got);
}

static void test_version(void) {
  CHECK(strcmp(kvspec_version(), KVSPEC_VERSION_STRING) == 0);
  CHECK(strcmp(kvspec_code_name(KVSPEC_ERROR_NOT_FOUND), "not_found") == 0);
  CHECK(strcmp(kvspec_code_name(KVSPEC_ERROR_OUT_OF_MEMORY), "out_of_memory") == 0);
}

static void test_inspect(void) {
  kvspec_model* llama = load_config("meta-llama__Llama-3.1-8B");
  if (llama == NULL) return;
  kvspec_error* err = NULL;

  /* Llama 3.1 8B: 32 layers × 2 (K and V) × 8 KV heads × head_dim 128 × 2 bytes (f16) = 131072 per token. */
  char* json = kvspec_inspect_json(llama, NULL, &err);
  CHECK(json != NULL && err == NULL);
  CHECK(contains(json, "\"kv_bytes_per_token\": 131072,"));
  CHECK(contains(json, "\"num_layers\": 32,"));
  char args[4096];
  snprintf(args, sizeof args, "inspect '%s/configs/meta-llama__Llama-3.1-8B' --json", g_data);
  check_same_as_cli(json, args);

  /* At 8192 tokens: 131072 × 8192 = 1073741824 bytes (1 GiB), all of it K/V. */
  kvspec_options o;
  kvspec_options_init(&o);
  o.context = "8192";
  json = kvspec_inspect_json(llama, &o, &err);
  CHECK(json != NULL && err == NULL);
  CHECK(contains(json, "\"total_bytes\": 1073741824,"));
  CHECK(contains(json, "\"kv_bytes\": 1073741824,"));
  snprintf(args, sizeof args, "inspect '%s/configs/meta-llama__Llama-3.1-8B' --context 8192 --json", g_data);
  check_same_as_cli(json, args);

  /* llama.cpp, 32k × 2 sequences, q8_0 (34 bytes per 32 values): each f16 figure × 34 / 64. Per token
   * 131072 × 34 / 64 = 69632; 32768 × 2 = 65536 cells (n_ctx, a multiple of 256) × 69632 = 4563402752. */
  o.context = "32k";
  o.batch = 2;
  o.kv_dtype = "q8_0";
  o.runtime = "llama.cpp";
  json = kvspec_inspect_json(llama, &o, &err);
  CHECK(json != NULL && err == NULL);
  CHECK(contains(json, "\"total_bytes\": 4563402752,"));
  snprintf(args, sizeof args,
           "inspect '%s/configs/meta-llama__Llama-3.1-8B' --context 32k --batch 2 --kv-dtype q8_0 "
           "--runtime llama.cpp --json",
           g_data);
  check_same_as_cli(json, args);

  /* The human summary as the CLI prints it. */
  char* text = kvspec_inspect_text(llama, &o, &err);
  CHECK(text != NULL && err == NULL);
  snprintf(args, sizeof args,
           "inspect '%s/configs/meta-llama__Llama-3.1-8B' --context 32k --batch 2 --kv-dtype q8_0 "
           "--runtime llama.cpp",
           g_data);
  check_same_as_cli(text, args);
  kvspec_model_free(llama);
}

static void test_fit_compare_families(void) {
  kvspec_model* llama = load_config("meta-llama__Llama-3.1-8B");
  kvspec_model* small = load_config("meta-llama__Llama-3.2-1B-Instruct");
  if (llama == NULL || small == NULL) {
    kvspec_model_free(llama);
    kvspec_model_free(small);
    return;
  }
  kvspec_error* err = NULL;
  kvspec_options o;
  kvspec_options_init(&o);

  /* fit in 24 GiB: 25769803776 − 16060522496 weights (8030261248 parameters × 2 bytes) = 9709281280 for
   * the cache; / 131072 per token = 74075.3, so 74075 tokens. */
  o.memory = "24GiB";
  char* json = kvspec_fit_json(llama, &o, &err);
  CHECK(json != NULL && err == NULL);
  CHECK(contains(json, "\"cache_budget_bytes\": 9709281280,"));
  CHECK(contains(json, "\"context\": 74075,"));
  char args[4096];
  snprintf(args, sizeof args, "fit '%s/configs/meta-llama__Llama-3.1-8B' --memory 24GiB --json", g_data);
  check_same_as_cli(json, args);

  /* vLLM's share of memory: 0.5 × 24 GiB = 12 GiB for weights and cache; 12 GiB − 4 GiB of weights =
   * 8589934592 bytes for the cache, / 131072 per token = 65536 tokens. */
  kvspec_options_init(&o);
  o.memory = "24GiB";
  o.weights = "4GiB";
  o.runtime = "vllm";
  o.gpu_memory_utilization = 0.5;
  json = kvspec_fit_json(llama, &o, &err);
  CHECK(json != NULL && err == NULL);
  CHECK(contains(json, "\"cache_budget_bytes\": 8589934592,"));
  CHECK(contains(json, "\"context\": 65536,"));
  snprintf(args, sizeof args,
           "fit '%s/configs/meta-llama__Llama-3.1-8B' --runtime vllm --memory 24GiB --weights 4GiB "
           "--gpu-memory-utilization 0.5 --json",
           g_data);
  check_same_as_cli(json, args);

  /* Side by side at 4096 tokens. */
  kvspec_options_init(&o);
  o.context = "4k";
  const kvspec_model* both[2] = {llama, small};
  json = kvspec_compare_json(both, 2, &o, &err);
  CHECK(json != NULL && err == NULL);
  snprintf(args, sizeof args,
           "compare '%s/configs/meta-llama__Llama-3.1-8B' '%s/configs/meta-llama__Llama-3.2-1B-Instruct' "
           "--context 4k --json",
           g_data, g_data);
  check_same_as_cli(json, args);

  json = kvspec_families_json(&err);
  CHECK(json != NULL && err == NULL);
  check_same_as_cli(json, "families --json");

  /* The bundled example, as `kvspec` with no MODEL. */
  kvspec_model* example = kvspec_model_load_example(&err);
  CHECK(example != NULL && err == NULL);
  json = kvspec_inspect_json(example, NULL, &err);
  CHECK(json != NULL && err == NULL);
  check_same_as_cli(json, "inspect --json");
  kvspec_options_init(&o);
  o.memory = "24GiB";
  json = kvspec_fit_json(example, &o, &err);
  CHECK(json != NULL && err == NULL);
  check_same_as_cli(json, "fit --memory 24GiB --json");

  kvspec_model_free(example);
  kvspec_model_free(llama);
  kvspec_model_free(small);
}

/* `err` is set with `code` and its field is `field`; then freed. */
static void check_error(kvspec_error* err, kvspec_code code, const char* field) {
  CHECK(err != NULL);
  CHECK(kvspec_error_code(err) == code);
  CHECK(strcmp(kvspec_error_field(err), field) == 0);
  CHECK(kvspec_error_message(err)[0] != '\0');
  if (kvspec_error_code(err) != code || strcmp(kvspec_error_field(err), field) != 0)
    fprintf(stderr, "  got %s: %s\n", kvspec_code_name(kvspec_error_code(err)), kvspec_error_message(err));
  kvspec_error_free(err);
}

static void test_errors(void) {
  kvspec_error* err = NULL;

  /* NULL where an object is required: a usage error, never a crash; `err` may itself be NULL. */
  CHECK(kvspec_model_load(NULL, NULL, &err) == NULL);
  check_error(err, KVSPEC_ERROR_USAGE, "model");
  CHECK(kvspec_model_load(NULL, NULL, NULL) == NULL);
  CHECK(kvspec_inspect_json(NULL, NULL, &err) == NULL);
  check_error(err, KVSPEC_ERROR_USAGE, "model");
  CHECK(kvspec_fit_text(NULL, NULL, NULL) == NULL);
  CHECK(kvspec_compare_json(NULL, 1, NULL, &err) == NULL);
  check_error(err, KVSPEC_ERROR_USAGE, "models");

  /* A missing path: not_found, the message naming it, as the CLI prints it after "kvspec: error: ". */
  char path[2048];
  snprintf(path, sizeof path, "%s/configs/no-such-model", g_data);
  CHECK(kvspec_model_load(path, NULL, &err) == NULL);
  CHECK(kvspec_error_code(err) == KVSPEC_ERROR_NOT_FOUND);
  CHECK(contains(kvspec_error_message(err), path));
  char args[4096], line[8192];
  snprintf(args, sizeof args, "inspect '%s' 2>&1", path);
  snprintf(line, sizeof line, "kvspec: error: %s\n", kvspec_error_message(err));
  char* cli = run_cli(args);
  CHECK(cli != NULL && strcmp(cli, line) == 0);
  free(cli);
  kvspec_error_free(err);

  kvspec_model* llama = load_config("meta-llama__Llama-3.1-8B");
  if (llama == NULL) return;
  kvspec_options o;

  /* Bad options: the field is the struct's ("context"), where the CLI names its flag ("--context"). */
  kvspec_options_init(&o);
  o.context = "0";
  CHECK(kvspec_inspect_json(llama, &o, &err) == NULL);
  CHECK(contains(kvspec_error_message(err), "field 'context'"));
  CHECK(strcmp(kvspec_error_found(err), "'0'") == 0);
  check_error(err, KVSPEC_ERROR_USAGE, "context");
  kvspec_options_init(&o);
  o.kv_dtype = "f12";
  CHECK(kvspec_inspect_json(llama, &o, &err) == NULL);
  check_error(err, KVSPEC_ERROR_USAGE, "kv_dtype");
  kvspec_options_init(&o);
  o.memory = "24"; /* a bare number: GiB or GB? */
  CHECK(kvspec_fit_json(llama, &o, &err) == NULL);
  check_error(err, KVSPEC_ERROR_USAGE, "memory");
  kvspec_options_init(&o); /* fit needs memory */
  CHECK(kvspec_fit_json(llama, &o, &err) == NULL);
  check_error(err, KVSPEC_ERROR_USAGE, "memory");
  o.weights = "16GiB"; /* only fit takes weights */
  CHECK(kvspec_inspect_json(llama, &o, &err) == NULL);
  check_error(err, KVSPEC_ERROR_USAGE, "weights");
  kvspec_options_init(&o);
  o.struct_size = 0; /* not initialized */
  CHECK(kvspec_inspect_json(llama, &o, &err) == NULL);
  check_error(err, KVSPEC_ERROR_USAGE, "struct_size");
  o.struct_size = sizeof o + 8; /* a newer header's struct: fields this library cannot know */
  CHECK(kvspec_inspect_json(llama, &o, &err) == NULL);
  check_error(err, KVSPEC_ERROR_USAGE, "struct_size");

  const kvspec_model* none[1] = {NULL};
  CHECK(kvspec_compare_json(none, 1, NULL, &err) == NULL);
  check_error(err, KVSPEC_ERROR_USAGE, "models[0]");
  CHECK(kvspec_compare_json(none, 0, NULL, &err) == NULL);
  check_error(err, KVSPEC_ERROR_USAGE, "count");

  kvspec_load_options lo;
  kvspec_load_options_init(&lo);
  lo.format = "safetensors";
  CHECK(kvspec_model_load("x", &lo, &err) == NULL);
  check_error(err, KVSPEC_ERROR_USAGE, "format");
  CHECK(kvspec_model_load("", NULL, &err) == NULL);
  check_error(err, KVSPEC_ERROR_USAGE, "model");

  /* A success clears *err. */
  err = NULL;
  char* json = kvspec_inspect_json(llama, NULL, &err);
  CHECK(json != NULL && err == NULL);
  kvspec_string_free(json);
  kvspec_model_free(llama);

  /* Freeing NULL is a no-op; accessors on NULL answer "" / KVSPEC_OK. */
  kvspec_model_free(NULL);
  kvspec_string_free(NULL);
  kvspec_error_free(NULL);
  kvspec_options_init(NULL);
  kvspec_load_options_init(NULL);
  CHECK(kvspec_error_code(NULL) == KVSPEC_OK);
  CHECK(strcmp(kvspec_error_message(NULL), "") == 0);
  CHECK(strcmp(kvspec_error_file(NULL), "") == 0);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s KVSPEC_CLI TEST_DATA_DIR\n", argv[0]);
    return 2;
  }
  g_cli = argv[1];
  g_data = argv[2];
  test_version();
  test_inspect();
  test_fit_compare_families();
  test_errors();
  if (g_failures != 0) {
    fprintf(stderr, "%d check(s) failed\n", g_failures);
    return 1;
  }
  puts("c_api: all checks passed");
  return 0;
}
