import importlib.metadata
import importlib.resources

import attrs
import certifi
import click
import humanize
import idna
import requests
import tomli
from packaging.requirements import Requirement
from packaging.version import Version
from wit_world import exports


@attrs.define
class Point:
    x: int
    y: int = attrs.field(default=0)


@click.command()
@click.option("--count", default=1, type=int)
@click.argument("name")
def greet(count: int, name: str) -> None:
    for _ in range(count):
        click.echo(f"click says hello to {name}")


class Run(exports.Run):
    def run(self) -> None:
        print("attrs", Point(1), attrs.asdict(Point(2, 3)))
        print("packaging", Version("2.0rc1") < Version("2.0"), Requirement("a[b]>=1; python_version>'3'").name)
        print("idna", idna.encode("bücher.example").decode())
        print("tomli", tomli.loads('a = 1\n[b]\nc = "d"\n'))
        print("humanize", humanize.naturalsize(3_000_000), humanize.intcomma(1234567))
        greet.main(["--count", "2", "wasi"], standalone_mode=False)
        session = requests.Session()
        prepared = session.prepare_request(requests.Request("GET", "https://example.test/a b", params={"q": "ü"}))
        print("requests", requests.__version__, prepared.url)
        pem = importlib.resources.files("certifi").joinpath("cacert.pem").read_text()
        print("certifi", pem.count("BEGIN CERTIFICATE") > 100, certifi.where())
        names = sorted(d.metadata["Name"].lower() for d in importlib.metadata.distributions())
        print("installed", names)
