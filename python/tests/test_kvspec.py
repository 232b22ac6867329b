"""The Python module against figures worked out by hand from the models' configs (arithmetic beside each).

Run by CTest (python/CMakeLists.txt) with PYTHONPATH at the built module and KVSPEC_TEST_DATA / KVSPEC_EXAMPLE set.
"""
import os
import pathlib
import subprocess
import tempfile
import unittest

import kvspec

DATA = pathlib.Path(os.environ["KVSPEC_TEST_DATA"])
EXAMPLE = pathlib.Path(os.environ["KVSPEC_EXAMPLE"])
CONFIGS = DATA / "configs"


class Inspect(unittest.TestCase):
    def test_bundled_example_gemma3_12b(self):
        # Gemma-3-12B text: 48 layers, 8 KV heads x 256, window 1024, every 6th layer global (5, 11, ..., 47).
        spec = kvspec.inspect(context="32k")
        self.assertEqual(spec["num_layers"], 48)
        kinds = [layer["kind"] for layer in spec["layers"]]
        self.assertEqual([i for i, k in enumerate(kinds) if k == "full_attention"], list(range(5, 48, 6)))
        # per layer and token: 2 (K, V) x 8 heads x 256 x 2 B = 8192 B; 48 x 8192 = 393216
        self.assertEqual(spec["kv_bytes_per_token"], 393216)
        # 40 sliding x 1024 x 8192 = 335'544'320; 8 full x 32768 x 8192 = 2'147'483'648
        self.assertEqual(spec["cache"]["total_bytes"], 335_544_320 + 2_147_483_648)

    def test_path_and_pathlike_agree(self):
        a = kvspec.inspect(str(EXAMPLE), context=1024)
        b = kvspec.inspect(EXAMPLE, context="1k")
        self.assertEqual(a["cache"], b["cache"])
        # every layer holds 1024 tokens: 48 x 1024 x 8192 = 402'653'184 (384 MiB)
        self.assertEqual(a["cache"]["total_bytes"], 402_653_184)

    def test_llama_cpp_runtime_options(self):
        # Llama-3.1-8B: 32 layers, 8 KV heads x 128. llama.cpp -c 8192 -np 2 -ctk q8_0 -ctv q8_0:
        # a row of 1024 values = 32 q8_0 blocks x 34 B = 1088 B; 32 x 8192 cells x (1088 + 1088)
        # context is tokens per sequence: 4096 x 2 sequences = -c 8192
        spec = kvspec.inspect(CONFIGS / "meta-llama__Llama-3.1-8B", context=4096, parallel=2,
                              runtime="llama.cpp", kv_dtype="q8_0", flash_attn="on")
        self.assertEqual(spec["cache"]["total_bytes"], 32 * 8192 * 2 * 1088)
        self.assertEqual(spec["cache"]["cells"], 4096)  # two streams of 8192 / 2

    def test_images_keyword(self):
        # Llama-3.2-90B-Vision, f16: 80 self-attention layers x 8 x 128 x 2 (K, V) x 2 B = 4096 B per token each;
        # 20 cross-attention layers hold 4 tiles x ((560 / 14)^2 + 1) = 6404 tokens per image.
        model = CONFIGS / "meta-llama__Llama-3.2-90B-Vision-Instruct"
        text_only = kvspec.inspect(model, context=8192, images=0)["cache"]
        self.assertEqual(text_only["total_bytes"], 80 * 4096 * 8192)
        self.assertEqual(text_only["images"], 0)
        two = kvspec.inspect(model, context=8192, images=2, runtime="transformers")["cache"]
        self.assertEqual(two["total_bytes"], 80 * 4096 * 8192 + 2 * 20 * 4096 * 6404)
        self.assertEqual(two["peak_bytes"], two["total_bytes"])

    def test_summary_is_the_cli_text(self):
        cli = os.environ.get("KVSPEC_CLI")
        text = kvspec.summary(EXAMPLE, context="32k")
        self.assertIn("2483027968 B", text)  # 335'544'320 + 2'147'483'648
        if cli:
            out = subprocess.run([cli, "inspect", str(EXAMPLE), "--context", "32k"], capture_output=True,
                                 text=True, check=True).stdout
            self.assertEqual(text, out)


