"""The anchor run of `cargo xtask bench-paging`: SailPoint's own Python SDK.

Lists every machine identity with `sailpoint.paginator.Paginator` (PyPI
`sailpoint`, the 1.4.x line, API v2025), the way SailPoint's documentation
shows it, against the stand-in tenant the harness starts.

    python anchor.py MAX_ITEMS

- Configuration comes from SAIL_BASE_URL, SAIL_CLIENT_ID and SAIL_CLIENT_SECRET,
  which `sailpoint.configuration.Configuration()` reads itself; it fetches the
  token from `{SAIL_BASE_URL}/oauth/token` when it is constructed.
- MAX_ITEMS is the Paginator's `result_limit`. It must be given: the Paginator
  treats 0 or None as 1000.
- stdout: one machine identity id per line, and nothing else. The SDK prints
  its progress ("Paginating call, offset = ...") on stdout, so that is moved to
  stderr while it runs.
- stderr, last line: one JSON object `{"anchor": {...}}` with the SDK version
  and the seconds spent importing, configuring (token) and paging.
"""

import time

STARTED = time.monotonic()

import contextlib  # noqa: E402
import importlib.metadata  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402

from sailpoint.configuration import Configuration  # noqa: E402
from sailpoint.paginator import Paginator  # noqa: E402
from sailpoint.v2025.api.machine_identities_api import MachineIdentitiesApi  # noqa: E402
from sailpoint.v2025.api_client import ApiClient  # noqa: E402

IMPORTED = time.monotonic()


def main() -> int:
    if len(sys.argv) != 2 or not sys.argv[1].isdigit() or int(sys.argv[1]) == 0:
        print("usage: anchor.py MAX_ITEMS (a positive integer)", file=sys.stderr)
        return 2
    max_items = int(sys.argv[1])

    with contextlib.redirect_stdout(sys.stderr):
        configuration = Configuration()
        configuration.experimental = True  # machine identities are experimental in v2025
        configuration.suppress_experimental_warnings = True
        configured = time.monotonic()
        with ApiClient(configuration) as api_client:
            api = MachineIdentitiesApi(api_client)
            items = Paginator.paginate(api.list_machine_identities, max_items, limit=250)
        paged = time.monotonic()

    out = sys.stdout
    for item in items:
        out.write(f"{item.id}\n")
    out.flush()

    summary = {
        "anchor": {
            "sailpoint": importlib.metadata.version("sailpoint"),
            "python": sys.version.split()[0],
            "import_s": round(IMPORTED - STARTED, 3),
            "configure_s": round(configured - IMPORTED, 3),
            "paging_s": round(paged - configured, 3),
            "items": len(items),
        }
    }
    print(json.dumps(summary), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
