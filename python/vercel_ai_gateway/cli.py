"""The ``vercel-ai-gateway`` command: ``doctor``, ``models``, ``route``, ``chat``, ``litellm-config``
and ``telemetry test``.

Everything goes through the package's own client, so the command sees exactly what an app would.
``--local`` runs any command against LocalGateway (offline). Secrets are never printed: credentials
show their kind, source and expiry only.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from typing import Any, TextIO

import vercel_ai_gateway as vag

__all__ = ["main"]


# ---- output helpers ----


def _table(rows: Sequence[Sequence[str]], headers: Sequence[str], out: TextIO) -> None:
    widths = (
        [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=False)]
        if rows
        else list(map(len, headers))
    )
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out.write(line.rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in rows:
        out.write("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")


def _per_million(price: Any) -> str:
    try:
        return f"${float(price) * 1_000_000:,.2f}"
    except (TypeError, ValueError):
        return "-"


@contextmanager
def _local_gateways(enabled: bool) -> Iterator[None]:
    """With ``--local``: a LocalGateway for each gateway, named by the environment."""
    if not enabled:
        yield
        return
    from vercel_ai_gateway.testing import LocalGateway

    saved = dict(os.environ)
    with ExitStack() as stack:
        os.environ.update(stack.enter_context(LocalGateway()).env())
        os.environ.update(stack.enter_context(LocalGateway(flavor="openrouter")).env())
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)


# ---- doctor ----


class _Collect(logging.Handler):
    """Collects the package's warnings (credential sources skipped, and why) during a block."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []
        self.logger = logging.getLogger("vercel_ai_gateway")

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> _Collect:
        self.logger.addHandler(self)
        return self

    def __exit__(self, *args: object) -> None:
        self.logger.removeHandler(self)


def _doctor(args: argparse.Namespace, out: TextIO) -> int:
    checks: list[dict[str, Any]] = []

    def check(name: str, ok: bool | None, detail: str, **extra: Any) -> None:
        checks.append({"check": name, "ok": ok, "detail": detail, **extra})

    # Credentials.
    with _Collect() as log:
        try:
            cred = vag.resolve_auth(dev_refresh=args.dev_refresh)
        except vag.CredentialsError as e:
            cred = None
            check("credential", False, str(e))
    for message in log.messages:
        check("skipped source", None, message)
    if cred is not None:
        detail = f"{cred.method} from {cred.source}"
        extra: dict[str, Any] = {"method": cred.method, "source": cred.source}
        if cred.expires_at is not None:
            seconds = int((cred.expires_at - datetime.now(timezone.utc)).total_seconds())
            detail += f", expires in {seconds // 3600} h {seconds % 3600 // 60} min"
            extra["expires_in_seconds"] = seconds
        claims = cred.claims or {}
        for key in ("project", "environment", "owner"):
            if key in claims:
                detail += f", {key} {claims[key]}"
                extra[key] = claims[key]
        check("credential", True, detail, **extra)

    # Gateway reachability and the catalog.
    try:
        url = vag.gateway_url()
        check("gateway url", True, url)
        client = vag.Client(max_retries=0, timeout=vag.Timeout(10, connect=5))
        started = time.perf_counter()
        models = client.models.list(refresh=True)
        elapsed = (time.perf_counter() - started) * 1000
        check("gateway reachable", True, f"GET /models in {elapsed:.0f} ms, {len(models)} models", latency_ms=elapsed)
        if cred is not None:
            try:
                client.credits()
                check("credential accepted", True, "GET /credits answered")
            except vag.AuthenticationError as e:
                check("credential accepted", False, f"the gateway rejected the credential: {e.message}")
            except vag.APIError as e:
                check("credential accepted", None, f"could not check ({type(e).__name__})")
    except vag.ConfigError as e:
        check("gateway url", False, str(e))
    except (vag.APIError, vag.CredentialsError) as e:
        check("gateway reachable", False, str(e))

    # OpenRouter.
    openrouter_key = os.environ.get("OPENROUTER_API_KEY")
    base = os.environ.get("OPENROUTER_BASE_URL", "https://openrouter.ai/api/v1")
    check("openrouter", True if openrouter_key else None, f"{base}, key {'set' if openrouter_key else 'not set'}")

    # Telemetry.
    try:
        tel = vag.VercelTelemetry.from_env()
        configured = tel.backend != "off"
        check("telemetry", True if configured else None, repr(tel) if configured else "not configured")
    except vag.ConfigError as e:
        check("telemetry", False, str(e))

    broken = any(c["ok"] is False for c in checks)
    if args.json:
        out.write(json.dumps({"ok": not broken, "checks": checks}, indent=2, default=str) + "\n")
    else:
        marks = {True: "ok", False: "FAIL", None: "-"}
        _table([(marks[c["ok"]], c["check"], c["detail"]) for c in checks], ["", "check", "detail"], out)
    return 1 if broken else 0


