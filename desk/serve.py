"""Start the desk: private files, retention, worker lanes, and waitress serving the pages."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from typing import Callable

from waitress.server import create_server

from desk.app import create_app
from desk.config import DeskConfig
from desk.context import Desk
from desk.jobs import Lanes
from desk.store import Store
from engine.core.rulebook import Rulebook
from engine.errors import SscardError
from engine.office.accounts import Accounts
from engine.office.drafts import remove_unreviewed
from engine.records.archive import Archive
from engine.records.ledger import Ledger

SWEEP_SECONDS = 3600
SERVER_THREADS = 8  # pages and downloads; the checks themselves run in worker processes


def serve(config: DeskConfig, book: Rulebook, ledger: Ledger, archive: Archive | None, accounts: Accounts,
          on_ready: Callable[[str], None]) -> None:
    """Serve until Ctrl-C (or SIGTERM, which the command line turns into one); ``on_ready``
    gets the address people open.  ``archive``: where published rulebooks are kept, for
    workbooks decided under another rulebook than ``book``."""
    os.umask(0o077)  # everything the server and its workers write holds personal data
    store = Store(config.data)
    # Temporary files (spooled uploads, the engine's spool, xlsxwriter's sheets) in the private folder too.
    os.environ["TMPDIR"] = tempfile.tempdir = str(store.scratch_root)
    store.clear_scratch()
    store.mark_interrupted()
    store.sweep(config.keep_days)
    remove_unreviewed(config.data)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    lanes = Lanes(book, archive)
    stop = threading.Event()
    try:
        app = create_app(Desk(config, book, ledger, store, lanes, accounts, archive))
        try:
            server = create_server(app, host=config.host, port=config.port, threads=SERVER_THREADS, ident="sscard",
                                   # the proxy's headers reach the app, which believes them only
                                   # from the proxies the settings name (desk.proxies)
                                   clear_untrusted_proxy_headers=False,
                                   # the page's own limit answers first, in Chinese; this only stops a flood
                                   max_request_body_size=2 * config.max_upload_bytes + (1 << 20))
        except OSError as error:
            raise SscardError(f"无法在 {config.host}:{config.port} 上提供服务({error.strerror});"
                              "端口可能已被占用,请用 --port 换一个") from None
        threading.Thread(target=_sweep_every_hour, args=(store, config.keep_days, stop), daemon=True).start()
        on_ready(f"http://{_url_host(server.effective_host)}:{server.effective_port}/")
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
    finally:
        stop.set()
        lanes.close()


def _sweep_every_hour(store: Store, keep_days: int, stop: threading.Event) -> None:
    while not stop.wait(SWEEP_SECONDS):
        store.sweep(keep_days)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
