#!/usr/bin/env python3
"""Renders many conformance cases with the real Helm SDK in one process (through
../shared/oracles/helm_render.py, imported as a module). Reads a JSON list of cases on stdin:
{"chart": DIR, "values": {...}, "release": R, "namespace": N, "kube_version": V}
and prints a JSON list of {"ok": bool, "output" | "error": str}. The caller must start this
process with HELM_DRIVER=memory (the Go runtime only reads the environment it started with)."""
import json, os, sys

sys.path.insert(0, os.environ["HELM_ORACLE_DIR"])
import helm_render  # noqa: E402

results = []
for case in json.load(sys.stdin):
    helm_render.KVER = case.get("kube_version") or "v1.31.0"
    helm_render.HOOKS.clear()
    try:
        saved = os.dup(1)
        os.dup2(2, 1)
        try:
            rel = helm_render.render(case["chart"], case.get("values") or {}, case.get("release") or "release",
                                     case.get("namespace") or "default")
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        out = rel.get("manifest", "")
        for hk in rel.get("hooks") or []:
            out += f"---\n# Source: {hk.get('path')}\n{hk.get('manifest')}\n"
        results.append({"ok": True, "output": out})
    except Exception as e:  # the SDK's error text is what we compare
        msg = str(e)
        if msg.startswith("install failed: "):
            msg = msg[len("install failed: "):]
        results.append({"ok": False, "error": msg})
json.dump(results, sys.stdout)