class Compare(unittest.TestCase):
    def test_two_models(self):
        out = kvspec.compare([CONFIGS / "meta-llama__Llama-3.1-8B", CONFIGS / "Qwen__Qwen2.5-14B-Instruct"],
                             context=1024)
        totals = [m["cache"]["total_bytes"] for m in out["models"]]
        # Llama-3.1-8B: 32 x 1024 x 2 x 8 x 128 x 2 B = 134'217'728; Qwen2.5-14B: 48 layers, 8 x 128: 201'326'592
        self.assertEqual(totals, [134_217_728, 201_326_592])


class Fit(unittest.TestCase):
    def test_largest_context_and_the_next_token(self):
        # Llama-3.1-8B with 16 GiB of weights stated, 24 GiB memory, exact runtime: the cache gets 8 GiB =
        # 8'589'934'592 B at 131'072 B per token (32 x 2 x 8 x 128 x 2) -> 65'536 tokens, exactly.
        out = kvspec.fit(CONFIGS / "meta-llama__Llama-3.1-8B", memory="24GiB", weights="16GiB")
        self.assertEqual(out["weights"]["bytes"], 16 * 2**30)
        self.assertEqual((out["target"], out["context"], out["batch"]), ("context", 65536, 1))
        self.assertEqual(out["cache_bytes"], 65536 * 131_072)
        self.assertEqual(out["next_step_cache_bytes"], 65537 * 131_072)

    def test_memory_in_bytes(self):
        a = kvspec.fit(CONFIGS / "meta-llama__Llama-3.1-8B", memory=24 * 2**30, weights=16 * 2**30)
        self.assertEqual(a["context"], 65536)


    def test_max_context_and_format_keywords(self):
        # The bundled Gemma-3-12B, exact runtime: 65'536 B per token past the 40 sliding layers' fixed
        # 335'544'320 B; this budget allows 155'904 tokens, capped at the model's 131'072 unless max_context.
        budget = 335_544_320 + 155_904 * 65_536
        capped = kvspec.fit(memory=budget, weights=0)
        self.assertEqual((capped["context"], capped["memory_allows_context"]), (131_072, 155_904))
        self.assertTrue(capped["context_capped"])
        self.assertEqual(kvspec.fit(memory=budget, weights=0, max_context="1M")["context"], 155_904)
        spec = kvspec.inspect(CONFIGS / "meta-llama__Llama-3.1-8B", format="hf")
        self.assertEqual(spec["source_format"], "hf")


