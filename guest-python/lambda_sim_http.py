"""botocore's HTTP over `wasi:http`, so that boto3 runs unmodified inside lambda-sim.

The sandbox has no network: a request to the simulator's AWS endpoint (the function's
`AWS_ENDPOINT_URL`, which botocore reads) is answered in process by lambda-sim's AWS APIs; a
request to any other host is refused by the host, which says so in the function's log, and
botocore raises `RequestDenied` (not retried: it would be refused again).

`install()` replaces `URLLib3Session.send`, the one place botocore's requests leave it; the
rest of botocore (signing, retries, parsing, paginators, waiters) runs as it is.
"""

import io

from componentize_py_types import Err
from wit_world.imports import outgoing_handler
from wit_world.imports import wasi_http_types as http

# The most bytes one `blocking-write-and-flush` takes (wasi:io's limit is 4096).
_WRITE_CHUNK = 4096
_READ_CHUNK = 64 * 1024
# Headers wasi:http refuses from a guest (the host sets them).
_FORBIDDEN = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host", "http2-settings", "te"}

_METHODS = {
    "GET": http.Method_Get,
    "HEAD": http.Method_Head,
    "POST": http.Method_Post,
    "PUT": http.Method_Put,
    "DELETE": http.Method_Delete,
    "OPTIONS": http.Method_Options,
    "PATCH": http.Method_Patch,
}


def send(method, url, headers, body):
    """Sends one request; returns `(status, [(name, value)], body bytes)`. Raises
    `ConnectionError` with the wasi:http error code when the request fails (never the
    bindings' `Err`: a frozen dataclass, which `contextlib` cannot give a traceback)."""
    try:
        return _send(method, url, headers, body)
    except Err as err:
        raise ConnectionError(_code(err.value)) from None


def _send(method, url, headers, body):
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    fields = http.Fields.from_list(
        [(name.lower(), _bytes(value)) for name, value in headers if name.lower() not in _FORBIDDEN]
    )
    request = http.OutgoingRequest(fields)
    make = _METHODS.get(method.upper())
    request.set_method(make() if make else http.Method_Other(method.upper()))
    request.set_scheme(http.Scheme_Https() if parts.scheme == "https" else http.Scheme_Http())
    request.set_authority(parts.netloc)
    path = parts.path or "/"
    request.set_path_with_query(f"{path}?{parts.query}" if parts.query else path)
    outgoing = request.body()
    future = outgoing_handler.handle(request, None)
    # The body is written after `handle`: the host reads it as it is written.
    stream = outgoing.write()
    data = memoryview(body or b"")
    try:
        for start in range(0, len(data), _WRITE_CHUNK):
            stream.blocking_write_and_flush(bytes(data[start : start + _WRITE_CHUNK]))
    except Err:
        # The host stopped reading (a refused request): its answer says why.
        pass
    stream.__exit__(None, None, None)
    try:
        http.OutgoingBody.finish(outgoing, None)
    except Err:
        pass
    pollable = future.subscribe()
    pollable.block()
    pollable.__exit__(None, None, None)
    answer = future.get()
    future.__exit__(None, None, None)
    if answer is None or isinstance(answer, Err):
        raise ConnectionError("the response was already taken")
    inner = answer.value
    if isinstance(inner, Err):
        raise ConnectionError(_code(inner.value))
    response = inner.value
    status = response.status()
    with response.headers() as fields:
        entries = fields.entries()
    incoming = response.consume()
    chunks = []
    reader = incoming.stream()
    while True:
        try:
            chunks.append(reader.blocking_read(_READ_CHUNK))
        except Err:
            break
    reader.__exit__(None, None, None)
    http.IncomingBody.finish(incoming).__exit__(None, None, None)
    response.__exit__(None, None, None)
    return status, [(name, value.decode("latin-1")) for name, value in entries], b"".join(chunks)


def _bytes(value):
    return value if isinstance(value, bytes) else str(value).encode("latin-1")


def _code(error):
    """A wasi:http error code as a readable name (`HTTP-request-denied`)."""
    name = type(error).__name__.removeprefix("ErrorCode_")
    return "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-").replace("http-", "HTTP-", 1)


class _Raw(io.RawIOBase):
    """A whole response body as the file-like `raw` that botocore reads (`read`, `stream`)."""

    def __init__(self, data):
        self._data = io.BytesIO(data)

    def readable(self):
        return True

    def read(self, amt=None, decode_content=True):
        return self._data.read(-1 if amt is None else amt)

    def stream(self, amt=1024, decode_content=True):
        while True:
            chunk = self._data.read(amt)
            if not chunk:
                return
            yield chunk

    def release_conn(self):
        pass


def install():
    """Sends botocore's requests over wasi:http (when botocore is imported)."""
    import botocore.awsrequest
    import botocore.exceptions
    import botocore.httpsession

    class RequestDenied(botocore.exceptions.HTTPClientError):
        fmt = (
            'lambda-sim refused the request to "{endpoint_url}": {error}; a function reaches only '
            "the simulator's AWS endpoint (its AWS_ENDPOINT_URL), a sandbox has no network"
        )

    def send_over_wasi_http(self, request):
        body = request.body
        if hasattr(body, "read"):
            body = body.read()
        if isinstance(body, str):
            body = body.encode("utf-8")
        try:
            status, headers, content = send(request.method, request.url, list(request.headers.items()), body)
        except ConnectionError as err:
            if "denied" in str(err):
                raise RequestDenied(endpoint_url=request.url, error=str(err)) from None
            raise botocore.exceptions.EndpointConnectionError(endpoint_url=request.url, error=err) from None
        raw = _Raw(content)
        response = botocore.awsrequest.AWSResponse(request.url, status, botocore.awsrequest.HeadersDict(headers), raw)
        if not request.stream_output:
            # Read now, as botocore does for a response it does not stream.
            response.content
        return response

    botocore.httpsession.URLLib3Session.send = send_over_wasi_http
    botocore.exceptions.LambdaSimRequestDenied = RequestDenied
