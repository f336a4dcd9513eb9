"""bench.http_load's load generator: signed slash commands over raw HTTP/1.1 keep-alive connections.

httpx costs about 1.8 ms of CPU a request, which made the generator, not the server under test, the
bottleneck. Here a request is a pre-built byte template with its per-request numbers put in, an HMAC
and one write, and a response is parsed only as far as its status and body (by Content-Length or
chunked transfer-encoding): a few tens of microseconds of CPU.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.slack.signed import signature

FORM = "application/x-www-form-urlencoded"

# Stands for the request number in the form template; urlencode leaves it, and the digits and dots put
# in its place, as they are.
_NUMBER = "0NUMBER0"


class HTTPError(Exception):
    """The server's answer was cut short or is not HTTP/1.1 as we read it."""


class _NoAnswer(HTTPError):
    """The server closed the connection before sending any of a response."""


class Connection:
    """One keep-alive HTTP/1.1 connection to the server at `url`, opened when needed.

    One request at a time. When the server says it closes the connection (Connection: close, or an
    HTTP/1.0 answer without keep-alive) or the connection breaks, the next request opens a new one; a
    request on a reused connection that the server had already closed (its keep-alive timeout) is sent
    again once on a new connection. Failures raise OSError (TimeoutError after `timeout` seconds for
    the whole exchange) or HTTPError.
    """

    def __init__(self, url: str, *, timeout: float = 30.0):
        parts = urlsplit(url)
        self.host = parts.netloc  # for the Host header
        self._address = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._timeout = timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, data: bytes) -> tuple[int, bytes]:
        """Send one whole request (head and body); the response's status and body."""
        try:
            async with asyncio.timeout(self._timeout):
                reused = self._writer is not None
                try:
                    return await self._exchange(data)
                except (_NoAnswer, ConnectionResetError):
                    self._drop()
                    if not reused:
                        raise
                    return await self._exchange(data)
        except BaseException:
            self._drop()  # in an unknown state: start afresh next time
            raise

    async def get(self, path: str) -> tuple[int, bytes]:
        return await self.request(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode())

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    def _drop(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def _exchange(self, data: bytes) -> tuple[int, bytes]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(*self._address)
        # No drain(): a request is far below the transport's write buffer limit, and the answer cannot
        # come before all of it has gone.
        self._writer.write(data)
        status, body, keep_alive = await self._read_response()
        if not keep_alive:
            self._drop()
        return status, body

    async def _read_response(self) -> tuple[int, bytes, bool]:
        reader = self._reader
        assert reader is not None
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as exc:
                if not exc.partial:
                    raise _NoAnswer("the server closed the connection without answering") from None
                raise HTTPError(f"response head cut short: {exc.partial[:80]!r}") from None
            except asyncio.LimitOverrunError:
                raise HTTPError("response head too long") from None
            lines = head[:-4].split(b"\r\n")
            version, _, rest = lines[0].partition(b" ")
            try:
                status = int(rest[:3])
            except ValueError:
                raise HTTPError(f"not a status line: {lines[0][:80]!r}") from None
            if not version.startswith(b"HTTP/1."):
                raise HTTPError(f"not a status line: {lines[0][:80]!r}")
            if 100 <= status < 200:
                continue  # an interim answer (100 Continue): the real one follows
            headers: dict[bytes, bytes] = {}
            for line in lines[1:]:
                name, colon, value = line.partition(b":")
                if not colon:
                    raise HTTPError(f"not a header: {line[:80]!r}")
                headers[name.strip().lower()] = value.strip().lower()  # only framing ones are read
            break

        # HTTP/1.1 keeps the connection unless told otherwise, HTTP/1.0 only when told to.
        connection = headers.get(b"connection", b"")
        keep_alive = b"keep-alive" in connection if version == b"HTTP/1.0" else b"close" not in connection
        try:
            if status in (204, 304):
                body = b""
            elif b"chunked" in headers.get(b"transfer-encoding", b""):
                body = await self._read_chunked(reader)
            elif b"content-length" in headers:
                body = await reader.readexactly(int(headers[b"content-length"]))
            else:
                body, keep_alive = await reader.read(), False  # the body ends with the connection
        except asyncio.IncompleteReadError as exc:
            raise HTTPError(f"response body cut short after {len(exc.partial)} bytes") from None
        except (ValueError, asyncio.LimitOverrunError) as exc:
            raise HTTPError(f"unreadable response body framing: {exc}") from None
        return status, body, keep_alive

    @staticmethod
    async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
        chunks = []
        while True:
            size = int(((await reader.readuntil(b"\r\n")).split(b";", 1)[0]), 16)  # drop chunk extensions
            if size == 0:
                break
            chunk = await reader.readexactly(size + 2)
            if chunk[-2:] != b"\r\n":
                raise ValueError("chunk not followed by CRLF")
            chunks.append(chunk[:-2])
        while await reader.readuntil(b"\r\n") != b"\r\n":
            pass  # trailer fields, up to the empty line
        return b"".join(chunks)


class SlashCommands:
    """Whole HTTP/1.1 requests posting one slash command to /slack/events, signed as Slack signs them.

    `form_body` is a sample of the command's form (as tests.slack.signed.SignedSlack.command_body
    makes it); each request has the same fields with a fresh response_url under `response_url_base`
    and a fresh trigger_id (the app processes each delivery once), both numbered by a counter. The
    form is urlencoded once, as a template; the timestamp and signature are made when a request is.
    """

    def __init__(self, url: str, secret: str, form_body: bytes, *, response_url_base: str, run: str):
        form = dict(parse_qsl(form_body.decode(), keep_blank_values=True, strict_parsing=True))

        def with_number(n: str) -> dict[str, str]:
            return {**form, "response_url": f"{response_url_base}{n}", "trigger_id": f"{n}.{run}.bench"}

        self._parts = urlencode(with_number(_NUMBER)).split(_NUMBER)
        if len(self._parts) != 3 or self.body(12345) != urlencode(with_number("12345")).encode():
            raise ValueError("the form cannot be templated: a field holds the placeholder or needs quoting")
        self._secret = secret
        self._numbers = itertools.count(1)
        self._head = (
            f"POST /slack/events HTTP/1.1\r\nHost: {urlsplit(url).netloc}\r\nContent-Type: {FORM}\r\n"
            "X-Slack-Request-Timestamp: "
        ).encode()

    def body(self, n: int) -> bytes:
        """The form of request number `n`, exactly as urlencode makes it."""
        return str(n).join(self._parts).encode()

    def next(self) -> bytes:
        """The next request: head and body, signed now."""
        body = self.body(next(self._numbers))
        timestamp = str(int(time.time()))
        return b"".join(
            (
                self._head,
                timestamp.encode(),
                b"\r\nX-Slack-Signature: ",
                signature(self._secret, timestamp, body).encode(),
                b"\r\nContent-Length: ",
                str(len(body)).encode(),
                b"\r\n\r\n",
                body,
            )
        )
