"""The question adapter: a learned linear map that moves a question's vector toward the sentence answering it.

A clinician's question names the patient and what is asked ("Did the 72-year-old's eye droop get
better after his pituitary operation?"); all-MiniLM-L6-v2 puts it nearest the sentences of the
paper that repeat the description ("He had drooping of the left eyelid"), not the one that answers
("The ptosis had recovered completely three months after the operation"). Given the right paper,
the model's cosine picks the answering sentence first for 37% of the development questions. The
map q -> normalise(q + q·Δ), Δ a d×d matrix fit on those questions (`fit`, run by
`bench/fit_adapter.py`), picks it for 52% of questions from sets it was not fit on
(leave-one-set-out; scoring.ADAPTER_L2 says how it was chosen). Stage 2 scores each passage by its
best sentence under the adapted question (retrieve.Retriever.pool); the answer's choice of
sentence and the abstention cosine keep the model's own cosines, where the adapter measured no
gain.

A map belongs to one model: its file stores the vectors that model gives onnx_encoder.PROBES, and
it is used only with an index whose model reproduces them (the cosine the ONNX encoder is held to).
The file is an .npz of plain arrays, read with allow_pickle=False.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import ConfigError
from .onnx_encoder import PROBE_COSINE, PROBES

if TYPE_CHECKING:
    from .config import Settings
    from .embed import QueryEncoder

log = logging.getLogger(__name__)

PACKAGED = Path(__file__).with_name("data") / "question_adapter.npz"


@dataclass(frozen=True)
class QuestionAdapter:
    delta: np.ndarray  # (d, d) float32: the learned change of the identity map
    probes: np.ndarray  # (len(PROBES), d) float32: the vectors of the model it was fit for
    model: str  # that model's name, for messages

    def apply(self, vector: np.ndarray) -> np.ndarray:
        """The adapted question vector, unit length like the model's."""
        moved = vector + vector @ self.delta
        return (moved / max(float(np.linalg.norm(moved)), 1e-12)).astype(np.float32)

    def agreement(self, probes: np.ndarray) -> float:
        """The lowest cosine between these probe vectors and the ones it was fit for (-1: another shape)."""
        if probes.shape != self.probes.shape:
            return -1.0
        return float(np.min(np.sum(probes * self.probes, axis=1)))

    def save(self, path: Path) -> None:
        """Write it as plain arrays (float16 Δ: its entries are small, and half the file)."""
        with path.open("wb") as out:
            np.savez(out, delta=self.delta.astype(np.float16), probes=self.probes, model=np.array(self.model))

    @classmethod
    def load(cls, path: Path) -> QuestionAdapter:
        """Read a saved adapter; ValueError when the file is not one (OSError when it cannot be read)."""
        with np.load(path, allow_pickle=False) as data:
            if set(data.files) != {"delta", "probes", "model"}:
                raise ValueError(f"it holds {sorted(data.files)}, not delta, probes and model")
            delta, probes, model = data["delta"].astype(np.float32), data["probes"].astype(np.float32), data["model"]
        d = delta.shape[0] if delta.ndim == 2 else -1
        if delta.shape != (d, d) or probes.shape != (len(PROBES), d) or not np.all(np.isfinite(delta)):
            raise ValueError(f"arrays of shape {delta.shape} and {probes.shape} do not make an adapter")
        return cls(delta, probes, str(model))


def adapter_for(settings: Settings, manifest: dict, encoder: QueryEncoder) -> QuestionAdapter | None:
    """The adapter `settings.retrieval.question_adapter` names, if it was fit for the index's model."""
    choice = settings.retrieval.question_adapter
    if choice == "off":
        return None
    path = PACKAGED if choice == "packaged" else Path(choice).expanduser()
    try:
        adapter = QuestionAdapter.load(path)
    except (OSError, ValueError, KeyError) as exc:
        if choice == "packaged":  # a damaged installation: answer without it, and say so
            log.warning("the packaged question adapter %s cannot be read (%s); ranking without it", path, exc)
            return None
        raise ConfigError(
            f"question_adapter {path} cannot be read ({exc})",
            "set question_adapter to a file bench/fit_adapter.py wrote, or to packaged or off",
        ) from None
    recorded = (manifest.get("query_encoder") or {}).get("probes")
    probes = np.asarray(recorded, np.float32) if recorded else encoder.encode(list(PROBES))
    if adapter.agreement(probes) < PROBE_COSINE:
        log.log(
            logging.INFO if choice == "packaged" else logging.WARNING,
            "question adapter %s not used: it was fit for %s, and this index was built with another model",
            path,
            adapter.model,
        )
        return None
    return adapter


def fit(
    questions: np.ndarray,
    sentences: Sequence[np.ndarray],
    labels: Sequence[np.ndarray],
    *,
    l2: float,
    temperature: float,
    steps: int,
    rate: float,
) -> np.ndarray:
    """Δ for unit question vectors (n, d), each with its paper's sentence vectors (m_i, d) and which of them answer.

    Minimises the mean softmax cross-entropy of each question's answering sentences among its
    paper's sentences, scored by cosine to the adapted question over `temperature`, plus
    l2·|Δ|² (which keeps the map near the identity); full-batch Adam from Δ = 0, in numpy, so a
    fit is reproduced by rerunning it.
    """
    n, d = questions.shape
    width = max(len(s) for s in sentences)
    padded = np.zeros((n, width, d), np.float64)
    valid = np.zeros((n, width), bool)
    answer = np.zeros((n, width), bool)
    for i, (vectors, marks) in enumerate(zip(sentences, labels, strict=True)):
        padded[i, : len(vectors)], valid[i, : len(vectors)], answer[i, : len(marks)] = vectors, True, marks
    if not answer.any(axis=1).all():
        raise ValueError("every question needs an answering sentence")
    q = questions.astype(np.float64)
    delta = np.zeros((d, d))
    first, second = np.zeros_like(delta), np.zeros_like(delta)
    beta1, beta2, eps = 0.9, 0.999, 1e-8  # Adam's usual constants
    for step in range(1, steps + 1):
        moved = q + q @ delta
        norms = np.linalg.norm(moved, axis=1, keepdims=True)
        unit = moved / norms
        z = np.where(valid, np.einsum("nmd,nd->nm", padded, unit) / temperature, -np.inf)
        p_all = _softmax(z)
        p_answer = _softmax(np.where(answer, z, -np.inf))
        grad_z = (p_all - p_answer) / (temperature * n)  # d(mean loss)/dz
        grad_unit = np.einsum("nm,nmd->nd", grad_z, padded)
        grad_moved = (grad_unit - unit * np.sum(grad_unit * unit, axis=1, keepdims=True)) / norms
        grad = q.T @ grad_moved + 2 * l2 * delta
        first = beta1 * first + (1 - beta1) * grad
        second = beta2 * second + (1 - beta2) * grad**2
        delta -= rate * (first / (1 - beta1**step)) / (np.sqrt(second / (1 - beta2**step)) + eps)
    return delta.astype(np.float32)


def _softmax(z: np.ndarray) -> np.ndarray:
    top = np.max(z, axis=1, keepdims=True)
    e = np.exp(z - top)
    return e / e.sum(axis=1, keepdims=True)
