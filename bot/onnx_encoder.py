"""Questions embedded without torch: the index's model, exported once to ONNX, run by onnxruntime.

Importing torch and sentence-transformers and loading the model costs a new `casebot ask`
process about ten CPU-seconds and half a gigabyte before it reads the question;
onnxruntime running the same weights, pooling and normalisation costs a fraction of
that and gives the same vectors. The export needs torch and happens when an index is
built (`export`, into the cache dir, keyed by model name and weights checksum); queries
need only `tokenizers`, `onnxruntime` and numpy (`OnnxEncoder`). Every index records a
few probe sentences' vectors from the model that built it, and `query_encoder` uses the
ONNX copy only when it reproduces them; otherwise it falls back to sentence-transformers
and logs why.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import EmbedderError

if TYPE_CHECKING:  # the torch side, imported only where an index is built
    from .config import Settings
    from .embed import Embedder, QueryEncoder, TextEncoder

log = logging.getLogger(__name__)

ENCODERS_DIR = "encoders"  # under the cache dir: one folder per model name + weights checksum
MODEL_FILE, TOKENIZER_FILE, CONFIG_FILE = "model.onnx", "tokenizer.json", "encoder.json"
OPSET = 17  # supported by the TorchScript exporter and every onnxruntime of the last years
SESSION_THREADS = 1  # one question at a time: a second thread only contends on a shared host
PROBE_COSINE = 0.999  # the same weights agree to ~1e-6 across kernels; lower means another model
PROBES = (  # varied in length and vocabulary, so a wrong tokenizer or pooling shows
    "What share of dermatomyositis patients develop calcinosis cutis?",
    "IVIg 2 g/kg monthly",
    "A 45-year-old woman presented with painful, stone-hard nodules over both elbows that had grown "
    "for three years despite treatment with diltiazem and colchicine.",
    "fever",
    "Sodium thiosulfate was given intravenously; the lesions softened within six months.",
)


class EncoderUnavailable(Exception):
    """Why the ONNX encoder cannot stand in for the model (the caller falls back or reports it)."""


class EncoderMissing(EncoderUnavailable):
    """The index's ONNX encoder is not in this user's cache (another user built the index, or the cache was cleared)."""


class OnnxEncoder:
    """The model's vectors for questions, from onnxruntime: no torch, one thread per session."""

    def __init__(self, directory: Path):
        import onnxruntime
        from tokenizers import Tokenizer

        config = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
        self.name, self.dimension, self.max_tokens = (
            config["model"],
            int(config["dimension"]),
            int(config["max_tokens"]),
        )
        self.directory = directory
        self._tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        self._tokenizer.enable_truncation(self.max_tokens)
        self._tokenizer.enable_padding(pad_id=int(config["pad_id"]), pad_token=config["pad_token"])
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = SESSION_THREADS
        options.log_severity_level = 3  # errors only
        self._session = onnxruntime.InferenceSession(
            str(directory / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (onnxruntime sessions are thread-safe)."""
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        encodings = self._tokenizer.encode_batch(texts)
        columns = {
            "input_ids": [e.ids for e in encodings],
            "attention_mask": [e.attention_mask for e in encodings],
            "token_type_ids": [e.type_ids for e in encodings],
        }
        feed = {name: np.asarray(rows, np.int64) for name, rows in columns.items() if name in self._inputs}
        vectors = np.asarray(self._session.run(None, feed)[0], np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def word_pieces(self, word: str) -> list[str]:
        """The model's word pieces for `word`, special tokens excluded."""
        return list(self._tokenizer.encode(word, add_special_tokens=False).tokens)


def probe_vectors(encoder: QueryEncoder) -> list[list[float]]:
    """The encoder's vectors for PROBES, as stored in an index's manifest."""
    return [[round(float(x), 7) for x in row] for row in encoder.encode(list(PROBES))]


def probe_agreement(encoder: QueryEncoder, recorded: list[list[float]]) -> float:
    """The lowest cosine between the encoder's probe vectors and the recorded ones."""
    want = np.asarray(recorded, np.float32)
    have = encoder.encode(list(PROBES))
    if want.shape != have.shape:
        return -1.0
    return float(np.min(np.sum(want * have, axis=1)))


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")[-60:] or "model"


def weights_key(embedder: Embedder) -> str:
    """Folder name for the embedder's export: its name plus a checksum of what shapes its vectors."""
    digest = hashlib.sha256()
    for key, tensor in sorted(embedder.model.state_dict().items()):
        digest.update(key.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    digest.update(_tokenizer_json(embedder).encode() if _fast(embedder) else b"")
    digest.update(f"{embedder.max_tokens} {[type(m).__name__ for m in embedder.model]}".encode())
    return f"{_slug(embedder.name)}-{digest.hexdigest()[:16]}"


def _tokenizer_json(embedder: Embedder) -> str:
    """The fast tokenizer without the truncation and padding its last caller left set."""
    spec = json.loads(embedder.tokenizer.backend_tokenizer.to_str())
    spec["truncation"] = spec["padding"] = None
    return json.dumps(spec, ensure_ascii=False)


def _fast(embedder: Embedder) -> bool:
    return getattr(embedder.tokenizer, "backend_tokenizer", None) is not None


def export(embedder: TextEncoder, cache_dir: Path) -> str | None:
    """Export the embedder's model to ONNX in the cache (once per model and weights); its key, or None.

    The whole sentence-transformers pipeline is traced (transformer, the model's own pooling,
    normalisation), so the ONNX graph computes exactly what `encode` does. The export is
    checked against the model on PROBES before it is published under its key; a model
    that cannot be exported (slow tokenizer, untraceable layers) keeps the torch query path.
    """
    from .embed import Embedder

    if not isinstance(embedder, Embedder):
        return None  # the hashing stand-in needs no export: it has no torch to avoid
    if not _fast(embedder):
        log.warning("no ONNX query encoder for %s: its tokenizer has no `tokenizers` form", embedder.name)
        return None
    key = weights_key(embedder)
    final = cache_dir / ENCODERS_DIR / key
    if (final / CONFIG_FILE).is_file():
        return key
    tmp = final.with_name(f".tmp-{key}-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        _write_export(embedder, tmp)
        agreement = probe_agreement(OnnxEncoder(tmp), probe_vectors(embedder))
        if agreement < PROBE_COSINE:
            raise EncoderUnavailable(f"the export disagrees with the model (probe cosine {agreement:.6f})")
        try:
            os.rename(tmp, final)
        except OSError:
            if not (final / CONFIG_FILE).is_file():  # not a concurrent exporter that won the race
                raise
    except Exception as exc:  # noqa: BLE001 - tracing arbitrary models fails in many ways; queries then use torch
        log.warning("no ONNX query encoder for %s: %s", embedder.name, str(exc).splitlines()[0] if str(exc) else exc)
        return None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("exported the query encoder for %s to %s", embedder.name, final)
    return key


def _write_export(embedder: Embedder, directory: Path) -> None:
    """Trace the model with dynamic batch and length axes; write graph, tokenizer and config."""
    import warnings

    import torch

    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in embedder.tokenizer.model_input_names]
    model = embedder.model

    class Pipeline(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            return self.model(dict(zip(names, inputs, strict=True)))["sentence_embedding"]

    sample = embedder.tokenizer(["a question", "a somewhat longer question here"], padding=True, return_tensors="pt")
    axes = {**{n: {0: "batch", 1: "tokens"} for n in names}, "sentence_embedding": {0: "batch"}}
    with embedder._lock, torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on Python branches that are constant for this model
        torch.onnx.export(
            Pipeline().eval(),
            tuple(sample[n] for n in names),
            str(directory / MODEL_FILE),
            input_names=names,
            output_names=["sentence_embedding"],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )
    tokenizer = embedder.tokenizer
    (directory / TOKENIZER_FILE).write_text(_tokenizer_json(embedder), encoding="utf-8")
    config = {
        "model": embedder.name,
        "dimension": embedder.dimension,
        "max_tokens": embedder.max_tokens,
        "pad_id": int(tokenizer.pad_token_id or 0),
        "pad_token": str(tokenizer.pad_token or "[PAD]"),
    }
    (directory / CONFIG_FILE).write_text(json.dumps(config, indent=2), encoding="utf-8")


@lru_cache(maxsize=4)
def _load(directory: Path) -> OnnxEncoder:
    return OnnxEncoder(directory)


def verified_encoder(cache_dir: Path, manifest: dict) -> OnnxEncoder:
    """The ONNX encoder recorded in an index's manifest, if it reproduces the index's probe vectors."""
    record = manifest.get("query_encoder")
    if not record:
        raise EncoderUnavailable("the index records no ONNX query encoder")
    directory = cache_dir / ENCODERS_DIR / record["key"]
    if not (directory / CONFIG_FILE).is_file() or not (directory / MODEL_FILE).is_file():
        raise EncoderMissing(f"the ONNX query encoder {directory} is missing")
    try:
        encoder = _load(directory)
    except ImportError as exc:
        raise EncoderUnavailable(f"onnxruntime or tokenizers is not installed ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - onnxruntime reports a damaged file with its own exception types
        raise EncoderUnavailable(f"the ONNX query encoder {directory} cannot be loaded ({str(exc)[:200]})") from None
    agreement = probe_agreement(encoder, record["probes"])
    if agreement < PROBE_COSINE:
        raise EncoderUnavailable(
            f"the ONNX query encoder {directory} does not match the index's model "
            f"(probe cosine {agreement:.6f} < {PROBE_COSINE})"
        )
    return encoder


def query_encoder(settings: Settings, manifest: dict) -> QueryEncoder:
    """The encoder for questions against an index, as `settings.model.query_encoder` asks.

    auto: ONNX when it matches the index, else sentence-transformers (the reason is logged);
    onnx: ONNX or an error; torch: sentence-transformers.
    """
    from .embed import HASHING_MODEL, get_embedder

    m = settings.model
    mode = m.query_encoder
    if mode != "torch" and m.model != HASHING_MODEL:  # the hashing embedder is lean already: no model, no ONNX
        try:
            return verified_encoder(settings.cache_dir, manifest)
        except EncoderUnavailable as exc:
            if mode == "onnx":
                raise EmbedderError(
                    f"query_encoder is onnx, but {exc}",
                    "run `casebot index update` (it exports the encoder), or set query_encoder to auto",
                ) from None
            if isinstance(exc, EncoderMissing) and (again := _export_again(settings, manifest)):
                return again
            log.warning(
                "answering with sentence-transformers instead of the lean ONNX encoder: %s "
                "(`casebot index update` exports it)",
                exc,
            )
    return get_embedder(m.model, m.offline, m.batch_size)


def _export_again(settings: Settings, manifest: dict) -> OnnxEncoder | None:
    """The index's encoder exported again into this user's cache, from the model the fallback would
    load anyway: one slow question instead of every question slow. None when that cannot be done."""
    from .embed import get_embedder

    m = settings.model
    try:
        key = export(get_embedder(m.model, m.offline, m.batch_size), settings.cache_dir)
        if key != manifest["query_encoder"]["key"]:
            return None  # the model installed here is not the index's: the caller says so
        encoder = verified_encoder(settings.cache_dir, manifest)
    except (OSError, EncoderUnavailable) as exc:
        log.debug("cannot export the query encoder again: %s", exc)
        return None
    log.info("exported the lean ONNX query encoder to %s; later questions use it", encoder.directory)
    return encoder
