"""Lambda's Python runtime model on lambda-sim's handler world (wit/handler.wit).

`lambda-sim build --python DIR --handler module.function` packages this adapter, the handler's
directory and CPython into one component with componentize-py. What a Python Lambda user
expects holds:

- The handler's module is imported in the Init phase (`init`), so its import cost is Init
  Duration, and a module global lives as long as the execution environment.
  componentize-py snapshots the interpreter at build time and bundles only the modules
  imported then: the adapter imports the handler once at build time to load its
  dependencies, then forgets the handler's own modules (keeping their source), and imports
  them again at init, from `/var/task/...` as Lambda names them.
- `handler(event, context)` per invocation, the event decoded from JSON and the result
  encoded to JSON; `context` has Lambda's attributes and `get_remaining_time_in_millis()`.
- An exception becomes `{"errorMessage", "errorType", "stackTrace"}` as the Python runtime
  formats it, and `[ERROR] Type: message` with the traceback in the log.
- `print` and `logging` go to the invocation's log; the root logger prints Lambda's
  `[LEVEL]\\t<time>Z\\t<request id>\\t<message>` lines.
- SnapStart's runtime hooks: a handler registers them with `snapshot_restore_py` (as on
  Lambda), and the `snap-start` exports run them (`SnapStart`). Without hooks they do nothing.
"""

import importlib
import importlib.abc
import importlib.util
import io
import json
import logging
import os
import sys
import time
import traceback

# Standard modules a handler commonly imports lazily (inside a function): the snapshot must
# hold them, since the component has no standard library on disk at run time.
import base64  # noqa: F401
import collections  # noqa: F401
import dataclasses  # noqa: F401
import datetime  # noqa: F401
import decimal  # noqa: F401
import functools  # noqa: F401
import hashlib  # noqa: F401
import itertools  # noqa: F401
import math  # noqa: F401
import random  # noqa: F401
import re  # noqa: F401
import typing  # noqa: F401
import urllib.parse  # noqa: F401
import uuid  # noqa: F401

import wit_world
import wit_world.exports
from componentize_py_types import Err
from wit_world.imports import lambda_sim_handler_types as types
from wit_world.imports import stderr as _wasi_stderr
from wit_world.imports import stdout as _wasi_stdout

from lambda_sim_handler import HANDLER

# In the snapshot, so that the handler's `import snapshot_restore_py` works at init (the
# component has no module on disk at run time).
import snapshot_restore_py  # noqa: F401

TASK_ROOT = "/var/task"
_MODULE, _, _FUNCTION = HANDLER.rpartition(".")


def _collect_sources():
    """The handler directory's Python sources, by module name: (file name, source, package)."""
    spec = importlib.util.find_spec(_MODULE.split(".")[0])
    if spec is None or spec.origin is None:
        raise ImportError(f"Unable to import module '{_MODULE}': No module named '{_MODULE}'")
    top = os.path.dirname(spec.origin)
    if spec.submodule_search_locations:
        top = os.path.dirname(top)
    sources = {}
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, top)
            parts = relative[:-3].split(os.sep)
            package = parts[-1] == "__init__"
            if package:
                parts = parts[:-1]
            if not parts or not all(p.isidentifier() for p in parts):
                continue
            with open(path, encoding="utf-8") as f:
                sources[".".join(parts)] = (TASK_ROOT + "/" + relative.replace(os.sep, "/"), f.read(), package)
    return sources


class _TaskLoader(importlib.abc.SourceLoader):
    def __init__(self, filename, source):
        self.filename = filename
        self.source = source

    def get_filename(self, fullname):
        return self.filename

    def get_data(self, path):
        return self.source.encode("utf-8")


class _TaskFinder(importlib.abc.MetaPathFinder):
    """Imports the handler's modules from their kept source, as files under /var/task."""

    def __init__(self, sources):
        self.sources = sources

    def find_spec(self, fullname, path=None, target=None):
        entry = self.sources.get(fullname)
        if entry is None:
            return None
        filename, source, package = entry
        return importlib.util.spec_from_loader(
            fullname, _TaskLoader(filename, source), origin=filename, is_package=package
        )


