"""The architecture test: layers, cycles, late and private imports, SQL table names, module size.

Dependencies point one way (models <- selectors/services <- views/urls/admin), with no cycles, no
bottom-of-file imports and no module over 400 lines outside practice/legacy/. Each test runs a checker
from tests/architecture.py on the real tree; each self-test runs the same checker on a tiny fake tree,
so a checker that stopped finding anything fails here instead of passing silently.
"""

from pathlib import Path
from textwrap import dedent

import pytest
from django.apps import apps

from tests.architecture import (
    LayerRule,
    Project,
    import_cycles,
    late_module_imports,
    layer_violations,
    long_modules,
    private_imports,
    sql_table_violations,
    unexplained_function_imports,
)

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = ("practice", "blog", "monitoring", "prepnexus")
MAX_LINES = 400
LONG_MODULES_ALLOWED_IN = ("practice/legacy/",)  # the SQLite importers: one table handler after another

TOP = ("views", "urls", "admin", "forms", "templatetags", "context_processors", "management")


def _practice(*layers: str) -> tuple[str, ...]:
    return tuple(f"practice.{layer}" for layer in layers)


LAYER_RULES = [
    LayerRule(
        _practice("models"),
        _practice("selectors", "services", "formats", *TOP),
        "models are the lowest layer; they import nothing above them",
    ),
    LayerRule(
        _practice("rendering", "spr", "badges", "rows", "grading", "charts"),  # and engine, stricter below
        _practice("selectors", "services", *TOP),
        "base helpers sit beside models, below selectors and services",
    ),
    LayerRule(
        _practice("selectors"),
        _practice("services", *TOP),
        "selectors only read: they never call services (services may call selectors) or anything above",
    ),
    LayerRule(_practice("services"), _practice(*TOP), "services sit below views, urls, admin and forms"),
    LayerRule(
        _practice("formats"),
        _practice("services", "selectors", *TOP),
        "formats parse and serialise only; the services call them, never the reverse",
    ),
    LayerRule(
        _practice("engine"),
        ("django", "practice"),
        "the engine is pure Python: nothing from Django or the rest of practice",
        allowed=_practice("engine"),
    ),
    LayerRule(
        _practice("figures"),
        ("django", "practice"),
        "figures are pure Python: a spec in, SVG and text out, nothing from Django or the rest of practice",
        allowed=_practice("figures"),
    ),
    LayerRule(
        ("blog", "practice"),
        ("monitoring",),
        "monitoring plugs in through settings, middleware and URLs; the apps never import it",
    ),
    LayerRule(
        PRODUCTION,
        ("bench", "tests", "conftest", *(f"{package}.tests" for package in PRODUCTION)),
        "benchmark and test code stays out of production packages",
    ),
]

# Tables hand-written SQL may name that no installed model owns, each with the reason.
ALLOWED_TABLES = {
    "django_migrations": "Django's migration recorder; its model is not in the app registry",
}


@pytest.fixture(scope="module")
def project() -> Project:
    return Project(ROOT, PRODUCTION)


def _report(violations: list[str], what: str) -> None:
    if violations:
        pytest.fail(f"{len(violations)} {what}:\n" + "\n".join(violations), pytrace=False)


def test_lower_layers_never_import_higher_ones(project):
    _report(layer_violations(project, LAYER_RULES), "imports against the layers")


def test_production_packages_have_no_import_cycles(project):
    _report(import_cycles(project), "import cycles")


def test_imports_inside_functions_say_why(project):
    _report(unexplained_function_imports(project), "function-level imports without a reason")


def test_no_imports_below_the_top_of_a_module(project):
    _report(late_module_imports(project), "bottom-of-file imports")


def test_no_private_names_are_imported_across_modules(project):
    _report(private_imports(project), "private names imported from another module")


def test_hand_written_sql_names_only_model_tables(project):
    models = apps.get_models(include_auto_created=True)
    tables = {model._meta.db_table for model in models}
    prefixes = {f"{config.label}_" for config in apps.get_app_configs()} | {"django_"}
    prefixes |= {table.split("_")[0] + "_" for table in tables}
    _report(sql_table_violations(project, tables, prefixes, ALLOWED_TABLES), "unknown tables in SQL")


def test_production_modules_stay_under_the_line_limit(project):
    _report(long_modules(project, MAX_LINES, LONG_MODULES_ALLOWED_IN), f"modules over {MAX_LINES} lines")


