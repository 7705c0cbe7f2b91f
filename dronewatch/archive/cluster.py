"""Connecting to a Dask cluster, or starting a local one on loopback."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dronewatch.errors import DroneWatchError

if TYPE_CHECKING:
    from distributed import Client


def _require_distributed() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise DroneWatchError(
            "analysing on a cluster needs Dask: pip install 'distributed>=2024'"
        ) from None


@contextlib.contextmanager
def open_client(
    address: str | None = None, local_workers: int = 0, timeout_s: float = 20.0
) -> Iterator[Client]:
    """A client of the cluster at ``address``, or of a new ``LocalCluster``.

    The local cluster listens on 127.0.0.1 only, one single-threaded worker process per
    clip in flight (our analysis holds the GIL most of the time, so threads would not
    help), and is shut down on exit.
    """
    _require_distributed()
    from distributed import Client, LocalCluster

    if address:
        try:
            client = Client(address, timeout=timeout_s)
        except (OSError, TimeoutError) as exc:
            raise DroneWatchError(f"cannot reach the Dask cluster at {address} ({exc})") from None
        with client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=max(local_workers, 1),
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0" if _has_bokeh() else None,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _has_bokeh() -> bool:
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


def dashboard_text(client: Client) -> str:
    """Where the Dask dashboard is; it needs bokeh on the scheduler's machine."""
    link = client.dashboard_link if _has_bokeh() or not _is_local(client) else None
    if not link:
        return "Dask dashboard: not available (pip install bokeh to get one)"
    return f"Dask dashboard: {link}"


def _is_local(client: Client) -> bool:
    return client.cluster is not None
