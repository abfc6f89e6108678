"""Checks of the project's shape, read from source with `ast` (nothing under test is imported).

A `Project` is a root directory and the top-level packages to read. Each checker takes one and returns
its violations as "path:line: what is wrong" strings, so tests/test_architecture.py runs the same code on
the real tree and on tiny synthetic trees that prove each checker catches what it should.
"""

from __future__ import annotations

import ast
import io
import itertools
import re
import tokenize
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

# A marker a function-level import's comment carries when circular app loading forces the import there.
APP_LOADING = "app-loading"


def within(name: str, prefix: str) -> bool:
    """Whether dotted NAME is PREFIX or lies inside it (`a.b` is within `a`; `ab` is not)."""
    return name == prefix or name.startswith(prefix + ".")


@dataclass(frozen=True)
class Import:
    line: int
    origin: str  # the module the statement names, made absolute: `from ..models import X` -> practice.models
    target: str  # what is imported: origin.name when that is a module of the project, else origin
    name: str | None  # the imported name of a from-import
    in_function: bool
    type_checking: bool
    reason: str  # the comment that explains the import, "" when there is none


class Module:
    def __init__(self, name: str, path: Path, rel: str, is_package: bool):
        self.name, self.path, self.rel, self.is_package = name, path, rel, is_package
        folders = rel.split("/")[:-1]
        self.is_test = "tests" in folders
        self.is_migration = "migrations" in folders

    @cached_property
    def source(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @cached_property
    def lines(self) -> list[str]:
        return self.source.splitlines()

    @cached_property
    def tree(self) -> ast.Module:
        return ast.parse(self.source, filename=self.rel)

    @cached_property
    def comments(self) -> dict[int, str]:
        found = {}
        for token in tokenize.generate_tokens(io.StringIO(self.source).readline):
            if token.type == tokenize.COMMENT:
                found[token.start[0]] = token.string
        return found

    @property
    def package(self) -> str:
        return self.name if self.is_package else self.name.rpartition(".")[0]

    def reason_for(self, node: ast.stmt) -> str:
        """The comment on NODE's lines, or on a comment-only line just above it, minus lint pragmas."""
        texts = [self.comments.get(n, "") for n in range(node.lineno, (node.end_lineno or node.lineno) + 1)]
        above = node.lineno - 1
        if above >= 1 and self.lines[above - 1].lstrip().startswith("#"):
            texts.append(self.comments.get(above, ""))
        return " ".join(_PRAGMA.sub("", text).strip(" #:") for text in texts if text).strip()


_PRAGMA = re.compile(  # lint pragmas explain nothing: noqa codes, type-ignore, pragma no-cover
    r"noqa(?::?\s*[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)?|type:\s*ignore(?:\[[^\]]*\])?|pragma:[\w ]+"
)


class Project:
    def __init__(self, root: Path, packages: Iterable[str]):
        self.root = Path(root)
        self.modules: dict[str, Module] = {}
        for package in packages:
            for path in sorted((self.root / package).rglob("*.py")):
                rel = path.relative_to(self.root)
                parts = list(rel.with_suffix("").parts)
                is_package = parts[-1] == "__init__"
                if is_package:
                    parts.pop()
                name = ".".join(parts)
                self.modules[name] = Module(name, path, rel.as_posix(), is_package)
        self._imports: dict[str, list[Import]] = {}

    def production(self, *, migrations: bool = False) -> Iterator[Module]:
        """Modules outside tests/ folders (and, unless asked for, outside migrations/)."""
        for module in self.modules.values():
            if not module.is_test and (migrations or not module.is_migration):
                yield module

    def imports(self, module: Module) -> list[Import]:
        if module.name not in self._imports:
            collector = _ImportCollector(self, module)
            collector.visit(module.tree)
            self._imports[module.name] = collector.found
        return self._imports[module.name]

    def absolute(self, module: Module, level: int, name: str | None) -> str:
        if not level:
            return name or ""
        parts = module.package.split(".")
        base = parts[: len(parts) - (level - 1)]
        return ".".join([*base, name] if name else base)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _ImportCollector(ast.NodeVisitor):
    def __init__(self, project: Project, module: Module):
        self.project, self.module = project, module
        self.found: list[Import] = []
        self.functions = 0
        self.type_checking = False

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.functions += 1
        self.generic_visit(node)
        self.functions -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        outer, self.type_checking = self.type_checking, True
        for statement in node.body:
            self.visit(statement)
        self.type_checking = outer
        for statement in node.orelse:
            self.visit(statement)

    def _add(self, node: ast.stmt, origin: str, target: str, name: str | None) -> None:
        reason = self.module.reason_for(node)
        self.found.append(
            Import(node.lineno, origin, target, name, self.functions > 0, self.type_checking, reason)
        )

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(node, alias.name, alias.name, None)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        origin = self.project.absolute(self.module, node.level, node.module)
        for alias in node.names:
            candidate = f"{origin}.{alias.name}"
            self._add(node, origin, candidate if candidate in self.project.modules else origin, alias.name)


def _distinct(imports: list[Import]) -> list[Import]:
    """One import per (line, target): `from x import a, b` is one import of x."""
    distinct: dict[tuple[int, str], Import] = {}
    for imp in imports:
        distinct.setdefault((imp.line, imp.target), imp)
    return list(distinct.values())


# --- 1. Layers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerRule:
    sources: tuple[str, ...]  # modules (and everything inside them) the rule applies to
    forbidden: tuple[str, ...]  # what they must not import
    why: str
    allowed: tuple[str, ...] = ()  # exceptions inside `forbidden`


def layer_violations(project: Project, rules: Iterable[LayerRule]) -> list[str]:
    """Imports (anywhere in a file, except under `if TYPE_CHECKING:`) that a rule forbids."""
    found = []
    for rule in rules:
        for module in project.production(migrations=True):
            if not any(within(module.name, source) for source in rule.sources):
                continue
            for imp in _distinct(project.imports(module)):
                if imp.type_checking or any(within(imp.target, ok) for ok in rule.allowed):
                    continue
                if any(within(imp.target, bad) for bad in rule.forbidden):
                    found.append(f"{module.rel}:{imp.line}: {module.name} imports {imp.target}: {rule.why}")
    return found


# --- 2. Cycles and late imports -------------------------------------------------------------------


def import_graph(project: Project) -> dict[str, dict[str, tuple[str, int, str]]]:
    """module -> {imported module: (importing file, line, note)}, over production modules.

    An import under `if TYPE_CHECKING:` is an edge too: it never runs, but the two modules still depend
    on each other (the issue counts flashcard_csv <-> services_learning, joined that way, as a cycle).
    A function-level import whose comment says "app-loading" is the issue's escape hatch: no edge.
    """
    graph: dict[str, dict[str, tuple[str, int, str]]] = {}
    for module in project.production(migrations=True):
        edges = graph.setdefault(module.name, {})
        for imp in project.imports(module):
            if imp.in_function and APP_LOADING in imp.reason:
                continue
            target = project.modules.get(imp.target)
            if target and not target.is_test and target.name != module.name:
                note = " (under TYPE_CHECKING)" if imp.type_checking else ""
                note += " (inside a function)" if imp.in_function else ""
                if target.name not in edges or (edges[target.name][2] and not note):
                    edges[target.name] = (module.rel, imp.line, note)
    return graph


def strongly_connected(graph: dict[str, dict[str, object]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components of more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for root in sorted(graph):
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(sorted(graph.get(root, {}))))]
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return components


def _shortest_cycle(graph: dict[str, dict], start: str, members: set[str]) -> list[str]:
    came_from = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph.get(node, {})):
            if child == start:
                path = [node]
                while came_from[path[-1]] is not None:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if child in members and child not in came_from:
                came_from[child] = node
                queue.append(child)
    return []