# --- The checkers find what they should, on fake trees -------------------------------------------


def _tree(root: Path, files: dict[str, str], packages=("practice",)) -> Project:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text))
    return Project(root, packages)


def test_layer_checker_finds_models_importing_services(tmp_path):
    fake = _tree(
        tmp_path,
        {
            "practice/__init__.py": "",
            "practice/models/__init__.py": "from .bank import Question\n",
            "practice/models/bank.py": """\
                from typing import TYPE_CHECKING

                if TYPE_CHECKING:
                    from practice.views import page  # types only: allowed

                class Question:
                    def grade(self):
                        from ..services.answers import answer_submit  # app-loading: counts all the same
                """,
            "practice/services/__init__.py": "",
            "practice/services/answers.py": "from practice.models import Question\nanswer_submit = 1\n",
            "practice/views.py": "from practice.services import answers\n",
            "practice/engine/__init__.py": "",
            "practice/engine/irt.py": "from django.db import models\nfrom .scores import theta\n",
            "practice/tests/test_bank.py": "from tests.helpers import make_user\n",  # tests may
            "blog/__init__.py": "",
            "blog/views.py": "def page():\n    from monitoring import metrics  # why\nimport bench.users\n",
        },
        packages=("practice", "blog"),
    )
    found = layer_violations(fake, LAYER_RULES)
    assert found == [
        "practice/models/bank.py:8: practice.models.bank imports practice.services.answers: "
        "models are the lowest layer; they import nothing above them",
        "practice/engine/irt.py:1: practice.engine.irt imports django.db: "
        "the engine is pure Python: nothing from Django or the rest of practice",
        "blog/views.py:2: blog.views imports monitoring: "
        "monitoring plugs in through settings, middleware and URLs; the apps never import it",
        "blog/views.py:3: blog.views imports bench.users: "
        "benchmark and test code stays out of production packages",
    ]


def test_cycle_checker_finds_a_two_module_cycle_and_names_each_import(tmp_path):
    fake = _tree(
        tmp_path,
        {
            "practice/__init__.py": "",
            "practice/services.py": "from . import progress\n",
            "practice/progress.py": "def f():\n    from .services import x  # needed late\n",
            # A package that re-exports its modules is fine while they import siblings, not the package.
            "practice/models/__init__.py": "from .bank import Question\nfrom .sessions import Session\n",
            "practice/models/bank.py": "Question = 1\n",
            "practice/models/sessions.py": "from .bank import Question\nSession = 2\n",
            "practice/selectors.py": "def f():\n    from .views import x  # app-loading: views import us\n",
            "practice/views.py": "from .selectors import f\n",
            # Type-only imports still make two modules depend on each other.
            "practice/cards.py": "from .csv import Row\n",
            "practice/csv.py": "import typing\nif typing.TYPE_CHECKING:\n    from .cards import Card\n",
        },
    )
    assert import_cycles(fake) == [
        "import cycle: practice.cards -> practice.csv -> practice.cards\n"
        "    practice/cards.py:1 imports practice.csv\n"
        "    practice/csv.py:3 imports practice.cards (under TYPE_CHECKING)",
        "import cycle: practice.progress -> practice.services -> practice.progress\n"
        "    practice/progress.py:2 imports practice.services (inside a function)\n"
        "    practice/services.py:1 imports practice.progress",
    ]
    (tmp_path / "practice/models/bank.py").write_text("from practice.models import Session\n")
    assert any(
        cycle.startswith("import cycle: practice.models -> practice.models.bank -> practice.models\n")
        for cycle in import_cycles(Project(tmp_path, ["practice"]))
    )


def test_late_import_checkers_find_bottom_and_unexplained_imports(tmp_path):
    fake = _tree(
        tmp_path,
        {
            "practice/__init__.py": "",
            "practice/tidy.py": '''\
                """Docstring."""
                from __future__ import annotations

                import os
                from typing import TYPE_CHECKING

                try:
                    import yaml
                except ImportError:
                    yaml = None
                if TYPE_CHECKING:
                    from .models import Question

                def f():
                    # The admin imports this module while the app registry loads.
                    from .models import Question
                    from .models import Answer  # app-loading: see above
                ''',
            "practice/messy.py": """\
                import os

                X = 1

                def f():
                    import json  # noqa: PLC0415
                    import csv

                from .tidy import f  # noqa: E402
                """,
            "practice/migrations/0001_initial.py": "X = 1\nimport os\n",
        },
    )
    assert late_module_imports(fake) == [
        "practice/messy.py:9: module-level import below the first statement (line 3); imports go at the top"
    ]
    found = unexplained_function_imports(fake)
    assert [line.split(":")[:2] for line in found] == [["practice/messy.py", "6"], ["practice/messy.py", "7"]]


