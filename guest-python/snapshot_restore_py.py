"""Lambda SnapStart's runtime hooks for Python, as AWS's `snapshot_restore_py` offers them.

A handler registers what to run around the snapshot exactly as on Lambda:

    from snapshot_restore_py import register_before_snapshot, register_after_restore

    @register_before_snapshot
    def close_connections():
        ...

    register_after_restore(reseed, 42)

Both take `(func, *args, **kwargs)`, return `func` (so they work as bare decorators), and only
record the call. The adapter (`lambda_sim_adapter.SnapStart`) runs the before-snapshot hooks
in reverse order of registration, and the after-restore hooks in order of registration, as
Lambda's Python runtime does. The accessors are those of AWS's package (`get_before_snapshot`,
`get_after_restore`: the registries themselves, lists of `(func, args, kwargs)`), so that the
adapter works the same if a handler ships AWS's copy instead.
"""

_before_snapshot_registry = []
_after_restore_registry = []


def register_before_snapshot(func, *args, **kwargs):
    """Runs `func(*args, **kwargs)` before the snapshot is taken; returns `func`."""
    _before_snapshot_registry.append((func, args, kwargs))
    return func


def register_after_restore(func, *args, **kwargs):
    """Runs `func(*args, **kwargs)` in each environment restored from the snapshot; returns
    `func`."""
    _after_restore_registry.append((func, args, kwargs))
    return func


def get_before_snapshot():
    """The before-snapshot registry: `(func, args, kwargs)` in order of registration."""
    return _before_snapshot_registry


def get_after_restore():
    """The after-restore registry: `(func, args, kwargs)` in order of registration."""
    return _after_restore_registry