def import_cycles(project: Project) -> list[str]:
    """One message per distinct cycle: the shortest cycle through each module of each component."""
    graph = import_graph(project)
    found, seen = [], set()
    for component in strongly_connected(graph):
        for start in component:
            cycle = _shortest_cycle(graph, start, set(component))
            first = cycle.index(min(cycle[:-1]))
            key = tuple(cycle[first:-1] + cycle[:first])
            if key in seen:
                continue
            seen.add(key)
            steps = []
            for importer, imported in itertools.pairwise(cycle):
                rel, line, note = graph[importer][imported]
                steps.append(f"    {rel}:{line} imports {imported}{note}")
            found.append("import cycle: " + " -> ".join(cycle) + "\n" + "\n".join(steps))
    return found


def unexplained_function_imports(project: Project) -> list[str]:
    """Imports inside a function body with no comment (same line or the line above) saying why."""
    found = []
    for module in project.production():
        for imp in _distinct(project.imports(module)):
            if imp.in_function and not imp.type_checking and not imp.reason:
                found.append(
                    f"{module.rel}:{imp.line}: imports {imp.target} inside a function without a comment "
                    f"saying why; move it to the top, or name the circular app loading that forces it"
                )
    return found


def _only_imports(body: list[ast.stmt]) -> bool:
    return all(isinstance(statement, (ast.Import, ast.ImportFrom, ast.Pass)) for statement in body)


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return bool(caught) and all(
        isinstance(name, ast.Name) and name.id in ("ImportError", "ModuleNotFoundError") for name in caught
    )