# ---- models ----


def _models(args: argparse.Namespace, out: TextIO) -> int:
    client = vag.Client(gateway=args.gateway, max_retries=1)
    page = client.models.list()
    items = [m.to_dict() for m in page]
    if args.search:
        needle = args.search.lower()
        items = [m for m in items if needle in m["id"].lower() or needle in str(m.get("name", "")).lower()]
    if args.map:
        router = vag.Router()
        direction = "vercel" if args.gateway == "openrouter" else "openrouter"
        rows = []
        for m in items:
            mapped = router.map_model(m["id"], to=direction)
            rows.append((m["id"], mapped["to"] or "-", mapped["kind"], mapped["reason"]))
        if args.json:
            out.write(json.dumps([dict(zip(("id", "to", "kind", "reason"), r, strict=True)) for r in rows]) + "\n")
        else:
            _table(rows, [args.gateway, direction, "match", "reason"], out)
        return 0
    if args.json:
        out.write(json.dumps(items) + "\n")
        return 0
    rows = []
    for m in items:
        pricing = m.get("pricing") or {}
        context = m.get("context_window") or m.get("context_length") or "-"
        rows.append(
            (
                m["id"],
                str(context),
                _per_million(pricing.get("input", pricing.get("prompt"))),
                _per_million(pricing.get("output", pricing.get("completion"))),
            )
        )
    _table(rows, ["model", "context", "input /M", "output /M"], out)
    out.write(f"{len(rows)} models\n")
    return 0


# ---- route ----


def _route(args: argparse.Namespace, out: TextIO) -> int:
    pins = dict(p.split("=", 1) for p in args.pin or [])
    router = vag.Router(vercel_share=args.share, pins=pins)
    decision = router.route(args.model, user=args.user)
    if args.json:
        out.write(
            json.dumps(
                {
                    "gateway": decision.gateway,
                    "model": decision.model,
                    "bucket": decision.bucket,
                    "pinned": decision.pinned,
                    "fallback": None
                    if decision.fallback is None
                    else {"gateway": decision.fallback["gateway"], "model": decision.fallback["model"]},
                    "reasons": decision.reasons,
                }
            )
            + "\n"
        )
    else:
        out.write(decision.explain() + "\n")
    return 0


# ---- chat ----


def _chat(args: argparse.Namespace, out: TextIO) -> int:
    router = vag.Router(vercel_share=args.share) if args.share is not None else None
    client = vag.Client(gateway=args.gateway, router=router)
    messages = [{"role": "user", "content": args.prompt}]
    if args.no_stream:
        r = client.chat.completions.create(model=args.model, messages=messages)
        out.write((r.choices[0].message.content or "") + "\n")
        usage, cost, estimated, gateway = r.usage, r.cost_usd, r.cost_estimated, r.gateway
    else:
        usage = None
        with client.chat.completions.create(model=args.model, messages=messages, stream=True) as stream:
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    out.write(chunk.choices[0].delta.content)
                    out.flush()
                if chunk.usage:
                    usage = chunk.usage
            cost, estimated, gateway = stream.cost_usd, stream.cost_estimated, stream.gateway
        out.write("\n")
    if usage is not None:
        price = "unknown" if cost is None else f"${cost:.8f}" + (" (estimated)" if estimated else "")
        out.write(
            f"[{gateway}] {usage.prompt_tokens} prompt + {usage.completion_tokens} completion tokens, cost {price}\n"
        )
    return 0


# ---- litellm-config ----