def test_private_import_checker_finds_a_private_name_from_another_module(tmp_path):
    fake = _tree(
        tmp_path,
        {
            "practice/__init__.py": "",
            "practice/services.py": "def _check_given(): ...\n__version__ = 1\n",
            "practice/progress.py": "from .services import _check_given, __version__\n",
            "practice/formats/__init__.py": "from . import _csv\n",
            "practice/formats/_csv.py": "",
            "practice/views.py": "from .formats import _csv\n",
        },
    )
    assert private_imports(fake) == [
        "practice/progress.py:1: imports private name _check_given from practice.services; "
        "make it public in its module or move the code that needs it there",
        "practice/views.py:1: imports private name _csv from practice.formats; "
        "make it public in its module or move the code that needs it there",
    ]


def test_sql_checker_finds_a_table_no_model_owns(tmp_path):
    fake = _tree(
        tmp_path,
        {
            "practice/__init__.py": "",
            "practice/queries.py": '''\
                """Reads FROM practice_docstring, which is prose, not SQL."""
                TABLE = "practice_question"

                def f(cursor, table):
                    cursor.execute(f"SELECT count(*) FROM {table}")
                    cursor.execute(f"SELECT * FROM practice_{table}")
                    cursor.execute("""
                        WITH practice_recent AS (SELECT 1), days (d) AS (SELECT 2)
                        SELECT q.id FROM practice_question q
                        JOIN practice_recent r ON true
                        JOIN pg_class c ON true, generate_series(1, 3)
                        LEFT JOIN practice_nope n ON n.id = q.id
                    """)
                    cursor.execute("UPDATE practice_gone SET x = 1 FROM unnest(%s) AS u")
                    cursor.execute("SELECT app FROM django_migrations")
                ''',
            "practice/migrations/0002_raw.py": 'SQL = "INSERT INTO practice_renamed VALUES (1)"\n',
        },
    )
    tables = {"practice_question"}
    found = sql_table_violations(fake, tables, {"practice_", "django_"}, ALLOWED_TABLES)
    assert found == [
        "practice/queries.py:12: SQL names table practice_nope, which is no installed model's db_table "
        "(a renamed or removed model?)",
        "practice/queries.py:14: SQL names table practice_gone, which is no installed model's db_table "
        "(a renamed or removed model?)",
    ]


def test_size_checker_finds_a_long_module_outside_legacy(tmp_path):
    long = "x = 1\n" * (MAX_LINES + 1)
    fake = _tree(
        tmp_path,
        {
            "practice/__init__.py": "",
            "practice/services.py": long,
            "practice/views.py": "x = 1\n" * MAX_LINES,
            "practice/legacy/importer.py": long,
            "practice/tests/test_services.py": long,
            "practice/migrations/0001_initial.py": long,
        },
    )
    assert long_modules(fake, MAX_LINES, LONG_MODULES_ALLOWED_IN) == [
        f"practice/services.py: {MAX_LINES + 1} lines, over the {MAX_LINES}-line limit; split it by domain"
    ]


def test_every_institution_owned_table_carries_institution_id():
    """Row-level security and a later distribution by institution (docs/scaling.md) both need the column."""
    from practice.models import Institution, institutions

    owned = [m for m in apps.get_models() if m.__module__ == institutions.__name__ and m is not Institution]
    assert len(owned) >= 7
    missing = [
        m.__name__ for m in owned if "institution_id" not in {f.attname for f in m._meta.concrete_fields}
    ]
    assert not missing, f"institution-owned models without institution_id: {missing}"
    # A model elsewhere that points at an institution is institution-owned too: it belongs in that module.
    strays = [
        m.__name__
        for m in apps.get_models()
        if m.__module__ != institutions.__name__
        and any(f.is_relation and f.related_model is Institution for f in m._meta.concrete_fields)
    ]
    assert not strays, (
        f"models outside practice/models/institutions.py that belong to an institution: {strays}"
    )
