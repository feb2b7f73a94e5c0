"""Rasa's training fingerprints, computed once per token and without printing matrices.

After every featurizer, Rasa's training hook fingerprints the whole training data it returns, so that
the next training can skip what did not change. That hashes every token of every example again after
each node (a third of a training, by py-spy) and writes every sparse feature matrix out as text, one
line per value. Both give the same cache decisions computed the cheaper way:

- `Token`: the tokenizer's tokens keep their fingerprint (Rasa's own, unchanged) until one of their
  attributes is set again; nothing in the pipeline changes a token once it is made.
- `install_sparse_fingerprints()`: a sparse matrix is fingerprinted from its shape and its coordinate arrays' bytes.
  Fingerprints of features are only compared with fingerprints computed by the same code (the
  training cache), so the change costs one full training, once.
"""

from __future__ import annotations

import hashlib
from typing import Any, Optional

import rasa.shared.nlu.training_data.util
import scipy.sparse
from rasa.nlu.tokenizers.tokenizer import Token as RasaToken


class Token(RasaToken):
    """Rasa's token, whose fingerprint is computed once and forgotten whenever the token changes."""

    _fingerprint: Optional[str] = None

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, "_fingerprint", None)
        object.__setattr__(self, name, value)

    def set(self, prop: str, info: Any) -> None:
        super().set(prop, info)
        self._fingerprint = None

    def fingerprint(self) -> str:
        if self._fingerprint is None:
            fingerprint = super().fingerprint()
            object.__setattr__(self, "_fingerprint", fingerprint)
            return fingerprint
        return self._fingerprint


def sparse_matrix_fingerprint(matrix: scipy.sparse.spmatrix) -> str:
    """A stable hash of a sparse matrix's shape, coordinates and values (same matrix, same hash)."""
    coo = matrix.tocoo()
    digest = hashlib.sha256(repr((coo.shape, str(coo.data.dtype))).encode())
    for array in (coo.row, coo.col, coo.data):
        digest.update(array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes())
    return digest.hexdigest()


def install_sparse_fingerprints() -> None:
    """Makes Rasa fingerprint sparse features with `sparse_matrix_fingerprint` (idempotent)."""
    rasa.shared.nlu.training_data.util.sparse_matrix_to_string = sparse_matrix_fingerprint
