#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A local Dokploy simulator for the provider's demo and integration tests.

Serves Dokploy's tRPC-as-REST API under /api/ on 127.0.0.1, "runs" compose
services by starting a real sshd per workspace, and offers an unauthenticated
control API under /__sim/ (state, request log, fault injection). See README.md.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import signal
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from compose_runtime import ComposeRuntime
from sim_faults import FaultBook
from sim_model import EMPTY, DokployModel, parse_server
from sim_requests import RateLimit, RequestLog
from sim_validation import ApiError

MAX_BODY_BYTES = 1024 * 1024
TLS_HANDSHAKE_SECONDS = 10.0
TLS_HANDSHAKE_RECORD = 0x16
# What Go's net/http (so Traefik, in front of Dokploy) answers to plain HTTP on its TLS port.
PLAIN_HTTP_ON_TLS_PORT = b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"
INVALID_JSON = object()
PUBLIC_PROCEDURES = {"health": {"ok": True}, "settings.health": {"status": "ok"}}
UNAUTHORIZED = {"message": "Unauthorized"}
TRPC_CODES = {
    400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
    405: "METHOD_NOT_SUPPORTED", 408: "TIMEOUT", 409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE", 429: "TOO_MANY_REQUESTS", 500: "INTERNAL_SERVER_ERROR",
    501: "NOT_IMPLEMENTED", 502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE", 504: "GATEWAY_TIMEOUT",
}


@dataclass
class SimContext:
    """Everything a request handler needs."""

    token: str
    model: DokployModel
    runtime: ComposeRuntime
    faults: FaultBook
    log: RequestLog
    verbose: bool
    rate_limit: RateLimit


@dataclass
class Reply:
    """An HTTP answer before it is written."""

    status: int
    body: bytes
    content_type: str | None = "application/json"
    headers: tuple = ()

    @classmethod
    def json(cls, status: int, value, headers: tuple = ()) -> "Reply":
        return cls(status, json.dumps(value).encode(), headers=headers)


def error_reply(status: int, message: str, code: str | None = None) -> Reply:
    return Reply.json(status, {"message": message, "code": code or _trpc_code(status)})


