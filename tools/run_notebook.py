"""Run a notebook top to bottom in a fresh kernel and keep its outputs, as Jupyter would show them.

    python -m tools.run_notebook notebooks/04_shap.ipynb --out executed.ipynb [--timeout 900]

The test lanes (`make test-full`, `make test-colab`) and the site run every lecture with
:func:`execute_alone` (alone in a folder, the network refused: :func:`lane_environment`), and
:func:`stamp` the copies they keep, so the site can reuse the full lane's. It drives the kernel with
jupyter_client's blocking client, one cell at a time (the same client nbval uses), because
nbclient's asynchronous client can stall for minutes between cells that display widgets.
Widgets degrade as in a static page: their view is kept, and what an ``Output`` widget draws
(a figure, say) is kept as an ordinary output of the cell.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path


class CellError(RuntimeError):
    """A cell raised: the message names the cell and shows the end of its traceback."""


def _collector(outputs: list):
    """An output hook for execute_interactive that builds nbformat outputs in `outputs`."""
    from nbformat.v4 import new_output, output_from_msg

    clear_on_next = [False]

    def hook(msg: dict) -> None:
        kind, content = msg["header"]["msg_type"], msg["content"]
        if kind == "clear_output":
            if content.get("wait"):
                clear_on_next[0] = True
            else:
                outputs.clear()
            return
        if kind not in ("stream", "display_data", "execute_result", "error"):
            return  # status, execute_input, comm messages: nothing to show
        if clear_on_next[0]:
            outputs.clear()
            clear_on_next[0] = False
        if kind == "stream":
            last = outputs[-1] if outputs else None
            if last is not None and last.output_type == "stream" and last.name == content["name"]:
                last.text += content["text"]
            else:
                outputs.append(new_output("stream", name=content["name"], text=content["text"]))
        else:
            outputs.append(output_from_msg(msg))

    return hook


NO_NETWORK = Path(__file__).resolve().parent / "nonet"


def lane_environment(quick: bool, library: Path | None = None) -> dict[str, str]:
    """What a lane's kernel sees: the mode (quick or full), no COURSE_OFFLINE flag, the network
    refused (tools/nonet's sitecustomize), one thread, and the inline plotting backend.

    The kernel imports the installed ``course_lib``; with `library` (a checkout's root) it imports
    that checkout's instead, as `make bench-lectures` does to time the code beside the notebooks."""
    environment = dict(os.environ)
    for name in ("COURSE_OFFLINE", "COURSE_QUICK", "PYTHONPATH"):
        environment.pop(name, None)
    if quick:
        environment["COURSE_QUICK"] = "1"
    # the sitecustomize of tools/nonet refuses DNS and connections
    environment["PYTHONPATH"] = os.pathsep.join([str(NO_NETWORK)] + ([str(library)] if library else []))
    environment.setdefault("OMP_NUM_THREADS", "1")
    environment.setdefault("MKL_NUM_THREADS", "1")
    environment.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # ipykernel 6 on Python 3.13
    environment["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    return environment


def kernel_cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) the kernel process and its finished children have used so far.

    On a machine shared with other work, wall time grows with the load; CPU time does not, so it
    is the number to compare between runs. 0.0 where it cannot be read (no /proc, no pid)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, TypeError, IndexError):
        return 0.0
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


def _kernel_pid(manager) -> int | None:
    process = getattr(getattr(manager, "provisioner", None), "process", None)
    return getattr(process, "pid", None)


def execute(notebook, cwd: Path, env: dict | None = None, timeout: float = 900):
    """Run every code cell of `notebook` (nbformat v4, changed in place) in a kernel started in
    `cwd` with environment `env`; raise :class:`CellError` at the first cell that fails.

    Each code cell's metadata gets nbclient's timing keys (``execution``) and the CPU seconds
    the kernel spent on it (``execution["course.cpu_seconds"]``)."""
    from jupyter_client.manager import KernelManager

    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(cwd), env=dict(os.environ if env is None else env))
    client = manager.client()
    client.start_channels()
    pid = _kernel_pid(manager)
    try:
        client.wait_for_ready(timeout=120)
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            outputs: list = []
            started = datetime.now(timezone.utc).isoformat()
            cpu_before = kernel_cpu_seconds(pid)
            reply = client.execute_interactive(cell.source, timeout=timeout, allow_stdin=False,
                                               output_hook=_collector(outputs))
            # the timing keys nbclient writes, so tools/slow_cells.py reads either
            cell.metadata["execution"] = {"iopub.execute_input": started,
                                          "shell.execute_reply": datetime.now(timezone.utc).isoformat(),
                                          "course.cpu_seconds": round(kernel_cpu_seconds(pid) - cpu_before, 2)}
            cell.outputs = outputs
            cell.execution_count = reply["content"].get("execution_count")
            if reply["content"]["status"] != "ok":
                trace = "\n".join(reply["content"].get("traceback", []))[-4000:]
                raise CellError(f"cell {index} failed: {reply['content'].get('ename')}: "
                                f"{reply['content'].get('evalue')}\n{trace}")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return notebook


def execute_alone(source: Path, folder: Path, quick: bool, library: Path | None = None,
                  timeout: float = 900):
    """Copy `source` into the empty `folder` and run it there as a learner runs it: alone, in
    quick or full mode, with the network refused and no flag (:func:`lane_environment`; `library`
    as there). Returns the executed notebook; raises :class:`CellError` at a failing cell."""
    import nbformat

    lone = Path(folder) / Path(source).name
    shutil.copyfile(source, lone)
    notebook = nbformat.read(lone, as_version=4)
    return execute(notebook, Path(folder), env=lane_environment(quick, library), timeout=timeout)


def stamp(notebook, source: Path, mode: str) -> None:
    """Record in the executed copy's metadata what was run: the source's sha256 and the mode
    (site/build.py reuses a copy whose hash is the current source's)."""
    notebook.metadata["course_executed"] = {
        "source_sha256": hashlib.sha256(Path(source).read_bytes()).hexdigest(),
        "mode": mode, "offline": True}


def main(argv=None) -> int:
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--timeout", type=float, default=900, help="seconds per cell")
    args = parser.parse_args(argv)
    notebook = nbformat.read(args.notebook, as_version=4)
    # the caller's MPLBACKEND (Agg in the tests) would keep figures out of the saved notebook
    environment = {**os.environ, "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    try:
        execute(notebook, args.notebook.resolve().parent, env=environment, timeout=args.timeout)
    except CellError as error:
        print(error, file=sys.stderr)
        return 1
    nbformat.write(notebook, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