class Errors(unittest.TestCase):
    def test_bad_config_names_file_and_field(self):
        with tempfile.TemporaryDirectory() as d:
            path = pathlib.Path(d) / "config.json"
            path.write_text('{"model_type": "llama", "num_hidden_layers": -3, "hidden_size": 4096, '
                            '"num_attention_heads": 32}')
            with self.assertRaises(kvspec.Error) as caught:
                kvspec.inspect(d)
        e = caught.exception
        self.assertIsInstance(e, ValueError)
        self.assertEqual(e.code, "bad_input")
        self.assertTrue(e.file.endswith("config.json"))
        self.assertEqual(e.field, "num_hidden_layers")
        self.assertIn("-3", e.found)

    def test_missing_model(self):
        with self.assertRaises(kvspec.Error) as caught:
            kvspec.inspect("/nonexistent/kvspec/model")
        self.assertEqual(caught.exception.code, "not_found")

    def test_bad_option_value_and_name(self):
        with self.assertRaises(kvspec.Error) as caught:
            kvspec.inspect(context="lots")
        self.assertEqual(caught.exception.field, "context")  # the keyword, not the flag
        with self.assertRaises(kvspec.Error) as caught:
            kvspec.inspect(context=1024, kv_dtype="f17")
        self.assertEqual(caught.exception.field, "kv_dtype")  # not --kv-dtype
        self.assertNotIn("--kv-dtype", str(caught.exception))
        for batch in (0, -2):
            with self.assertRaises(kvspec.Error) as caught:
                kvspec.inspect(context=1024, batch=batch)
            self.assertEqual((caught.exception.field, caught.exception.found), ("batch", str(batch)))
        with self.assertRaises(TypeError):
            kvspec.inspect(contxt=1024)
        with self.assertRaises(TypeError):
            kvspec.inspect(contxt=None)
        with self.assertRaises(TypeError):
            kvspec.inspect(weights="1GiB")  # fit only
        with self.assertRaises(TypeError):
            kvspec.inspect(context=1024.5)
        with self.assertRaises(ValueError):
            kvspec.inspect(context=10**30)
        with self.assertRaises(kvspec.Error) as caught:
            kvspec.inspect(context=2**62)  # past kvspec's token bound (2^40): a usage error, not a wrap
        self.assertEqual(caught.exception.code, "usage")

    def test_nul_and_lone_surrogates_are_refused_naming_the_argument(self):
        # A NUL was cut at the C library: "org/model@main\0zzz" resolved "main".
        for call in (lambda: kvspec.inspect("org/model@main\x00zzz"),
                     lambda: kvspec.inspect(str(EXAMPLE) + "\x00x"),
                     lambda: kvspec.inspect(pathlib.Path(str(EXAMPLE) + "\x00x"))):
            with self.assertRaises(ValueError) as caught:
                call()
            self.assertIn("model", str(caught.exception))
            self.assertIn("NUL", str(caught.exception))
        with self.assertRaises(ValueError) as caught:
            kvspec.inspect(context=1024, kv_dtype="f16\x00x")
        self.assertIn("kv_dtype", str(caught.exception))
        # A lone surrogate raised RuntimeError.
        with self.assertRaises(ValueError) as caught:
            kvspec.inspect("org/\udc80model")
        self.assertIn("model", str(caught.exception))
        self.assertIn("surrogate", str(caught.exception))
        with self.assertRaises(ValueError) as caught:
            kvspec.inspect(context=1024, runtime="mlx\udc80")
        self.assertIn("runtime", str(caught.exception))

    def test_invalid_utf8_path_in_an_error(self):
        # bytes paths are taken as they are; the error's file comes back as os.fsdecode would give it.
        with self.assertRaises(kvspec.Error) as caught:
            kvspec.inspect(b"/nonexistent/kvspec/\xff\x1b")
        self.assertEqual(caught.exception.code, "not_found")
        self.assertEqual(caught.exception.file, "/nonexistent/kvspec/\udcff\x1b")
        self.assertIn("\\xff\\x1b", str(caught.exception))

    def test_compare_refuses_none_and_kv_bits_zero_is_refused(self):
        with self.assertRaises(TypeError) as caught:
            kvspec.compare([str(EXAMPLE), None])
        self.assertIn("models[1]", str(caught.exception))
        self.assertNotIn("empty string", str(caught.exception))
        with self.assertRaises(kvspec.Error) as caught:
            kvspec.inspect(context=1024, runtime="mlx", kv_bits=0)  # as batch=0 is
        self.assertEqual((caught.exception.field, caught.exception.found), ("kv_bits", "0"))
        # None still means "not given": an unquantized cache.
        self.assertIn("cache", kvspec.inspect(context=1024, runtime="mlx", kv_bits=None))

    def test_text_from_files_is_escaped(self):
        with tempfile.TemporaryDirectory() as tmp:
            model = pathlib.Path(tmp) / "m\x1b[2J\u202e"
            model.mkdir()
            (model / "config.json").write_text(
                '{"model_type": "llama", "num_hidden_layers": 2, "num_attention_heads": 4, "hidden_size": 256,'
                ' "torch_dtype": "bf16\\u001b]0;t\\u0007"}')
            text = kvspec.summary(model, context=1024)
            self.assertNotIn("\x1b", text)
            self.assertNotIn("\u202e", text)
            self.assertIn("m\\x1b[2J\\u202e", text)
            self.assertIn("bf16\\x1b]0;t\\x07", text)
            # The dict keeps the real value (JSON escapes it, json.loads restores it).
            self.assertEqual(kvspec.inspect(model)["source"], str(model))
            (model / "config.json").write_text('{"model_type": "x\\u001b[2J"}')
            with self.assertRaises(kvspec.Error) as caught:
                kvspec.inspect(model)
            self.assertNotIn("\x1b", str(caught.exception))
            self.assertIn("\\x1b[2J", str(caught.exception))

    def test_fit_needs_memory(self):
        with self.assertRaises(kvspec.Error) as caught:
            kvspec.fit()
        self.assertEqual(caught.exception.field, "memory")


