"""Thread limits of the libraries a parse uses: the embedding's (OpenMP) and the classifiers' (BLAS)
must not undo each other, since the server runs parses side by side (bot/rasa_ext/parsing.py)."""

import pytest
from threadpoolctl import ThreadpoolController, threadpool_info

from bot.rasa_ext import linear_classifier, sentence_embeddings
from bot.rasa_ext.linear_classifier import keep_blas_on_one_thread, one_blas_thread
from bot.rasa_ext.sentence_embeddings import embed


def blas_threads() -> set:
    return {library["num_threads"] for library in threadpool_info() if library["user_api"] == "blas"}


@pytest.fixture
def blas_as_it_was():
    blas = ThreadpoolController().select(user_api="blas")
    before = max(library["num_threads"] for library in blas.info())
    yield
    blas.limit(limits=before)  # other tests in this process see what they saw before


def test_each_limit_restores_only_its_own_libraries(blas_as_it_was):
    # A limiter restores, on leaving, every library its controller sees: with both libraries in each,
    # an embedding that started inside another thread's BLAS limit restored BLAS to one thread on
    # leaving after that limit had ended (and the classifiers' limit reset OpenMP alike).
    embed(["warm the engine up"])  # loads the engine and its OpenMP
    assert {library.user_api for library in sentence_embeddings._threads.lib_controllers} == {"openmp"}
    with one_blas_thread():
        embed(["how much does it cost to join"])
        assert blas_threads() == {1}
    assert {library.user_api for library in linear_classifier._blas.lib_controllers} == {"blas"}


def test_a_warmed_up_server_keeps_blas_on_one_thread(blas_as_it_was):
    ThreadpoolController().select(user_api="blas").limit(limits=2)  # as a 2-core machine starts
    keep_blas_on_one_thread()
    with one_blas_thread():
        pass
    assert blas_threads() == {1}
