"""ipywidgets views of the client objects, for notebooks.

Four views, each a stock ``ipywidgets.VBox`` (no custom JavaScript), each in its own module:

- ``CatalogView(ws)`` (``catalog.py``): the datasets, their owners, license terms and assets; a
  dropdown picks one and shows its terms and its mock.
- ``RequestStatusView(request)`` (``request_status.py``): where a request stands, kept up to date
  by a background thread until the request is released, withheld, rejected or failed.
- ``ReviewView(ws)`` (``review.py``): a rights holder's queue with Approve / Deny buttons.
- ``LeakageReportView(request)`` (``leakage.py``): the release gate's public report.

The client objects open them: ``ws.datasets.widget()``, ``request.widget()``,
``ws.review_widget()``, ``request.leakage_widget()``; in a Jupyter kernel a ``Request`` displays as
its status view. Every view renders only what the vault already shows its caller, escaped, and
never the access token. Importing this package imports ipywidgets and nothing else happens: no
I/O, no threads (a status view starts its thread when it is created).
"""

from __future__ import annotations

from sealroom.widgets.catalog import CatalogView
from sealroom.widgets.leakage import LeakageReportView
from sealroom.widgets.request_status import RequestStatusView
from sealroom.widgets.review import ReviewView

__all__ = ["CatalogView", "LeakageReportView", "RequestStatusView", "ReviewView"]