class Stores(unittest.TestCase):
    def test_ollama_name_equals_its_blob(self):
        # A fake Ollama store: one manifest whose model layer names a GGUF blob (a fixture copied in).
        with tempfile.TemporaryDirectory() as store:
            root = pathlib.Path(store)
            blob = root / "blobs" / ("sha256-" + "a" * 64)
            blob.parent.mkdir(parents=True)
            blob.write_bytes((DATA / "gguf" / "llama31_8b.gguf").read_bytes())
            manifest = root / "manifests/registry.ollama.ai/library/llama3.1/8b"
            manifest.parent.mkdir(parents=True)
            manifest.write_text('{"layers": [{"mediaType": "application/vnd.ollama.image.model", '
                                '"digest": "sha256:' + "a" * 64 + '", "size": 1}]}')
            old = os.environ.get("OLLAMA_MODELS")
            os.environ["OLLAMA_MODELS"] = store
            try:
                by_name = kvspec.inspect("ollama:llama3.1:8b")
                by_path = kvspec.inspect(blob)
                with self.assertRaises(kvspec.Error) as caught:
                    kvspec.inspect("ollama:absent")
            finally:
                if old is None:
                    del os.environ["OLLAMA_MODELS"]
                else:
                    os.environ["OLLAMA_MODELS"] = old
            self.assertEqual(by_name.pop("source"), "ollama:llama3.1:8b")
            by_path.pop("source")
            self.assertEqual(by_name, by_path)
            self.assertEqual(caught.exception.code, "not_found")
            self.assertIn("ollama model 'absent:latest' not found", str(caught.exception))


class Families(unittest.TestCase):
    def test_registry_lists_rules_with_sources(self):
        fams = {f["model_type"]: f for f in kvspec.families()}
        self.assertIn("llama", fams)
        self.assertIn("deepseek_v3", fams)
        self.assertTrue(all(f["source"] for f in fams.values()))

    def test_version(self):
        self.assertRegex(kvspec.__version__, r"^\d+\.\d+\.\d+$")


class Remote(unittest.TestCase):
    """Remote-model keywords, without network: HF_ENDPOINT is a closed port (python/CMakeLists.txt) and kvspec's
    cache an empty temporary folder, so only the offline and usage paths can answer."""

    def setUp(self):
        self.cache = tempfile.TemporaryDirectory()
        self.saved = {k: os.environ.get(k) for k in ("KVSPEC_CACHE", "HF_HUB_OFFLINE")}
        os.environ["KVSPEC_CACHE"] = self.cache.name
        os.environ.pop("HF_HUB_OFFLINE", None)

    def tearDown(self):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        self.cache.cleanup()

    def assert_not_cached(self, call):
        with self.assertRaises(kvspec.Error) as ctx:
            call()
        e = ctx.exception
        self.assertEqual(e.code, "not_found")
        self.assertIn("hf://org/absent", str(e))
        self.assertIn("offline", str(e))
        self.assertIn("not in kvspec's cache", str(e))
        self.assertEqual(os.listdir(self.cache.name), [])  # nothing written

    def test_offline_keyword_and_env_give_a_clear_error(self):
        self.assert_not_cached(lambda: kvspec.inspect("hf://org/absent", offline=True, quiet=True))
        self.assert_not_cached(lambda: kvspec.fit("hf://org/absent", memory="24GiB", offline=True))
        os.environ["HF_HUB_OFFLINE"] = "1"
        self.assert_not_cached(lambda: kvspec.inspect("hf://org/absent"))
        self.assert_not_cached(lambda: kvspec.compare(["hf://org/absent", EXAMPLE]))

    def test_no_cache_with_offline_is_a_usage_error(self):
        with self.assertRaises(kvspec.Error) as ctx:
            kvspec.inspect("hf://org/absent", offline=True, no_cache=True)
        self.assertEqual(ctx.exception.code, "usage")
        self.assertIn("--no-cache", str(ctx.exception))

    def test_timeouts_and_retries_are_checked_like_the_cli_flags(self):
        for kw, value in (("timeout", 0), ("connect_timeout", -1.5), ("retry_wait", float("nan")), ("retries", -1)):
            with self.assertRaises(kvspec.Error, msg=kw) as ctx:
                kvspec.inspect("hf://org/absent", offline=True, **{kw: value})
            self.assertEqual((ctx.exception.code, ctx.exception.field), ("usage", kw))
        for kw, value in (("offline", "yes"), ("timeout", True), ("timeout", "5"), ("retries", 1.5)):
            with self.assertRaises(TypeError, msg=kw):
                kvspec.inspect("hf://org/absent", **{kw: value})
        # Accepted (ints or floats; retry_wait may be 0), then the offline error as before.
        self.assert_not_cached(lambda: kvspec.inspect("hf://org/absent", offline=True, refresh=False, timeout=2,
                                                      connect_timeout=0.5, retries=0, retry_wait=0))