def _in_header(statement: ast.stmt, position: int) -> bool:
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return True
    if position == 0 and isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return isinstance(statement.value.value, str)  # the module docstring
    if isinstance(statement, ast.If) and _is_type_checking(statement.test):
        return _only_imports(statement.body) and _only_imports(statement.orelse)
    if isinstance(statement, ast.Try):
        return (
            _only_imports(statement.body)
            and _only_imports(statement.orelse)
            and not statement.finalbody
            and bool(statement.handlers)
            and all(_catches_import_error(handler) for handler in statement.handlers)
        )
    return False


def _outside_functions(node: ast.AST) -> Iterator[ast.AST]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return
    yield node
    for child in ast.iter_child_nodes(node):
        yield from _outside_functions(child)


def late_module_imports(project: Project) -> list[str]:
    """Module-level imports below the first statement that is not an import (bottom-of-file imports)."""
    found = []
    for module in project.production():
        body = module.tree.body
        start = next((i for i, statement in enumerate(body) if not _in_header(statement, i)), len(body))
        for statement in body[start:]:
            for node in _outside_functions(statement):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    found.append(
                        f"{module.rel}:{node.lineno}: module-level import below the first statement "
                        f"(line {body[start].lineno}); imports go at the top"
                    )
    return found


# --- 3. Private names -----------------------------------------------------------------------------


def private_imports(project: Project) -> list[str]:
    """`from x import _name` where x is another module (a package's own private submodules are fine)."""
    found = []
    for module in project.production():
        for imp in project.imports(module):
            name = imp.name
            if not name or not name.startswith("_") or (name.startswith("__") and name.endswith("__")):
                continue
            if imp.target != imp.origin and within(module.name, imp.origin):
                continue  # `from . import _helpers` inside the package that owns _helpers
            found.append(
                f"{module.rel}:{imp.line}: imports private name {name} from {imp.origin}; "
                f"make it public in its module or move the code that needs it there"
            )
    return found


# --- 4. Tables named in SQL -----------------------------------------------------------------------