def _install_ssl_stand_in():
    """`ssl` for the packages that import it at load time (urllib3, botocore, http.client):
    the sandbox's CPython has no `_ssl`, so `lambda_sim_ssl` stands in, under the name `ssl`
    (TLS settings work; a TLS connection raises `ssl.SSLError` naming lambda-sim)."""
    try:
        import ssl  # noqa: F401
    except ImportError:
        origin = importlib.util.find_spec("lambda_sim_ssl").origin
        spec = importlib.util.spec_from_file_location("ssl", origin)
        module = importlib.util.module_from_spec(spec)
        sys.modules["ssl"] = module
        spec.loader.exec_module(module)


# Build time: `ssl` if it is missing, keep the sources, import the handler once so that its
# dependencies are in the snapshot, then forget the handler's own modules so that `init`
# imports them afresh.
_install_ssl_stand_in()
_SOURCES = _collect_sources()
# The build-time import sees the variables every Lambda function has (a region, the role's
# credentials), as placeholders of its own, so that a module creating an SDK client at its top
# level imports; they are taken away again, and what boto3's default session resolved from
# them (credentials, configuration) is forgotten, so that `init` reads the environment's own.
_BUILD_ENV = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "ASIALAMBDASIMBUILD00",
    "AWS_SECRET_ACCESS_KEY": "lambda-sim/build-time/placeholder/000000",
    "AWS_SESSION_TOKEN": "lambda-sim-build-time-placeholder",
    "LAMBDA_TASK_ROOT": TASK_ROOT,
}
_BUILD_ENV = {k: v for k, v in _BUILD_ENV.items() if k not in os.environ}
os.environ.update(_BUILD_ENV)
try:
    importlib.import_module(_MODULE)
finally:
    for _name in _BUILD_ENV:
        os.environ.pop(_name, None)


def _forget_build_time_session():
    """boto3's default session stays in the snapshot (its loaded service models are what lets
    a client be created at run time); what it resolved from the build's variables must not."""
    boto3 = sys.modules.get("boto3")
    session = getattr(getattr(boto3, "DEFAULT_SESSION", None), "_session", None)
    if session is None:
        return
    for attribute in ("_credentials", "_config", "_profile_map"):
        if hasattr(session, attribute):
            setattr(session, attribute, None)


_forget_build_time_session()
# The build-time import registered its SnapStart hooks from modules about to be forgotten:
# only those registered at init may run.
_hooks = sys.modules.get("snapshot_restore_py")
if _hooks is not None:
    _hooks.get_before_snapshot().clear()
    _hooks.get_after_restore().clear()
if "botocore" in sys.modules:
    # The handler's SDK clients send their requests over wasi:http (lambda_sim_http.py).
    import lambda_sim_http

    lambda_sim_http.install()
for _name in list(sys.modules):
    if _name in _SOURCES:
        del sys.modules[_name]
sys.meta_path.insert(0, _TaskFinder(_SOURCES))
sys.path_importer_cache.clear()


class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = _RequestIdFilter.request_id
        return True


def _configure_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
            "%Y-%m-%dT%H:%M:%S",
        )
    )
    handler.formatter.converter = time.gmtime
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "WARNING").upper()
    root.setLevel(getattr(logging, level, logging.WARNING))


class LambdaContext:
    """The `context` argument, with the attributes of Lambda's Python runtime."""

    def __init__(self, ctx):
        self.aws_request_id = ctx.request_id
        self.invoked_function_arn = ctx.invoked_function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = json.loads(ctx.identity) if ctx.identity else None
        self.client_context = json.loads(ctx.client_context) if ctx.client_context else None
        self._deadline_ms = ctx.deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


