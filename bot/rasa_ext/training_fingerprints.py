"""Rasa's training fingerprints of tokens and sparse features, computed the cheap way.

After every featurizer, Rasa's training hook fingerprints the whole training data it returns, so that
the next training can skip what did not change. It hashes every part of every token of every example
again after each node, and writes every sparse feature matrix out as text, one line per value: 100 of
the 255 s of a training, by py-spy. Here:

- `Token`: the tokenizer's tokens are hashed from one JSON text of their attributes, and keep that
  fingerprint until they change (the RegexFeaturizer marks each token with the patterns it matches).
  A change is an attribute assigned or a `set()`, the way Rasa's components change tokens; a component
  that wrote into `token.data` directly would leave the old fingerprint.
- `install_sparse_fingerprints()`: a sparse matrix is hashed from its shape and its arrays' bytes.

A token or matrix that differs still gets another fingerprint. The values are not Rasa's: they are only
compared with fingerprints from the same code (Rasa's training cache), so the change costs one full
training, once.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Optional

import rasa.shared.nlu.training_data.util
import scipy.sparse
from rasa.nlu.tokenizers.tokenizer import Token as RasaToken


class Token(RasaToken):
    """Rasa's token, fingerprinted in one pass, once, and again only after it changes."""

    _fingerprint: Optional[str] = None

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, "_fingerprint", None)
        object.__setattr__(self, name, value)

    def set(self, prop: str, info: Any) -> None:
        super().set(prop, info)
        self._fingerprint = None

    def fingerprint(self) -> str:
        if self._fingerprint is None:
            object.__setattr__(self, "_fingerprint", self._computed_fingerprint())
        return self._fingerprint  # type: ignore[return-value]

    def _computed_fingerprint(self) -> str:
        try:
            text = json.dumps(
                [self.text, self.start, self.end, self.lemma, self.data],
                sort_keys=True,
                ensure_ascii=False,
                allow_nan=False,
            )
        except (TypeError, ValueError):  # data JSON cannot write exactly (an array, a set): Rasa's way
            return super().fingerprint()
        return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def sparse_matrix_fingerprint(matrix: scipy.sparse.spmatrix) -> str:
    """A stable hash of a sparse matrix's shape, coordinates and values, with their types (the same
    matrix stored the same way, the same hash)."""
    coo = matrix.tocoo()
    header = (coo.shape, coo.nnz, str(coo.row.dtype), str(coo.col.dtype), str(coo.data.dtype))
    digest = hashlib.sha256(repr(header).encode())
    for array in (coo.row, coo.col, coo.data):
        digest.update(array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes())
    return digest.hexdigest()


def install_sparse_fingerprints() -> None:
    """Makes Rasa fingerprint sparse features with `sparse_matrix_fingerprint` (idempotent)."""
    rasa.shared.nlu.training_data.util.sparse_matrix_to_string = sparse_matrix_fingerprint
