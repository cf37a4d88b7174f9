"""Fixtures of the Python binding's tests (run by `make test` through ctest,
with PYTHONPATH pointing at <build>/python; or against an installed package
with SHALE_PYTHON_INSTALLED=1 and no PYTHONPATH)."""

import importlib

import pytest

import shale


def _modules():
    """shale, and plyvel (Debian's python3-plyvel) when installed: the
    compatibility tests run against both, so they pin plyvel's behaviour."""
    names = ["shale"]
    try:
        importlib.import_module("plyvel")
        names.append("plyvel")
    except ImportError:
        pass
    return names


@pytest.fixture(params=_modules())
def mod(request):
    """The module under test: shale or plyvel."""
    return importlib.import_module(request.param)


@pytest.fixture
def db(tmp_path):
    """An open shale DB in a fresh directory, closed afterwards."""
    handle = shale.DB(str(tmp_path / "db"), create_if_missing=True)
    yield handle
    handle.close()


@pytest.fixture
def anydb(mod, tmp_path):
    """An open DB of the module under test (shale or plyvel)."""
    handle = mod.DB(str(tmp_path / "db"), create_if_missing=True)
    yield handle
    handle.close()


def fill(db, keys):
    """Puts key -> key.upper() for each key."""
    for key in keys:
        db.put(key, key.upper())
