"""The SVG renderer writes well-formed, scalable, accessible SVG with every text escaped; and the alt text."""

import copy

import pytest

from practice.figures import figure_alt, render_figure

from .samples import GOOD, HOSTILE, parse_svg

SVG = "{http://www.w3.org/2000/svg}"
DRAWN = {"svg", "title", "line", "polyline", "polygon", "path", "ellipse", "circle", "rect", "text"}


@pytest.mark.parametrize("kind", GOOD)
def test_every_kind_renders_well_formed_scalable_svg_labelled_by_its_alt(kind):
    svg = render_figure(GOOD[kind], ident="fig-test")
    root = parse_svg(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("width") == "100%" and root.get("height") is None
    assert root.get("viewBox").startswith("0 0 ")
    title = root.find(f"{SVG}title")
    assert root.get("aria-labelledby") == title.get("id") == "fig-test-title"
    assert title.text == figure_alt(GOOD[kind])
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= DRAWN, tags - DRAWN
    for element in root.iter():
        assert not any(name.startswith("on") or "href" in name for name in element.attrib)
        assert element.get("stroke") in (None, "currentColor", "none", "#fff")
    assert len(root.findall(f".//{SVG}text")) >= 2  # labels and ticks are drawn


@pytest.mark.parametrize("kind", ["coordinate_plane", "bar_chart", "triangle", "circle"])
def test_hostile_label_text_is_escaped_and_inert(kind):
    spec = copy.deepcopy(GOOD[kind])
    if kind == "coordinate_plane":
        spec["points"][0]["label"] = HOSTILE[:40]
    elif kind == "bar_chart":
        spec["title"] = HOSTILE
        spec["bars"][0]["label"] = HOSTILE[:40]
    elif kind == "triangle":
        spec["side_labels"][0] = HOSTILE[:40]
    else:
        spec["center_label"] = HOSTILE[:40]
    svg = render_figure(spec, ident='x"><script>')
    assert "<script" not in svg and "</text><script" not in svg
    root = parse_svg(svg)
    assert {element.tag.removeprefix(SVG) for element in root.iter()} <= DRAWN
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert HOSTILE[:40] in texts or HOSTILE in texts  # drawn as the characters it is
    assert root.get("aria-labelledby") == "xscript-title"  # the id keeps only safe characters


def test_tick_labels_cover_the_axes_and_use_a_true_minus_sign():
    root = parse_svg(render_figure(GOOD["coordinate_plane"]))
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert {"\u22125", "5", "1", "O", "x", "y"} <= set(texts)


def test_points_outside_the_plot_never_draw_outside_the_view_box():
    spec = copy.deepcopy(GOOD["coordinate_plane"])
    spec["parabolas"] = [{"a": 50, "b": 0, "c": -4}]
    spec["lines"] = [{"slope": 1000, "intercept": 0}]
    root = parse_svg(render_figure(spec))
    _, _, width, height = map(float, root.get("viewBox").split())
    for element in root.iter(f"{SVG}polyline"):
        for pair in element.get("points").split():
            x, y = map(float, pair.split(","))
            assert -1 <= x <= width + 1 and -1 <= y <= height + 1


def test_generated_alt_text_describes_the_figure():
    assert figure_alt(GOOD["coordinate_plane"]).startswith(
        "Coordinate plane, x from -5 to 5, y from -5 to 5. Line \u2113 through (0, 1) and (2, 5)."
    )
    assert "Parabola f: y = x² - 2x - 3." in figure_alt(GOOD["coordinate_plane"])
    assert "Point A at (1, 3). Point B at (-3, -2)." in figure_alt(GOOD["coordinate_plane"])
    assert (
        figure_alt(GOOD["bar_chart"]) == "Bar chart of Books read per month (Books): January 4, February 7."
    )
    assert figure_alt(GOOD["histogram"]) == (
        "Histogram, Number of students by Minutes: 0 to 10: 3, 10 to 20: 6."
    )
    assert figure_alt(GOOD["scatterplot"]) == (
        "Scatterplot of Score against Hours studied, Hours studied from 0 to 10, Score from 0 to 100. "
        "4 points: (1, 25), (3, 42), (5, 57), (8, 83). Line of fit: y = 7.5x + 18."
    )
    assert figure_alt(GOOD["triangle"]) == (
        "Triangle ABC. Side AB is labelled 8. Side BC is labelled 10. Side CA is labelled 6. "
        "The angle at B is labelled x°. The angle at A is a right angle."
    )
    assert figure_alt(GOOD["dot_plot"]) == (
        "Dot plot, Pets per household from 0 to 5: 2 dots at 0, 4 dots at 1, 1 dot at 3."
    )
    assert "Radius from the center to A labelled 6." in figure_alt(GOOD["circle"])


def test_authored_alt_leads_the_generated_text_or_replaces_it():
    spec = {**GOOD["bar_chart"], "alt": "Survey of 11 students."}
    assert (
        figure_alt(spec)
        == "Survey of 11 students. Bar chart of Books read per month (Books): January 4, February 7."
    )
    assert figure_alt({**spec, "alt_mode": "replace"}) == "Survey of 11 students."
    assert figure_alt(GOOD["geometry"]).startswith("Lines m and n are parallel")