def _litellm_config(args: argparse.Namespace, out: TextIO) -> int:
    import importlib

    vag_litellm = importlib.import_module("vercel_ai_gateway.litellm")

    generate = getattr(vag_litellm, "proxy_config_yaml", None) or getattr(vag_litellm, "litellm_proxy_config", None)
    if generate is None:
        raise vag.UsageError("This version of vercel_ai_gateway.litellm has no proxy config generator.")
    out.write(generate([m.strip() for m in args.models.split(",") if m.strip()], primary=args.primary))
    return 0


# ---- telemetry test ----


def _telemetry_test(args: argparse.Namespace, out: TextIO) -> int:
    # Only the Rust provider: a command must not configure the process's global Python SDK.
    tel = (
        vag.VercelTelemetry(backend=args.backend, python_sdk=False)
        if args.backend
        else vag.VercelTelemetry.from_env(python_sdk=False)
    )
    if tel.backend == "off":
        out.write("telemetry is not configured: set a backend's variables or pass --backend\n")
        return 1
    out.write(f"{tel!r}\n")
    tel.install()
    from vercel_ai_gateway import _core

    _core._record_call(
        "chat",
        "vercel-ai-gateway/telemetry-test",
        response={"model": "vercel-ai-gateway/telemetry-test", "usage": {"prompt_tokens": 1, "completion_tokens": 1}},
    )
    started = time.perf_counter()
    ok = tel.flush(timeout=args.timeout)
    elapsed = (time.perf_counter() - started) * 1000
    tel.shutdown(timeout=args.timeout)
    out.write(f"test span {'exported' if ok else 'NOT exported'} in {elapsed:.0f} ms\n")
    return 0 if ok else 1


# ---- entry point ----


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vercel-ai-gateway", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {vag.__version__}")
    parser.add_argument("--local", action="store_true", help="run against LocalGateway (offline)")
    # `--local` is also accepted after the command name.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--local", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("doctor", parents=[common], help="check credentials, gateway, OpenRouter and telemetry")
    p.add_argument("--json", action="store_true")
    p.add_argument("--dev-refresh", action="store_true", default=None, help="allow the Vercel CLI login refresh")
    p.set_defaults(run=_doctor)

    p = sub.add_parser("models", parents=[common], help="the model catalog")
    p.add_argument("--search")
    p.add_argument("--gateway", choices=["vercel", "openrouter"], default="vercel")
    p.add_argument("--map", action="store_true", help="show the OpenRouter <-> Vercel id mapping and its reasons")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_models)

    p = sub.add_parser("route", parents=[common], help="explain a routing decision")
    p.add_argument("--model", required=True)
    p.add_argument("--user")
    p.add_argument("--share", type=float, default=0.0, help="Vercel share, 0-1")
    p.add_argument("--pin", action="append", help="PATTERN=GATEWAY, e.g. xai/*=vercel")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_route)

    p = sub.add_parser("chat", parents=[common], help="stream an answer, then usage and cost")
    p.add_argument("model")
    p.add_argument("prompt")
    p.add_argument("--gateway", choices=["vercel", "openrouter"], default="vercel")
    p.add_argument("--share", type=float, help="route with this Vercel share instead of one gateway")
    p.add_argument("--no-stream", action="store_true")
    p.set_defaults(run=_chat)

    p = sub.add_parser("litellm-config", parents=[common], help="print a LiteLLM proxy config.yaml")
    p.add_argument("--models", required=True, help="comma-separated model ids")
    p.add_argument("--primary", choices=["vercel", "openrouter"], default="vercel")
    p.set_defaults(run=_litellm_config)

    p = sub.add_parser("telemetry", parents=[common], help="telemetry tools")
    tsub = p.add_subparsers(dest="telemetry_command", required=True)
    t = tsub.add_parser("test", parents=[common], help="send one test span with the configured preset")
    t.add_argument("--backend")
    t.add_argument("--timeout", type=float, default=10.0)
    t.set_defaults(run=_telemetry_test)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Runs the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    out = out or sys.stdout
    try:
        with _local_gateways(args.local):
            code: int = args.run(args, out)
            return code
    except vag.VercelAIGatewayError as e:
        sys.stderr.write(f"error: {e}\n")
        return 2
