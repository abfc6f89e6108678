"""Every URL pattern of the project, and a sample URL for each: the security tests walk them all.

Tests use this instead of a hand-kept list, so a page another app adds is covered the moment its
route exists. Routes with parameters get sample values: real objects where a test supplies them
(`overrides`), otherwise values that fit the converter (pages then usually answer 404, which still
has to carry the security headers).
"""

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter, PathConverter, SlugConverter, UUIDConverter
from django.urls.resolvers import RegexPattern


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or "namespace:<pattern>" for unnamed patterns
    pattern: str  # the full pattern, for messages
    params: tuple[str, ...]
    converters: dict = field(hash=False, compare=False)
    named: bool = True
    regex_parts: bool = False

    @property
    def namespace(self) -> str:
        return self.name.rpartition(":")[0]


def iter_routes() -> Iterator[Route]:
    """Every URL pattern, with its namespaced name and the parameters of its whole prefix chain."""

    def walk(resolver, prefix: str, namespaces: tuple, converters: dict, params: tuple, regex: bool):
        for entry in resolver.url_patterns:
            is_regex = regex or isinstance(entry.pattern, RegexPattern)
            convs = converters | getattr(entry.pattern, "converters", {})
            names = tuple(dict.fromkeys([*params, *entry.pattern.regex.groupindex]))
            text = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                spaces = namespaces + ((entry.namespace,) if entry.namespace else ())
                yield from walk(entry, text, spaces, convs, names, is_regex)
            elif isinstance(entry, URLPattern):
                name = ":".join((*namespaces, entry.name or f"<{text}>"))
                yield Route(name, text, names, convs, named=bool(entry.name), regex_parts=is_regex)

    yield from walk(get_resolver(), "", (), {}, (), False)


def _candidates(route: Route, param: str, samples: dict) -> list[str]:
    values = []
    if param in samples:
        values.append(str(samples[param]))
    converter = route.converters.get(param)
    if isinstance(converter, IntConverter):
        values.append("1")
    elif isinstance(converter, UUIDConverter):
        values.append(str(uuid.UUID(int=1)))
    elif isinstance(converter, SlugConverter):
        values.append("sample-slug")
    elif isinstance(converter, PathConverter):
        values += ["1", "sample"]
    else:
        values += ["1", "sample", "practice"]
    return list(dict.fromkeys(values))


def sample_url(route: Route, samples: dict | None = None, overrides: dict | None = None) -> str | None:
    """A URL that resolves to `route`, or None when none could be built.

    `overrides` maps a route name to the exact kwargs to use (real objects); `samples` maps a
    parameter name to a value tried first for any route (e.g. object_id -> an existing pk).
    """
    samples = samples or {}
    if overrides and route.name in overrides:
        return reverse(route.name, kwargs=overrides[route.name])
    if route.named:
        options = [_candidates(route, param, samples) for param in route.params]
        for combo in itertools.product(*options):
            try:
                return reverse(route.name, kwargs=dict(zip(route.params, combo, strict=True)))
            except NoReverseMatch:
                continue
        return None
    # Unnamed route pattern (the admin's "<object_id>/" redirect): substitute into the pattern text.
    if route.regex_parts:
        return None
    url = "/" + route.pattern
    for param in route.params:
        converter = route.converters[param]
        placeholder = f"<{_converter_name(converter)}:{param}>"
        value = _candidates(route, param, samples)[0]
        url = url.replace(placeholder, value).replace(f"<{param}>", value)
    try:
        resolve(url)
    except Exception:
        return None
    return url


def _converter_name(converter) -> str:
    from django.urls.converters import get_converters

    for name, conv in get_converters().items():
        if type(conv) is type(converter):
            return name
    return "str"