def _error(error_type, message, tb=None):
    # As Lambda's runtime formats them: (file, line, function, text) tuples, so no carets.
    frames = traceback.format_list(
        [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    )
    log = f"[ERROR] {error_type}: {message}"
    if frames:
        log += "\nTraceback (most recent call last):\n" + "".join(frames).rstrip("\n")
    print(log, file=sys.stdout, flush=True)
    return Err(types.HandlerError(error_type=error_type, error_message=message, stack_trace=frames))


_handler = None


class WitWorld(wit_world.WitWorld):
    def init(self) -> None:
        global _handler
        _configure_logging()
        try:
            module = importlib.import_module(_MODULE)
        except SyntaxError as e:
            raise _error("Runtime.UserCodeSyntaxError", f"Syntax error in module '{_MODULE}': {e}")
        except Exception as e:
            raise _error("Runtime.ImportModuleError", f"Unable to import module '{_MODULE}': {e}", e.__traceback__.tb_next)
        _handler = getattr(module, _FUNCTION, None)
        if _handler is None:
            raise _error("Runtime.HandlerNotFound", f"Handler '{_FUNCTION}' missing on module '{_MODULE}'")

    def handle(self, event: bytes, ctx: types.Context) -> bytes:
        _RequestIdFilter.request_id = ctx.request_id
        try:
            payload = json.loads(event)
        except ValueError as e:
            raise _error("Runtime.UnmarshalError", f"Unable to unmarshal input: {e}")
        try:
            result = _handler(payload, LambdaContext(ctx))
        except Exception as e:
            # Skip this adapter's own frame: the trace starts in the handler, as on Lambda.
            raise _error(type(e).__name__, str(e), e.__traceback__.tb_next)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        try:
            return json.dumps(result).encode("utf-8")
        except (TypeError, ValueError) as e:
            raise _error("Runtime.MarshalError", f"Unable to marshal response: {e}")


class _WasiOutput(io.RawIOBase):
    """Standard output or error written through `wasi:cli` with a stream taken for each write.

    A SnapStart snapshot holds the guest's memory, not the host's handles: wasi-libc's
    descriptors 1 and 2 keep the publishing environment's stream handles, which a restored
    environment does not have (its first `print` would trap). Python's streams are moved onto
    these before the snapshot."""

    def __init__(self, get_stream):
        self._get_stream = get_stream

    def writable(self):
        return True

    def write(self, data):
        data = bytes(data)
        with self._get_stream() as stream:
            # `blocking-write-and-flush` takes at most 4,096 bytes a call.
            for start in range(0, len(data), 4096):
                stream.blocking_write_and_flush(data[start : start + 4096])
        return len(data)


def _print_through_wasi():
    """Points `sys.stdout`, `sys.stderr` and the log handler at `_WasiOutput`s."""
    for name, get_stream in (("stdout", _wasi_stdout.get_stdout), ("stderr", _wasi_stderr.get_stderr)):
        getattr(sys, name).flush()
        stream = io.TextIOWrapper(
            io.BufferedWriter(_WasiOutput(get_stream)),
            encoding="utf-8",
            errors="backslashreplace",
            line_buffering=True,
            write_through=True,
        )
        setattr(sys, name, stream)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(sys.stdout)


def _hook_registry(accessor):
    """A registry of `snapshot_restore_py`, looked up now: the module the handler imported at
    init (its own copy, if it ships one, replaces the adapter's)."""
    module = sys.modules.get("snapshot_restore_py")
    return getattr(module, accessor)() if module is not None else []


def _run_hook(func, args, kwargs):
    try:
        func(*args, **kwargs)
    except Exception as e:
        # Skip this adapter's own frame: the trace starts in the hook, as for a handler.
        raise _error(type(e).__name__, str(e), e.__traceback__.tb_next)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


class SnapStart(wit_world.exports.SnapStart):
    """SnapStart's hooks: those the handler registered with `snapshot_restore_py` at init."""

    def before_snapshot(self) -> None:
        registry = _hook_registry("get_before_snapshot")
        # Popped last first, as Lambda's Python runtime does: reverse order of registration.
        while registry:
            func, args, kwargs = registry.pop()
            _run_hook(func, args, kwargs)
        _print_through_wasi()

    def after_restore(self) -> None:
        # Kept, not popped: every environment restored from the snapshot runs them all.
        for func, args, kwargs in _hook_registry("get_after_restore"):
            _run_hook(func, args, kwargs)