class SimHandler(BaseHTTPRequestHandler):
    """Routes /api/ to the model (with faults) and /__sim/ to the control API."""

    protocol_version = "HTTP/1.1"
    server_version = "dokploy-sim"

    @property
    def ctx(self) -> SimContext:
        return self.server.context

    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format, *args):
        if self.ctx.verbose:
            sys.stderr.write(f"dokploy-sim: {self.address_string()} {format % args}\n")

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self._send(error_reply(413, "Request body too large"))
            return
        raw = self.rfile.read(length) if length else b""
        if url.path.startswith("/api/"):
            self._api(url, raw)
        elif url.path.startswith("/__sim/"):
            self._send(self._control(url.path, raw))
        else:
            self._send(error_reply(404, f"Not found: {url.path}"))

    def _api(self, url, raw: bytes) -> None:
        """Answer an API request, applying the first matching request fault."""
        procedure = url.path[len("/api/"):]
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        entry = self.ctx.log.start(self.command, url.path, query, _json_or_none(raw))
        fault = self.ctx.faults.take_request_fault(procedure)
        kind = fault["kind"] if fault else None
        if kind == "reset":
            self.ctx.log.finish(entry, None, kind)
            self._reset_connection()
            return
        if kind == "slow":
            time.sleep(fault["seconds"])
        reply = _fault_reply(fault) or self._api_reply(procedure, query, raw)
        if kind == "truncated":
            reply.body = reply.body[: len(reply.body) // 2]
        self.ctx.log.finish(entry, reply.status, kind)
        self._send(reply)

    def _api_reply(self, procedure: str, query: dict, raw: bytes) -> Reply:
        """The real Dokploy answer: auth (and the key's rate limit), routing, content type, decoding, the
        procedure."""
        model = self.ctx.model
        if procedure in PUBLIC_PROCEDURES and self.command == "GET":
            return Reply.json(200, PUBLIC_PROCEDURES[procedure])
        if self.headers.get("x-api-key") != self.ctx.token or not self.ctx.rate_limit.spend():
            return Reply.json(401, UNAUTHORIZED)
        try:
            if model.method_of(procedure) != self.command:
                if model.legacy:
                    raise ApiError(404, "NOT_FOUND", f'No procedure found on path "/{procedure}"')
                raise ApiError(404, "NOT_FOUND", "Not found", with_path=False)
            data = self._decode_input(query, raw)
            if data is INVALID_JSON:
                return Reply(400, b"Invalid JSON", None)
            result = model.call(procedure, data)
            return Reply(200, b"") if result is EMPTY else Reply.json(200, result)
        except ApiError as exc:
            return Reply.json(exc.status, exc.body(procedure, model.modern_errors))
        except Exception as exc:  # a simulator bug: answer like Dokploy would, keep serving
            traceback.print_exc(file=sys.stderr)
            return Reply.json(500, ApiError(500, "INTERNAL_SERVER_ERROR", f"Simulator error: {exc}")
                              .body(procedure, model.modern_errors))

    def _decode_input(self, query: dict, raw: bytes):
        """GET input is the query string; POST input is a JSON body (INVALID_JSON when it does not parse)."""
        if self.command == "GET":
            return query
        header = self.headers.get("Content-Type")
        content_type = (header or "").split(";")[0].strip().lower()
        if header is None or not header.strip():
            raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Missing content-type header")
        if content_type != "application/json":
            # Dokploy's message really lacks the closing quote.
            raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE", f'Unsupported content-type "{header.strip()}')
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            return INVALID_JSON

    def _control(self, path: str, raw: bytes) -> Reply:
        """The unauthenticated /__sim/ control API."""
        ctx, method = self.ctx, self.command
        body = _json_or_none(raw)
        if (method, path) == ("GET", "/__sim/state"):
            return Reply.json(200, {**ctx.model.snapshot(), "rateLimit": ctx.rate_limit.state()})
        if (method, path) == ("GET", "/__sim/requests"):
            return Reply.json(200, ctx.log.entries())
        if (method, path) == ("POST", "/__sim/requests/clear"):
            ctx.log.clear()
            return Reply.json(200, {"ok": True})
        if (method, path) == ("GET", "/__sim/faults"):
            return Reply.json(200, ctx.faults.remaining())
        if (method, path) == ("POST", "/__sim/faults"):
            try:
                return Reply.json(200, ctx.faults.add(body))
            except ValueError as exc:
                return error_reply(400, str(exc))
        if (method, path) in (("DELETE", "/__sim/faults"), ("POST", "/__sim/faults/clear")):
            ctx.faults.clear()
            return Reply.json(200, {"ok": True})
        compose_id = body.get("composeId") if isinstance(body, dict) else None
        if (method, path) == ("POST", "/__sim/kill-sshd"):
            killed = ctx.model.kill_sshd(compose_id) if compose_id else []
            if not killed:
                return error_reply(404, f"No running sshd for compose {compose_id!r}")
            return Reply.json(200, {"killed": killed})
        if (method, path) == ("POST", "/__sim/exit-container"):
            exited = ctx.model.exit_container(compose_id) if compose_id else None
            if exited is None:
                return error_reply(404, f"No running container for compose {compose_id!r}")
            return Reply.json(200, {"exited": exited})
        if (method, path) == ("POST", "/__sim/token"):
            token = (body or {}).get("token") if isinstance(body, dict) else None
            if not isinstance(token, str) or not token:
                return error_reply(400, 'expected {"token": "<the new API key>"}')
            ctx.token = token  # the old key stops working at once, as when it is revoked in Dokploy
            return Reply.json(200, {"rotated": True})
        if (method, path) == ("GET", "/__sim/rate-limit"):
            return Reply.json(200, ctx.rate_limit.state())
        if (method, path) == ("POST", "/__sim/rate-limit/reset"):
            try:
                return Reply.json(200, ctx.rate_limit.reset(body))
            except ValueError as exc:
                return error_reply(400, str(exc))
        return error_reply(404, f"No control endpoint {method} {path}")

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(reply.body)

    def _reset_connection(self) -> None:
        """Close the TCP connection with an RST and no answer (SO_LINGER 0)."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()
        self.connection.close()
        self.close_connection = True


def _fault_reply(fault: dict | None) -> Reply | None:
    """The canned answer of an answering fault kind; None when the API must answer."""
    kind = fault["kind"] if fault else None
    if kind == "status":
        status = fault["status"]
        headers = (("Retry-After", str(fault["retry_after"])),) if "retry_after" in fault else ()
        body = fault.get("body", {"message": _reason(status), "code": _trpc_code(status)})
        return Reply.json(status, body, headers)
    if kind == "nonjson":
        return Reply(200, b"<html>Bad Gateway</html>", "text/html")
    if kind == "wrongshape":
        return Reply.json(200, fault.get("body", {"unexpected": True}))
    if kind == "unauthorized":
        return Reply.json(401, UNAUTHORIZED)
    return None


def _trpc_code(status: int) -> str:
    return TRPC_CODES.get(status, "INTERNAL_SERVER_ERROR" if status >= 500 else "BAD_REQUEST")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def _json_or_none(raw: bytes):
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        return None


class SimServer(ThreadingHTTPServer):
    """A threading HTTP server carrying the simulator context; HTTPS when given a TLS context."""

    daemon_threads = True

    def __init__(self, address, context: SimContext, tls: ssl.SSLContext | None = None):
        super().__init__(address, SimHandler)
        self.context = context
        self.tls = tls

    def finish_request(self, request, client_address):
        """In the connection's thread. With TLS: plain HTTP gets Go's 400 answer; else the handshake, whose
        failure only closes this connection, then HTTP over TLS."""
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        try:
            request.settimeout(TLS_HANDSHAKE_SECONDS)
            first = request.recv(1, socket.MSG_PEEK)
            if not first:
                return
            if first[0] != TLS_HANDSHAKE_RECORD:
                self._log(client_address, "plain HTTP on the TLS port: answered 400")
                _answer_plain_http(request)
                return
            # wrap_socket takes over the descriptor; closing the wrapper closes the connection.
            with self.tls.wrap_socket(request, server_side=True, do_handshake_on_connect=False) as tls_sock:
                try:
                    tls_sock.do_handshake()
                except (ssl.SSLError, OSError) as exc:
                    self._log(client_address, f"TLS handshake failed: {exc}")
                    return
                tls_sock.settimeout(None)
                super().finish_request(tls_sock, client_address)
        except OSError:
            return  # the client went away

    def _log(self, client_address, message: str) -> None:
        if self.context.verbose:
            sys.stderr.write(f"dokploy-sim: {client_address[0]} {message}\n")


def _answer_plain_http(sock: socket.socket) -> None:
    """Reads the request head (so that closing sends FIN, not RST), answers 400 and closes our side."""
    received = b""
    while b"\r\n\r\n" not in received and len(received) < MAX_BODY_BYTES:
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    sock.sendall(PLAIN_HTTP_ON_TLS_PORT)
    sock.shutdown(socket.SHUT_WR)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Dokploy API simulator (127.0.0.1 only)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0 = any free)")
    parser.add_argument("--port-file", help="write the chosen port here (atomically)")
    parser.add_argument("--token", required=True, help="the API key clients must send")
    parser.add_argument("--legacy", action="store_true", help="speak the v0.22 layout")
    parser.add_argument("--version", help="Dokploy version to report (v0.30.2; v0.22.7 legacy)")
    parser.add_argument("--deploy-seconds", type=float, default=0.5,
                        help="how long a deploy stays running")
    parser.add_argument("--state-dir", help="sshd files per workspace (default: temp dir)")
    parser.add_argument("--server", action="append", default=[], metavar="ID:NAME:IP",
                        help="define a remote server (repeatable)")
    parser.add_argument("--sshd", default="/usr/sbin/sshd", help="sshd binary")
    parser.add_argument("--no-read-logs", action="store_true",
                        help="no deployment.readLogs (like Dokploy before v0.29.5)")
    parser.add_argument("--rate-limit", type=int, metavar="N",
                        help="the token answers 401 after N authenticated requests")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    parser.add_argument("--tls-cert", metavar="FILE", help="serve HTTPS with this PEM certificate (chain)")
    parser.add_argument("--tls-key", metavar="FILE", help="the PEM private key of --tls-cert")
    args = parser.parse_args(argv)
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    try:
        args.server = [parse_server(s) for s in args.server]
    except ValueError as exc:
        parser.error(str(exc))
    if args.version is None:
        args.version = "v0.22.7" if args.legacy else "v0.30.2"
    if args.rate_limit is not None and args.rate_limit < 0:
        parser.error("--rate-limit must be 0 or more")
    return args


def write_port_file(path: str, port: int) -> None:
    """Write the port atomically (temp file + rename)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(dir=directory, prefix=".port-")
    with os.fdopen(fd, "w") as f:
        f.write(f"{port}\n")
    os.replace(temp, path)


def tls_context(cert: str, key: str) -> ssl.SSLContext:
    """A server-side TLS context (TLS 1.2+) with this certificate and key; raises OSError, ssl.SSLError."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context


def main(argv=None) -> int:
    args = parse_args(argv)
    tls = None
    if args.tls_cert:
        try:
            tls = tls_context(args.tls_cert, args.tls_key)
        except (OSError, ssl.SSLError) as exc:
            print(f"dokploy-sim: cannot use --tls-cert {args.tls_cert} / --tls-key {args.tls_key}: {exc}",
                  file=sys.stderr)
            return 2
    state_dir = args.state_dir or tempfile.mkdtemp(prefix="dokploy-sim-")
    os.makedirs(state_dir, exist_ok=True)
    runtime = ComposeRuntime(state_dir, args.sshd)

    def cleanup() -> None:
        runtime.stop_all()
        if not args.state_dir:
            shutil.rmtree(state_dir, ignore_errors=True)

    atexit.register(cleanup)
    faults = FaultBook()
    model = DokployModel(runtime, faults, legacy=args.legacy, version=args.version,
                         deploy_seconds=args.deploy_seconds, servers=args.server,
                         read_logs=not args.no_read_logs)
    context = SimContext(args.token, model, runtime, faults, RequestLog(), args.verbose,
                         RateLimit(args.rate_limit))
    server = SimServer(("127.0.0.1", args.port), context, tls)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                     name="http", daemon=True).start()
    port = server.server_address[1]
    if args.port_file:
        write_port_file(args.port_file, port)
    print(f"dokploy-sim listening on {'https' if tls else 'http'}://127.0.0.1:{port}", flush=True)
    stop.wait()
    server.shutdown()
    server.server_close()
    cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