class Stubs(unittest.TestCase):
    def test_stub_functions_and_keywords_are_the_modules(self):
        import ast
        stub = ast.parse((pathlib.Path(kvspec.__file__).parent / "__init__.pyi").read_text())
        funcs = {f.name: f for f in stub.body if isinstance(f, ast.FunctionDef)}
        self.assertEqual(set(funcs), {"inspect", "summary", "compare", "fit", "families"})
        self.assertTrue((pathlib.Path(kvspec.__file__).parent / "py.typed").exists())
        for name, f in funcs.items():
            keywords = {a.arg: None for a in f.args.kwonlyargs}
            self.assertEqual("weights" in keywords, name == "fit", name)
            call = getattr(kvspec, name)
            args = [[EXAMPLE]] if name == "compare" else []
            try:  # every keyword the stub declares is accepted (None = not given): no TypeError
                call(*args, **keywords)
            except kvspec.Error as e:
                self.assertEqual((name, e.field), ("fit", "memory"))  # fit needs memory


class VllmKeywords(unittest.TestCase):
    def test_gpu_memory_utilization_and_kv_dtype_auto(self):
        llama = CONFIGS / "meta-llama__Llama-3.1-8B"
        r = kvspec.fit(llama, memory="24GiB", weights="4GiB", runtime="vllm", gpu_memory_utilization=0.5)
        # 24 GiB x 0.5 = 12,884,901,888 planned; minus 4 GiB of weights = 8 GiB for the cache; 131,072 B per
        # token at f16 -> 65,536 tokens.
        self.assertEqual(r["schema_version"], 1)
        self.assertEqual(r["overhead_bytes"], 12_884_901_888)
        self.assertEqual(r["cache_budget_bytes"], 8_589_934_592)
        self.assertEqual(r["context"], 65_536)
        self.assertTrue(r["fits"])
        with self.assertRaises(kvspec.Error) as e:
            kvspec.fit(llama, memory="24GiB", runtime="vllm", gpu_memory_utilization=1.5)
        self.assertEqual(e.exception.field, "gpu_memory_utilization")
        with self.assertRaises(kvspec.Error) as e:  # 0 is not "not given" (None is)
            kvspec.fit(llama, memory="24GiB", runtime="vllm", gpu_memory_utilization=0.0)
        self.assertEqual(e.exception.field, "gpu_memory_utilization")
        # Qwen2.5-3B states bfloat16: auto sizes it as bf16.
        qwen = CONFIGS / "Qwen__Qwen2.5-3B-Instruct"
        auto = kvspec.inspect(qwen, context=4096, kv_dtype="auto")
        self.assertEqual(auto["cache"]["kv_dtype"], "bf16")
        self.assertEqual(auto["cache"]["total_bytes"], 150_994_944)  # 4096 x 36 x 2 x 128 x 2 x 2 B


if __name__ == "__main__":
    unittest.main()
