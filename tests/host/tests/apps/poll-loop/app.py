"""A `wasi:http/proxy` handler written against `poll_loop` (as componentize-py's http example is):
`POST /echo` streams the request body back, `GET /sizes` fetches the URLs named by `url` headers
concurrently and streams their sizes. The corpus builds it, and mypy --strict checks it against
the generated `poll_loop.py`."""

import asyncio
from typing import List, Tuple
from urllib import parse

import poll_loop
from componentize_py_types import Ok
from poll_loop import PollLoop, Sink, Stream
from wit_world import exports
from wit_world.imports.types import (
    Fields,
    IncomingRequest,
    Method_Get,
    Method_Post,
    OutgoingBody,
    OutgoingRequest,
    OutgoingResponse,
    ResponseOutparam,
    Scheme,
    Scheme_Http,
    Scheme_Https,
    Scheme_Other,
)


class IncomingHandler(exports.IncomingHandler):
    def handle(self, request: IncomingRequest, response_out: ResponseOutparam) -> None:
        loop = PollLoop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(respond(request, response_out))
        finally:
            loop.close()


async def respond(request: IncomingRequest, response_out: ResponseOutparam) -> None:
    method = request.method()
    path = request.path_with_query()
    headers: List[Tuple[str, bytes]] = request.headers().entries()
    if isinstance(method, Method_Post) and path == "/echo":
        kept = [(name, value) for name, value in headers if name == "content-type"]
        response = OutgoingResponse(Fields.from_list(kept))
        sink = Sink(response.body())
        ResponseOutparam.set(response_out, Ok(response))
        stream = Stream(request.consume())
        while (chunk := await stream.next()) is not None:
            await sink.send(chunk)
        sink.close()
    elif isinstance(method, Method_Get) and path == "/sizes":
        urls = [value.decode() for name, value in headers if name == "url"]
        response = OutgoingResponse(Fields.from_list([("content-type", b"text/plain")]))
        sink = Sink(response.body())
        ResponseOutparam.set(response_out, Ok(response))
        for done in asyncio.as_completed([size_of(url) for url in urls]):
            url, size = await done
            await sink.send(f"{url}: {size}\n".encode())
        sink.close()
    else:
        response = OutgoingResponse(Fields.from_list([]))
        response.set_status_code(404)
        body = response.body()
        ResponseOutparam.set(response_out, Ok(response))
        OutgoingBody.finish(body, None)


def scheme_of(url: parse.SplitResult) -> Scheme:
    if url.scheme == "http":
        return Scheme_Http()
    if url.scheme == "https":
        return Scheme_Https()
    return Scheme_Other(url.scheme)


async def size_of(url: str) -> Tuple[str, str]:
    parts = parse.urlsplit(url)
    request = OutgoingRequest(Fields.from_list([]))
    request.set_scheme(scheme_of(parts))
    request.set_authority(parts.netloc)
    request.set_path_with_query(parts.path or "/")
    response = await poll_loop.send(request)
    if not 200 <= response.status() < 300:
        return url, f"status {response.status()}"
    stream = Stream(response.consume())
    size = 0
    while (chunk := await stream.next()) is not None:
        size += len(chunk)
    return url, f"{size} bytes"
