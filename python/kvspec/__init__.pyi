# Types of the kvspec module (python/kvspec_module.cpp). The keyword-only options follow the module's
# kKeywords table in its order; None means "not given". Results are the JSON contract's objects (README.md).
import os
from typing import Any, TypeAlias

Model: TypeAlias = str | bytes | os.PathLike[str] | os.PathLike[bytes]

__version__: str

class Error(ValueError):
    code: str  # "bad_input", "not_found", "io", "usage" or "internal"
    file: str
    field: str  # the config field at fault, or the keyword argument ("context", "kv_dtype")
    expected: str
    found: str
    detail: str

def inspect(
    model: Model | None = None,
    *,
    context: int | str | None = None,
    batch: int | None = None,
    kv_dtype: str | None = None,
    v_dtype: str | None = None,
    hf_cache: str | None = None,
    runtime: str | None = None,
    images: int | None = None,
    parallel: int | None = None,
    kv_unified: bool | None = None,
    ubatch: int | None = None,
    flash_attn: str | None = None,
    swa_full: bool | None = None,
    kv_bits: int | None = None,
    block_size: int | None = None,
    max_num_batched_tokens: int | None = None,
    gpu_memory_utilization: float | None = None,
    tp: int | None = None,
    pp: int | None = None,
    memory: int | str | None = None,
    reserve: int | str | None = None,
    max_context: int | str | None = None,
    format: str | None = None,
) -> dict[str, Any]: ...
def summary(
    model: Model | None = None,
    *,
    context: int | str | None = None,
    batch: int | None = None,
    kv_dtype: str | None = None,
    v_dtype: str | None = None,
    hf_cache: str | None = None,
    runtime: str | None = None,
    images: int | None = None,
    parallel: int | None = None,
    kv_unified: bool | None = None,
    ubatch: int | None = None,
    flash_attn: str | None = None,
    swa_full: bool | None = None,
    kv_bits: int | None = None,
    block_size: int | None = None,
    max_num_batched_tokens: int | None = None,
    gpu_memory_utilization: float | None = None,
    tp: int | None = None,
    pp: int | None = None,
    memory: int | str | None = None,
    reserve: int | str | None = None,
    max_context: int | str | None = None,
    format: str | None = None,
) -> str: ...
def compare(
    models: list[Model],
    *,
    context: int | str | None = None,
    batch: int | None = None,
    kv_dtype: str | None = None,
    v_dtype: str | None = None,
    hf_cache: str | None = None,
    runtime: str | None = None,
    images: int | None = None,
    parallel: int | None = None,
    kv_unified: bool | None = None,
    ubatch: int | None = None,
    flash_attn: str | None = None,
    swa_full: bool | None = None,
    kv_bits: int | None = None,
    block_size: int | None = None,
    max_num_batched_tokens: int | None = None,
    gpu_memory_utilization: float | None = None,
    tp: int | None = None,
    pp: int | None = None,
    memory: int | str | None = None,
    reserve: int | str | None = None,
    max_context: int | str | None = None,
    format: str | None = None,
) -> dict[str, Any]: ...
def fit(
    model: Model | None = None,
    *,
    context: int | str | None = None,
    batch: int | None = None,
    kv_dtype: str | None = None,
    v_dtype: str | None = None,
    hf_cache: str | None = None,
    runtime: str | None = None,
    images: int | None = None,
    parallel: int | None = None,
    kv_unified: bool | None = None,
    ubatch: int | None = None,
    flash_attn: str | None = None,
    swa_full: bool | None = None,
    kv_bits: int | None = None,
    block_size: int | None = None,
    max_num_batched_tokens: int | None = None,
    gpu_memory_utilization: float | None = None,
    tp: int | None = None,
    pp: int | None = None,
    memory: int | str | None = None,
    reserve: int | str | None = None,
    weights: int | str | None = None,
    max_context: int | str | None = None,
    format: str | None = None,
) -> dict[str, Any]: ...
def families() -> list[dict[str, Any]]: ...
