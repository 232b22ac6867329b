"""kvspec: a model's KV cache, layer by layer, from its files — before you download or load it.

inspect(), summary(), compare() and fit() return what `kvspec ... --json` prints (README.md documents the keys);
the functions live in the compiled extension kvspec._kvspec (python/kvspec_module.cpp).
"""
from ._kvspec import Error, __version__, compare, families, fit, inspect, summary

__all__ = ["Error", "__version__", "compare", "families", "fit", "inspect", "summary"]
