"""Seeds fuzz/corpus/<target>/ from the repository's fixtures (run by `make fuzz`).

Cassettes (tests/fixtures/recorded) seed the cassette loader, and their recorded event streams,
request bodies and error replies seed the SSE decoder, the translator and the error-envelope
parser; excerpts of the embedded catalogs (src/catalog) seed catalog loading and their ids the
model mapper; a few minted tokens and URLs seed the JWT and config targets. Seeds are named by
a hash of their content, so running this again adds nothing new. PyYAML, when installed, lets
the cassettes' contents be mined too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path

try:
    import yaml
except ImportError:  # without PyYAML the cassettes are still seeds, their contents are not mined
    yaml = None

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"


def put(target: str, data: bytes) -> None:
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cassettes() -> None:
    for path in sorted((ROOT / "tests" / "fixtures" / "recorded").rglob("*.yaml")):
        text = path.read_bytes()
        put("cassette", text)
        if yaml is None:
            continue
        document = yaml.safe_load(text)
        for interaction in document.get("interactions") or []:
            request, response = interaction.get("request", {}), interaction.get("response", {})
            if request.get("body"):
                put("translate", request["body"].encode())
            body = (response.get("body") or "").encode()
            if body.lstrip().startswith(b"data:"):
                # The SSE target reads a line-limit byte and a piece-size byte first.
                for prefix in (b"\x00\x00", b"\x00\x07", b"\x40\x01"):
                    put("sse", prefix + body)
            elif response.get("code", 200) >= 400:
                put("error_envelope", bytes([1, 244, 0]) + body)


def catalogs() -> None:
    for name, key in (("vercel-models.json", "data"), ("openrouter-models.json", "data")):
        document = json.loads((ROOT / "src" / "catalog" / name).read_text())
        models = document[key]
        for start in range(0, min(len(models), 40), 4):
            put("catalog", json.dumps({key: models[start : start + 4]}).encode())
        for model in models[:120]:
            for decoration in ("", ":free", ":nitro", ":online"):
                put("model_map", (model["id"] + decoration).encode())


def small_seeds() -> None:
    header = b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    for claims in ({"exp": 1_900_000_000, "project": "demo"}, {"exp": "soon"}, {"exp": 1.9e9, "iat": None}, {}):
        put("jwt", f"{header}.{b64(json.dumps(claims).encode())}.c2ln".encode())
    for token in ("vck_abc", "a.b", "..", "eyJ.e30.x", f"{header}==.e30.sig"):
        put("jwt", token.encode())
    for url in (
        "https://ai-gateway.vercel.sh/v1",
        "http://127.0.0.1:8080/v1/",
        "http://user:pass@host/v1",
        "https://h/v1?key=x#f",
        "ftp://x",
        " HTTPS://[::1]:443//v1 ",
        # What the config target once found: inputs that were not fixed points.
        "http://http:/t\t/",
        "http:10p:10///\r/////",
        "http:S://%/1 /",
    ):
        put("config", url.encode())
    sse = [
        b'data: {"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}\n\ndata: [DONE]\n\n',
        b': OPENROUTER PROCESSING\r\n\r\ndata: {"error":{"message":"boom","code":502}}\r\n\r\n',
        b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n',
    ]
    for body in sse:
        put("sse", b"\x00\x03" + body)
    for status, body in ((429, b'{"error":{"message":"slow down","type":"rate_limit_exceeded"}}'), (502, b"<html>")):
        put("error_envelope", status.to_bytes(2, "big") + b"\x01" + b"5" + body)
    # What the error_envelope target once found: a blank message, and a `retry-after: nan`.
    put("error_envelope", (500).to_bytes(2, "big") + b"\x00" + b'{"error":{"message":""}}')
    put("error_envelope", (114).to_bytes(2, "big") + b"\x04" + b"nan {}")
    put("translate", json.dumps({"model": "x-ai/grok-4", "provider": {"order": ["xai"], "sort": "price"}}).encode())


def main() -> int:
    cassettes()
    catalogs()
    small_seeds()
    for folder in sorted(CORPUS.iterdir()):
        print(f"{folder.name}: {sum(1 for _ in folder.iterdir())} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
