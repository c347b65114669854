"""``python -m sealroom.kernel -f {connection_file}``: launch the Sealroom kernel."""

from __future__ import annotations


def main() -> None:
    from ipykernel.kernelapp import IPKernelApp

    from sealroom.kernel.kernel import SealroomKernel

    IPKernelApp.launch_instance(kernel_class=SealroomKernel)


if __name__ == "__main__":
    main()
