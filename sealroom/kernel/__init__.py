"""The Sealroom Jupyter kernel: an IPython kernel that starts connected to the vault.

``python -m sealroom.kernel -f {connection_file}`` runs it; the ``sealroom`` kernelspec runs it
confined, through ``python -m sealroom.kernel.confine`` (``confine.py``: bubblewrap), and
``sealroom.kernel.install.install_kernelspec()`` registers that kernelspec with Jupyter.
The kernel (``kernel.py``) binds ``ws`` and ``sr`` and registers the ``%%remote`` cell magic
(``magics.py``). Importing this package does nothing: no IPython import, no I/O.
"""