_SQL_VERB = re.compile(r"\b(?:SELECT|INSERT|UPDATE|DELETE|COPY|TRUNCATE|WITH|WHERE|RETURNING|VALUES)\b")
_SQL_START = re.compile(r"\A\s*\(?\s*(?:select|insert|update|delete|with|copy|truncate)\s", re.I)
_TABLE_REF = re.compile(
    r"""\b(FROM|JOIN|INTO|UPDATE|TABLE|TRUNCATE|REFERENCES)\s+
        (?:ONLY\s+)?(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(?:"?public"?\.)?
        "?([a-z_][a-z0-9_$]*)"?(?![\w$\x00{.])(\s*\()?""",
    re.I | re.X,
)
_CTE_NAME = re.compile(  # WITH name AS (...), name (a, b) AS MATERIALIZED (...)
    r"""(?:\bWITH(?:\s+RECURSIVE)?|,)\s*"?([a-z_]\w*)"?\s*(?:\([^()]*\)\s*)?
        AS\s+(?:NOT\s+)?(?:MATERIALIZED\s+)?\(""",
    re.I | re.X,
)
_SUBQUERY_ALIAS = re.compile(r"""\)\s*AS\s+"?([a-z_]\w*)""", re.I)
_POSTGRES_NAME = re.compile(r"pg_\w*|information_schema|generate_series|unnest|jsonb?_\w+|json|jsonb", re.I)


def _strings(tree: ast.Module) -> Iterator[tuple[ast.expr, str]]:
    """Every string literal outside docstrings; f-strings with each {field} as \\x00."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.body and isinstance(node.body[0], ast.Expr):
                skip.add(id(node.body[0].value))
        elif isinstance(node, ast.JoinedStr):
            skip.update(id(part) for part in node.values)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node, node.value
        elif isinstance(node, ast.JoinedStr):
            yield node, "".join(p.value if isinstance(p, ast.Constant) else "\x00" for p in node.values)


def sql_tables(text: str) -> list[tuple[str, int]]:
    """(table, character offset) for each table a SQL string reads or writes; [] if it is not SQL."""
    if not (_SQL_VERB.search(text) or _SQL_START.search(text)):
        return []
    local = {name.lower() for name in _CTE_NAME.findall(text) + _SUBQUERY_ALIAS.findall(text)}
    found = []
    for match in _TABLE_REF.finditer(text):
        keyword, name, call = match.group(1).upper(), match.group(2).lower(), match.group(3)
        if call and keyword in ("FROM", "JOIN"):
            continue  # a set-returning function: FROM unnest(...)
        if name not in local and not _POSTGRES_NAME.fullmatch(name):
            found.append((name, match.start(2)))
    return found


def sql_table_violations(
    project: Project, tables: set[str], prefixes: set[str], allowed: dict[str, str]
) -> list[str]:
    """Tables named in hand-written SQL that no model owns.

    Only names that start with an app's prefix (PREFIXES, e.g. "practice_") are checked: other names in
    SQL strings are columns after `extract(epoch FROM ...)`, PostgreSQL catalogs, or the legacy SQLite
    files' own tables. ALLOWED maps a non-model table to the reason it is fine.
    """
    found = []
    for module in project.production():
        for node, text in _strings(module.tree):
            for name, offset in sql_tables(text):
                if name in tables or name in allowed or not name.startswith(tuple(prefixes)):
                    continue
                line = node.lineno
                if text.count("\n") == (node.end_lineno or line) - line:  # a plain (triple-quoted) string
                    line += text.count("\n", 0, offset)
                found.append(
                    f"{module.rel}:{line}: SQL names table {name}, which is no installed model's db_table "
                    f"(a renamed or removed model?)"
                )
    return found


# --- 5. Size --------------------------------------------------------------------------------------


def long_modules(project: Project, limit: int, exempt: Iterable[str] = ()) -> list[str]:
    """Production modules (not migrations, not tests) longer than LIMIT lines, outside EXEMPT folders."""
    found = []
    for module in project.production():
        if any(module.rel.startswith(folder) for folder in exempt):
            continue
        count = len(module.lines)
        if count > limit:
            found.append(f"{module.rel}: {count} lines, over the {limit}-line limit; split it by domain")
    return found
